//! HTTP probes through the ingress: a tiny HTTP/1.1 client over
//! `std::net::TcpStream` (GET, `Host` header, `Connection: close`,
//! Content-Length or chunked bodies), retried with backoff to a deadline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::spec::ProbeSpec;
use super::wait::{self, Attempt, Backoff, WaitError};

/// One HTTP response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub latency: Duration,
}

/// `GET path` with `Host: host` to `addr`; the whole exchange must finish
/// within `timeout`.
pub fn get(addr: SocketAddr, host: &str, path: &str, timeout: Duration) -> Result<Response, String> {
    let t0 = Instant::now();
    let timeout = timeout.max(Duration::from_millis(10));
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect {addr}: {e}"))?;
    let left = |t0: Instant| timeout.saturating_sub(t0.elapsed()).max(Duration::from_millis(1));
    s.set_write_timeout(Some(left(t0))).ok();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: asky-lab-probe/1\r\nAccept: application/json, */*\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes())
        .map_err(|e| format!("send to {addr}: {e}"))?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        s.set_read_timeout(Some(left(t0))).ok();
        if t0.elapsed() >= timeout {
            return Err(format!(
                "no complete answer from {addr} within {}ms",
                timeout.as_millis()
            ));
        }
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                if let Some(done) = complete(&raw) {
                    raw.truncate(done);
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!(
                    "no complete answer from {addr} within {}ms",
                    timeout.as_millis()
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read from {addr}: {e}")),
        }
    }
    let mut r = parse(&raw).map_err(|e| format!("bad answer from {addr}: {e}"))?;
    r.latency = t0.elapsed();
    Ok(r)
}

/// When the bytes hold a whole response (by Content-Length or the final
/// chunk), its length; servers that keep the connection open are not waited for.
fn complete(raw: &[u8]) -> Option<usize> {
    let head_end = find(raw, b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    if let Some(cl) = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().ok())
        })
        .flatten()
    {
        return (raw.len() >= head_end + cl).then_some(head_end + cl);
    }
    if head.contains("transfer-encoding: chunked") {
        return find(&raw[head_end..], b"0\r\n\r\n").map(|i| head_end + i + 5);
    }
    None
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// Parses a raw HTTP/1.x response.
pub fn parse(raw: &[u8]) -> Result<Response, String> {
    let head_end = find(raw, b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP/1.x status line: {status_line:?}"));
    }
    let status: u16 = parts
        .next()
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line: {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[head_end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(cl) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if rest.len() < cl {
            return Err(format!("body is {} bytes, Content-Length says {cl}", rest.len()));
        }
        rest[..cl].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Response {
        status,
        headers,
        body,
        latency: Duration::ZERO,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = find(b, b"\r\n").ok_or("truncated chunk size")?;
        let size_txt = std::str::from_utf8(&b[..eol]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(size_txt.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("bad chunk size {size_txt:?}"))?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// True when every key of `want` is in `got` with an equal value (recursively
/// for objects; other values must be equal).
pub fn json_contains(got: &serde_json::Value, want: &serde_json::Value) -> bool {
    match (got, want) {
        (serde_json::Value::Object(g), serde_json::Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| g.get(k).is_some_and(|gv| json_contains(gv, wv))),
        _ => got == want,
    }
}

/// Checks one response against the probe's expectations.
pub fn check(p: &ProbeSpec, r: &Response) -> Result<(), String> {
    if r.status != p.expect.status {
        return Err(format!(
            "status {} (expected {}); body: {}",
            r.status,
            p.expect.status,
            snippet(&r.body)
        ));
    }
    if let Some(want) = &p.expect.json {
        let got: serde_json::Value = serde_json::from_slice(&r.body)
            .map_err(|e| format!("body is not JSON ({e}): {}", snippet(&r.body)))?;
        if !json_contains(&got, want) {
            return Err(format!("JSON body {got} does not contain {want}"));
        }
    }
    Ok(())
}

fn snippet(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let s = s.trim();
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The outcome of one probe, as reported.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeResult {
    pub name: String,
    pub url: String,
    pub host: String,
    pub expected_status: u16,
    pub status: Option<u16>,
    pub ok: bool,
    pub attempts: u32,
    /// Latency of the last attempt.
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
}

/// Runs one probe against `127.0.0.1:port` until it passes or `deadline`.
pub fn run(p: &ProbeSpec, port: u16, deadline: Instant, backoff: Backoff) -> ProbeResult {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let url = format!("http://127.0.0.1:{port}{}", p.path);
    let mut last_status = None;
    let mut last_latency = None;
    let outcome = wait::until(deadline, backoff, |left| {
        match get(addr, &p.host, &p.path, left.min(Duration::from_secs(10))) {
            Ok(r) => {
                last_status = Some(r.status);
                last_latency = Some(r.latency.as_secs_f64() * 1000.0);
                match check(p, &r) {
                    Ok(()) => Attempt::Done(()),
                    Err(e) => Attempt::Retry(e),
                }
            }
            Err(e) => Attempt::Retry(e),
        }
    });
    let (ok, attempts, error) = match outcome {
        Ok(((), n)) => (true, n, None),
        Err(WaitError::Deadline { attempts, last }) => (
            false,
            attempts,
            Some(last.unwrap_or_else(|| "no attempt before the deadline".into())),
        ),
        Err(WaitError::Fatal(e)) => (false, 1, Some(e)),
        Err(WaitError::Interrupted) => (false, 0, Some("interrupted".into())),
    };
    ProbeResult {
        name: p.name.clone(),
        url,
        host: p.host.clone(),
        expected_status: p.expect.status,
        status: last_status,
        ok,
        attempts,
        latency_ms: last_latency.map(|l| (l * 10.0).round() / 10.0),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_length_and_chunked() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"{}");
        let r = parse(b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.status, 503);
        assert_eq!(r.body, b"Wikipedia");
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert_eq!(complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab"), None);
        assert_eq!(
            complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
            Some(41)
        );
    }

    #[test]
    fn json_subset() {
        let got = serde_json::json!({"message": "Hello World!", "extra": 1});
        assert!(json_contains(
            &got,
            &serde_json::json!({"message": "Hello World!"})
        ));
        assert!(!json_contains(&got, &serde_json::json!({"message": "Hello"})));
        assert!(!json_contains(&got, &serde_json::json!({"missing": 1})));
    }
}
