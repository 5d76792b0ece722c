//! How the lab installs charts.
//!
//! Every chart directory of the spec is first packaged in-process by the
//! library behind `cargo xtask chart package` into
//! `target/lab/<lab>/charts/<name>-<version>.tgz`, during preflight, so a
//! broken chart fails before any cluster exists. The archive is then
//! installed by one of two installers:
//!
//! * **helm**: `helm upgrade --install <release> <archive> --wait`;
//! * **native** (no helm needed): the archive is rendered in-process by the
//!   native renderer (also during preflight), every object gets the
//!   ownership labels ([`release_labels`]), the manifests are written to
//!   `target/lab/<lab>/manifests/<release>.yaml`, CRDs from `crds/` are
//!   applied first, then `kubectl apply --server-side` with an ApplySet for
//!   pruning, then `kubectl rollout status` for every workload (what
//!   `helm --wait` waits for).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::chart::{load, metadata, render, values, yaml};
use crate::tools::Cmd;

use super::plan::{go_duration, Action, Ctx, Step, OWNER_LABEL, OWNER_VALUE, RUN_LABEL};

/// Label carrying the release on every object the native installer applies.
pub const RELEASE_LABEL: &str = "asky.dev/lab-release";
/// Field manager of the native installer's server-side applies.
pub const FIELD_MANAGER: &str = "asky-lab";
/// Kinds whose rollout the native installer waits for.
pub const WORKLOAD_KINDS: [&str; 3] = ["Deployment", "StatefulSet", "DaemonSet"];

/// What Chart.yaml says about the archive `chart package` will write.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchiveName {
    pub name: String,
    pub version: String,
    /// Chart.yaml lists dependencies.
    pub has_dependencies: bool,
}

impl ArchiveName {
    pub fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// Reads `<dir>/Chart.yaml` for the archive name. `Ok(None)` when there is
/// no Chart.yaml to read (the preflight's path check reports a missing
/// folder; packaging reports a folder without Chart.yaml). Errors name the
/// file and the field, as Helm's validation does.
pub fn archive_name(dir: &Path) -> Result<Option<ArchiveName>, String> {
    let file = dir.join("Chart.yaml");
    let Ok(data) = std::fs::read(&file) else {
        return Ok(None);
    };
    let mut md = metadata::Metadata::from_yaml(&data).map_err(|e| format!("{}: {}", file.display(), e.0))?;
    md.validate().map_err(|e| format!("{}: {e}", file.display()))?;
    if metadata::parse_semver(&md.version).is_none() {
        return Err(format!(
            "{}: validation: chart.metadata.version {:?} is invalid (not a semantic version)",
            file.display(),
            md.version
        ));
    }
    Ok(Some(ArchiveName {
        has_dependencies: md.dependencies.iter().flatten().next().is_some(),
        name: md.name,
        version: md.version,
    }))
}

/// The labels the native installer puts on every object of `release`.
pub fn release_labels(ctx: &Ctx, release: &str) -> Vec<(String, String)> {
    vec![
        (RELEASE_LABEL.to_string(), release.to_string()),
        (OWNER_LABEL.to_string(), OWNER_VALUE.to_string()),
        (RUN_LABEL.to_string(), ctx.run_id.clone()),
    ]
}

/// One native render: inputs and where the labelled manifests go.
#[derive(Clone, Debug)]
pub struct RenderSpec {
    /// The chart archive to render (written by an earlier step).
    pub chart: PathBuf,
    /// The chart folder the archive is packaged from: `lab plan --rendered`
    /// renders it when the archive does not exist yet.
    pub source: Option<PathBuf>,
    pub release: String,
    pub namespace: String,
    pub values: Vec<PathBuf>,
    /// `--set` overrides (`key=value`).
    pub sets: Vec<String>,
    /// `.Capabilities.KubeVersion` (the cluster's, when the spec pins it).
    pub kube_version: Option<String>,
    pub labels: Vec<(String, String)>,
    /// The labelled manifests.
    pub out: PathBuf,
    /// The labelled CRDs from `crds/` (only written when there are some).
    pub crds_out: PathBuf,
}

impl RenderSpec {
    /// The equivalent command line, for the plan.
    pub fn display_cmd(&self) -> Cmd {
        let mut c = Cmd::new("cargo")
            .args(["xtask", "chart", "template", self.release.as_str()])
            .arg(&self.chart)
            .args(["--namespace", self.namespace.as_str()]);
        for v in &self.values {
            c = c.arg("--values").arg(v);
        }
        for s in &self.sets {
            c = c.arg("--set").arg(s);
        }
        if let Some(k) = &self.kube_version {
            c = c.args(["--kube-version", k.as_str()]);
        }
        c.arg("--skip-tests")
    }

    pub fn label_text(&self) -> String {
        self.labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Labelled manifests of one release.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    /// `---`-separated documents, each after a `# Source:` comment, in
    /// Helm's install order.
    pub manifests: String,
    /// The CRDs of `crds/` (chart and subcharts), empty when none.
    pub crds: String,
}

/// Renders `chart` (a folder or archive) like `helm install` would (no
/// hooks, tests skipped), and labels every object.
pub fn render_chart(chart: &Path, r: &RenderSpec) -> Result<Rendered, String> {
    let chart_path = chart.to_path_buf();
    let r = r.clone();
    // Rendering recurses (nested `include`s): a thread with a large stack,
    // as `chart template` uses. A panic must not skip the lab's teardown, so
    // it becomes an error here instead of unwinding through `lab up`.
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || render_inner(&chart_path, &r))
        .map_err(|e| format!("cannot start the render thread: {e}"))?
        .join()
        .unwrap_or_else(|_| {
            Err("the renderer panicked (a bug in this program; please report it with the chart)".into())
        })
}

fn render_inner(chart_path: &Path, r: &RenderSpec) -> Result<Rendered, String> {
    let chart = load::load(chart_path).map_err(|e| format!("{}: {e}", chart_path.display()))?;
    let opts = values::Options {
        value_files: r
            .values
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        values: r.sets.clone(),
        ..Default::default()
    };
    let user = opts.merge_values(|p| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("open {p}: {e}"))
    })?;
    let ropts = render::Options {
        release_name: r.release.clone(),
        namespace: r.namespace.clone(),
        kube_version: r.kube_version.clone(),
        skip_tests: true,
        ..Default::default()
    };
    let mut files = render::render_files(&chart, user, &ropts).map_err(|e| e.message)?;
    files.retain(|k, _| !k.ends_with("NOTES.txt"));
    let (hooks, manifests) = render::sort_manifests(&files, false)?;
    let hooks: Vec<&render::Hook> = hooks.iter().filter(|h| !h.is_test).collect();
    if !hooks.is_empty() {
        return Err(format!(
            "the chart has Helm hooks ({}); the native installer does not run hooks: set `installer: helm` in the lab spec (or `--installer helm`)",
            hooks.iter().map(|h| h.path.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut out = Rendered::default();
    for m in &manifests {
        if let Some(doc) = add_labels(&m.content, &r.labels).map_err(|e| format!("{}: {e}", m.path))? {
            let _ = write!(out.manifests, "---\n# Source: {}\n{doc}", m.path);
        }
    }
    let mut crds = Vec::new();
    render::crd_objects(&chart, &chart.metadata.name, &mut crds);
    for (name, data) in crds {
        let text = String::from_utf8_lossy(&data);
        for d in render::split_manifests(&text, false) {
            if let Some(doc) = add_labels(&d, &r.labels).map_err(|e| format!("{name}: {e}"))? {
                let _ = write!(out.crds, "---\n# Source: {name}\n{doc}");
            }
        }
    }
    Ok(out)
}

/// Adds `labels` to `metadata.labels` of one YAML document. The document is
/// decoded with go-yaml v2 semantics and emitted as `sigs.k8s.io/yaml`
/// does — what kubectl itself does with a YAML file before sending JSON —
/// so the object keeps its meaning (keys come out sorted, comments go).
/// `Ok(None)` for an empty document.
pub fn add_labels(doc: &str, labels: &[(String, String)]) -> Result<Option<String>, String> {
    let v = yaml::unmarshal(doc)?;
    let mut obj = match v {
        Value::Null => return Ok(None),
        Value::Object(m) if m.is_empty() => return Ok(None),
        Value::Object(m) => m,
        _ => return Err("a manifest must be a mapping (an object with apiVersion, kind, metadata)".into()),
    };
    let md = obj.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if md.is_null() {
        *md = Value::Object(Map::new());
    }
    let Value::Object(md) = md else {
        return Err("`metadata` is not a mapping".into());
    };
    let l = md.entry("labels").or_insert_with(|| Value::Object(Map::new()));
    if l.is_null() {
        *l = Value::Object(Map::new());
    }
    let Value::Object(l) = l else {
        return Err("`metadata.labels` is not a mapping".into());
    };
    for (k, val) in labels {
        l.insert(k.clone(), Value::String(val.clone()));
    }
    yaml::try_marshal(&Value::Object(obj)).map(Some)
}

/// `(kind, name, namespace)` of every Deployment, StatefulSet and DaemonSet
/// in a manifests file (`default_ns` when the object names none).
pub fn workloads(manifests: &str, default_ns: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for d in render::split_manifests(manifests, false) {
        let Ok(Value::Object(o)) = yaml::unmarshal(&d) else {
            continue;
        };
        let kind = o.get("kind").and_then(Value::as_str).unwrap_or_default();
        if !WORKLOAD_KINDS.contains(&kind) {
            continue;
        }
        let md = o.get("metadata");
        let name = md.and_then(|m| m.get("name")).and_then(Value::as_str);
        let ns = md
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .unwrap_or(default_ns);
        if let Some(name) = name {
            out.push((kind.to_string(), name.to_string(), ns.to_string()));
        }
    }
    out
}

/// The ApplySet (a Secret in the release's namespace) that records what the
/// native installer applied, so a later apply prunes what left the chart.
pub fn applyset_name(release: &str) -> String {
    format!("asky-lab-{release}")
}

/// The step that renders a release natively.
pub fn render_step(r: &RenderSpec) -> Step {
    Step::new(
        format!(
            "render {} natively (no hooks, tests skipped) and label every object",
            r.release
        ),
        Action::Render(Box::new(r.clone())),
    )
}

/// Steps that apply a rendered release and wait for it like `helm --wait`.
pub fn apply_steps(ctx: &Ctx, r: &RenderSpec, phase: &str) -> Vec<Step> {
    let crds = ctx
        .kubectl()
        .args([
            "apply",
            "--server-side",
            "--field-manager",
            FIELD_MANAGER,
            "--filename",
        ])
        .arg(&r.crds_out);
    let established = ctx
        .kubectl()
        .args(["wait", "--for", "condition=Established", "--timeout"])
        .arg(go_duration(ctx.budget(phase)))
        .arg("--filename")
        .arg(&r.crds_out);
    let apply = ctx
        .kubectl()
        .env("KUBECTL_APPLYSET", "true")
        .args(["apply", "--server-side", "--field-manager", FIELD_MANAGER])
        .args(["--namespace", r.namespace.as_str()])
        .args(["--prune", "--applyset"])
        .arg(applyset_name(&r.release))
        .arg("--filename")
        .arg(&r.out);
    vec![
        Step::new(
            format!("apply the CRDs of {} first (server-side)", r.release),
            Action::RunIfExists {
                path: r.crds_out.clone(),
                cmd: crds,
                when: "the chart has CRDs".into(),
            },
        ),
        Step::new(
            format!("wait until the CRDs of {} are Established", r.release),
            Action::RunIfExists {
                path: r.crds_out.clone(),
                cmd: established,
                when: "the chart has CRDs".into(),
            },
        ),
        Step::new(
            format!(
                "apply {} into namespace {} (server-side; ApplySet {} prunes what left the chart)",
                r.release,
                r.namespace,
                applyset_name(&r.release)
            ),
            Action::RunIfExists {
                path: r.out.clone(),
                cmd: apply,
                when: "the chart renders at least one object".into(),
            },
        ),
        Step::new(
            format!("wait for the rollouts of {}", r.release),
            Action::Rollouts {
                manifests: r.out.clone(),
                namespace: r.namespace.clone(),
                kubectl: ctx.kubectl(),
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<(String, String)> {
        vec![
            (RELEASE_LABEL.into(), "hello".into()),
            (OWNER_LABEL.into(), OWNER_VALUE.into()),
        ]
    }

    #[test]
    fn labels_are_added_and_nothing_else_changes_meaning() {
        let doc = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web # comment\nspec:\n  replicas: 3\n  minReadySeconds: 1000000\n  template:\n    metadata:\n      annotations:\n        ratio: \"0.5\"\n        on: \"yes\"\n    spec:\n      containers:\n      - name: c\n        image: x:1.0\n        args: [\"--a=1\", \"010\", '2']\n        resources: {limits: {cpu: 0.5, memory: 64Mi}}\n";
        let out = add_labels(doc, &labels()).unwrap().unwrap();
        let mut want = yaml::unmarshal(doc).unwrap();
        want["metadata"]["labels"]["asky.dev/lab-release"] = "hello".into();
        want["metadata"]["labels"]["asky.dev/lab-owner"] = "asky-lab".into();
        assert_eq!(yaml::unmarshal(&out).unwrap(), want, "{out}");
        assert!(out.contains("replicas: 3\n"), "{out}");
        assert!(out.contains("minReadySeconds: 1000000\n"), "{out}");
        assert!(out.contains("- \"010\"\n") || out.contains("- '010'\n"), "{out}");
        assert!(
            out.contains("    app: web\n    asky.dev/lab-owner: asky-lab\n"),
            "{out}"
        );
        // the pod template's labels are not touched
        assert!(want["spec"]["template"]["metadata"].get("labels").is_none());
    }

    #[test]
    fn labels_without_metadata_labels_and_empty_docs() {
        let out = add_labels(
            "kind: ConfigMap\nmetadata:\n  name: c\ndata: {a: \"1\"}\n",
            &labels(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            yaml::unmarshal(&out).unwrap()["metadata"]["labels"],
            serde_json::json!({"asky.dev/lab-release": "hello", "asky.dev/lab-owner": "asky-lab"})
        );
        let out = add_labels("kind: X\nmetadata:\n  labels: null\n", &labels())
            .unwrap()
            .unwrap();
        assert!(out.contains("asky.dev/lab-release: hello"), "{out}");
        assert_eq!(add_labels("# only a comment\n", &labels()).unwrap(), None);
        assert_eq!(add_labels("", &labels()).unwrap(), None);
        assert!(add_labels("- a\n- b\n", &labels()).is_err());
        assert!(add_labels("kind: X\nmetadata: [1]\n", &labels())
            .unwrap_err()
            .contains("metadata"));
        assert!(add_labels("kind: X\nmetadata:\n  labels: [a]\n", &labels())
            .unwrap_err()
            .contains("metadata.labels"));
    }

    #[test]
    fn workloads_are_found_with_their_namespace() {
        let m = "---\n# Source: a\nkind: Deployment\nmetadata:\n  name: web\n---\n# Source: b\nkind: Service\nmetadata:\n  name: web\n---\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: data\n";
        assert_eq!(
            workloads(m, "hello"),
            vec![
                ("Deployment".into(), "web".into(), "hello".into()),
                ("StatefulSet".into(), "db".into(), "data".into())
            ]
        );
    }

    #[test]
    fn archive_names_come_from_chart_yaml() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(archive_name(d.path()).unwrap(), None);
        std::fs::write(
            d.path().join("Chart.yaml"),
            "apiVersion: v2\nname: web\nversion: 1.2.3\n",
        )
        .unwrap();
        let a = archive_name(d.path()).unwrap().unwrap();
        assert_eq!(a.file_name(), "web-1.2.3.tgz");
        assert!(!a.has_dependencies);
        std::fs::write(d.path().join("Chart.yaml"), "apiVersion: v2\nname: web\n").unwrap();
        let e = archive_name(d.path()).unwrap_err();
        assert!(e.contains("Chart.yaml") && e.contains("version"), "{e}");
        std::fs::write(
            d.path().join("Chart.yaml"),
            "apiVersion: v2\nname: web\nversion: one\n",
        )
        .unwrap();
        let e = archive_name(d.path()).unwrap_err();
        assert!(e.contains("Chart.yaml") && e.contains("version"), "{e}");
    }

    /// The lab's own charts: the native installer's documents are exactly
    /// `chart template`'s (same order, same objects, same values) plus the
    /// labels.
    #[test]
    fn project_charts_render_like_chart_template_plus_labels() {
        let root = crate::project_root();
        for (release, chart, values_file) in [
            (
                "hello-fastapi",
                "charts/hello-fastapi",
                "lab/values/hello-fastapi.yaml",
            ),
            ("asky", "charts/asky", "lab/values/asky.yaml"),
        ] {
            let labels = vec![
                (RELEASE_LABEL.to_string(), release.to_string()),
                (OWNER_LABEL.to_string(), OWNER_VALUE.to_string()),
                (RUN_LABEL.to_string(), "run-1".to_string()),
            ];
            let r = RenderSpec {
                chart: root.join(chart),
                source: None,
                release: release.into(),
                namespace: "ns1".into(),
                values: vec![root.join(values_file)],
                sets: vec!["ingress.className=traefik".into()],
                kube_version: Some("v1.36.4".into()),
                labels: labels.clone(),
                out: PathBuf::new(),
                crds_out: PathBuf::new(),
            };
            let got = render_chart(&root.join(chart), &r).unwrap();
            assert!(got.crds.is_empty());
            let chart_path = root.join(chart);
            let values_path = root.join(values_file).to_string_lossy().into_owned();
            let want = crate::chart::cli::render_on_big_stack(move || {
                let c = load::load(&chart_path).unwrap();
                let user = values::Options {
                    value_files: vec![values_path],
                    values: vec!["ingress.className=traefik".into()],
                    ..Default::default()
                }
                .merge_values(|p| std::fs::read_to_string(p).map_err(|e| e.to_string()))
                .unwrap();
                let o = render::Options {
                    release_name: release.into(),
                    namespace: "ns1".into(),
                    kube_version: Some("v1.36.4".into()),
                    skip_tests: true,
                    ..Default::default()
                };
                render::template(&c, user, &o).unwrap()
            });
            let docs = |t: &str| -> Vec<Value> {
                render::split_manifests(t, false)
                    .iter()
                    .map(|d| yaml::unmarshal(d).unwrap())
                    .filter(|v| !v.is_null())
                    .collect()
            };
            let want = docs(&want);
            let mut got = docs(&got.manifests);
            assert!(want.len() > 3, "{release}: {}", want.len());
            assert_eq!(got.len(), want.len(), "{release}");
            for (g, w) in got.iter_mut().zip(&want) {
                let l = g["metadata"]["labels"].as_object_mut().unwrap();
                for (k, v) in &labels {
                    assert_eq!(l.remove(k), Some(Value::String(v.clone())), "{release}: {g}");
                }
                if l.is_empty() && w["metadata"].get("labels").is_none() {
                    g["metadata"].as_object_mut().unwrap().remove("labels");
                }
                let mut w = w.clone();
                if w["kind"] == "Secret" {
                    // generated passwords differ between renders: compare the keys
                    for v in [&mut *g, &mut w] {
                        if let Some(d) = v["data"].as_object_mut() {
                            d.values_mut().for_each(|x| *x = Value::Null);
                        }
                    }
                }
                assert_eq!(*g, w, "{release}");
            }
        }
    }
}
