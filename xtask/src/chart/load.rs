//! Chart loading: a directory or a packaged `.tgz` → [`Chart`], following
//! Helm v4's loader (`pkg/chart/v2/loader/{load,directory,archive}.go`):
//!
//! - directories are walked depth first with sorted names (Helm's `sympath`
//!   walk; symlinks are followed, loops are an error here), `.helmignore` and
//!   the default rule `templates/.?*` prune files and directories, irregular
//!   files are an error, every file loses a leading UTF-8 BOM;
//! - archives go through [`crate::chart::archive`] (safe, bounded);
//! - files are sorted into `Chart.yaml`, `Chart.lock`, `values.yaml`,
//!   `values.schema.json`, `requirements.yaml`/`.lock` (v1), `templates/`,
//!   `charts/` (subcharts: directories and `.tgz`, nested; `*.prov` stays a
//!   file; names starting with `_` or `.` are skipped) and other files;
//! - the metadata is validated (`Metadata.Validate`, sanitizing strings).
//!
//! Error texts are Helm's.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::chart::archive::{self, BufferedFile, MAX_DECOMPRESSED_FILE_SIZE};
use crate::chart::blob::{strip_bom, Blob, MIN_MAPPED_BYTES};
use crate::chart::ignore::Rules;
use crate::chart::metadata::{Lock, Metadata, API_VERSION_V1, API_VERSION_V2};
use crate::chart::par;

/// A loaded chart.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// Chart.lock (v2) or requirements.lock (v1).
    pub lock: Option<Lock>,
    /// `values.yaml` bytes as in the chart (BOM stripped).
    pub values_raw: Option<Vec<u8>>,
    /// `values.yaml` parsed (empty when absent).
    pub values: serde_json::Map<String, serde_json::Value>,
    /// `values.schema.json` bytes.
    pub schema: Option<Vec<u8>>,
    /// Files under `templates/`, in loader order.
    pub templates: Vec<BufferedFile>,
    /// Every other file in loader order, `crds/` included (Helm's
    /// `Chart.Files`, what `.Files` sees).
    pub files: Vec<BufferedFile>,
    /// Subcharts found in `charts/`, sorted by their entry name there.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name (`Chart.yaml` `name`).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The files under `crds/` (a subset of `files`, like Helm's `CRDs()`).
    pub fn crds(&self) -> impl Iterator<Item = &BufferedFile> {
        self.files.iter().filter(|f| f.name.starts_with("crds/"))
    }

    /// Whether this is a library chart.
    pub fn is_library(&self) -> bool {
        self.metadata.is_library()
    }
}

/// A chart that cannot be loaded; the message is Helm's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

impl From<archive::ArchiveError> for LoadError {
    fn from(e: archive::ArchiveError) -> Self {
        LoadError(e.to_string())
    }
}

fn err(s: impl Into<String>) -> LoadError {
    LoadError(s.into())
}

/// Loads a chart directory or archive (Helm's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    load_offering(path, &|_| {})
}

/// Hands each chart's template files on as soon as the chart's files are
/// sorted, before its subcharts are loaded (see [`load_offering`]).
pub type Offer<'a> = &'a (dyn Fn(&[BufferedFile]) + Sync);

/// [`load`], handing every chart's templates (the root's and each
/// subchart's, before the subcharts of that chart are unpacked) to `offer`,
/// so that they can be parsed while the rest loads (`chart::preparse`).
/// Offered files are the ones the returned chart holds (the same blobs).
pub fn load_offering(path: &Path, offer: Offer<'_>) -> Result<Chart, LoadError> {
    let meta =
        std::fs::metadata(path).map_err(|e| err(format!("stat {}: {}", path.display(), io_text(&e))))?;
    if meta.is_dir() {
        is_chart_dir(path)?;
        load_files_offering(read_dir_files(path)?, offer)
    } else {
        load_file_offering(path, offer)
    }
}

/// Go's wording for common I/O errors.
fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Helm's `IsChartDir`.
pub fn is_chart_dir(dir: &Path) -> Result<(), LoadError> {
    let chart_yaml = dir.join("Chart.yaml");
    let data = match std::fs::read(&chart_yaml) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(err(format!(
                "no Chart.yaml exists in directory {:?}",
                dir.display().to_string()
            )))
        }
        Err(_) => {
            return Err(err(format!(
                "cannot read Chart.yaml in directory {:?}",
                dir.display().to_string()
            )))
        }
    };
    let data = strip_bom(data);
    let md = Metadata::from_yaml(&data).map_err(|e| err(e.0))?;
    if md.name.is_empty() {
        return Err(err("invalid chart (Chart.yaml): name must not be empty"));
    }
    Ok(())
}

/// Loads a packaged chart file (Helm's `LoadFile`).
pub fn load_file(path: &Path) -> Result<Chart, LoadError> {
    load_file_offering(path, &|_| {})
}

fn load_file_offering(path: &Path, offer: Offer<'_>) -> Result<Chart, LoadError> {
    let file =
        std::fs::File::open(path).map_err(|e| err(format!("open {}: {}", path.display(), io_text(&e))))?;
    let files = archive::load_archive_files(std::io::BufReader::new(file)).map_err(|e| match e {
        archive::ArchiveError::NotGzip => err(format!(
            "file '{}' does not appear to be a gzipped archive; got 'text/plain; charset=utf-8'",
            path.display()
        )),
        other => err(other.to_string()),
    })?;
    load_files_offering(files, offer)
}

/// Loads a chart archive from memory (Helm's `LoadArchive`).
pub fn load_archive(bytes: &[u8]) -> Result<Chart, LoadError> {
    load_archive_offering(bytes, &|_| {})
}

fn load_archive_offering(bytes: &[u8], offer: Offer<'_>) -> Result<Chart, LoadError> {
    load_files_offering(archive::load_archive_files(bytes)?, offer)
}

/// Reads a chart directory into buffered files with `.helmignore` applied,
/// in Helm's walk order.
pub fn read_dir_files(dir: &Path) -> Result<Vec<BufferedFile>, LoadError> {
    let top = std::path::absolute(dir).map_err(|e| err(e.to_string()))?;
    let mut rules = Rules::empty();
    let ignore_file = top.join(".helmignore");
    if ignore_file.is_file() {
        let text = std::fs::read(&ignore_file)
            .map_err(|e| err(format!("open {}: {}", ignore_file.display(), io_text(&e))))?;
        rules = Rules::parse(&text).map_err(|e| err(e.to_string()))?;
    }
    rules.add_defaults();
    let mut listed = Vec::new();
    let mut ancestors = Vec::new();
    let walked = walk(&top, "", &rules, &mut listed, &mut ancestors);
    read_listed(listed, walked)
}

/// A file the walk found, to be read.
struct ListedFile {
    /// Slash-separated, relative to the chart root.
    name: String,
    path: PathBuf,
    /// Size when listed.
    len: u64,
}

/// Reads the files `walk` listed, on several threads when there is enough
/// to read. `walked` is how the walk ended: the files listed before its
/// error are read all the same, and a read error among them is reported
/// before it, as by a walk that reads each file as it comes to it.
fn read_listed(
    listed: Vec<ListedFile>,
    walked: Result<(), LoadError>,
) -> Result<Vec<BufferedFile>, LoadError> {
    // large files are mapped (see chart::blob), the others read, on
    // several threads when there is enough to read
    let read = |f: &ListedFile| {
        let mapped = (f.len >= MIN_MAPPED_BYTES)
            .then(|| Blob::map(&f.path).ok())
            .flatten();
        match mapped {
            Some(blob) => Ok(blob),
            None => read_listed_file(&f.path, f.len)
                .map(Blob::from)
                .map_err(|e| err(format!("error reading {}: {}", f.name, io_text(&e)))),
        }
    };
    let read_len = listed
        .iter()
        .map(|f| f.len)
        .filter(|&n| n < MIN_MAPPED_BYTES)
        .sum();
    let data: Vec<_> = if par::worth_threads_for_reading(read_len) {
        par::map(&listed, read)
    } else {
        listed.iter().map(read).collect()
    };
    let files = listed
        .into_iter()
        .zip(data)
        .map(|(f, data)| {
            Ok::<_, LoadError>(BufferedFile {
                name: f.name,
                data: Arc::new(data?.without_bom()),
            })
        })
        .collect::<Result<_, _>>()?;
    walked?;
    Ok(files)
}

/// The bytes of a file the walk listed with `len` bytes: `std::fs::read`
/// without asking the file's size again (one `statx` a file less); a file
/// that changed size since is still read whole.
fn read_listed_file(path: &Path, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    // one byte more than listed, so that a read returns less than asked
    let mut buf = vec![0; usize::try_from(len).unwrap_or(0).saturating_add(1)];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// What tells a directory from every other: its device and inode (one
/// `stat`), or elsewhere its canonical path (a `readlink` per component).
#[cfg(unix)]
type DirId = (u64, u64);
#[cfg(not(unix))]
type DirId = PathBuf;

#[cfg(unix)]
fn dir_id(dir: &Path) -> std::io::Result<DirId> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(dir)?;
    Ok((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_id(dir: &Path) -> std::io::Result<DirId> {
    std::fs::canonicalize(dir)
}

/// Lists the files under `dir` (named `rel` in the chart) into `listed`, in
/// walk order, up to the first error.
fn walk(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    listed: &mut Vec<ListedFile>,
    ancestors: &mut Vec<DirId>,
) -> Result<(), LoadError> {
    let id = dir_id(dir).map_err(|e| {
        err(format!(
            "error evaluating symlink {}: {}",
            dir.display(),
            io_text(&e)
        ))
    })?;
    if ancestors.contains(&id) {
        return Err(err(format!(
            "symbolic link loop at {}: the directory is its own ancestor",
            dir.display()
        )));
    }
    ancestors.push(id);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| err(format!("open {}: {}", dir.display(), io_text(&e))))?
        .map(|e| {
            e.map(|e| e.file_name().to_string_lossy().into_owned())
                .map_err(|e| err(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let n = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let lmeta = std::fs::symlink_metadata(&path)
            .map_err(|e| err(format!("lstat {}: {}", path.display(), io_text(&e))))?;
        let meta = if lmeta.file_type().is_symlink() {
            std::fs::metadata(&path).map_err(|e| {
                err(format!(
                    "error evaluating symlink {}: {}",
                    path.display(),
                    io_text(&e)
                ))
            })?
        } else {
            lmeta
        };
        if meta.is_dir() {
            if rules.ignore(&n, true) {
                continue;
            }
            walk(&path, &n, rules, listed, ancestors)?;
            continue;
        }
        if rules.ignore(&n, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(err(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(format!(
                "chart file {name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        listed.push(ListedFile {
            name: n,
            path,
            len: meta.len(),
        });
    }
    ancestors.pop();
    Ok(())
}

/// Loads a chart directory (Helm's `LoadDir`).
pub fn load_dir(dir: &Path) -> Result<Chart, LoadError> {
    load_files(read_dir_files(dir)?)
}

/// Parses values.yaml the way Helm's loader does (every document must be
/// YAML that decodes into a map).
fn parse_values(data: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    crate::chart::yaml::parse_values(&archive::utf8_lossy(data))
}

/// One entry of Helm's `LoadFiles` loop: files `f` into `c`. `values.yaml`
/// is only kept here (see [`values_first`]).
fn file_entry(
    c: &mut Chart,
    have_metadata: &mut bool,
    subcharts: &mut BTreeMap<String, Vec<BufferedFile>>,
    f: BufferedFile,
) -> Result<(), LoadError> {
    match f.name.as_str() {
        "Chart.yaml" => {}
        "Chart.lock" => {
            c.lock = Some(Lock::from_yaml(&f.data).map_err(|e| err(format!("cannot load Chart.lock: {e}")))?);
        }
        "values.yaml" => c.values_raw = Some(Blob::into_vec(f.data)),
        "values.schema.json" => c.schema = Some(Blob::into_vec(f.data)),
        "requirements.yaml" => {
            *have_metadata = true;
            c.metadata
                .merge_yaml(&f.data)
                .map_err(|e| err(format!("cannot load requirements.yaml: {e}")))?;
            if c.metadata.api_version == API_VERSION_V1 {
                c.files.push(f);
            }
        }
        "requirements.lock" => {
            c.lock = Some(
                Lock::from_yaml(&f.data).map_err(|e| err(format!("cannot load requirements.lock: {e}")))?,
            );
            *have_metadata = true;
            if c.metadata.api_version == API_VERSION_V1 {
                c.files.push(f);
            }
        }
        n if n.starts_with("templates/") => c.templates.push(f),
        n if n.starts_with("charts/") => {
            if n.ends_with(".prov") && !n.ends_with("/.prov") {
                c.files.push(f);
                return Ok(());
            }
            let fname = n.trim_start_matches("charts/").to_string();
            let cname = fname.split('/').next().unwrap_or("").to_string();
            subcharts.entry(cname).or_default().push(BufferedFile {
                name: fname,
                data: f.data,
            });
        }
        _ => c.files.push(f),
    }
    Ok(())
}

/// Parses the chart's kept `values.yaml`, if any, into `c.values`; its
/// error, if any, is the one to report.
fn values_first(c: &mut Chart) -> Option<LoadError> {
    let parsed = parse_values(c.values_raw.as_deref()?);
    set_values(c, parsed)
}

/// Stores parsed values in `c`, or gives Helm's error for them.
fn set_values(
    c: &mut Chart,
    parsed: Result<serde_json::Map<String, serde_json::Value>, String>,
) -> Option<LoadError> {
    match parsed {
        Ok(v) => {
            c.values = v;
            None
        }
        Err(e) => Some(err(format!("cannot load values.yaml: {e}"))),
    }
}

/// Helm's `LoadFiles`: builds a chart from files named relative to its root.
pub fn load_files(files: Vec<BufferedFile>) -> Result<Chart, LoadError> {
    load_files_offering(files, &|_| {})
}

fn load_files_offering(files: Vec<BufferedFile>, offer: Offer<'_>) -> Result<Chart, LoadError> {
    let mut c = Chart::default();
    let mut have_metadata = false;
    for f in &files {
        if f.name == "Chart.yaml" {
            c.metadata =
                Metadata::from_yaml(&f.data).map_err(|e| err(format!("cannot load Chart.yaml: {e}")))?;
            if c.metadata.api_version.is_empty() {
                c.metadata.api_version = API_VERSION_V1.to_string();
            }
            have_metadata = true;
        }
    }
    // values.yaml is parsed beside the subchart loads below. An error found
    // after it in file order (values.yaml itself never fails here) first
    // waits for its verdict, so errors come in the order of Helm's
    // sequential loop.
    let mut subcharts: BTreeMap<String, Vec<BufferedFile>> = BTreeMap::new();
    for f in files {
        if let Err(e) = file_entry(&mut c, &mut have_metadata, &mut subcharts, f) {
            return Err(values_first(&mut c).unwrap_or(e));
        }
    }
    if !have_metadata {
        return Err(values_first(&mut c).unwrap_or_else(|| err("Chart.yaml file is missing")));
    }
    if let Err(e) = c.metadata.validate() {
        return Err(values_first(&mut c).unwrap_or_else(|| err(e)));
    }

    // Subcharts are independent: unpack and load them side by side, and
    // report the first failure in name order, as a sequential load would.
    // Each subchart's files are moved to its worker (a lock per item, taken once).
    let subcharts: Vec<(String, std::sync::Mutex<Vec<BufferedFile>>)> = subcharts
        .into_iter()
        .filter(|(n, _)| !(n.starts_with('_') || n.starts_with('.')))
        .map(|(n, files)| (n, std::sync::Mutex::new(files)))
        .collect();
    let name = c.name().to_string();
    let load_subchart = |(n, files): &(String, std::sync::Mutex<Vec<BufferedFile>>)| {
        let files = std::mem::take(&mut *files.lock().unwrap_or_else(|p| p.into_inner()));
        let sc = if n.ends_with(".tgz") {
            let file = &files[0];
            if file.name != *n {
                return Err(err(format!(
                    "error unpacking subchart tar in {}: expected {}, got {}",
                    c.name(),
                    n,
                    file.name
                )));
            }
            load_archive_offering(&file.data, offer)
        } else {
            let buff: Vec<BufferedFile> = files
                .into_iter()
                .filter_map(|f| {
                    let rest = f.name.split_once('/')?.1.to_string();
                    Some(BufferedFile {
                        name: rest,
                        data: f.data,
                    })
                })
                .collect();
            load_files_offering(buff, offer)
        };
        sc.map_err(|e| err(format!("error unpacking subchart {n} in {name}: {}", e.0)))
    };
    // The chart's templates are offered for parsing (which may start a
    // thread) only once the values parse has its thread: the loader waits
    // for the values, never for the early parse, and a thread started
    // while both cores are busy (this one and the early parse) waited up
    // to 3 ms to run.
    let (values, loaded) = match c.values_raw.as_deref() {
        Some(raw) if !subcharts.is_empty() => std::thread::scope(|s| {
            let values = s.spawn(|| parse_values(raw));
            offer(&c.templates);
            let loaded = par::map(&subcharts, load_subchart);
            let values = values.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (Some(values), loaded)
        }),
        _ => {
            offer(&c.templates);
            (None, par::map(&subcharts, load_subchart))
        }
    };
    let values_error = match values {
        Some(parsed) => set_values(&mut c, parsed),
        None => values_first(&mut c),
    };
    if let Some(e) = values_error {
        return Err(e);
    }
    for sc in loaded {
        c.dependencies.push(sc?);
    }
    Ok(c)
}

/// Whether the chart uses the v2 layout (dependencies in Chart.yaml).
pub fn is_v2(c: &Chart) -> bool {
    c.metadata.api_version == API_VERSION_V2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::archive::tests::{file, gzip, tar_bytes};

    #[test]
    fn a_listed_file_is_read_whole_whatever_its_size_now() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        for (now, listed) in [(0usize, 0u64), (10, 10), (10, 3), (3, 10), (20000, 5), (9, 0)] {
            let bytes: Vec<u8> = (0..now).map(|i| (i % 251) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            assert_eq!(
                read_listed_file(&p, listed).unwrap(),
                bytes,
                "{now} bytes listed as {listed}"
            );
        }
        assert!(read_listed_file(&t.path().join("missing"), 1).is_err());
    }

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (name, body) in files {
            let p = root.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
    }

    #[test]
    fn loads_directory_with_ignore_and_subcharts() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("demo");
        let sub_tgz = gzip(&tar_bytes(&[
            file(
                "packed/Chart.yaml",
                b"apiVersion: v2\nname: packed\nversion: 0.2.0\n",
            ),
            file("packed/templates/cm.yaml", b"kind: ConfigMap\n"),
        ]));
        write(
            &root,
            &[
                (
                    "Chart.yaml",
                    "\u{feff}apiVersion: v2\nname: demo\nversion: 0.1.0\n",
                ),
                ("values.yaml", "a: 1\n"),
                (".helmignore", "*.bak\nignored/\n"),
                ("templates/a.yaml", "kind: A\n"),
                ("templates/.hidden", "x"),
                ("templates/b.bak", "x"),
                ("ignored/x.txt", "x"),
                ("a/b.txt", "x"),
                ("a-c.txt", "x"),
                ("crds/crd.yaml", "kind: CustomResourceDefinition\n"),
                (
                    "charts/sub/Chart.yaml",
                    "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
                ),
                ("charts/sub/templates/s.yaml", "kind: S\n"),
                ("charts/.keep", ""),
            ],
        );
        std::fs::write(root.join("charts/packed-0.2.0.tgz"), &sub_tgz).unwrap();
        let c = load(&root).unwrap();
        assert_eq!(c.name(), "demo");
        assert_eq!(c.values_raw.as_deref(), Some(&b"a: 1\n"[..]));
        let names: Vec<&str> = c.templates.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["templates/a.yaml"]);
        let names: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec![".helmignore", "a/b.txt", "a-c.txt", "crds/crd.yaml"]);
        assert_eq!(c.crds().count(), 1);
        let deps: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
        assert_eq!(deps, vec!["packed", "sub"]);
        assert_eq!(c.dependencies[0].templates.len(), 1);
    }

    #[test]
    fn helm_loader_errors() {
        let t = tempfile::tempdir().unwrap();
        let e = load(&t.path().join("nope")).unwrap_err();
        assert!(e.0.contains("no such file or directory"), "{e}");
        let e = load(t.path()).unwrap_err();
        assert!(e.0.starts_with("no Chart.yaml exists in directory"), "{e}");
        write(t.path(), &[("Chart.yaml", "apiVersion: v2\nname: x\n")]);
        let e = load(t.path()).unwrap_err();
        assert_eq!(e.0, "validation: chart.metadata.version is required");
        write(
            t.path(),
            &[
                ("Chart.yaml", "apiVersion: v2\nname: x\nversion: 1.0.0\n"),
                ("charts/README.md", "hi"),
            ],
        );
        let e = load(t.path()).unwrap_err();
        assert_eq!(
            e.0,
            "error unpacking subchart README.md in x: Chart.yaml file is missing"
        );
        std::fs::remove_file(t.path().join("charts/README.md")).unwrap();
        write(t.path(), &[("values.yaml", "a: [1\n")]);
        let e = load(t.path()).unwrap_err();
        assert!(
            e.0.starts_with("cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line"),
            "{e}"
        );
        write(t.path(), &[("values.yaml", "- 1\n")]);
        let e = load(t.path()).unwrap_err();
        assert!(
            e.0.contains("cannot unmarshal array into Go value of type map[string]interface {}"),
            "{e}"
        );
        // values.yaml is parsed beside the subcharts, but its error still
        // comes first, and before an invalid Chart.yaml's
        write(
            t.path(),
            &[("values.yaml", "a: [1\n"), ("charts/README.md", "hi")],
        );
        let e = load(t.path()).unwrap_err();
        assert!(e.0.starts_with("cannot load values.yaml:"), "{e}");
        write(t.path(), &[("Chart.yaml", "apiVersion: v2\nname: x\n")]);
        let e = load(t.path()).unwrap_err();
        assert!(e.0.starts_with("cannot load values.yaml:"), "{e}");
        write(
            t.path(),
            &[
                ("Chart.yaml", "apiVersion: v2\nname: x\nversion: 1.0.0\n"),
                ("values.yaml", "a: 1\n"),
            ],
        );
        let e = load(t.path()).unwrap_err();
        assert_eq!(
            e.0,
            "error unpacking subchart README.md in x: Chart.yaml file is missing"
        );
        std::fs::remove_file(t.path().join("charts/README.md")).unwrap();
        let c = load(t.path()).unwrap();
        assert_eq!(c.values.get("a"), Some(&serde_json::json!(1.0)));
        let bad = t.path().join("bad.tgz");
        std::fs::write(&bad, "not gzip").unwrap();
        let e = load(&bad).unwrap_err();
        assert!(e.0.contains("does not appear to be a gzipped archive"), "{e}");
    }

    #[test]
    fn first_error_in_walk_order_wins() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), &[("a.txt", "\u{feff}a"), ("c.txt", "c")]);
        let listed = |len: u64| -> Vec<ListedFile> {
            ["a.txt", "b.txt", "c.txt", "d.txt"]
                .map(|name| ListedFile {
                    name: name.to_string(),
                    path: t.path().join(name),
                    len,
                })
                .into()
        };
        let walk_error = || Err(err("walk error"));
        // once on the calling thread, once (where there are cores) on several
        for len in [0, par::MIN_PARALLEL_READ_BYTES] {
            // a read error of an earlier file beats a later one and the walk's
            let e = read_listed(listed(len), walk_error()).unwrap_err();
            assert_eq!(e.0, "error reading b.txt: no such file or directory");
            let files = listed(len).into_iter().step_by(2).collect();
            let e = read_listed(files, walk_error()).unwrap_err();
            assert_eq!(e.0, "walk error");
            let files = read_listed(listed(len).into_iter().step_by(2).collect(), Ok(())).unwrap();
            assert_eq!(
                files,
                vec![
                    BufferedFile::new("a.txt".into(), b"a".to_vec()),
                    BufferedFile::new("c.txt".into(), b"c".to_vec()),
                ]
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn walk_lists_the_files_before_its_error() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), &[("a.txt", "a"), ("z/f.txt", "f")]);
        std::os::unix::fs::symlink(t.path().join("missing"), t.path().join("m.txt")).unwrap();
        let mut listed = Vec::new();
        let walked = walk(t.path(), "", &Rules::empty(), &mut listed, &mut Vec::new());
        assert!(walked.unwrap_err().0.starts_with("error evaluating symlink"));
        let names: Vec<&str> = listed.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_errors_and_links_are_followed() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                ("Chart.yaml", "apiVersion: v2\nname: x\nversion: 1.0.0\n"),
                ("real/f.txt", "data"),
            ],
        );
        std::os::unix::fs::symlink(t.path().join("real/f.txt"), t.path().join("link.txt")).unwrap();
        let c = load(t.path()).unwrap();
        assert!(c.files.iter().any(|f| f.name == "link.txt" && *f.data == b"data"));
        std::os::unix::fs::symlink(t.path(), t.path().join("real/loop")).unwrap();
        let e = load(t.path()).unwrap_err();
        assert!(e.0.contains("symbolic link loop"), "{e}");
    }
}
