//! The lab spec (`lab/lab.yaml`) and the provider inputs it points at
//! (`lab/kind.yaml`, `lab/minikube.yaml`).
//!
//! Every file is read with `serde-saphyr` into structs that deny unknown
//! fields, so a typo is an error naming the file, line, column and field.
//! After parsing, [`LabSpec::validate`] checks what the types cannot: no
//! `:latest` images, unique releases and probe names, sane budgets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::exit::Failure;

/// Reads a YAML file into `T`; errors name `file:line:column` and the field.
pub fn load_yaml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::bad_input(format!("{}: cannot read: {e}", path.display())))?;
    parse_yaml(&text, path)
}

/// Parses YAML text that came from `path` (used in messages only).
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(text: &str, path: &Path) -> Result<T, Failure> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let plain = e.without_snippet().to_string();
        let msg = strip_location_suffix(&plain);
        match e.location() {
            Some(loc) => Failure::bad_input(format!(
                "{}:{}:{}: {}",
                path.display(),
                loc.line(),
                loc.column(),
                msg
            )),
            None => Failure::bad_input(format!("{}: {}", path.display(), msg)),
        }
    })
}

/// serde-saphyr appends " at line X, column Y"; we print the location first
/// in the usual `file:line:column:` form instead.
fn strip_location_suffix(s: &str) -> String {
    let first = s.lines().next().unwrap_or(s).trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// A duration written as `90s`, `5m`, `1m30s`, `2h` or a bare number of seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget(pub Duration);

impl Budget {
    pub fn parse(s: &str) -> Result<Budget, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty duration".into());
        }
        if let Ok(secs) = s.parse::<u64>() {
            return Ok(Budget(Duration::from_secs(secs)));
        }
        let mut total_ms: u128 = 0;
        let mut num = String::new();
        let mut chars = s.chars().peekable();
        let mut saw_unit = false;
        while let Some(c) = chars.next() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            let unit = if c == 'm' && chars.peek() == Some(&'s') {
                chars.next();
                "ms"
            } else {
                match c {
                    'h' => "h",
                    'm' => "m",
                    's' => "s",
                    _ => return Err(format!("`{s}` is not a duration (use e.g. 90s, 5m, 1m30s)")),
                }
            };
            let n: f64 = num
                .parse()
                .map_err(|_| format!("`{s}` is not a duration (use e.g. 90s, 5m, 1m30s)"))?;
            num.clear();
            let factor = match unit {
                "h" => 3_600_000.0,
                "m" => 60_000.0,
                "s" => 1000.0,
                _ => 1.0,
            };
            total_ms += (n * factor) as u128;
            saw_unit = true;
        }
        if !num.is_empty() || !saw_unit {
            return Err(format!("`{s}` is not a duration (use e.g. 90s, 5m, 1m30s)"));
        }
        Ok(Budget(Duration::from_millis(total_ms as u64)))
    }

    /// `90s`, `5m`, `1m30s`, `500ms`: the shortest exact form.
    pub fn display(d: Duration) -> String {
        let ms = d.as_millis();
        if !ms.is_multiple_of(1000) {
            return format!("{ms}ms");
        }
        let s = ms / 1000;
        match (s / 60, s % 60) {
            (0, s) => format!("{s}s"),
            (m, 0) => format!("{m}m"),
            (m, s) => format!("{m}m{s}s"),
        }
    }
}

impl<'de> Deserialize<'de> for Budget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Budget(Duration::from_secs(n))),
            Raw::S(s) => Budget::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// Which cluster tool creates the lab.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Kind,
    Minikube,
}

impl ProviderKind {
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Kind => "kind",
            ProviderKind::Minikube => "minikube",
        }
    }
}

/// Which ingress controller serves the charts' `Ingress` objects.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum IngressKind {
    Traefik,
    Nginx,
}

/// How the lab installs the spec's charts (and the Traefik controller chart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Installer {
    /// `helm` when a helm binary is found (target/tools/bin, then PATH), else `native`.
    Auto,
    /// `helm upgrade --install` of the packaged archive.
    Helm,
    /// This program's renderer + `kubectl apply --server-side` (no helm needed).
    Native,
}

impl Installer {
    pub fn name(self) -> &'static str {
        match self {
            Installer::Auto => "auto",
            Installer::Helm => "helm",
            Installer::Native => "native",
        }
    }
    pub fn parse(s: &str) -> Option<Installer> {
        match s {
            "auto" => Some(Installer::Auto),
            "helm" => Some(Installer::Helm),
            "native" => Some(Installer::Native),
            _ => None,
        }
    }
}

/// `lab/lab.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabSpec {
    /// Must be `asky.dev/lab/v1`.
    pub api_version: String,
    /// Default cluster name (`--name` overrides).
    pub name: String,
    /// Default provider (`--provider` overrides).
    #[serde(default = "default_provider")]
    pub provider: ProviderKind,
    pub cluster: ClusterSpec,
    pub ingress: IngressSpec,
    /// `auto` (default), `helm` or `native` (`--installer` overrides); read
    /// as text so a wrong value is reported with the field's line.
    #[serde(default)]
    pub installer: Option<String>,
    #[serde(default)]
    pub images: Vec<ImageSpec>,
    #[serde(default)]
    pub charts: Vec<ChartSpec>,
    #[serde(default)]
    pub probes: Vec<ProbeSpec>,
    #[serde(default)]
    pub budgets: Budgets,
}

fn default_provider() -> ProviderKind {
    ProviderKind::Kind
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSpec {
    /// kind `Cluster` config (v1alpha4), relative to the spec file.
    pub kind: PathBuf,
    /// minikube profile, relative to the spec file.
    pub minikube: PathBuf,
    /// How many nodes must be Ready (1 control-plane + 3 workers = 4).
    pub nodes: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressSpec {
    pub controller: IngressKind,
    /// Host port for HTTP (`--http-port` overrides).
    pub http_port: u16,
    /// Host port for HTTPS.
    pub https_port: u16,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageSpec {
    /// `repository:tag` (never `:latest`).
    pub name: String,
    /// Docker build context, relative to the spec file.
    pub context: PathBuf,
    /// Dockerfile inside the context (default `Dockerfile`).
    #[serde(default)]
    pub dockerfile: Option<PathBuf>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartSpec {
    pub release: String,
    pub namespace: String,
    /// Chart directory or archive, relative to the spec file.
    pub path: PathBuf,
    /// Values files, relative to the spec file, applied in order.
    #[serde(default)]
    pub values: Vec<PathBuf>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeSpec {
    pub name: String,
    /// `Host` header, e.g. `hello.localhost`.
    pub host: String,
    /// Request path, e.g. `/`.
    pub path: String,
    pub expect: Expect,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Expect {
    #[serde(default = "default_status")]
    pub status: u16,
    /// Every key here must be present with the same value in the JSON body.
    #[serde(default)]
    pub json: Option<serde_json::Value>,
}

fn default_status() -> u16 {
    200
}

/// Time budget of each phase of `lab up`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Budgets {
    pub preflight: Budget,
    pub cluster: Budget,
    pub images: Budget,
    pub ingress: Budget,
    pub charts: Budget,
    pub ready: Budget,
    pub probes: Budget,
    pub diagnostics: Budget,
    pub teardown: Budget,
}

impl Default for Budgets {
    fn default() -> Self {
        let s = |n| Budget(Duration::from_secs(n));
        Budgets {
            preflight: s(60),
            cluster: s(420),
            images: s(900),
            ingress: s(300),
            charts: s(600),
            ready: s(300),
            probes: s(120),
            diagnostics: s(300),
            teardown: s(180),
        }
    }
}

impl Budgets {
    pub fn get(&self, phase: &str) -> Option<Duration> {
        Some(
            match phase {
                "preflight" => self.preflight,
                "cluster" => self.cluster,
                "images" => self.images,
                "ingress" => self.ingress,
                "charts" => self.charts,
                "ready" => self.ready,
                "probes" => self.probes,
                "diagnostics" => self.diagnostics,
                "teardown" => self.teardown,
                _ => return None,
            }
            .0,
        )
    }
    pub fn set(&mut self, phase: &str, d: Duration) -> bool {
        let slot = match phase {
            "preflight" => &mut self.preflight,
            "cluster" => &mut self.cluster,
            "images" => &mut self.images,
            "ingress" => &mut self.ingress,
            "charts" => &mut self.charts,
            "ready" => &mut self.ready,
            "probes" => &mut self.probes,
            "diagnostics" => &mut self.diagnostics,
            "teardown" => &mut self.teardown,
            _ => return false,
        };
        *slot = Budget(d);
        true
    }
}

pub const API_VERSION: &str = "asky.dev/lab/v1";

/// A loaded spec with its location, so relative paths resolve.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub spec: LabSpec,
    pub file: PathBuf,
    pub dir: PathBuf,
}

impl Loaded {
    pub fn load(file: &Path) -> Result<Loaded, Failure> {
        let spec: LabSpec = load_yaml(file)?;
        let dir = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let loaded = Loaded {
            spec,
            file: file.to_path_buf(),
            dir,
        };
        loaded.validate()?;
        Ok(loaded)
    }

    /// A path from the spec, resolved against the spec's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            normalize(&self.dir.join(p))
        }
    }

    /// The spec's `installer` (default `auto`).
    pub fn installer(&self) -> Result<Installer, Failure> {
        match self.spec.installer.as_deref() {
            None => Ok(Installer::Auto),
            Some(v) => Installer::parse(v).ok_or_else(|| {
                self.err(
                    "installer",
                    format!("must be `auto`, `helm` or `native`, found `{v}`"),
                )
            }),
        }
    }

    fn err(&self, field: &str, msg: impl std::fmt::Display) -> Failure {
        field_error(&self.file, field, msg)
    }

    pub fn validate(&self) -> Result<(), Failure> {
        let s = &self.spec;
        if s.api_version != API_VERSION {
            return Err(self.err(
                "apiVersion",
                format!("must be `{API_VERSION}`, found `{}`", s.api_version),
            ));
        }
        validate_name(&s.name).map_err(|m| self.err("name", m))?;
        self.installer()?;
        if s.cluster.nodes == 0 {
            return Err(self.err("cluster.nodes", "must be at least 1"));
        }
        if s.ingress.http_port == 0 || s.ingress.https_port == 0 {
            return Err(self.err("ingress.httpPort", "ports must be 1..65535"));
        }
        if s.ingress.http_port == s.ingress.https_port {
            return Err(self.err("ingress.httpsPort", "must differ from httpPort"));
        }
        let mut seen = BTreeSet::new();
        for (i, img) in s.images.iter().enumerate() {
            check_image_ref(&img.name).map_err(|m| self.err(&format!("images[{i}].name"), m))?;
            if !seen.insert(img.name.clone()) {
                return Err(self.err(
                    &format!("images[{i}].name"),
                    format!("`{}` is listed twice", img.name),
                ));
            }
        }
        let mut seen = BTreeSet::new();
        for (i, c) in s.charts.iter().enumerate() {
            validate_name(&c.release).map_err(|m| self.err(&format!("charts[{i}].release"), m))?;
            validate_name(&c.namespace).map_err(|m| self.err(&format!("charts[{i}].namespace"), m))?;
            if !seen.insert((c.namespace.clone(), c.release.clone())) {
                return Err(self.err(
                    &format!("charts[{i}].release"),
                    format!("release `{}` in `{}` is listed twice", c.release, c.namespace),
                ));
            }
        }
        let mut seen = BTreeSet::new();
        for (i, p) in s.probes.iter().enumerate() {
            if !p.path.starts_with('/') {
                return Err(self.err(&format!("probes[{i}].path"), "must start with `/`"));
            }
            if p.host.is_empty() || p.host.contains(char::is_whitespace) {
                return Err(self.err(&format!("probes[{i}].host"), "must be a host name"));
            }
            if !(100..=599).contains(&p.expect.status) {
                return Err(self.err(&format!("probes[{i}].expect.status"), "must be 100..599"));
            }
            if !seen.insert(p.name.clone()) {
                return Err(self.err(
                    &format!("probes[{i}].name"),
                    format!("`{}` is listed twice", p.name),
                ));
            }
        }
        for phase in PHASE_BUDGETS {
            if s.budgets.get(phase).is_some_and(|d| d.is_zero()) {
                return Err(self.err(&format!("budgets.{phase}"), "must be more than 0s"));
            }
        }
        Ok(())
    }
}

/// A semantic error about `field` (a path like `charts[1].path`) of `file`,
/// located at the line where that key is written.
pub fn field_error(file: &Path, field: &str, msg: impl std::fmt::Display) -> Failure {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    // Walk the path: for `charts[1].path` find the 2nd `- ` item under
    // `charts:`, then the `path:` key after it.
    let mut from = 0usize;
    let lines: Vec<&str> = text.lines().collect();
    let mut found: Option<(usize, usize)> = None;
    for part in field.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let hit = (from..lines.len()).find(|&i| {
            let t = lines[i].trim_start().trim_start_matches("- ");
            t.starts_with(&format!("{key}:"))
        });
        let Some(i) = hit else { break };
        let indent = lines[i].len() - lines[i].trim_start().len();
        let dash = if lines[i].trim_start().starts_with("- ") {
            2
        } else {
            0
        };
        found = Some((i + 1, indent + dash + 1));
        from = i + 1;
        if let Some(n) = index {
            let items: Vec<usize> = (from..lines.len())
                .take_while(|&j| {
                    let l = lines[j];
                    l.trim().is_empty()
                        || l.len() - l.trim_start().len() > indent
                        || l.trim_start().starts_with("- ")
                })
                .filter(|&j| lines[j].trim_start().starts_with("- "))
                .collect();
            if let Some(&j) = items.get(n) {
                let ind = lines[j].len() - lines[j].trim_start().len();
                found = Some((j + 1, ind + 3));
                from = j;
            }
        }
    }
    match found {
        Some((line, col)) => {
            Failure::bad_input(format!("{}:{line}:{col}: field `{field}`: {msg}", file.display()))
        }
        None => Failure::bad_input(format!("{}: field `{field}`: {msg}", file.display())),
    }
}

/// Phases that carry a budget, in `lab up` order.
pub const PHASE_BUDGETS: [&str; 9] = [
    "preflight",
    "cluster",
    "images",
    "ingress",
    "charts",
    "ready",
    "probes",
    "diagnostics",
    "teardown",
];

/// DNS-label names (cluster, release, namespace).
pub fn validate_name(n: &str) -> Result<(), String> {
    let ok = !n.is_empty()
        && n.len() <= 50
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !n.starts_with('-')
        && !n.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{n}` must be 1-50 lowercase letters, digits or '-', not starting or ending with '-'"
        ))
    }
}

/// Side-loaded images must carry an explicit, non-`latest` tag: with
/// `:latest` Kubernetes defaults to `imagePullPolicy: Always` and the
/// side-loaded copy is ignored.
pub fn check_image_ref(r: &str) -> Result<(), String> {
    let last = r.rsplit('/').next().unwrap_or(r);
    match last.split_once(':') {
        None => Err(format!(
            "`{r}` has no tag; use an explicit version tag (side-loaded images with no tag or `:latest` are pulled again)"
        )),
        Some((_, "latest")) => Err(format!(
            "`{r}` uses `:latest`; use an explicit version tag (Kubernetes pulls `:latest` again and ignores the side-loaded copy)"
        )),
        Some((repo, tag)) if repo.is_empty() || tag.is_empty() => {
            Err(format!("`{r}` is not a valid image reference"))
        }
        Some(_) => Ok(()),
    }
}

/// Lexically removes `.` and `a/..` from a path.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// kind Cluster config (v1alpha4): only what the lab reads or rewrites; the
// file itself is passed through as a generic value so every kind field works.

/// The parts of `lab/kind.yaml` the lab checks.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindClusterView {
    pub kind: String,
    pub api_version: String,
    #[serde(default)]
    pub nodes: Vec<KindNodeView>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindNodeView {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub extra_port_mappings: Vec<PortMapping>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    pub container_port: u16,
    #[serde(default)]
    pub host_port: Option<i32>,
    #[serde(default)]
    pub listen_address: Option<String>,
}

/// `lab/minikube.yaml`: the minikube profile (flags of `minikube start`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MinikubeProfile {
    pub nodes: u32,
    pub driver: String,
    pub kubernetes_version: String,
    #[serde(default)]
    pub cpus: Option<u32>,
    /// e.g. `4096mb`, `4g`.
    #[serde(default)]
    pub memory: Option<String>,
    #[serde(default)]
    pub container_runtime: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const GOOD: &str = "apiVersion: asky.dev/lab/v1
name: asky-lab
cluster:
  kind: kind.yaml
  minikube: minikube.yaml
  nodes: 4
ingress:
  controller: traefik
  httpPort: 80
  httpsPort: 443
images:
  - name: asky-lab/hello-fastapi:0.1.0
    context: apps/hello-fastapi
probes:
  - name: hello
    host: hello.localhost
    path: /
    expect:
      status: 200
      json: {message: \"Hello World!\"}
budgets:
  cluster: 5m
  probes: 1m30s
";

    #[test]
    fn parses_good_spec() {
        let d = tempfile::tempdir().unwrap();
        let f = write(d.path(), "lab.yaml", GOOD);
        let l = Loaded::load(&f).unwrap();
        assert_eq!(l.spec.name, "asky-lab");
        assert_eq!(l.spec.budgets.cluster.0, Duration::from_secs(300));
        assert_eq!(l.spec.budgets.probes.0, Duration::from_secs(90));
        assert_eq!(l.spec.budgets.ready.0, Duration::from_secs(300));
        assert_eq!(
            l.spec.probes[0].expect.json,
            Some(serde_json::json!({"message": "Hello World!"}))
        );
        assert_eq!(
            l.resolve(Path::new("../charts/x")),
            d.path().parent().unwrap().join("charts/x")
        );
    }

    #[test]
    fn unknown_field_names_file_line_column_and_field() {
        let d = tempfile::tempdir().unwrap();
        let text = GOOD.replace(
            "    context: apps/hello-fastapi",
            "    contxt: apps/hello-fastapi",
        );
        let f = write(d.path(), "lab.yaml", &text);
        let e = Loaded::load(&f).unwrap_err().to_string();
        let want = format!("{}:13:5:", f.display());
        assert!(e.starts_with(&want), "{e}");
        assert!(e.contains("contxt"), "{e}");
    }

    #[test]
    fn bad_duration_and_latest_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let f = write(
            d.path(),
            "lab.yaml",
            &GOOD.replace("cluster: 5m", "cluster: 5 minutes"),
        );
        let e = Loaded::load(&f).unwrap_err().to_string();
        assert!(e.contains(":22:") && e.contains("not a duration"), "{e}");
        let f = write(
            d.path(),
            "lab.yaml",
            &GOOD.replace("hello-fastapi:0.1.0", "hello-fastapi:latest"),
        );
        let e = Loaded::load(&f).unwrap_err().to_string();
        assert!(
            e.contains("images[0].name") && e.contains(":latest") && e.contains(":12:"),
            "{e}"
        );
    }

    #[test]
    fn installer_defaults_to_auto_and_bad_values_name_the_line() {
        let d = tempfile::tempdir().unwrap();
        let f = write(d.path(), "lab.yaml", GOOD);
        assert_eq!(Loaded::load(&f).unwrap().installer().unwrap(), Installer::Auto);
        let text = GOOD.replace("images:\n", "installer: native\nimages:\n");
        let f = write(d.path(), "lab.yaml", &text);
        assert_eq!(Loaded::load(&f).unwrap().installer().unwrap(), Installer::Native);
        let text = GOOD.replace("images:\n", "installer: kubectl\nimages:\n");
        let f = write(d.path(), "lab.yaml", &text);
        let e = Loaded::load(&f).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}:11:1: field `installer`", f.display()))
                && e.contains("found `kubectl`"),
            "{e}"
        );
    }

    #[test]
    fn budgets_parse() {
        assert_eq!(Budget::parse("90").unwrap().0, Duration::from_secs(90));
        assert_eq!(Budget::parse("1m30s").unwrap().0, Duration::from_secs(90));
        assert_eq!(Budget::parse("250ms").unwrap().0, Duration::from_millis(250));
        assert_eq!(Budget::parse("2h").unwrap().0, Duration::from_secs(7200));
        assert!(Budget::parse("5x").is_err());
        assert!(Budget::parse("m").is_err());
        assert_eq!(Budget::display(Duration::from_secs(90)), "1m30s");
        assert_eq!(Budget::display(Duration::from_secs(300)), "5m");
        assert_eq!(Budget::display(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn image_refs() {
        assert!(check_image_ref("asky-lab/x:0.1.0").is_ok());
        assert!(check_image_ref("localhost:5001/x").is_err());
        assert!(check_image_ref("x:latest").is_err());
        assert!(check_image_ref("localhost:5001/x:1").is_ok());
    }
}
