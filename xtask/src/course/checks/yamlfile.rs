//! The `yaml` check: the file parses, and its block structure is sound
//! (no tabs, no key whose children lost their indentation, no line at a
//! column no block uses). Messages name the line where the structure went
//! wrong, not only where the parser stopped.

use super::{missing_file, Ctx, Verdict};
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::k8s::{parse_documents, structure_hints, StructureHint};
use crate::msg;

fn number_word_pt(n: usize) -> String {
    match n {
        1 => "um espaço".into(),
        2 => "dois espaços".into(),
        4 => "quatro espaços".into(),
        n => format!("{n} espaços"),
    }
}

fn number_word_en(n: usize) -> String {
    match n {
        1 => "one space".into(),
        2 => "two spaces".into(),
        4 => "four spaces".into(),
        n => format!("{n} spaces"),
    }
}

/// Problems for the structure hints of one file's text.
pub fn structure_problems(file: &str, text: &str) -> Vec<Problem> {
    let lines: Vec<&str> = text.lines().collect();
    let line_text = |n: usize| lines.get(n.wrapping_sub(1)).map(|l| l.trim()).unwrap_or("");
    structure_hints(text)
        .into_iter()
        .map(|h| match h {
            StructureHint::Tab { line, column } => Problem::new(
                file,
                line,
                column,
                Msg::new("recuo feito só com espaços", "indentation made of spaces only"),
                msg!("um caractere TAB no recuo da linha {}", line; "a TAB character in the indentation of line {}", line),
                Msg::new(
                    "YAML não aceita TAB no recuo: troque cada TAB por espaços (configure o editor para inserir 2 espaços ao apertar Tab)",
                    "YAML does not allow TAB in indentation: replace each TAB with spaces (set your editor to insert 2 spaces for Tab)",
                ),
            ),
            StructureHint::LostChildren {
                parent,
                parent_line,
                parent_column,
                child,
                child_line,
                child_column,
                indent,
            } => {
                let child_src = line_text(child_line).to_string();
                let fixed = format!("{}{}", " ".repeat(child_column - 1 + indent), child_src);
                Problem::new(
                    file,
                    child_line,
                    child_column,
                    msg!(
                        "`{}` dentro de `{}:` (linha {}), com {} a mais de recuo (coluna {})",
                        child_src, parent, parent_line, number_word_pt(indent), child_column + indent;
                        "`{}` nested under `{}:` (line {}), indented {} deeper (column {})",
                        child_src, parent, parent_line, number_word_en(indent), child_column + indent
                    ),
                    msg!(
                        "`{}` na coluna {}, a mesma coluna de `{}` (linha {}, coluna {}): assim `{}` fica vazio e `{}` vira irmão dele",
                        child, child_column, parent, parent_line, parent_column, parent, child;
                        "`{}` at column {}, the same column as `{}` (line {}, column {}), so `{}` is empty and `{}` becomes its sibling",
                        child, child_column, parent, parent_line, parent_column, parent, child
                    ),
                    msg!(
                        "`{}` precisa ficar {} mais para dentro, debaixo de `{}`; escreva a linha {} assim: `{}` (e recue junto as linhas que pertencem a ela). Em YAML, o recuo decide quem é filho de quem.",
                        child_src, number_word_pt(indent), parent, child_line, fixed;
                        "`{}` must sit {} deeper under `{}`; write line {} as `{}` (and indent the lines that belong to it along with it). In YAML, indentation decides what belongs to what.",
                        child_src, number_word_en(indent), parent, child_line, fixed
                    ),
                )
            }
            StructureHint::BadIndent { line, column, expected } => {
                let cols: Vec<String> = expected.iter().map(|c| c.to_string()).collect();
                Problem::new(
                    file,
                    line,
                    column,
                    msg!("a linha {} começando numa das colunas {}", line, cols.join(", "); "line {} starting at one of the columns {}", line, cols.join(", ")),
                    msg!("`{}` começa na coluna {}", line_text(line), column; "`{}` starts at column {}", line_text(line), column),
                    msg!(
                        "alinhe `{}` com as outras chaves do mesmo bloco (mesma quantidade de espaços); um espaço a mais ou a menos muda a estrutura",
                        line_text(line);
                        "line `{}` up with the other keys of its block (same number of spaces); one space more or less changes the structure",
                        line_text(line)
                    ),
                )
            }
        })
        .collect()
}

pub fn check_yaml(ctx: &Ctx<'_>, rel: &str) -> Verdict {
    let files = ctx.yaml_files(rel);
    if files.is_empty() {
        ctx.mark_broken(rel);
        return Verdict::Fail(vec![missing_file(rel)], Vec::new());
    }
    let mut problems = Vec::new();
    for f in &files {
        let Some(text) = ctx.read(f) else {
            problems.push(Problem::new(
                f,
                0,
                0,
                Msg::new(
                    "um arquivo de texto UTF-8 dentro da pasta",
                    "a UTF-8 text file inside the folder",
                ),
                Msg::new("não foi possível ler o arquivo", "the file could not be read"),
                Msg::new(
                    "salve o arquivo como texto UTF-8 (sem links para fora da pasta)",
                    "save the file as UTF-8 text (no links out of the folder)",
                ),
            ));
            continue;
        };
        let structural = structure_problems(f, &text);
        match parse_documents(&text) {
            Ok(docs) => {
                problems.extend(structural);
                if docs.iter().all(|d| d.root.is_null()) {
                    problems.push(Problem::new(
                        f,
                        0,
                        0,
                        Msg::new("pelo menos um objeto YAML", "at least one YAML object"),
                        Msg::new("um arquivo vazio", "an empty file"),
                        Msg::new(
                            "escreva o manifesto neste arquivo",
                            "write the manifest in this file",
                        ),
                    ));
                }
            }
            Err(e) => {
                // Where the structure went wrong: the last structural hint
                // at or before the line where the parser stopped.
                let culprit = structural
                    .iter()
                    .find(|p| p.found.en.contains("TAB"))
                    .or_else(|| structural.iter().rfind(|p| p.line <= e.line + 1))
                    .cloned();
                match culprit {
                    Some(mut p) => {
                        p.found = msg!(
                            "{} (o leitor de YAML parou na linha {}: {})", p.found.pt, e.line, e.message;
                            "{} (the YAML reader stopped at line {}: {})", p.found.en, e.line, e.message
                        );
                        problems.push(p);
                    }
                    None => problems.push(Problem::new(
                        f,
                        e.line,
                        e.column,
                        Msg::new("YAML válido", "valid YAML"),
                        msg!("erro de sintaxe: {}", e.message; "syntax error: {}", e.message),
                        Msg::new(
                            "confira a linha indicada e a anterior: dois-pontos seguidos de espaço (`chave: valor`), aspas fechadas, listas com `- ` e o mesmo recuo para chaves irmãs",
                            "look at this line and the one before: a colon followed by a space (`key: value`), closed quotes, lists with `- `, and the same indentation for sibling keys",
                        ),
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        Verdict::Pass(Vec::new())
    } else {
        ctx.mark_broken(rel);
        Verdict::Fail(problems, Vec::new())
    }
}
