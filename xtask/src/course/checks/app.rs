//! The FastAPI app: requirements pinned, and the app really started with
//! uvicorn (a subprocess through the tool seam, on a free loopback port,
//! with a time limit, in a temporary copy) answering `GET /` with exactly
//! `{"message": "Hello World!"}`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::{missing_file, Ctx, Verdict};
use crate::course::fsutil::{copy_tree, TempDir};
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::msg;
use crate::tools::{Cmd, ToolError};

const EXPECTED_BODY: &str = r#"{"message": "Hello World!"}"#;

pub fn requirements(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let Some(text) = ctx.read(file) else {
        return Verdict::Fail(
            vec![Problem::new(
                file,
                0,
                0,
                msg!("o arquivo `{}` com as dependências fixadas", file; "the file `{}` with pinned dependencies", file),
                Msg::new("o arquivo não existe", "the file does not exist"),
                Msg::new(
                    "crie `app/requirements.txt` com uma dependência por linha e a versão fixada, ex.: `fastapi==0.115.0` e `uvicorn==0.30.6`; o Dockerfile instala a partir dele",
                    "create `app/requirements.txt` with one dependency per line and a pinned version, e.g. `fastapi==0.115.0` and `uvicorn==0.30.6`; the Dockerfile installs from it",
                ),
            )],
            Vec::new(),
        );
    };
    let mut problems = Vec::new();
    let mut names = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('-') {
            continue;
        }
        let name_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(line.len());
        let name = line[..name_end].to_lowercase();
        names.push(name.clone());
        let spec = line[name_end..].trim();
        let spec = if spec.starts_with('[') {
            spec.split_once(']').map_or("", |(_, s)| s.trim())
        } else {
            spec
        };
        if !spec.starts_with("==") || spec.len() <= 2 || spec.contains(',') || spec.contains('*') {
            problems.push(Problem::new(
                file,
                i + 1,
                1,
                msg!("`{}==VERSÃO` (versão fixada)", name; "`{}==VERSION` (a pinned version)", name),
                Msg::same(line.to_string()),
                msg!(
                    "fixe a versão com `==` (ex.: `{}==1.2.3`) para a imagem ser igual hoje e amanhã; veja a versão instalada com `pip show {}`",
                    name, name;
                    "pin the version with `==` (e.g. `{}==1.2.3`) so the image is the same today and tomorrow; see the installed version with `pip show {}`",
                    name, name
                ),
            ));
        }
    }
    for need in ["fastapi", "uvicorn"] {
        if !names.iter().any(|n| n == need) {
            problems.push(Problem::new(
                file,
                0,
                0,
                msg!("uma linha `{}==VERSÃO`", need; "a line `{}==VERSION`", need),
                msg!("`{}` não está na lista", need; "`{}` is not listed", need),
                msg!("a aplicação precisa de `{}`; acrescente-o com a versão fixada", need; "the app needs `{}`; add it with a pinned version", need),
            ));
        }
    }
    Verdict::from_problems(problems)
}

/// The Python to run student apps with: `target/tools/venv/bin/python` of the
/// checkout when present, else `python3` from PATH.
pub fn python_for(root: &std::path::Path) -> String {
    let venv = root.join("target/tools/venv/bin/python");
    if venv.is_file() {
        venv.to_string_lossy().into_owned()
    } else {
        "python3".to_string()
    }
}

/// A free port on 127.0.0.1 (bound, then released), never one this process
/// handed out before: the kernel may give the same just-released port to two
/// calls in a row, and two checks running side by side must not share one.
pub fn free_port() -> Option<u16> {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..64 {
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        if !given.contains(&port) {
            given.push(port);
            return Some(port);
        }
    }
    None
}

/// A tiny HTTP/1.1 GET over a std TcpStream.
pub fn http_get(port: u16, path: &str, host: &str, timeout: Duration) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > 1 << 20 {
                    break;
                }
            }
            Err(e) if buf.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP response"))?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub fn app_runs(ctx: &Ctx<'_>, file: &str) -> Verdict {
    if !ctx.exists(file) {
        return Verdict::Fail(vec![missing_file(file)], Vec::new());
    }
    let app_dir_rel = file.rsplit_once('/').map_or(".", |(d, _)| d);
    let module = file
        .rsplit('/')
        .next()
        .unwrap_or("main.py")
        .trim_end_matches(".py")
        .to_string();
    let python = python_for(&ctx.opts.project_root);
    // The interpreter must have FastAPI and uvicorn: that is the machine's
    // problem, not the student's, so it is reported as a missing prerequisite.
    let probe = ctx.toolbox.output(
        &Cmd::new(&python)
            .args(["-c", "import fastapi, uvicorn"])
            .timeout(Duration::from_secs(60)),
    );
    match probe {
        Ok(o) if o.success() => {}
        Ok(o) => {
            ctx.missing_prerequisite(format!(
                "{python} cannot import fastapi and uvicorn ({}); run `bash scripts/test-deps.sh` (it installs them into target/tools/venv) or `pip install fastapi uvicorn`",
                o.stderr.lines().last().unwrap_or("").trim()
            ));
            return Verdict::Skip(Msg::new(
                "FastAPI/uvicorn não estão instalados neste computador: rode `bash scripts/test-deps.sh`",
                "FastAPI/uvicorn are not installed on this machine: run `bash scripts/test-deps.sh`",
            ));
        }
        Err(e) => {
            ctx.missing_prerequisite(format!("{e}"));
            return Verdict::Skip(
                msg!("não foi possível rodar o Python: {}", e; "could not run Python: {}", e),
            );
        }
    }
    let tmp = match TempDir::new("asky-course-app") {
        Ok(t) => t,
        Err(e) => return Verdict::Skip(msg!("pasta temporária: {}", e; "temporary folder: {}", e)),
    };
    let work = tmp.path().join("app");
    let home = tmp.path().join("home");
    let _ = std::fs::create_dir_all(&work);
    let _ = std::fs::create_dir_all(&home);
    if let Err(e) = copy_tree(&ctx.dir.join(app_dir_rel), &work) {
        return Verdict::Skip(msg!("cópia da aplicação: {}", e; "copying the app: {}", e));
    }
    let Some(port) = free_port() else {
        return Verdict::Skip(Msg::new(
            "nenhuma porta livre em 127.0.0.1",
            "no free port on 127.0.0.1",
        ));
    };
    let limit = ctx.opts.app_timeout;
    let cmd = Cmd::new(&python)
        .args(["-m", "uvicorn", &format!("{module}:app"), "--host", "127.0.0.1"])
        .args([
            "--port",
            &port.to_string(),
            "--limit-max-requests",
            "1",
            "--no-access-log",
        ])
        .cwd(&work)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONPATH", work.to_string_lossy().into_owned())
        .env("HOME", home.to_string_lossy().into_owned())
        .env("TMPDIR", home.to_string_lossy().into_owned())
        .timeout(limit);
    let toolbox = ctx.toolbox.clone();
    let server = std::thread::spawn(move || toolbox.output(&cmd));
    let start = Instant::now();
    let mut response = None;
    while start.elapsed() < limit && !server.is_finished() {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            let left = limit.saturating_sub(start.elapsed()).max(Duration::from_secs(1));
            response = Some(http_get(port, "/", &format!("127.0.0.1:{port}"), left));
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let outcome = server.join().unwrap_or(Err(ToolError::Io {
        cmd: "uvicorn".into(),
        error: std::io::Error::other("the thread running uvicorn panicked"),
    }));
    let main_rel = file.to_string();
    let mut problems = Vec::new();
    match response {
        Some(Ok((status, body))) => {
            let want: serde_json::Value = serde_json::from_str(EXPECTED_BODY).unwrap_or_default();
            let got: Option<serde_json::Value> = serde_json::from_str(&body).ok();
            if status != 200 {
                problems.push(Problem::new(
                    &main_rel,
                    route_line(ctx, file),
                    1,
                    msg!("GET / responde 200 com {}", EXPECTED_BODY; "GET / answers 200 with {}", EXPECTED_BODY),
                    msg!("status {} e corpo {}", status, short(&body); "status {} and body {}", status, short(&body)),
                    if status == 404 {
                        Msg::new("não há rota para `/`: declare `@app.get(\"/\")` acima da função que responde", "there is no route for `/`: put `@app.get(\"/\")` above the function that answers")
                    } else {
                        Msg::new("a função da rota `/` deu erro: rode `uvicorn main:app --reload` na pasta app/ e leia o erro no terminal", "the `/` route failed: run `uvicorn main:app --reload` in app/ and read the error in the terminal")
                    },
                ));
            } else if got.as_ref() != Some(&want) {
                problems.push(Problem::new(
                    &main_rel,
                    route_line(ctx, file),
                    1,
                    msg!("corpo exatamente {}", EXPECTED_BODY; "exactly the body {}", EXPECTED_BODY),
                    msg!("corpo {}", short(&body); "body {}", short(&body)),
                    Msg::new(
                        "a função de `@app.get(\"/\")` deve retornar `{\"message\": \"Hello World!\"}`: a chave `message`, H e W maiúsculos, com exclamação",
                        "the `@app.get(\"/\")` function must return `{\"message\": \"Hello World!\"}`: key `message`, capital H and W, with the exclamation mark",
                    ),
                ));
            }
        }
        Some(Err(e)) => problems.push(Problem::new(
            &main_rel,
            0,
            0,
            msg!("uma resposta HTTP para GET / em até {}s", limit.as_secs(); "an HTTP answer to GET / within {}s", limit.as_secs()),
            msg!("sem resposta: {}", e; "no answer: {}", e),
            Msg::new(
                "a rota `/` travou ou demorou demais: evite laços infinitos e chamadas que bloqueiam dentro da função",
                "the `/` route hung or took too long: avoid endless loops and blocking calls inside the function",
            ),
        )),
        None => problems.push(startup_problem(ctx, &main_rel, &outcome, limit)),
    }
    Verdict::from_problems(problems)
}

fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else if s.is_empty() {
        "(vazio/empty)".into()
    } else {
        s.to_string()
    }
}

/// The line of `@app.get("/")` in main.py, for pointing at the route.
fn route_line(ctx: &Ctx<'_>, file: &str) -> usize {
    ctx.read(file)
        .and_then(|t| {
            t.lines()
                .position(|l| l.contains(".get(\"/\")") || l.contains(".get('/')"))
                .map(|i| i + 1)
        })
        .unwrap_or(0)
}

/// Why the app never answered: it crashed (traceback) or hung.
fn startup_problem(
    ctx: &Ctx<'_>,
    file: &str,
    outcome: &Result<crate::tools::Output, ToolError>,
    limit: Duration,
) -> Problem {
    match outcome {
        Err(ToolError::TimedOut { .. }) => Problem::new(
            file,
            0,
            0,
            msg!("o uvicorn pronto para receber conexões em até {}s", limit.as_secs(); "uvicorn ready for connections within {}s", limit.as_secs()),
            msg!("nada escutando após {}s; o processo foi encerrado", limit.as_secs(); "nothing listening after {}s; the process was stopped", limit.as_secs()),
            Msg::new(
                "algo no nível do módulo nunca termina (um `while True`, um `input()`, uma conexão que espera): o código fora das funções roda ao importar `main.py`",
                "something at module level never finishes (a `while True`, an `input()`, a connection that waits): code outside functions runs when `main.py` is imported",
            ),
        ),
        Err(e) => Problem::new(
            file,
            0,
            0,
            Msg::new("o uvicorn iniciando a aplicação", "uvicorn starting the app"),
            Msg::same(e.to_string()),
            Msg::new("rode `uvicorn main:app` na pasta app/ e leia o erro", "run `uvicorn main:app` in app/ and read the error"),
        ),
        Ok(out) => {
            let err = format!("{}\n{}", out.stderr, out.stdout);
            let last = err
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("")
                .to_string();
            // The last frame in the student's file: `File ".../main.py", line N`.
            let name = file.rsplit('/').next().unwrap_or(file);
            let line = err
                .lines()
                .filter(|l| l.trim_start().starts_with("File \"") && l.contains(&format!("{name}\"")))
                .filter_map(|l| l.split("line ").nth(1))
                .filter_map(|n| n.split(|c: char| !c.is_ascii_digit()).next()?.parse::<usize>().ok())
                .next_back()
                .unwrap_or(0);
            let hint = if err.contains("Attribute \"app\" not found") {
                Msg::new(
                    "o uvicorn procura a variável `app` em main.py: escreva `app = FastAPI()`",
                    "uvicorn looks for the variable `app` in main.py: write `app = FastAPI()`",
                )
            } else if err.contains("ModuleNotFoundError") {
                Msg::new(
                    "um import falhou: confira o nome do módulo e se ele está em requirements.txt",
                    "an import failed: check the module name and that it is in requirements.txt",
                )
            } else if err.contains("SyntaxError") || err.contains("IndentationError") {
                Msg::new(
                    "erro de sintaxe em Python: confira a linha indicada (dois-pontos, parênteses, recuo de 4 espaços)",
                    "Python syntax error: look at the line shown (colons, parentheses, 4-space indentation)",
                )
            } else {
                Msg::new(
                    "a aplicação quebrou ao iniciar: rode `uvicorn main:app` na pasta app/ e leia a última linha do erro",
                    "the app crashed while starting: run `uvicorn main:app` in app/ and read the last line of the error",
                )
            };
            let _ = ctx;
            Problem::new(
                file,
                line,
                usize::from(line > 0),
                Msg::new("a aplicação iniciando sem erro", "the app starting without an error"),
                msg!("o processo terminou (código {:?}): {}", out.code, last; "the process exited (code {:?}): {}", out.code, last),
                hint,
            )
        }
    }
}
