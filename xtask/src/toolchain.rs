//! `cargo xtask tools`: downloads the pinned kind, kubectl and helm from
//! their official release sites into `target/tools/bin` when they are not
//! there yet, checking every download against a sha256 recorded here.
//! Downloads run `curl` through the tool seam; nothing is executed before its
//! checksum matches.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::exit::{Class, Failure};
use crate::tools::{Cmd, Toolbox};

/// One pinned download.
#[derive(Clone, Debug)]
pub struct Pin {
    pub tool: &'static str,
    pub version: &'static str,
    /// `linux`, `darwin`.
    pub os: &'static str,
    /// `amd64`, `arm64`.
    pub arch: &'static str,
    pub url: &'static str,
    /// sha256 of the downloaded file (binary or archive).
    pub sha256: &'static str,
    /// For archives: the member to extract (`linux-amd64/helm`).
    pub member: Option<&'static str>,
}

pub const KIND_VERSION: &str = "v0.33.0";
pub const KUBECTL_VERSION: &str = "v1.36.4";
pub const HELM_VERSION: &str = "v4.3.0";

/// Checksums are the ones published with each release (kind's
/// `.sha256sum` assets, dl.k8s.io's `.sha256`, get.helm.sh's `.sha256sum`),
/// cross-checked in several independent public pinning files; see
/// docs/decisions.md. Platforms without a verified checksum are absent on
/// purpose: `cargo xtask tools` says so instead of guessing.
pub const PINS: &[Pin] = &[
    Pin {
        tool: "kind",
        version: KIND_VERSION,
        os: "linux",
        arch: "amd64",
        url: "https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-amd64",
        sha256: "aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d",
        member: None,
    },
    Pin {
        tool: "kind",
        version: KIND_VERSION,
        os: "linux",
        arch: "arm64",
        url: "https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-arm64",
        sha256: "20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2",
        member: None,
    },
    Pin {
        tool: "kind",
        version: KIND_VERSION,
        os: "darwin",
        arch: "amd64",
        url: "https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-darwin-amd64",
        sha256: "5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0",
        member: None,
    },
    Pin {
        tool: "kind",
        version: KIND_VERSION,
        os: "darwin",
        arch: "arm64",
        url: "https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-darwin-arm64",
        sha256: "0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f",
        member: None,
    },
    Pin {
        tool: "kubectl",
        version: KUBECTL_VERSION,
        os: "linux",
        arch: "amd64",
        url: "https://dl.k8s.io/release/v1.36.4/bin/linux/amd64/kubectl",
        sha256: "8b8f088da2dab964f853b38464033b1be15ede2839eca751482357c45abdd05a",
        member: None,
    },
    Pin {
        tool: "kubectl",
        version: KUBECTL_VERSION,
        os: "linux",
        arch: "arm64",
        url: "https://dl.k8s.io/release/v1.36.4/bin/linux/arm64/kubectl",
        sha256: "0ecf44450ee6063bf19dd166a103ee6df4a9034455c2abce626e6eea657d73fb",
        member: None,
    },
    Pin {
        tool: "helm",
        version: HELM_VERSION,
        os: "linux",
        arch: "amd64",
        url: "https://get.helm.sh/helm-v4.3.0-linux-amd64.tar.gz",
        sha256: "86584a54def73570558f66f5111cc53dfed56689637ae32c1201205d494f54fb",
        member: Some("linux-amd64/helm"),
    },
    Pin {
        tool: "helm",
        version: HELM_VERSION,
        os: "linux",
        arch: "arm64",
        url: "https://get.helm.sh/helm-v4.3.0-linux-arm64.tar.gz",
        sha256: "31c5794dd55c66a51e6b7d2e2ac7a114ae8b1de41ff1d9ba51748ac973b06a08",
        member: Some("linux-arm64/helm"),
    },
    Pin {
        tool: "helm",
        version: HELM_VERSION,
        os: "darwin",
        arch: "arm64",
        url: "https://get.helm.sh/helm-v4.3.0-darwin-arm64.tar.gz",
        sha256: "d3870437e1e95b67f8edbde964156c84a26503f560821d40c542441658934fba",
        member: Some("darwin-arm64/helm"),
    },
];

pub const TOOLS: [&str; 3] = ["kind", "kubectl", "helm"];

#[derive(clap::Args, Debug)]
pub struct ToolsArgs {
    /// Tools to fetch (default: kind, kubectl, helm).
    #[arg(value_parser = ["kind", "kubectl", "helm"])]
    pub tools: Vec<String>,
    /// Download again even when target/tools/bin already has the tool.
    #[arg(long)]
    pub force: bool,
}

pub fn host_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// sha256 of a file, lowercase hex.
pub fn sha256_file(p: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(p)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What happened to one tool.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Present(PathBuf),
    Installed(PathBuf),
}

/// Installs `tool` from `pins` into `dest` unless it is there (or `force`).
pub fn install(
    tb: &Toolbox,
    pins: &[Pin],
    tool: &str,
    os: &str,
    arch: &str,
    dest: &Path,
    force: bool,
) -> Result<Outcome, Failure> {
    let target = dest.join(tool);
    if target.is_file() && !force {
        return Ok(Outcome::Present(target));
    }
    let pin = pins
        .iter()
        .find(|p| p.tool == tool && p.os == os && p.arch == arch)
        .ok_or_else(|| {
            Failure::new(
                Class::MissingPrerequisite,
                format!(
                    "no pinned, checksummed {tool} download for {os}/{arch}; install {tool} yourself and put it on PATH \
                     (`cargo xtask doctor` checks its version)"
                ),
            )
        })?;
    let tmp = dest.join(format!(".{tool}.download"));
    std::fs::create_dir_all(&tmp)
        .map_err(|e| Failure::new(Class::Infra, format!("cannot create {}: {e}", tmp.display())))?;
    let result = (|| {
        let file = tmp.join("download");
        let curl = Cmd::new("curl")
            .args([
                "--fail",
                "--location",
                "--silent",
                "--show-error",
                "--retry",
                "3",
                "--output",
            ])
            .arg(&file)
            .arg(pin.url)
            .timeout(Duration::from_secs(600));
        tb.run(&curl)
            .map_err(|e| Failure::new(Class::Infra, format!("downloading {tool} {}: {e}", pin.version)))?;
        let got = sha256_file(&file)
            .map_err(|e| Failure::new(Class::Infra, format!("reading {}: {e}", file.display())))?;
        if got != pin.sha256 {
            return Err(Failure::new(
                Class::Infra,
                format!(
                    "{} has sha256 {got}, expected {}: refusing to install it",
                    pin.url, pin.sha256
                ),
            ));
        }
        let binary = match pin.member {
            None => file,
            Some(member) => {
                let tar = Cmd::new("tar")
                    .arg("-xzf")
                    .arg(&file)
                    .arg("-C")
                    .arg(&tmp)
                    .arg(member)
                    .timeout(Duration::from_secs(120));
                tb.run(&tar)
                    .map_err(|e| Failure::new(Class::Infra, format!("unpacking {}: {e}", pin.url)))?;
                tmp.join(member)
            }
        };
        set_executable(&binary)
            .map_err(|e| Failure::new(Class::Infra, format!("chmod {}: {e}", binary.display())))?;
        std::fs::rename(&binary, &target)
            .map_err(|e| Failure::new(Class::Infra, format!("installing {}: {e}", target.display())))?;
        Ok(Outcome::Installed(target.clone()))
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn set_executable(p: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        Ok(())
    }
}

pub fn run(a: ToolsArgs) -> Result<()> {
    let tb = Toolbox::for_project(&crate::project_root());
    let dest = tb
        .pinned_dirs()
        .first()
        .cloned()
        .unwrap_or_else(|| crate::project_root().join("target/tools/bin"));
    std::fs::create_dir_all(&dest)
        .map_err(|e| Failure::new(Class::Infra, format!("cannot create {}: {e}", dest.display())))?;
    let wanted: Vec<String> = if a.tools.is_empty() {
        TOOLS.iter().map(|s| s.to_string()).collect()
    } else {
        a.tools.clone()
    };
    let (os, arch) = (host_os(), crate::lab::run::host_arch());
    let mut errors = Vec::new();
    for tool in &wanted {
        let version = PINS.iter().find(|p| p.tool == tool).map_or("", |p| p.version);
        match install(&tb, PINS, tool, os, arch, &dest, a.force) {
            Ok(Outcome::Present(p)) => println!(
                "{tool}: already in {} (not downloaded; --force replaces it)",
                p.display()
            ),
            Ok(Outcome::Installed(p)) => println!(
                "{tool} {version}: downloaded, sha256 verified, installed as {}",
                p.display()
            ),
            Err(e) => {
                println!("{tool}: {e}");
                errors.push(e);
            }
        }
    }
    match errors.into_iter().next() {
        None => Ok(()),
        Some(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_curl(dir: &Path, payload: &str) {
        let script = format!(
            "#!/bin/sh\nout=''\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --output ]; then out=$2; shift; fi; shift; done\nprintf '%s' '{payload}' > \"$out\"\n"
        );
        let p = dir.join("curl");
        std::fs::write(&p, script).unwrap();
        set_executable(&p).unwrap();
    }

    #[test]
    fn installs_verified_download_and_refuses_a_mismatch() {
        let tools = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        fake_curl(tools.path(), "#!/bin/sh\necho fake-kind v0.33.0\n");
        let tb = Toolbox::new(vec![tools.path().to_path_buf()]);
        let payload = tools.path().join("payload");
        std::fs::write(&payload, "#!/bin/sh\necho fake-kind v0.33.0\n").unwrap();
        let good = sha256_file(&payload).unwrap();
        let good: &'static str = Box::leak(good.into_boxed_str());
        let pins = [Pin {
            tool: "kind",
            version: "v0",
            os: "linux",
            arch: "amd64",
            url: "https://example.invalid/kind",
            sha256: good,
            member: None,
        }];
        let out = install(&tb, &pins, "kind", "linux", "amd64", dest.path(), false).unwrap();
        assert_eq!(out, Outcome::Installed(dest.path().join("kind")));
        let again = install(&tb, &pins, "kind", "linux", "amd64", dest.path(), false).unwrap();
        assert_eq!(again, Outcome::Present(dest.path().join("kind")));

        let bad = [Pin {
            sha256: "00",
            ..pins[0].clone()
        }];
        let e = install(&tb, &bad, "kind", "linux", "amd64", dest.path(), true).unwrap_err();
        assert!(e.message.contains("refusing"), "{e}");
        let e = install(&tb, &pins, "kind", "plan9", "amd64", dest.path(), true).unwrap_err();
        assert_eq!(e.class, Class::MissingPrerequisite);
        assert!(!dest.path().join(".kind.download").exists());
    }

    #[test]
    fn pins_are_well_formed() {
        for p in PINS {
            assert_eq!(p.sha256.len(), 64, "{}", p.url);
            assert!(p
                .sha256
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            assert!(p.url.starts_with("https://") && p.url.contains(p.version));
        }
    }
}
