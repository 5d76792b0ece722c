//! Helm's rendering pipeline for `helm template` (Helm v4.3.1, with
//! `--compat helm3` switches): values, the render context of every chart in
//! the tree (`.Values`, `.Release`, `.Chart`, `.Capabilities`, `.Files`,
//! `.Subcharts`, `.Template`), template parse/execute order, `<no value>`
//! stripping, NOTES removal, manifest splitting, hooks, install-order sort,
//! CRDs, `--show-only` and `--output-dir`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::archive::BufferedFile;
use super::load::Chart;
use super::metadata::Metadata;
use super::template::exec::{helm_exec_error, Engine, ExecError, Templates, STEP_LIMIT};
use super::template::parse::{ParseError, Parsed};
use super::template::Registry;
use super::value::{self, base64_std, ListKind, MapKind, Object, Value};
use super::values::{self, ChartValues};
use super::{gofmt, yaml};

/// Helm 4 install order (`releaseutil.InstallOrder`).
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Default `.Capabilities.APIVersions` of Helm v4.3.1 (client-go v0.37 scheme).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Default `.Capabilities.APIVersions` of Helm v3.19.0 (`--compat helm3`).
pub const HELM3_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities.HelmVersion` of the reference Helm.
const HELM_VERSION: (&str, &str, &str, &str, &str) = (
    "v4.3.1",
    "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff",
    "clean",
    "go1.27.2",
    "v1.37",
);

/// Options of one `helm template` run.
#[derive(Clone, Debug)]
pub struct Options {
    pub release_name: String,
    pub namespace: String,
    pub is_upgrade: bool,
    /// `--kube-version` as given (None = Helm's default v1.37.0).
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub show_only: Vec<String>,
    pub output_dir: Option<PathBuf>,
    pub use_release_name: bool,
    /// Reproduce Helm v3.19 where it differs.
    pub helm3: bool,
    /// Helm's lint mode (`required`/`fail` do not fail).
    pub lint: bool,
    /// Skip freeing the parsed templates and value trees (a CLI that exits
    /// right after rendering saves the time of tearing them down).
    pub leak: bool,
    /// Steps all templates may take in all ([`STEP_LIMIT`] by default): a
    /// bound on runaway templates, which Helm does not have.
    pub step_limit: u64,
    /// Templates parsed while the chart loaded (`chart template` of a large
    /// chart; see [`super::preparse`]).
    pub preparse: Option<Arc<super::preparse::Preparse>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
            output_dir: None,
            use_release_name: false,
            helm3: false,
            lint: false,
            leak: false,
            step_limit: STEP_LIMIT,
            preparse: None,
        }
    }
}

/// A rendering failure. `partial` is what `--debug` prints (the rendered
/// files when the manifests could not be parsed).
#[derive(Debug)]
pub struct RenderError {
    pub message: String,
    pub partial: Option<String>,
    /// Helm had a (failed) release at this point, so `helm template` adds
    /// "Use --debug flag to render out invalid YAML".
    pub during_render: bool,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenderError {}

fn err(msg: impl Into<String>) -> RenderError {
    RenderError {
        message: msg.into(),
        partial: None,
        during_render: true,
    }
}

fn err_before(msg: impl Into<String>) -> RenderError {
    RenderError {
        message: msg.into(),
        partial: None,
        during_render: false,
    }
}

/// The function registry Helm templates see: Go builtins, Helm's engine
/// functions and every sprig/Helm function from `chart/funcs`.
pub fn helm_registry() -> Registry {
    super::funcs::helm_registry()
}

// ---------------------------------------------------------------------------
// Capabilities

#[derive(Clone, Debug)]
pub struct KubeVersion {
    pub version: String,
    pub normalized: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    pub fn default_for(helm3: bool) -> KubeVersion {
        let (maj, min) = if helm3 { (1, 34) } else { (1, 37) };
        let v = format!("v{maj}.{min}.0");
        KubeVersion {
            version: v.clone(),
            normalized: v,
            major: maj.to_string(),
            minor: min.to_string(),
        }
    }

    /// Helm's `ParseKubeVersion` (k8s `version.ParseGeneric`).
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim_start();
        let t = t.strip_prefix('v').unwrap_or(t);
        let end = t
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map_or(t.len(), |(i, _)| i);
        let mut numbers = &t[..end];
        // the regexp requires digit groups separated by single dots
        while numbers.ends_with('.') {
            numbers = &numbers[..numbers.len() - 1];
        }
        if numbers.is_empty() || numbers.contains("..") {
            return Err(format!("could not parse {s:?} as version"));
        }
        let comps: Vec<&str> = numbers.split('.').collect();
        if comps.len() < 2 {
            return Err(format!("illegal version string {s:?}"));
        }
        let mut nums = Vec::new();
        for (i, c) in comps.iter().enumerate() {
            if i == 0 && c.starts_with('0') && *c != "0" {
                return Err(format!("illegal zero-prefixed version component {c:?} in {s:?}"));
            }
            let n: u64 = c
                .parse()
                .map_err(|_| format!("illegal version component {c:?} in {s:?}"))?;
            nums.push(n.to_string());
        }
        let version = if s.starts_with('v') {
            s.to_string()
        } else {
            format!("v{s}")
        };
        Ok(KubeVersion {
            version,
            normalized: format!("v{}", nums.join(".")),
            major: nums[0].clone(),
            minor: nums[1].clone(),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> String {
        "common.KubeVersion".into()
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let v = match name {
            "Version" => &self.version,
            "Major" => &self.major,
            "Minor" => &self.minor,
            "String" => &self.normalized,
            "GitVersion" => &self.version,
            _ => return None,
        };
        if !args.is_empty() {
            return Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )));
        }
        Some(Ok(Value::str(v)))
    }
    fn format_v(&self) -> String {
        self.normalized.clone()
    }
    fn to_json(&self) -> Json {
        serde_json::json!({"Version": self.version, "Major": self.major, "Minor": self.minor})
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `.Capabilities.HelmVersion` of Helm v3.19.0.
const HELM3_VERSION: (&str, &str, &str, &str) = (
    "v3.19.0",
    "3d8990f0836691f0229297773f3524598f46bda6",
    "clean",
    "go1.24.7",
);

#[derive(Debug)]
struct HelmVersion {
    helm3: bool,
}

impl Object for HelmVersion {
    fn type_name(&self) -> String {
        "version.BuildInfo".into()
    }
    fn call(&self, name: &str, _: &[Value]) -> Option<Result<Value, String>> {
        if self.helm3 {
            let v = match name {
                "Version" => HELM3_VERSION.0,
                "GitCommit" => HELM3_VERSION.1,
                "GitTreeState" => HELM3_VERSION.2,
                "GoVersion" => HELM3_VERSION.3,
                _ => return None,
            };
            return Some(Ok(Value::str(v)));
        }
        let v = match name {
            "Version" => HELM_VERSION.0,
            "GitCommit" => HELM_VERSION.1,
            "GitTreeState" => HELM_VERSION.2,
            "GoVersion" => HELM_VERSION.3,
            "KubeClientVersion" => HELM_VERSION.4,
            _ => return None,
        };
        Some(Ok(Value::str(v)))
    }
    fn format_v(&self) -> String {
        if self.helm3 {
            return format!(
                "{{{} {} {} {}}}",
                HELM3_VERSION.0, HELM3_VERSION.1, HELM3_VERSION.2, HELM3_VERSION.3
            );
        }
        format!(
            "{{{} {} {} {} {}}}",
            HELM_VERSION.0, HELM_VERSION.1, HELM_VERSION.2, HELM_VERSION.3, HELM_VERSION.4
        )
    }
    fn to_json(&self) -> Json {
        if self.helm3 {
            return serde_json::json!({
                "version": HELM3_VERSION.0,
                "git_commit": HELM3_VERSION.1,
                "git_tree_state": HELM3_VERSION.2,
                "go_version": HELM3_VERSION.3,
            });
        }
        serde_json::json!({
            "version": HELM_VERSION.0,
            "git_commit": HELM_VERSION.1,
            "git_tree_state": HELM_VERSION.2,
            "go_version": HELM_VERSION.3,
            "kube_client_version": HELM_VERSION.4,
        })
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
pub struct Capabilities {
    pub kube: Rc<KubeVersion>,
    pub api_versions: Value,
    pub helm3: bool,
}

impl Object for Capabilities {
    fn type_name(&self) -> String {
        "*common.Capabilities".into()
    }
    fn call(&self, name: &str, _: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(match name {
            "KubeVersion" => Value::Object(self.kube.clone()),
            "APIVersions" => self.api_versions.clone(),
            "HelmVersion" => Value::Object(Rc::new(HelmVersion { helm3: self.helm3 })),
            _ => return None,
        }))
    }
    fn format_v(&self) -> String {
        format!(
            "&{{{{{} {} {} {}}} {} {}}}",
            self.kube.version,
            self.kube.normalized,
            self.kube.major,
            self.kube.minor,
            gofmt::sprint_v(&self.api_versions),
            HelmVersion { helm3: self.helm3 }.format_v()
        )
    }
    fn to_json(&self) -> Json {
        serde_json::json!({
            "KubeVersion": self.kube.to_json(),
            "APIVersions": self.api_versions.to_json(),
            "HelmVersion": HelmVersion { helm3: self.helm3 }.to_json(),
        })
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

// ---------------------------------------------------------------------------
// .Files

fn files_value(files: &[BufferedFile]) -> Value {
    let m: BTreeMap<String, Value> = files
        .iter()
        .map(|f| (f.name.clone(), Value::Bytes(f.data.clone())))
        .collect();
    Value::typed_map(MapKind::Files, m)
}

/// `github.com/gobwas/glob` with separator `/`: `*`, `**`, `?`, `[..]`, `{a,b}`.
pub fn glob_match(pattern: &str, name: &str) -> Option<bool> {
    fn m(p: &[char], s: &[char]) -> Option<bool> {
        if p.is_empty() {
            return Some(s.is_empty());
        }
        match p[0] {
            '*' => {
                let super_ = p.get(1) == Some(&'*');
                let rest = if super_ { &p[2..] } else { &p[1..] };
                for i in 0..=s.len() {
                    if i > 0 && !super_ && s[i - 1] == '/' {
                        break;
                    }
                    if m(rest, &s[i..])? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            '?' => {
                if s.is_empty() || s[0] == '/' {
                    return Some(false);
                }
                m(&p[1..], &s[1..])
            }
            '[' => {
                let close = p.iter().position(|&c| c == ']')?;
                if s.is_empty() {
                    return Some(false);
                }
                let mut class = &p[1..close];
                let neg = class.first() == Some(&'!');
                if neg {
                    class = &class[1..];
                }
                let c = s[0];
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        if class[i] <= c && c <= class[i + 2] {
                            hit = true;
                        }
                        i += 3;
                    } else {
                        if class[i] == c {
                            hit = true;
                        }
                        i += 1;
                    }
                }
                if hit == neg {
                    return Some(false);
                }
                m(&p[close + 1..], &s[1..])
            }
            '{' => {
                let close = p.iter().position(|&c| c == '}')?;
                let alts: Vec<&[char]> = p[1..close].split(|&c| c == ',').collect();
                for a in alts {
                    let mut np: Vec<char> = a.to_vec();
                    np.extend_from_slice(&p[close + 1..]);
                    if m(&np, s)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            '\\' => {
                let c = *p.get(1)?;
                if s.first() == Some(&c) {
                    m(&p[2..], &s[1..])
                } else {
                    Some(false)
                }
            }
            c => {
                if s.first() == Some(&c) {
                    m(&p[1..], &s[1..])
                } else {
                    Some(false)
                }
            }
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = name.chars().collect();
    m(&p, &s)
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn files_method(recv: &Value, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    let Value::Map(m) = recv else {
        return None;
    };
    let want = |n: usize| -> Result<(), String> {
        if args.len() != n {
            return Err(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            ));
        }
        Ok(())
    };
    let arg_str = |i: usize| -> Result<String, String> {
        match args.get(i) {
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(other) => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
            None => Err("missing argument".into()),
        }
    };
    let entries = m.entries();
    let r = (|| -> Result<Value, String> {
        match name {
            "Get" | "GetBytes" => {
                want(1)?;
                let p = arg_str(0)?;
                let data = match entries.get(&p) {
                    Some(Value::Bytes(b)) => Some(b.clone()),
                    _ => None,
                };
                if name == "Get" {
                    Ok(Value::from(
                        data.map(|b| String::from_utf8_lossy(&b).into_owned())
                            .unwrap_or_default(),
                    ))
                } else {
                    Ok(data.map(Value::Bytes).unwrap_or(Value::Nil))
                }
            }
            "Glob" => {
                want(1)?;
                let pat = arg_str(0)?;
                let valid = glob_match(&pat, "").is_some();
                let out: BTreeMap<String, Value> = entries
                    .iter()
                    .filter(|(k, _)| !valid || glob_match(&pat, k).unwrap_or(true))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Ok(Value::typed_map(MapKind::Files, out))
            }
            "Lines" => {
                want(1)?;
                let p = arg_str(0)?;
                let Some(Value::Bytes(b)) = entries.get(&p) else {
                    return Ok(Value::typed_list(ListKind::Strings, Vec::new()));
                };
                let mut s = String::from_utf8_lossy(b).into_owned();
                if s.ends_with('\n') {
                    s.pop();
                }
                Ok(Value::string_list(s.split('\n')))
            }
            "AsConfig" | "AsSecrets" => {
                want(0)?;
                let mut o = Map::new();
                for (k, v) in entries.iter() {
                    let Value::Bytes(b) = v else { continue };
                    let s = if name == "AsConfig" {
                        String::from_utf8_lossy(b).into_owned()
                    } else {
                        base64_std(b)
                    };
                    o.insert(base_name(k).to_string(), Json::String(s));
                }
                Ok(Value::from(yaml::to_yaml(&Json::Object(o))))
            }
            _ => Err(format!("can't evaluate field {name} in type engine.files")),
        }
    })();
    Some(r)
}

// ---------------------------------------------------------------------------
// .Chart

fn strs(v: &[String]) -> Value {
    Value::list(v.iter().map(Value::str).collect())
}

fn chart_map(md: &Metadata, is_root: bool) -> Value {
    let mut m = BTreeMap::new();
    let s = |x: &str| Value::str(x);
    m.insert("Name".into(), s(&md.name));
    m.insert("Home".into(), s(&md.home));
    m.insert("Sources".into(), strs(&md.sources));
    m.insert("Version".into(), s(&md.version));
    m.insert("Description".into(), s(&md.description));
    m.insert("Keywords".into(), strs(&md.keywords));
    let maint = md
        .maintainers
        .iter()
        .map(|x| match x {
            None => Value::Nil,
            Some(x) => {
                let mut o = BTreeMap::new();
                o.insert("Name".into(), s(&x.name));
                o.insert("Email".into(), s(&x.email));
                o.insert("URL".into(), s(&x.url));
                Value::map(o)
            }
        })
        .collect();
    m.insert("Maintainers".into(), Value::list(maint));
    m.insert("Icon".into(), s(&md.icon));
    m.insert("APIVersion".into(), s(&md.api_version));
    m.insert("Condition".into(), s(&md.condition));
    m.insert("Tags".into(), s(&md.tags));
    m.insert("AppVersion".into(), s(&md.app_version));
    m.insert("Deprecated".into(), Value::Bool(md.deprecated));
    let ann: BTreeMap<String, Value> = md
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), Value::str(v)))
        .collect();
    m.insert("Annotations".into(), Value::typed_map(MapKind::Strings, ann));
    m.insert("KubeVersion".into(), s(&md.kube_version));
    let deps = md
        .dependencies
        .iter()
        .map(|d| match d {
            None => Value::Nil,
            Some(d) => {
                let mut o = BTreeMap::new();
                o.insert("Name".into(), s(&d.name));
                o.insert("Version".into(), s(&d.version));
                o.insert("Repository".into(), s(&d.repository));
                o.insert("Condition".into(), s(&d.condition));
                o.insert("Tags".into(), strs(&d.tags));
                o.insert("Enabled".into(), Value::Bool(d.enabled));
                o.insert(
                    "ImportValues".into(),
                    Value::list(d.import_values.iter().map(Value::from_json).collect()),
                );
                o.insert("Alias".into(), s(&d.alias));
                Value::map(o)
            }
        })
        .collect();
    m.insert("Dependencies".into(), Value::list(deps));
    m.insert("Type".into(), s(&md.chart_type));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    Value::map(m)
}

// ---------------------------------------------------------------------------
// values

fn chart_at<'a>(root: &'a Chart, path: &[usize]) -> &'a Chart {
    let mut c = root;
    for &i in path {
        c = &c.dependencies[i];
    }
    c
}

// ---------------------------------------------------------------------------
// render

struct Renderable<'c> {
    /// the template file in the loaded chart (its address is the key of its
    /// early parse)
    file: &'c BufferedFile,
    name: String,
    vals: Value,
    base_path: String,
}

#[allow(clippy::too_many_arguments)]
fn rec_all_tpls<'c>(
    root: &'c Chart,
    cv: &ChartValues<Vec<usize>>,
    parent_vals: &Value,
    parent_full: Option<&str>,
    is_root: bool,
    caps: &Value,
    out: &mut Vec<Renderable<'c>>,
) -> Value {
    let c = chart_at(root, &cv.payload);
    let mut md = c.metadata.clone();
    md.name = cv.name.clone();
    let subcharts = Value::empty_map();
    let next = Value::empty_map();
    next.set("Chart", chart_map(&md, is_root));
    next.set("Files", files_value(&c.files));
    next.set("Release", parent_vals.get("Release").unwrap_or(Value::Nil));
    next.set("Capabilities", caps.clone());
    next.set("Subcharts", subcharts.clone());
    let values = if is_root {
        parent_vals.get("Values").unwrap_or_else(Value::empty_map)
    } else {
        match parent_vals.get("Values").and_then(|v| v.get(&cv.name)) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::empty_map(),
        }
    };
    next.set("Values", values);
    let full = match parent_full {
        Some(p) => format!("{p}/charts/{}", cv.name),
        None => cv.name.clone(),
    };
    for child in &cv.dependencies {
        let sub = rec_all_tpls(root, child, &next, Some(&full), false, caps, out);
        subcharts.set(&child.name, sub);
    }
    for t in &c.templates {
        if c.is_library() && !base_name(&t.name).starts_with('_') {
            continue;
        }
        out.push(Renderable {
            file: t,
            name: format!("{full}/{}", t.name),
            vals: next.clone(),
            base_path: format!("{full}/templates"),
        });
    }
    next
}

fn sort_templates(tpls: &mut Vec<Renderable<'_>>) {
    // deepest paths first, then names in reverse order (Helm's sortTemplates);
    // the depth is counted once per template, not once per comparison
    let mut keyed: Vec<(usize, Renderable<'_>)> =
        tpls.drain(..).map(|t| (t.name.matches('/').count(), t)).collect();
    keyed.sort_by(|(da, a), (db, b)| db.cmp(da).then_with(|| b.name.cmp(&a.name)));
    tpls.extend(keyed.into_iter().map(|(_, t)| t));
}

/// Renders every template of the chart tree: `file name -> output`, like
/// Helm's `engine.Render` (NOTES and partials included).
pub fn render_files(
    chart: &Chart,
    user_values: Map<String, Json>,
    opts: &Options,
) -> Result<BTreeMap<String, String>, RenderError> {
    render_files_each(chart, user_values, opts, &mut |_, _| {})
}

/// [`render_files`], handing each template's output to `each` as soon as it
/// is rendered (in rendering order), so its documents can be decoded while
/// the next templates run.
pub fn render_files_each(
    chart: &Chart,
    user_values: Map<String, Json>,
    opts: &Options,
    each: &mut dyn FnMut(&str, &str),
) -> Result<BTreeMap<String, String>, RenderError> {
    let kube = match &opts.kube_version {
        Some(k) => {
            KubeVersion::parse(k).map_err(|e| err_before(format!("invalid kube version '{k}': {e}")))?
        }
        None => KubeVersion::default_for(opts.helm3),
    };
    // Every template of the chart tree is lexed and parsed (under a
    // provisional name) while the values are coalesced, and a tree is
    // renamed when its file is rendered; the values schema is checked on
    // its own thread while the templates are parsed and run. Small charts
    // parse on this thread: a thread costs more than it saves there.
    let registry = Rc::new(helm_registry());
    let reg: &Registry = &registry;
    let mut files = Vec::new();
    template_files(chart, &mut files);
    let parallel = super::par::worth_threads(text_bytes(&files));
    let parse_one = |f: &&BufferedFile| super::preparse::parse_file(&f.data, reg);
    // the templates parsed while the chart loaded, if a thread did that
    let preparsed = opts.preparse.as_deref().filter(|p| p.started());
    std::thread::scope(|s| {
        let early = match preparsed {
            Some(p) => Some(s.spawn(|| p.finish(&files, reg))),
            None => parallel.then(|| s.spawn(|| super::par::map(&files, parse_one))),
        };
        let mut cv = ChartValues::from_chart(chart).map_err(err_before)?;
        let root_vals = values::render_values(&mut cv, user_values).map_err(err_before)?;
        let rendered = std::thread::scope(|s| {
            let schema = has_schema(&cv).then(|| s.spawn(|| super::schema::validate(&cv, &root_vals)));
            let early: Vec<_> = match early {
                Some(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                None => files.iter().map(parse_one).collect(),
            };
            let early = files.iter().map(|f| std::ptr::from_ref(*f)).zip(early).collect();
            let inputs = Inputs {
                chart,
                cv: &cv,
                root_vals: &root_vals,
                kube: &kube,
                opts,
            };
            let rendered = execute_all(&inputs, registry.clone(), early, parallel, each);
            // the schema's verdict comes first, as Helm checks it before rendering
            let schema = match schema {
                Some(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                None => Ok(()),
            };
            schema.map_err(|e| err_before(super::schema::schema_error(&e)))?;
            rendered
        });
        if opts.leak {
            std::mem::forget(cv);
        }
        rendered
    })
}

/// Whether any chart of the tree has a values schema.
fn has_schema<T>(cv: &ChartValues<T>) -> bool {
    cv.schema.is_some() || cv.dependencies.iter().any(has_schema)
}

/// Gathers the parsed templates into one engine (see [`parse_templates`])
/// and runs every non-partial template in Helm's order, handing each output
/// to `each`; on two threads when `parallel` (see [`execute_parallel`]).
fn execute_all(
    inputs: &Inputs<'_>,
    registry: Rc<Registry>,
    early: HashMap<*const BufferedFile, Result<Parsed, ParseError>>,
    parallel: bool,
    each: &mut dyn FnMut(&str, &str),
) -> Result<BTreeMap<String, String>, RenderError> {
    let opts = inputs.opts;
    let mut rendered = BTreeMap::new();
    let mut emit = |t: &Renderable<'_>, out: String| {
        each(&t.name, &out);
        rendered.insert(t.name.clone(), out);
    };
    let prepare = || parse_templates(inputs, registry, early);
    let (mut engine, mut tpls, order, ran) = if parallel {
        execute_parallel(inputs, prepare, &mut emit)?
    } else {
        let (engine, tpls) = prepare()?;
        let order = run_order(&tpls);
        (engine, tpls, order, Parallel::NotRun)
    };
    let mut from = 0;
    match ran {
        Parallel::NotRun => {}
        Parallel::Done => from = order.len(),
        Parallel::Redo { from: k, prior_steps } => {
            // the rest runs in sequence on fresh values, as if the
            // templates before `k` had run on them (they changed nothing
            // others see)
            let (fresh, fresh_tpls) = fresh_state(inputs, engine.templates());
            fresh.charge_steps(prior_steps);
            let old = std::mem::replace(&mut engine, fresh);
            release(opts, old, std::mem::replace(&mut tpls, fresh_tpls));
            from = k;
        }
    }
    for &i in &order[from..] {
        let t = &tpls[i];
        match run_template(&engine, t).out {
            Ok(out) => emit(t, out),
            Err(e) => return Err(err(helm_exec_error(&t.name, &e, opts.helm3))),
        }
    }
    release(opts, engine, tpls);
    Ok(rendered)
}

/// An engine over `templates` and the chart's template objects, values
/// included, all of their own (for another thread, or to start again).
fn fresh_state<'c>(inputs: &Inputs<'c>, templates: Templates) -> (Engine, Vec<Renderable<'c>>) {
    (fresh_engine(templates), renderables(inputs))
}

/// An engine over `templates` with a function registry of its own.
fn fresh_engine(templates: Templates) -> Engine {
    Engine::from_templates(Rc::new(helm_registry()), templates)
}

/// Positions in `tpls` of the templates that are run (not partials), in
/// Helm's order.
fn run_order(tpls: &[Renderable<'_>]) -> Vec<usize> {
    (0..tpls.len())
        .filter(|&i| !base_name(&tpls[i].name).starts_with('_'))
        .collect()
}

/// Drops an engine and its template objects, or leaves them when the
/// process exits right after rendering (`Options::leak`).
fn release(opts: &Options, engine: Engine, tpls: Vec<Renderable<'_>>) {
    if opts.leak {
        std::mem::forget(engine);
        std::mem::forget(tpls);
    }
}

/// What building a chart's template objects takes (again, on another
/// thread, for [`execute_parallel`]).
#[derive(Clone, Copy)]
struct Inputs<'a> {
    chart: &'a Chart,
    cv: &'a ChartValues<Vec<usize>>,
    root_vals: &'a Map<String, Json>,
    kube: &'a KubeVersion,
    opts: &'a Options,
}

/// One template's run: its output or error, the engine steps it took and
/// whether it changed a map that existed before it ran (see
/// [`value::begin_epoch`]): a change the templates after it would see.
struct Run {
    out: Result<String, ExecError>,
    steps: u64,
    changed_shared: bool,
}

/// Runs template `t` as Helm does (`.Template` set first, `<no value>`
/// stripped after) in an epoch of its own.
fn run_template(engine: &Engine, t: &Renderable<'_>) -> Run {
    let tmpl = Value::empty_map();
    tmpl.set("Name", Value::str(&t.name));
    tmpl.set("BasePath", Value::str(&t.base_path));
    t.vals.set("Template", tmpl);
    let before = engine.steps_taken();
    value::begin_epoch();
    let out = engine
        .execute(&t.name, t.vals.clone())
        .map(super::template::exec::without_no_value);
    Run {
        out,
        steps: engine.steps_taken() - before,
        changed_shared: value::older_map_changed(),
    }
}

/// How a parallel run ended (see [`execute_parallel`]).
enum Parallel {
    /// nothing ran (fewer than two templates to run): all run in sequence
    NotRun,
    /// every template ran and was handed on
    Done,
    /// the templates from position `from` on must run again in sequence,
    /// after `prior_steps` steps
    Redo { from: usize, prior_steps: u64 },
}

/// Builds the engine and template objects with `prepare`, then runs the
/// templates to run on this thread and on a helper thread with values of
/// its own, each taking the next template in order, and hands the outputs
/// on in order as they complete. Returns the engine, the template objects,
/// the run order and how the run ended.
///
/// The helper starts before `prepare`: it builds its own template objects
/// (values included) while this thread builds the engine, then waits for
/// the engine's templates ([`Handoff`]). Started after, it began its share
/// of the work a millisecond or more after this thread (building its
/// objects, and a thread started on an idle core of a virtual machine can
/// wait that long to run).
///
/// Helm runs templates one after another on shared values: a template that
/// changes a map other templates can see (`set .Values …`, `merge` into a
/// values map, `set $ …`) changes what the later ones see. The first such
/// template in the order (the *flag*) was run on the values of one thread,
/// which saw every change before it (none) and its own: that thread's
/// values are now exactly the values of a sequential run at that point. So
/// that thread runs every later template alone, in order
/// ([`Board::continue_alone`]), and the other thread's runs past the flag
/// are dropped; if the other thread then reports a shared change earlier
/// in the order, the flag and the continuation move to it. The continuing
/// thread's step count is first made the sequential one (the steps of the
/// other thread's runs before the flag are charged to it), so its engine
/// stops at the step limit exactly where a sequential run does. Before the
/// flag the step limit is checked on the steps taken in order, and where
/// it would be passed the caller runs the rest in sequence
/// ([`Parallel::Redo`]). An error is returned as soon as everything before
/// it is handed on.
fn execute_parallel<'c>(
    inputs: &Inputs<'c>,
    prepare: impl FnOnce() -> Result<(Engine, Vec<Renderable<'c>>), RenderError>,
    emit: &mut dyn FnMut(&Renderable<'_>, String),
) -> Result<(Engine, Vec<Renderable<'c>>, Vec<usize>, Parallel), RenderError> {
    use std::sync::atomic::Ordering;
    let handoff = Handoff::default();
    let board = Board::default();
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new()
            .stack_size(super::cli::RENDER_STACK)
            .spawn_scoped(s, || {
                // whatever happens, the main thread must not wait for it
                struct Ended<'a>(&'a Board);
                impl Drop for Ended<'_> {
                    fn drop(&mut self) {
                        let _guard = self.0.lock();
                        self.0.helper_ended.store(true, Ordering::Release);
                        self.0.changed.notify_all();
                    }
                }
                let _ended = Ended(&board);
                let tpls = renderables(inputs);
                match handoff.take() {
                    Some((templates, order)) => {
                        let engine = fresh_engine(templates);
                        board.work(HELPER, &engine, &tpls, &order, &mut || {});
                        release(inputs.opts, engine, tpls);
                    }
                    None if inputs.opts.leak => std::mem::forget(tpls),
                    None => {}
                }
            });
        // on every way out (an error, too few templates, a panic) the
        // helper must stop waiting, and stop working
        let _cancel = CancelOnDrop(&handoff);
        struct StopOnDrop<'a>(&'a Board);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.halt();
            }
        }
        let (engine, tpls) = prepare()?;
        let order = run_order(&tpls);
        let n = order.len();
        if n < 2 {
            return Ok((engine, tpls, order, Parallel::NotRun));
        }
        board.reset(n);
        let _stop = StopOnDrop(&board);
        handoff.give(engine.templates(), order.clone());
        let limit = engine.step_limit;
        let helm3 = inputs.opts.helm3;
        // hands on the completed runs from position `*done` on, in order
        let mut done = 0;
        let mut cum_steps = 0u64;
        let mut hand_on =
            |emit: &mut dyn FnMut(&Renderable<'_>, String)| -> Option<Result<Parallel, RenderError>> {
                loop {
                    let (run, past_flag) = {
                        let mut b = board.lock();
                        let past_flag = b.flag.is_some_and(|(f, _)| done > f);
                        let slot = if past_flag { &mut b.cont } else { &mut b.runs };
                        match slot.get_mut(done).and_then(Option::take) {
                            Some(run) => (run, past_flag),
                            None => return (done == n).then_some(Ok(Parallel::Done)),
                        }
                    };
                    let t = &tpls[order[done]];
                    if !past_flag {
                        // (past the flag, the continuing engine counts in order)
                        let prior_steps = cum_steps;
                        cum_steps = cum_steps.saturating_add(run.steps);
                        if cum_steps > limit {
                            return Some(Ok(Parallel::Redo {
                                from: done,
                                prior_steps,
                            }));
                        }
                    }
                    match run.out {
                        Err(e) => return Some(Err(err(helm_exec_error(&t.name, &e, helm3)))),
                        Ok(out) => emit(t, out),
                    }
                    done += 1;
                }
            };
        let mut verdict = None;
        // hands on what it can; true once there is a verdict
        let mut after_each = || {
            if verdict.is_none() {
                verdict = hand_on(emit);
                if verdict.is_some() {
                    // nothing after this point is needed any more
                    board.halt();
                }
            }
            verdict.is_some()
        };
        board.work(MAIN, &engine, &tpls, &order, &mut || {
            after_each();
        });
        // the helper may still be running the rest alone: hand its runs on
        // as they come
        while !after_each() && helper.is_ok() {
            let b = board.lock();
            if board.helper_ended.load(Ordering::Acquire) {
                drop(b);
                after_each();
                break;
            }
            drop(board.wait(b));
        }
        // (no thread: this one ran every template)
        if let Ok(h) = helper {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
        after_each();
        let verdict = verdict.unwrap_or(Ok(Parallel::Done))?;
        Ok((engine, tpls, order, verdict))
    })
}

/// Who ran a template in [`execute_parallel`].
const MAIN: usize = 0;
const HELPER: usize = 1;

/// What the two threads of [`execute_parallel`] share: the runs, the
/// first shared change in order and the runs of the thread continuing
/// from it.
#[derive(Default)]
struct Board {
    state: std::sync::Mutex<BoardState>,
    /// signalled when a run is stored (and when the helper ends)
    changed: std::sync::Condvar,
    /// the next position to run
    next: std::sync::atomic::AtomicUsize,
    /// no position past this one is started (an error or a shared change)
    stop: std::sync::atomic::AtomicUsize,
    /// the helper thread has returned (or panicked)
    helper_ended: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct BoardState {
    /// each position's run, before the flag (taken when handed on)
    runs: Vec<Option<Run>>,
    /// steps and runner of each position's run (kept)
    steps: Vec<Option<(u64, usize)>>,
    /// the first position in order whose run changed shared values, and
    /// the thread that ran it (and continues from it)
    flag: Option<(usize, usize)>,
    /// the continuing thread's runs past the flag
    cont: Vec<Option<Run>>,
    /// threads waiting on [`Board::changed`]: a run stored while none is
    /// makes no wake-up call (a system call each, a few hundred a run)
    waiting: usize,
}

impl Board {
    fn lock(&self) -> std::sync::MutexGuard<'_, BoardState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a change, counted in [`BoardState::waiting`].
    fn wait<'a>(
        &'a self,
        mut b: std::sync::MutexGuard<'a, BoardState>,
    ) -> std::sync::MutexGuard<'a, BoardState> {
        b.waiting += 1;
        let mut b = self.changed.wait(b).unwrap_or_else(|p| p.into_inner());
        b.waiting -= 1;
        b
    }

    /// Stops both threads: no position is started any more, and the flag
    /// becomes one no thread owns, which ends a continuation.
    fn halt(&self) {
        self.stop.store(0, std::sync::atomic::Ordering::Relaxed);
        self.lock().flag = Some((0, usize::MAX));
    }

    fn reset(&self, n: usize) {
        let mut b = self.lock();
        b.runs = std::iter::repeat_with(|| None).take(n).collect();
        b.steps = vec![None; n];
        b.cont = std::iter::repeat_with(|| None).take(n).collect();
        self.stop.store(usize::MAX, std::sync::atomic::Ordering::Relaxed);
    }

    /// A thread's share: the next position in order until none is left or
    /// `stop` is passed; after a shared change that becomes the flag, the
    /// rest alone.
    fn work(
        &self,
        me: usize,
        engine: &Engine,
        tpls: &[Renderable<'_>],
        order: &[usize],
        after_each: &mut dyn FnMut(),
    ) {
        use std::sync::atomic::Ordering;
        loop {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            if k >= order.len() || k > self.stop.load(Ordering::Relaxed) {
                break;
            }
            let run = run_template(engine, &tpls[order[k]]);
            let failed = run.out.is_err();
            let shared = run.changed_shared && !failed;
            let (flag, wake) = {
                let mut b = self.lock();
                b.steps[k] = Some((run.steps, me));
                b.runs[k] = Some(run);
                let first = shared && b.flag.is_none_or(|(f, _)| k < f);
                if first {
                    b.flag = Some((k, me));
                    for c in &mut b.cont {
                        *c = None;
                    }
                }
                if failed || shared {
                    self.stop.fetch_min(k, Ordering::Relaxed);
                }
                (first, b.waiting > 0)
            };
            if wake {
                self.changed.notify_all();
            }
            after_each();
            if flag {
                self.continue_alone(me, k, engine, tpls, order, after_each);
            }
            if failed || shared {
                break;
            }
        }
    }

    /// The rest after the flag at `k`, run by the thread `me` that ran it,
    /// in order, for as long as the flag stays its own.
    fn continue_alone(
        &self,
        me: usize,
        k: usize,
        engine: &Engine,
        tpls: &[Renderable<'_>],
        order: &[usize],
        after_each: &mut dyn FnMut(),
    ) {
        // the other thread's steps before the flag, charged to this engine
        // so that it counts as a sequential run does
        let mut b = self.lock();
        loop {
            if b.flag != Some((k, me)) {
                return;
            }
            if b.steps[..k].iter().all(Option::is_some) {
                break;
            }
            if self.helper_ended.load(std::sync::atomic::Ordering::Acquire) {
                // (a helper that panicked: its panic is raised on joining)
                return;
            }
            b = self.wait(b);
        }
        let others: u64 = b.steps[..k]
            .iter()
            .flatten()
            .filter(|(_, who)| *who != me)
            .map(|(s, _)| *s)
            .fold(0u64, |a, s| a.saturating_add(s));
        drop(b);
        engine.charge_steps(others);
        for p in k + 1..order.len() {
            let run = run_template(engine, &tpls[order[p]]);
            let failed = run.out.is_err();
            let wake = {
                let mut b = self.lock();
                if b.flag != Some((k, me)) {
                    return;
                }
                b.cont[p] = Some(run);
                b.waiting > 0
            };
            if wake {
                self.changed.notify_all();
            }
            after_each();
            if failed {
                return;
            }
        }
    }
}

/// What the helper of [`execute_parallel`] gets: the engine's templates and
/// the run order.
type Work = (Templates, Vec<usize>);

/// What the helper of [`execute_parallel`] waits for: its [`Work`], or
/// `None` when it is not needed.
#[derive(Default)]
struct Handoff {
    slot: std::sync::Mutex<Option<Option<Work>>>,
    given: std::sync::Condvar,
    /// set (under the lock) when `slot` is filled, and never unset: the
    /// slot is filled once, and this is what the waiting thread spins on
    filled: std::sync::atomic::AtomicBool,
}

/// How long the helper of [`execute_parallel`] spins before it sleeps: the
/// engine is usually ready within a millisecond of the helper's own
/// template objects, and a thread that sleeps on a virtual machine's idle
/// core can take milliseconds to wake (measured: 0.05-2.3 ms).
const HANDOFF_SPIN: std::time::Duration = std::time::Duration::from_millis(3);

impl Handoff {
    fn put(&self, what: Option<Work>) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        // (not `slot.is_none()`: the helper empties the slot as it takes it)
        if !self.filled.load(std::sync::atomic::Ordering::Relaxed) {
            *slot = Some(what);
            self.filled.store(true, std::sync::atomic::Ordering::Release);
            self.given.notify_all();
        }
    }

    fn give(&self, templates: Templates, order: Vec<usize>) {
        self.put(Some((templates, order)));
    }

    /// Waits for what [`Handoff::give`] gives (`None` once cancelled).
    fn take(&self) -> Option<Work> {
        let start = std::time::Instant::now();
        while !self.filled.load(std::sync::atomic::Ordering::Acquire) {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
            if start.elapsed() > HANDOFF_SPIN {
                break;
            }
        }
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(what) = slot.take() {
                return what;
            }
            slot = self.given.wait(slot).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Cancels a [`Handoff`] when dropped, unless it was given already.
struct CancelOnDrop<'a>(&'a Handoff);

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        self.0.put(None);
    }
}

/// The template files of a chart tree, subcharts included (a library
/// chart's only as partials, as they are rendered).
fn template_files<'c>(c: &'c Chart, out: &mut Vec<&'c BufferedFile>) {
    for t in &c.templates {
        if !c.is_library() || base_name(&t.name).starts_with('_') {
            out.push(t);
        }
    }
    for d in &c.dependencies {
        template_files(d, out);
    }
}

/// Bytes of template text in `files`.
fn text_bytes(files: &[&BufferedFile]) -> usize {
    files.iter().map(|f| f.data.len()).sum()
}

/// Every template of the chart tree (partials too) with its top-level
/// objects (`.Values`, `.Release`, `.Chart`, …), in Helm's rendering order.
fn renderables<'c>(inputs: &Inputs<'c>) -> Vec<Renderable<'c>> {
    let Inputs {
        chart,
        cv,
        root_vals,
        kube,
        opts,
    } = *inputs;
    let defaults = if opts.helm3 {
        HELM3_API_VERSIONS
    } else {
        DEFAULT_API_VERSIONS
    };
    let mut api: Vec<Value> = defaults.iter().map(Value::str).collect();
    api.extend(opts.api_versions.iter().map(Value::str));
    let caps = Value::Object(Rc::new(Capabilities {
        kube: Rc::new(kube.clone()),
        api_versions: Value::typed_list(ListKind::VersionSet, api),
        helm3: opts.helm3,
    }));
    let release = {
        let mut r = BTreeMap::new();
        r.insert("Name".into(), Value::str(&opts.release_name));
        r.insert("Namespace".into(), Value::str(&opts.namespace));
        r.insert("IsUpgrade".into(), Value::Bool(opts.is_upgrade));
        r.insert("IsInstall".into(), Value::Bool(!opts.is_upgrade));
        r.insert("Revision".into(), Value::Int(if opts.lint { 0 } else { 1 }));
        r.insert("Service".into(), Value::str("Helm"));
        Value::map(r)
    };
    let top = Value::empty_map();
    top.set("Release", release);
    top.set("Capabilities", caps.clone());
    top.set(
        "Values",
        Value::map(
            root_vals
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_json(v)))
                .collect(),
        ),
    );
    let mut tpls = Vec::new();
    rec_all_tpls(chart, cv, &top, None, true, &caps, &mut tpls);
    sort_templates(&mut tpls);
    tpls
}

/// Checks the chart's kubeVersion, builds each template's top-level objects
/// and parses every template into one engine, in Helm's order.
fn parse_templates<'c>(
    inputs: &Inputs<'c>,
    registry: Rc<Registry>,
    mut early: HashMap<*const BufferedFile, Result<Parsed, ParseError>>,
) -> Result<(Engine, Vec<Renderable<'c>>), RenderError> {
    let Inputs {
        chart, kube, opts, ..
    } = *inputs;
    if !chart.metadata.kube_version.is_empty()
        && !values::is_compatible_range(&chart.metadata.kube_version, &kube.normalized)
    {
        return Err(err(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
            chart.metadata.kube_version, kube.version
        )));
    }

    let tpls = renderables(inputs);
    let mut engine = Engine::new(registry);
    engine.lint = opts.lint;
    engine.method_hook = Some(files_method);
    engine.step_limit = opts.step_limit;
    for t in &tpls {
        // a file rendered twice (a subchart under two aliases) is parsed again
        match early.remove(&std::ptr::from_ref(t.file)) {
            Some(Ok(parsed)) => engine.add(parsed.renamed(&t.name)),
            _ => engine.parse_file(&t.name, &t.file.text()).map_err(|e| {
                let full = e.to_string();
                let tokens: Vec<&str> = full.split(": ").collect();
                if tokens.len() == 1 {
                    err(format!("parse error in ({}): {full}", t.name))
                } else {
                    err(format!(
                        "parse error at ({}): {}",
                        tokens[1],
                        tokens[tokens.len() - 1]
                    ))
                }
            })?,
        }
    }
    Ok((engine, tpls))
}

/// One parsed manifest document.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub path: String,
    pub content: String,
    pub kind: String,
    pub version: String,
}

#[derive(Clone, Debug)]
pub struct Hook {
    pub path: String,
    pub manifest: String,
    pub kind: String,
    pub is_test: bool,
}

/// Helm's `SplitManifests` (v4.2.4+ separator `(?m)^---[ \t]*`; helm3:
/// `(?:^|\s*\n)---\s*` and trimmed documents).
pub fn split_manifests(big: &str, helm3: bool) -> Vec<String> {
    let mut out = Vec::new();
    if helm3 {
        let re = regex::Regex::new(r"(?:^|\s*\n)---\s*").expect("static regex");
        for d in re.split(big) {
            let t = d.trim();
            if !t.is_empty() {
                out.push(t.to_string());
            }
        }
        return out;
    }
    let s = big.trim_start();
    let mut docs = Vec::new();
    let mut last = 0;
    let b = s.as_bytes();
    for line_start in yaml::separator_lines(s) {
        docs.push(&s[last..line_start]);
        let mut e = line_start + 3;
        while e < b.len() && (b[e] == b' ' || b[e] == b'\t') {
            e += 1;
        }
        last = e;
    }
    docs.push(&s[last..]);
    for d in docs {
        if d.trim().is_empty() {
            continue;
        }
        out.push(d.trim_start().to_string());
    }
    out
}

fn order_index(kind: &str, helm3: bool) -> Option<usize> {
    let order: &[&str] = if helm3 {
        &INSTALL_ORDER[..INSTALL_ORDER.len() - 2]
    } else {
        INSTALL_ORDER
    };
    order.iter().position(|k| *k == kind)
}

fn less_by_kind(a: &str, b: &str, helm3: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (order_index(a, helm3), order_index(b, helm3)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// A rendered file's documents, each with its decoded head or the YAML error.
pub type Decoded = Vec<(String, Result<Json, String>)>;

/// Splits one rendered file into documents and decodes each (the costly
/// half of Helm's `SortManifests`); partials and blank files have none.
pub fn decode_file(path: &str, content: &str, helm3: bool) -> Decoded {
    if base_name(path).starts_with('_') || content.trim().is_empty() {
        return Vec::new();
    }
    split_manifests(content, helm3)
        .into_iter()
        .map(|doc| {
            let head = yaml::unmarshal_head(&doc);
            (doc, head)
        })
        .collect()
}

/// Helm's `SortManifests`: hooks and manifests, kind-sorted (stable).
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    helm3: bool,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    // decoding the documents is most of the work: spread it over threads
    let items: Vec<(&String, &String)> = files.iter().collect();
    let decoded = super::par::map(&items, |(path, content)| decode_file(path, content, helm3));
    sort_decoded(files.keys().zip(decoded), helm3)
}

/// The ordering half of `SortManifests` over [`decode_file`]'s results, in
/// file name order: the first YAML error wins.
pub fn sort_decoded<'a>(
    files: impl Iterator<Item = (&'a String, Decoded)>,
    helm3: bool,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    let docs = files.flat_map(|(path, docs)| docs.into_iter().map(move |(doc, head)| ((path, doc), head)));
    for ((path, doc), head) in docs {
        let path = path.clone();
        {
            let head = head.map_err(|e| format!("YAML parse error on {path}: {e}"))?;
            let get_s =
                |v: Option<&Json>| -> String { v.and_then(Json::as_str).unwrap_or_default().to_string() };
            let kind = get_s(head.get("kind"));
            let version = get_s(head.get("apiVersion"));
            let annotations = head
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(Json::as_object)
                .filter(|a| !a.is_empty());
            let hook_types = annotations.and_then(|a| a.get("helm.sh/hook"));
            let Some(hook_types) = hook_types else {
                generic.push(Manifest {
                    path: path.clone(),
                    content: doc,
                    kind,
                    version,
                });
                continue;
            };
            let hook_types = hook_types.as_str().unwrap_or_default();
            let mut is_test = false;
            let mut unknown = false;
            for h in hook_types.split(',') {
                let h = h.trim().to_lowercase();
                if !HOOK_EVENTS.contains(&h.as_str()) {
                    unknown = true;
                    break;
                }
                if h == "test" || h == "test-success" {
                    is_test = true;
                }
            }
            if unknown {
                continue;
            }
            hooks.push(Hook {
                path: path.clone(),
                manifest: doc,
                kind,
                is_test,
            });
        }
    }
    hooks.sort_by(|a, b| less_by_kind(&a.kind, &b.kind, helm3));
    generic.sort_by(|a, b| less_by_kind(&a.kind, &b.kind, helm3));
    Ok((hooks, generic))
}

/// The files under `crds/` of the chart and its subcharts (`--include-crds`).
pub fn crd_objects(chart: &Chart, full: &str, out: &mut Vec<(String, Arc<super::blob::Blob>)>) {
    for f in &chart.files {
        if f.name.starts_with("crds/")
            && (f.name.ends_with(".yaml") || f.name.ends_with(".yml") || f.name.ends_with(".json"))
        {
            out.push((format!("{full}/{}", f.name), f.data.clone()));
        }
    }
    for d in &chart.dependencies {
        crd_objects(d, &format!("{full}/charts/{}", d.metadata.name), out);
    }
}

fn write_to_file(dir: &Path, name: &str, data: &str, append: bool) -> Result<String, RenderError> {
    // Go joins with a plain separator (no cleaning): `out/` + `/` + name
    let out = PathBuf::from(format!("{}/{name}", dir.display()));
    if let Some(p) = out.parent() {
        std::fs::create_dir_all(p).map_err(|e| err(format!("mkdir {}: {e}", p.display())))?;
    }
    let text = format!("---\n# Source: {name}\n{data}\n");
    let r = if append {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&out)
            .and_then(|mut f| f.write_all(text.as_bytes()))
    } else {
        std::fs::write(&out, text)
    };
    r.map_err(|e| err(format!("open {}: {e}", out.display())))?;
    Ok(format!("wrote {}\n", out.display()))
}

/// Go `filepath.Match` (used by `--show-only`).
pub fn filepath_match(pattern: &str, name: &str) -> bool {
    fn m(p: &[char], s: &[char]) -> bool {
        if p.is_empty() {
            return s.is_empty();
        }
        match p[0] {
            '*' => {
                for i in 0..=s.len() {
                    if i > 0 && s[i - 1] == '/' {
                        return false;
                    }
                    if m(&p[1..], &s[i..]) {
                        return true;
                    }
                }
                false
            }
            '?' => !s.is_empty() && s[0] != '/' && m(&p[1..], &s[1..]),
            '[' => {
                let Some(close) = p.iter().position(|&c| c == ']') else {
                    return false;
                };
                if s.is_empty() || s[0] == '/' {
                    return false;
                }
                let mut class = &p[1..close];
                let neg = class.first() == Some(&'^');
                if neg {
                    class = &class[1..];
                }
                let c = s[0];
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != neg && m(&p[close + 1..], &s[1..])
            }
            '\\' if p.len() > 1 => !s.is_empty() && s[0] == p[1] && m(&p[2..], &s[1..]),
            c => !s.is_empty() && s[0] == c && m(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = name.chars().collect();
    m(&p, &s)
}

/// The full `helm template` output (stdout text) for a chart.
pub fn template(
    chart: &Chart,
    user_values: Map<String, Json>,
    opts: &Options,
) -> Result<String, RenderError> {
    // Each template's documents are decoded on another core while the next
    // templates run.
    let helm3 = opts.helm3;
    let mut templates = Vec::new();
    template_files(chart, &mut templates);
    let (files, decoded) = super::par::pipeline(
        super::par::worth_threads_for_decoding(text_bytes(&templates)),
        |send| {
            render_files_each(chart, user_values, opts, &mut |name, out| {
                if !name.ends_with("NOTES.txt") {
                    send((name.to_string(), out.to_string()));
                }
            })
        },
        |(name, out): (String, String)| {
            let docs = decode_file(&name, &out, helm3);
            (name, docs)
        },
    );
    let mut files = files?;
    files.retain(|k, _| !k.ends_with("NOTES.txt"));
    let mut decoded: HashMap<String, Decoded> = decoded.into_iter().collect();
    let sorted = sort_decoded(
        files.keys().map(|k| (k, decoded.remove(k).unwrap_or_default())),
        helm3,
    );
    let (hooks, manifests) = match sorted {
        Ok(x) => x,
        Err(e) => {
            let mut partial = String::new();
            for (name, content) in &files {
                if content.trim().is_empty() {
                    continue;
                }
                let _ = write!(partial, "---\n# Source: {name}\n{content}\n");
            }
            return Err(RenderError {
                message: e,
                partial: Some(partial),
                during_render: true,
            });
        }
    };
    let mut crds = Vec::new();
    if opts.include_crds {
        crd_objects(chart, &chart.metadata.name, &mut crds);
    }
    // The printed text is built in one string, sized up front (a string
    // regrown as it is written touches about twice the memory).
    let mut b = String::new();
    if opts.output_dir.is_none() {
        let docs = crds.iter().map(|(name, data)| name.len() + data.len());
        let docs = docs
            .chain(manifests.iter().map(|m| m.path.len() + m.content.len()))
            .chain(hooks.iter().map(|h| h.path.len() + h.manifest.len()));
        let count = crds.len() + manifests.len() + hooks.len();
        b.reserve(docs.sum::<usize>() + count * "---\n# Source: \n\n".len() + 1);
    }
    let mut stdout_extra = String::new();
    let mut written: std::collections::HashSet<String> = Default::default();
    for (name, data) in crds {
        let data = String::from_utf8_lossy(&data);
        match &opts.output_dir {
            None => {
                let _ = write!(b, "---\n# Source: {name}\n{data}\n");
            }
            Some(dir) => {
                stdout_extra.push_str(&write_to_file(dir, &name, &data, written.contains(&name))?);
                written.insert(name);
            }
        }
    }
    for m in &manifests {
        match &opts.output_dir {
            None => {
                let _ = write!(b, "---\n# Source: {}\n{}\n", m.path, m.content);
            }
            Some(dir) => {
                let dir = if opts.use_release_name {
                    dir.join(&opts.release_name)
                } else {
                    dir.clone()
                };
                stdout_extra.push_str(&write_to_file(
                    &dir,
                    &m.path,
                    &m.content,
                    written.contains(&m.path),
                )?);
                written.insert(m.path.clone());
            }
        }
    }
    let mut out = stdout_extra;
    // the documents so far, trimmed, in place
    let mut manifests_text = b;
    manifests_text.truncate(manifests_text.trim_end().len());
    let lead = manifests_text.len() - manifests_text.trim_start().len();
    manifests_text.drain(..lead);
    manifests_text.push('\n');
    if !opts.no_hooks {
        let mut hook_written: std::collections::HashSet<String> = Default::default();
        for h in &hooks {
            if opts.skip_tests && h.is_test {
                continue;
            }
            match &opts.output_dir {
                None => {
                    let _ = write!(manifests_text, "---\n# Source: {}\n{}\n", h.path, h.manifest);
                }
                Some(dir) => {
                    let dir = if opts.use_release_name {
                        dir.join(&opts.release_name)
                    } else {
                        dir.clone()
                    };
                    if dir.join(&h.path).exists() {
                        hook_written.insert(h.path.clone());
                    }
                    out.push_str(&write_to_file(
                        &dir,
                        &h.path,
                        &h.manifest,
                        hook_written.contains(&h.path),
                    )?);
                    hook_written.insert(h.path.clone());
                }
            }
        }
    }
    if !opts.show_only.is_empty() {
        let docs = split_manifests(&manifests_text, false);
        let mut selected = Vec::new();
        for f in &opts.show_only {
            let f = f.replace('\\', "/");
            let mut missing = true;
            for d in &docs {
                let Some(rest) = d.find("# Source: ").map(|i| &d[i + "# Source: ".len()..]) else {
                    continue;
                };
                let Some(slash) = rest.find('/') else {
                    continue;
                };
                if rest[..slash].contains('\n') || slash == 0 {
                    continue;
                }
                let name: &str = rest[slash + 1..].split('\n').next().unwrap_or("");
                if name.is_empty() {
                    continue;
                }
                if !filepath_match(&f, name) {
                    continue;
                }
                selected.push(d.clone());
                missing = false;
            }
            if missing {
                return Err(err(format!("could not find template {f} in chart")));
            }
        }
        let mut o = out;
        for d in selected {
            let _ = write!(o, "---\n{d}\n");
        }
        return Ok(o);
    }
    if out.is_empty() {
        return Ok(manifests_text);
    }
    out.push_str(&manifests_text);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, data: &str) -> BufferedFile {
        BufferedFile::new(name.into(), data.as_bytes().to_vec())
    }

    /// Templates are parsed before their names are known (early parse) and
    /// renamed when rendered: execution errors must name the rendered file,
    /// also for a subchart rendered under an alias, and parse errors too.
    #[test]
    fn early_parsed_templates_carry_their_rendered_names() {
        let chart = |tpl: &str| {
            crate::chart::load::load_files(vec![
                file(
                    "Chart.yaml",
                    "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- name: sub\n  alias: a\n  version: 0.1.0\n",
                ),
                file("values.yaml", "a:\n  x: str\n"),
                file("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
                file("charts/sub/templates/t.yaml", tpl),
            ])
            .unwrap()
        };
        let opts = Options::default();
        let e = template(&chart("v: {{ .Values.x.y }}\n"), Map::new(), &opts).unwrap_err();
        assert!(
            e.message.starts_with("p/charts/a/templates/t.yaml:1:13\n")
                && e.message
                    .contains("executing \"p/charts/a/templates/t.yaml\" at <.Values.x.y>"),
            "{}",
            e.message
        );
        let e = template(&chart("v: {{ .Values.x \n"), Map::new(), &opts).unwrap_err();
        assert!(
            e.message.starts_with("parse error at (p/charts/a/templates/t.yaml:2): unclosed action started at p/charts/a/templates/t.yaml:1"),
            "{}",
            e.message
        );
        let out = template(&chart("v: {{ .Values.x }}\n"), Map::new(), &opts).unwrap();
        assert!(
            out.contains("# Source: p/charts/a/templates/t.yaml\nv: str\n"),
            "{out}"
        );
    }

    /// The step limit counts the steps of all templates in Helm's order,
    /// also when they run on two threads (each thread's own count stays
    /// lower for longer): the template named is the one in which the total
    /// passes the limit.
    #[test]
    fn the_step_limit_counts_every_template_in_order() {
        let body = format!("x: \"{}\"\n", "{{ 1 }}".repeat(50));
        let chart = |n: usize, pad: bool| {
            let mut files = vec![file("Chart.yaml", "apiVersion: v2\nname: p\nversion: 1.0.0\n")];
            if pad {
                // past the size from which templates run on two threads
                let pad = format!("{{{{/* {} */}}}}", "x".repeat(160 << 10));
                files.push(file("templates/_pad.tpl", &pad));
            }
            for i in 0..n {
                files.push(file(&format!("templates/t{i:02}.yaml"), &body));
            }
            crate::chart::load::load_files(files).unwrap()
        };
        let render = |c: &Chart, step_limit: u64| {
            let opts = Options {
                step_limit,
                ..Options::default()
            };
            template(c, Map::new(), &opts)
        };
        // the steps of one such template: the least limit it renders under
        let one = chart(1, false);
        let (mut lo, mut hi) = (1u64, 1 << 20);
        assert!(render(&one, hi).is_ok());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if render(&one, mid).is_ok() {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let steps = lo;
        assert!(steps > 10, "{steps}");
        // Helm runs t39 … t00: the total passes 10.5 templates' worth in the
        // eleventh, t29
        let big = chart(40, true);
        let e = render(&big, steps * 21 / 2).unwrap_err();
        assert!(
            e.message.contains("exceeded the step limit") && e.message.contains("p/templates/t29.yaml"),
            "{}",
            e.message
        );
        assert!(render(&big, steps * 40).is_ok());
        assert!(render(&big, steps * 40 - 1).is_err());
    }

    /// The schema is checked while the templates run; its error still wins
    /// over a template's, as Helm validates before rendering.
    #[test]
    fn schema_error_comes_before_template_errors() {
        let chart = crate::chart::load::load_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: p\nversion: 1.0.0\n"),
            file("values.yaml", "x: a\n"),
            file(
                "values.schema.json",
                r#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"x": {"type": "integer"}}}"#,
            ),
            file("templates/t.yaml", "{{ fail \"boom\" }}\n"),
        ])
        .unwrap();
        let e = template(&chart, Map::new(), &Options::default()).unwrap_err();
        assert!(
            e.message
                .starts_with("values don't meet the specifications of the schema(s)"),
            "{}",
            e.message
        );
        assert!(!e.during_render);
    }

    #[test]
    fn split_like_helm4() {
        let d = split_manifests("\n---\na: 1\n\n---\nb: 2\n---   \n\n", false);
        assert_eq!(d, vec!["a: 1\n\n".to_string(), "b: 2\n".to_string()]);
        let d = split_manifests("a: 1\n---\nb: 2", true);
        assert_eq!(d, vec!["a: 1".to_string(), "b: 2".to_string()]);
    }

    /// Helm's separator rule, line by line: the reference for the
    /// `\n---` search `split_manifests` does.
    fn split_by_lines(big: &str) -> Vec<String> {
        let s = big.trim_start();
        let mut docs = Vec::new();
        let (mut last, mut line_start) = (0, 0);
        loop {
            if s[line_start..].starts_with("---") {
                docs.push(&s[last..line_start]);
                last = line_start + 3;
                while s[last..].starts_with([' ', '\t']) {
                    last += 1;
                }
            }
            match s[line_start..].find('\n') {
                Some(i) => line_start += i + 1,
                None => break,
            }
        }
        docs.push(&s[last..]);
        docs.into_iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| d.trim_start().to_string())
            .collect()
    }

    #[test]
    fn split_matches_the_line_by_line_rule() {
        let parts = [
            "---", "\n", "a: 1", " ", "\t", "-", "--", "---x", "# c", "\n---", "\n\n",
        ];
        for doc in yaml::random_joins(&parts, 7, 20_000) {
            assert_eq!(split_manifests(&doc, false), split_by_lines(&doc), "{doc:?}");
        }
    }

    #[test]
    fn globs() {
        assert_eq!(glob_match("files/*.txt", "files/a.txt"), Some(true));
        assert_eq!(glob_match("files/*.txt", "files/x/a.txt"), Some(false));
        assert_eq!(glob_match("files/**", "files/x/a.txt"), Some(true));
        assert_eq!(glob_match("{a,b}.conf", "b.conf"), Some(true));
        assert!(filepath_match("templates/*.yaml", "templates/a.yaml"));
        assert!(!filepath_match("templates/*", "templates/x/a.yaml"));
    }

    #[test]
    fn kube_version_parse() {
        let k = KubeVersion::parse("1.30").unwrap();
        assert_eq!((k.version.as_str(), k.normalized.as_str()), ("v1.30", "v1.30"));
        let k = KubeVersion::parse("v1.33.4-gke.1").unwrap();
        assert_eq!(k.normalized, "v1.33.4");
        assert_eq!(k.minor, "33");
        assert!(KubeVersion::parse("x").is_err());
    }
}
