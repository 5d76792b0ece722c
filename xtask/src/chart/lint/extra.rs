//! Extra lint rules Helm does not have. Each has an id, a severity, a
//! one-line why and a fix hint, and can be switched off with `--disable ID`
//! (or all at once with `--no-extra`). They run on the rendered manifests
//! of the chart and its subcharts (hooks and tests included, NOTES and
//! partials excluded).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Message, Options, Severity};
use crate::chart::load::Chart;

/// Switches for the extra rules.
#[derive(Clone, Debug)]
pub struct Config {
    pub enabled: bool,
    /// Rule ids switched off.
    pub disabled: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            disabled: Vec::new(),
        }
    }
}

/// An extra rule's description.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub why: &'static str,
    pub fix: &'static str,
}

pub const K8S_SCHEMA: &str = "k8s-schema";
pub const POD_SECURITY: &str = "pod-security-restricted";
pub const PROBES_MEMORY: &str = "probes-and-memory";
pub const IMAGE_TAG: &str = "image-tag";
pub const CONFIGMAP_SECRET: &str = "configmap-secret";
pub const SERVICE_SELECTOR: &str = "service-selector";
pub const ROUTE_BACKEND: &str = "route-backend";

pub const RULES: &[Rule] = &[
    Rule {
        id: K8S_SCHEMA,
        severity: Severity::Error,
        why: "the API server rejects objects with unknown fields, wrong types or missing required fields",
        fix: "correct the field against the Kubernetes API reference for the target version (--kube-version)",
    },
    Rule {
        id: POD_SECURITY,
        severity: Severity::Warning,
        why: "namespaces enforcing the 'restricted' Pod Security Standard reject pods that do not meet it",
        fix: "set runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault; avoid host namespaces, hostPath and privileged",
    },
    Rule {
        id: PROBES_MEMORY,
        severity: Severity::Warning,
        why: "without probes Kubernetes routes traffic to and keeps running broken containers; without a memory request the scheduler overcommits nodes",
        fix: "add readinessProbe and livenessProbe to long-running containers and resources.requests.memory to every container",
    },
    Rule {
        id: IMAGE_TAG,
        severity: Severity::Warning,
        why: "':latest' or untagged images change under you, so the same chart deploys different code",
        fix: "pin the image to a version tag or a digest (image: repo:1.2.3 or repo@sha256:…)",
    },
    Rule {
        id: CONFIGMAP_SECRET,
        severity: Severity::Error,
        why: "ConfigMaps are not secret: anyone who can read the namespace's config can read the password",
        fix: "move the value into a Secret and reference it with secretKeyRef / envFrom.secretRef",
    },
    Rule {
        id: SERVICE_SELECTOR,
        severity: Severity::Error,
        why: "a Service whose selector matches no pod of the chart has no endpoints: requests fail",
        fix: "make the Service selector a subset of the workload's pod template labels",
    },
    Rule {
        id: ROUTE_BACKEND,
        severity: Severity::Error,
        why: "an Ingress or HTTPRoute backend that names a missing Service or port returns 503/404",
        fix: "point the backend at a Service rendered by the chart and at one of its port numbers or names",
    },
];

pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).expect("known rule id")
}

/// One rendered document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Path shown in messages: `templates/x.yaml` or
    /// `charts/sub/templates/x.yaml`.
    pub path: String,
    /// 1-based line where the document starts in the rendered file.
    pub line: usize,
    pub text: String,
    pub value: Value,
}

impl Doc {
    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }
    fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// Line of the first occurrence of `needle` in the document.
    fn line_of(&self, needle: &str) -> usize {
        self.text
            .split('\n')
            .position(|l| l.contains(needle))
            .map(|i| self.line + i)
            .unwrap_or(self.line)
    }
}

/// Splits the rendered files into documents (skipping NOTES, partials and
/// documents that do not parse — Helm's own rules report those).
pub fn documents(chart: &Chart, rendered: &BTreeMap<String, String>) -> Vec<Doc> {
    let prefix = format!("{}/", chart.name());
    let mut out = Vec::new();
    for (key, content) in rendered {
        let base = key.rsplit('/').next().unwrap_or("");
        if base.starts_with('_') || key.ends_with("NOTES.txt") || content.trim().is_empty() {
            continue;
        }
        let path = key.strip_prefix(&prefix).unwrap_or(key).to_string();
        let Ok(docs) = crate::chart::yaml::split_documents(content) else {
            continue;
        };
        let mut search_from = 0;
        for d in docs {
            let start = content[search_from..]
                .find(d.trim_start_matches('\n'))
                .map(|i| search_from + i)
                .unwrap_or(search_from);
            let line = content[..start].matches('\n').count() + 1;
            search_from = start;
            let Ok(v) = crate::chart::yaml::unmarshal(d) else {
                continue;
            };
            if v.is_object() {
                out.push(Doc {
                    path: path.clone(),
                    line,
                    text: d.to_string(),
                    value: v,
                });
            }
        }
    }
    out
}

struct Out<'a> {
    messages: Vec<Message>,
    cfg: &'a Config,
}

impl Out<'_> {
    fn push(&mut self, id: &'static str, doc: &Doc, line: usize, text: String) {
        if self.cfg.disabled.iter().any(|d| d == id) {
            return;
        }
        let r = rule(id);
        let mut m = Message::new(r.severity, doc.path.clone(), text);
        m.rule = Some(id.to_string());
        m.why = Some(r.why.to_string());
        m.fix = Some(r.fix.to_string());
        m.line = Some(line);
        self.messages.push(m);
    }
}

/// Runs every enabled extra rule.
pub fn run(chart: &Chart, rendered: &BTreeMap<String, String>, opts: &Options) -> Vec<Message> {
    let docs = documents(chart, rendered);
    let mut out = Out {
        messages: Vec::new(),
        cfg: &opts.extra,
    };
    let kube = opts
        .kube_version
        .clone()
        .unwrap_or_else(|| DEFAULT_SCHEMA_VERSION.to_string());
    for d in &docs {
        schema(&mut out, d, &kube);
        for (pod, long_running, base) in pod_specs(d) {
            pod_security(&mut out, d, pod, &base);
            probes_memory(&mut out, d, pod, long_running);
            image_tags(&mut out, d, pod);
        }
        configmap_secrets(&mut out, d);
    }
    service_selectors(&mut out, &docs);
    route_backends(&mut out, &docs);
    out.messages
}

/// The Kubernetes version schema checks use without `--kube-version`: the
/// lab's version.
pub const DEFAULT_SCHEMA_VERSION: &str = "1.36";

fn schema(out: &mut Out, d: &Doc, kube: &str) {
    if out.cfg.disabled.iter().any(|x| x == K8S_SCHEMA) {
        return;
    }
    let Ok(parsed) = crate::k8s::yaml::parse_documents(&d.text) else {
        return;
    };
    for doc in parsed {
        for f in crate::k8s::schema::validate(&doc.root, kube) {
            let line = d.line + f.line.saturating_sub(1);
            let text = if f.path.is_empty() {
                format!("{} {:?}: {}", d.kind(), d.name(), f.message)
            } else {
                format!("{} {:?}: {}: {}", d.kind(), d.name(), f.path, f.message)
            };
            out.push(K8S_SCHEMA, d, line, text);
        }
    }
}

/// Pod specs of a document: (spec, long-running?, JSON pointer base).
fn pod_specs(d: &Doc) -> Vec<(&Value, bool, String)> {
    let is_hook = d.value.pointer("/metadata/annotations/helm.sh~1hook").is_some();
    let ptr = match d.kind() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => Some(("/spec/template/spec", true)),
        "Job" => Some(("/spec/template/spec", false)),
        "CronJob" => Some(("/spec/jobTemplate/spec/template/spec", false)),
        "Pod" => Some(("/spec", !is_hook)),
        _ => None,
    };
    match ptr {
        Some((p, long)) => d
            .value
            .pointer(p)
            .filter(|v| v.is_object())
            .map(|v| vec![(v, long, p.to_string())])
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

fn containers(pod: &Value) -> Vec<(&Value, &'static str)> {
    let mut v = Vec::new();
    for (key, label) in [("initContainers", "init container"), ("containers", "container")] {
        if let Some(Value::Array(list)) = pod.get(key) {
            for c in list {
                v.push((c, label));
            }
        }
    }
    v
}

fn cname(c: &Value) -> &str {
    c.get("name").and_then(Value::as_str).unwrap_or("")
}

fn pod_security(out: &mut Out, d: &Doc, pod: &Value, _base: &str) {
    let psc = pod.get("securityContext").cloned().unwrap_or(Value::Null);
    let line = d.line_of("securityContext");
    for (field, what) in [
        ("hostNetwork", "hostNetwork"),
        ("hostPID", "hostPID"),
        ("hostIPC", "hostIPC"),
    ] {
        if pod.get(field) == Some(&Value::Bool(true)) {
            out.push(
                POD_SECURITY,
                d,
                d.line_of(field),
                format!("{} {:?}: {what}: true is not allowed", d.kind(), d.name()),
            );
        }
    }
    if let Some(Value::Array(vols)) = pod.get("volumes") {
        for v in vols {
            if v.get("hostPath").is_some() {
                out.push(
                    POD_SECURITY,
                    d,
                    d.line_of("hostPath"),
                    format!(
                        "{} {:?}: volume {:?} uses hostPath",
                        d.kind(),
                        d.name(),
                        v.get("name").and_then(Value::as_str).unwrap_or("")
                    ),
                );
            }
        }
    }
    let pod_seccomp = psc.pointer("/seccompProfile/type").and_then(Value::as_str);
    let pod_non_root = psc.get("runAsNonRoot") == Some(&Value::Bool(true));
    if psc.get("runAsUser").and_then(Value::as_i64) == Some(0)
        || psc.get("runAsUser").and_then(Value::as_f64) == Some(0.0)
    {
        out.push(
            POD_SECURITY,
            d,
            line,
            format!(
                "{} {:?}: securityContext.runAsUser: 0 runs as root",
                d.kind(),
                d.name()
            ),
        );
    }
    for (c, label) in containers(pod) {
        let sc = c.get("securityContext").cloned().unwrap_or(Value::Null);
        let cl = d.line_of(&format!("name: {}", cname(c)));
        let mut problems = Vec::new();
        if sc.get("privileged") == Some(&Value::Bool(true)) {
            problems.push("privileged: true".to_string());
        }
        if sc.get("allowPrivilegeEscalation") != Some(&Value::Bool(false)) {
            problems.push("allowPrivilegeEscalation is not false".to_string());
        }
        let non_root = match sc.get("runAsNonRoot") {
            Some(Value::Bool(b)) => *b,
            _ => pod_non_root,
        };
        if !non_root {
            problems.push("runAsNonRoot is not true".to_string());
        }
        if sc.get("runAsUser").and_then(Value::as_f64) == Some(0.0) {
            problems.push("runAsUser: 0".to_string());
        }
        let drops_all = sc
            .pointer("/capabilities/drop")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|x| x.as_str() == Some("ALL")));
        if !drops_all {
            problems.push("capabilities.drop does not include ALL".to_string());
        }
        if let Some(Value::Array(add)) = sc.pointer("/capabilities/add") {
            for a in add {
                if a.as_str() != Some("NET_BIND_SERVICE") {
                    problems.push(format!("capabilities.add {a} is not allowed"));
                }
            }
        }
        let seccomp = sc
            .pointer("/seccompProfile/type")
            .and_then(Value::as_str)
            .or(pod_seccomp);
        if !matches!(seccomp, Some("RuntimeDefault") | Some("Localhost")) {
            problems.push("seccompProfile.type is not RuntimeDefault or Localhost".to_string());
        }
        if let Some(Value::Array(ports)) = c.get("ports") {
            if ports
                .iter()
                .any(|p| p.get("hostPort").is_some_and(|h| h.as_f64() != Some(0.0)))
            {
                problems.push("hostPort is set".to_string());
            }
        }
        if !problems.is_empty() {
            out.push(
                POD_SECURITY,
                d,
                cl,
                format!(
                    "{} {:?}: {label} {:?}: {}",
                    d.kind(),
                    d.name(),
                    cname(c),
                    problems.join("; ")
                ),
            );
        }
    }
}

fn probes_memory(out: &mut Out, d: &Doc, pod: &Value, long_running: bool) {
    for (c, label) in containers(pod) {
        let cl = d.line_of(&format!("name: {}", cname(c)));
        let mut missing = Vec::new();
        let is_main = label == "container";
        if long_running && is_main {
            for p in ["readinessProbe", "livenessProbe"] {
                if c.get(p).is_none_or(Value::is_null) {
                    missing.push(p.to_string());
                }
            }
        }
        if c.pointer("/resources/requests/memory").is_none_or(Value::is_null) {
            missing.push("resources.requests.memory".to_string());
        }
        if !missing.is_empty() {
            out.push(
                PROBES_MEMORY,
                d,
                cl,
                format!(
                    "{} {:?}: {label} {:?} has no {}",
                    d.kind(),
                    d.name(),
                    cname(c),
                    missing.join(", ")
                ),
            );
        }
    }
}

/// The tag of an image reference (`None` = untagged); digests count as
/// pinned.
pub fn image_problem(image: &str) -> Option<&'static str> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        None => Some("has no tag"),
        Some((_, "latest")) => Some("uses the ':latest' tag"),
        Some((_, "")) => Some("has an empty tag"),
        Some(_) => None,
    }
}

fn image_tags(out: &mut Out, d: &Doc, pod: &Value) {
    for (c, label) in containers(pod) {
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        let problem = if image.is_empty() {
            Some("has no image")
        } else {
            image_problem(image)
        };
        if let Some(p) = problem {
            out.push(
                IMAGE_TAG,
                d,
                d.line_of(&format!("image: {image}")).max(d.line_of(image)),
                format!(
                    "{} {:?}: {label} {:?} image {:?} {p}",
                    d.kind(),
                    d.name(),
                    cname(c),
                    image
                ),
            );
        }
    }
}

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "privatekey",
    "private_key",
    "private-key",
    "credential",
];

fn looks_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// `scheme://user:password@host` with a non-empty, non-placeholder password.
fn has_url_password(v: &str) -> bool {
    v.split_whitespace().any(|w| {
        w.split_once("://").is_some_and(|(_, rest)| {
            let auth = rest.split(['/', '?', '#']).next().unwrap_or("");
            auth.rsplit_once('@').is_some_and(|(userinfo, _)| {
                userinfo
                    .split_once(':')
                    .is_some_and(|(_, pw)| !pw.is_empty() && !pw.starts_with('$'))
            })
        })
    })
}

fn configmap_secrets(out: &mut Out, d: &Doc) {
    if d.kind() != "ConfigMap" {
        return;
    }
    let Some(Value::Object(data)) = d.value.get("data") else {
        return;
    };
    for (k, v) in data {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let keyed = looks_secret_key(k) && !s.trim().is_empty();
        if keyed || has_url_password(&s) {
            let why = if keyed {
                "looks like a password or secret"
            } else {
                "contains a URL with a password"
            };
            out.push(
                CONFIGMAP_SECRET,
                d,
                d.line_of(&format!("{k}:")),
                format!("ConfigMap {:?}: key {k:?} {why}", d.name()),
            );
        }
    }
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn namespace_of(d: &Doc) -> String {
    d.value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn service_selectors(out: &mut Out, docs: &[Doc]) {
    let pods: Vec<(String, BTreeMap<String, String>)> = docs
        .iter()
        .flat_map(|d| {
            let ptr = match d.kind() {
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
                    "/spec/template/metadata/labels"
                }
                "CronJob" => "/spec/jobTemplate/spec/template/metadata/labels",
                "Pod" => "/metadata/labels",
                _ => return None,
            };
            Some((namespace_of(d), string_map(d.value.pointer(ptr))))
        })
        .collect();
    if pods.is_empty() {
        return;
    }
    for d in docs.iter().filter(|d| d.kind() == "Service") {
        if d.value.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName") {
            continue;
        }
        let sel = string_map(d.value.pointer("/spec/selector"));
        if sel.is_empty() {
            continue;
        }
        let ns = namespace_of(d);
        let matched = pods
            .iter()
            .any(|(pns, labels)| *pns == ns && sel.iter().all(|(k, v)| labels.get(k) == Some(v)));
        if !matched {
            let sel_text: Vec<String> = sel.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push(
                SERVICE_SELECTOR,
                d,
                d.line_of("selector:"),
                format!(
                    "Service {:?}: selector {} matches no pod template of the chart",
                    d.name(),
                    sel_text.join(",")
                ),
            );
        }
    }
}

struct Svc {
    ns: String,
    name: String,
    ports: Vec<(Option<i64>, Option<String>)>,
}

fn route_backends(out: &mut Out, docs: &[Doc]) {
    let services: Vec<Svc> = docs
        .iter()
        .filter(|d| d.kind() == "Service")
        .map(|d| Svc {
            ns: namespace_of(d),
            name: d.name().to_string(),
            ports: d
                .value
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p.get("port").and_then(Value::as_f64).map(|f| f as i64),
                                p.get("name").and_then(Value::as_str).map(String::from),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let check = |ns: &str, name: &str, number: Option<i64>, port_name: Option<&str>| -> Option<String> {
        let Some(svc) = services.iter().find(|s| s.ns == ns && s.name == name) else {
            return Some(format!("Service {name:?} is not rendered by the chart"));
        };
        let ok = match (number, port_name) {
            (Some(n), _) => svc.ports.iter().any(|(p, _)| *p == Some(n)),
            (None, Some(pn)) => svc.ports.iter().any(|(_, n)| n.as_deref() == Some(pn)),
            (None, None) => false,
        };
        if ok {
            None
        } else {
            Some(format!(
                "Service {name:?} has no port {}",
                number
                    .map(|n| n.to_string())
                    .or(port_name.map(|p| format!("{p:?}")))
                    .unwrap_or_else(|| "(none given)".into())
            ))
        }
    };
    for d in docs {
        let ns = namespace_of(d);
        match d.kind() {
            "Ingress" => {
                let mut backends = Vec::new();
                if let Some(b) = d.value.pointer("/spec/defaultBackend/service") {
                    backends.push(b.clone());
                }
                for r in d
                    .value
                    .pointer("/spec/rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for p in r
                        .pointer("/http/paths")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(b) = p.pointer("/backend/service") {
                            backends.push(b.clone());
                        }
                    }
                }
                for b in backends {
                    let name = b.get("name").and_then(Value::as_str).unwrap_or("");
                    let number = b
                        .pointer("/port/number")
                        .and_then(Value::as_f64)
                        .map(|f| f as i64);
                    let pname = b.pointer("/port/name").and_then(Value::as_str);
                    if let Some(problem) = check(&ns, name, number, pname) {
                        out.push(
                            ROUTE_BACKEND,
                            d,
                            d.line_of(&format!("name: {name}")),
                            format!("Ingress {:?}: backend {problem}", d.name()),
                        );
                    }
                }
            }
            "HTTPRoute" | "GRPCRoute" => {
                for r in d
                    .value
                    .pointer("/spec/rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for b in r
                        .get("backendRefs")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let kind = b.get("kind").and_then(Value::as_str).unwrap_or("Service");
                        let group = b.get("group").and_then(Value::as_str).unwrap_or("");
                        if kind != "Service" || !group.is_empty() {
                            continue;
                        }
                        let name = b.get("name").and_then(Value::as_str).unwrap_or("");
                        let bns = b.get("namespace").and_then(Value::as_str).unwrap_or(&ns);
                        let number = b.get("port").and_then(Value::as_f64).map(|f| f as i64);
                        if let Some(problem) = check(bns, name, number, None) {
                            out.push(
                                ROUTE_BACKEND,
                                d,
                                d.line_of(&format!("name: {name}")),
                                format!("{} {:?}: backendRef {problem}", d.kind(), d.name()),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs_of(yaml: &str) -> Vec<Doc> {
        let chart = Chart {
            metadata: crate::chart::metadata::Metadata {
                name: "c".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut files = BTreeMap::new();
        files.insert("c/templates/all.yaml".to_string(), yaml.to_string());
        documents(&chart, &files)
    }

    fn run_on(yaml: &str) -> Vec<Message> {
        let docs = docs_of(yaml);
        let cfg = Config {
            enabled: true,
            disabled: vec![K8S_SCHEMA.into()],
        };
        let mut out = Out {
            messages: Vec::new(),
            cfg: &cfg,
        };
        for d in &docs {
            for (pod, long, base) in pod_specs(d) {
                pod_security(&mut out, d, pod, &base);
                probes_memory(&mut out, d, pod, long);
                image_tags(&mut out, d, pod);
            }
            configmap_secrets(&mut out, d);
        }
        service_selectors(&mut out, &docs);
        route_backends(&mut out, &docs);
        out.messages
    }

    const GOOD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web, tier: fe}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {type: RuntimeDefault}\n      containers:\n      - name: app\n        image: repo/web:1.0.0\n        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities: {drop: [ALL]}\n        readinessProbe: {httpGet: {path: /, port: 80}}\n        livenessProbe: {httpGet: {path: /, port: 80}}\n        resources: {requests: {memory: 64Mi}}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - name: http\n    port: 80\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n  - http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port: {name: http}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  LOG_LEVEL: info\n  DB_PASSWORD_FILE: \"\"\n";

    #[test]
    fn clean_manifests_have_no_findings() {
        let m = run_on(GOOD);
        assert!(m.is_empty(), "{m:#?}");
    }

    #[test]
    fn each_rule_fires() {
        let bad = GOOD
            .replace("image: repo/web:1.0.0", "image: repo/web:latest")
            .replace("        readinessProbe: {httpGet: {path: /, port: 80}}\n", "")
            .replace("runAsNonRoot: true", "runAsNonRoot: false")
            .replace(
                "  selector: {app: web}\n  ports",
                "  selector: {app: api}\n  ports",
            )
            .replace("port: {name: http}", "port: {number: 8080}")
            .replace(
                "    - name: web\n      port: 80",
                "    - name: nope\n      port: 80",
            )
            .replace("LOG_LEVEL: info", "DB_URL: postgres://u:hunter2@db/x");
        let m = run_on(&bad);
        let ids: Vec<&str> = m.iter().map(|m| m.rule.as_deref().unwrap()).collect();
        for id in [
            IMAGE_TAG,
            PROBES_MEMORY,
            POD_SECURITY,
            SERVICE_SELECTOR,
            ROUTE_BACKEND,
            CONFIGMAP_SECRET,
        ] {
            assert!(ids.contains(&id), "{id} missing in {m:#?}");
        }
        let img = m.iter().find(|m| m.rule.as_deref() == Some(IMAGE_TAG)).unwrap();
        assert_eq!(img.line, Some(17));
        assert_eq!(img.path, "templates/all.yaml");
    }

    #[test]
    fn image_references() {
        assert_eq!(image_problem("nginx"), Some("has no tag"));
        assert_eq!(image_problem("localhost:5000/nginx"), Some("has no tag"));
        assert_eq!(image_problem("nginx:latest"), Some("uses the ':latest' tag"));
        assert_eq!(image_problem("localhost:5000/nginx:1.2"), None);
        assert_eq!(image_problem("nginx@sha256:abc"), None);
    }
}
