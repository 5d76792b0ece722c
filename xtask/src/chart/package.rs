//! `chart package`: the archive Helm v4.3.1's `helm package` writes.
//!
//! What is identical to Helm (checked by `xtask/tests/pkglint_package.rs`
//! against recorded `helm package` output):
//! - file name `<name>-<version>.tgz`, the `Successfully packaged chart and
//!   saved it to: <path>` line, the `--version`/`--app-version` overrides and
//!   their checks (`invalid semantic version`, missing dependencies);
//! - the tar stream, byte for byte, when Helm runs with the same
//!   `SOURCE_DATE_EPOCH`: entry order (`Chart.yaml`, `Chart.lock`,
//!   `values.yaml`, `values.schema.json`, templates, other files, then each
//!   subchart expanded under `charts/<name>/`), re-serialised `Chart.yaml` /
//!   `Chart.lock` (`sigs.k8s.io/yaml.Marshal`), Go `archive/tar` USTAR headers
//!   (mode 0644, uid/gid 0, checksum `NNNNNN\0 `, prefix split, PAX records for
//!   names USTAR cannot hold), two zero blocks at the end;
//! - the gzip header (`1f 8b 08 14`, MTIME 0, XFL 0, OS 255, Helm's `rr`
//!   extra field, comment `Helm`).
//!
//! What differs: the deflate bytes (Go's `compress/flate` vs miniz_oxide,
//! both level 6), so the `.tgz` files differ while their content is the
//! same; and every entry gets one fixed mtime (`SOURCE_DATE_EPOCH`, else 0)
//! where Helm without `SOURCE_DATE_EPOCH` uses file mtimes, so two runs give
//! identical bytes. With two or more subcharts Helm's order is random (Go map
//! iteration); ours is sorted by their entry names in `charts/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::chart::load::{self, Chart};
use crate::chart::metadata::{parse_semver, API_VERSION_V1, API_VERSION_V2};

/// Helm's gzip "extra" bytes since v4.2.4 (a valid RFC 1952 subfield `rr`).
pub const GZIP_EXTRA: &[u8] = b"rr\x28\x00aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

/// Options of one packaging run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Output directory (created if missing).
    pub destination: PathBuf,
    pub version: Option<String>,
    pub app_version: Option<String>,
    /// Seconds since the epoch written as every entry's mtime.
    pub mtime: i64,
    /// `SOURCE_DATE_EPOCH` when set: like Helm, it also replaces Chart.lock's
    /// `generated` time.
    pub source_date_epoch: Option<i64>,
}

/// Timestamps of one archive.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stamp {
    /// Every entry's mtime.
    pub mtime: i64,
    /// When set, Chart.lock's `generated` becomes this time (UTC), as Helm
    /// does under `SOURCE_DATE_EPOCH`.
    pub lock_generated: Option<i64>,
}

impl Stamp {
    /// Helm's behaviour under `SOURCE_DATE_EPOCH=epoch`.
    pub fn source_date_epoch(epoch: i64) -> Stamp {
        Stamp {
            mtime: epoch,
            lock_generated: Some(epoch),
        }
    }
}

/// Formats seconds since the epoch as Go's RFC 3339 in UTC.
pub fn rfc3339_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `SOURCE_DATE_EPOCH` when set (must be an integer number of seconds).
pub fn source_date_epoch_from_env() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds")),
        _ => Ok(None),
    }
}

/// Loads the chart directory, applies the overrides and checks, and writes
/// the archive; returns its path (as Helm prints it).
pub fn package_dir(chart_dir: &Path, opts: &Options) -> Result<PathBuf, String> {
    let mut chart = load::load(chart_dir).map_err(|e| e.0)?;
    if !chart_dir.is_dir() {
        return Err(format!("{} is not a chart directory", chart_dir.display()));
    }
    if let Some(v) = &opts.version {
        chart.metadata.version = v.clone();
    }
    if parse_semver(&chart.metadata.version).is_none() {
        return Err("invalid semantic version".into());
    }
    if let Some(v) = &opts.app_version {
        chart.metadata.app_version = v.clone();
    }
    check_dependencies(&chart)?;
    chart
        .metadata
        .validate()
        .map_err(|e| format!("failed to save: chart validation: {e}"))?;
    let stamp = match opts.source_date_epoch {
        Some(e) => Stamp::source_date_epoch(e),
        None => Stamp {
            mtime: opts.mtime,
            lock_generated: None,
        },
    };
    let bytes = archive_bytes(&chart, stamp)?;
    let file_name = format!("{}-{}.tgz", chart.name(), chart.metadata.version);
    let dest = if opts.destination.as_os_str().is_empty() || opts.destination == Path::new(".") {
        std::env::current_dir().map_err(|e| e.to_string())?
    } else {
        opts.destination.clone()
    };
    if dest.exists() && !dest.is_dir() {
        return Err(format!("failed to save: is not a directory: {}", dest.display()));
    }
    std::fs::create_dir_all(&dest).map_err(|e| format!("failed to save: mkdir {}: {e}", dest.display()))?;
    let out = dest.join(file_name);
    let tmp = dest.join(format!(".{}.tmp-{}", chart.name(), std::process::id()));
    std::fs::write(&tmp, &bytes).map_err(|e| format!("failed to save: write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("failed to save: rename to {}: {e}", out.display())
    })?;
    Ok(out)
}

/// Helm's `CheckDependencies`: every Chart.yaml dependency must be present.
pub fn check_dependencies(chart: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ))
    }
}

/// The gzipped archive bytes.
pub fn archive_bytes(chart: &Chart, stamp: Stamp) -> Result<Vec<u8>, String> {
    let tar = tar_bytes(chart, stamp)?;
    let mut gz = flate2::GzBuilder::new()
        .extra(GZIP_EXTRA)
        .comment("Helm")
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).map_err(|e| e.to_string())?;
    gz.finish().map_err(|e| e.to_string())
}

/// The uncompressed tar stream.
pub fn tar_bytes(chart: &Chart, stamp: Stamp) -> Result<Vec<u8>, String> {
    let mut w = TarWriter {
        out: Vec::new(),
        mtime: stamp.mtime,
        lock_generated: stamp.lock_generated,
    };
    write_chart(&mut w, chart, "")?;
    w.out.extend(std::iter::repeat_n(0u8, 1024));
    Ok(w.out)
}

fn write_chart(w: &mut TarWriter, c: &Chart, prefix: &str) -> Result<(), String> {
    let base = if prefix.is_empty() {
        c.name().to_string()
    } else {
        format!("{prefix}/{}", c.name())
    };
    let with_deps = c.metadata.api_version != API_VERSION_V1;
    let chart_yaml = crate::chart::yaml::try_marshal(&c.metadata.to_json(with_deps))?;
    w.file(&format!("{base}/Chart.yaml"), chart_yaml.as_bytes());
    if c.metadata.api_version == API_VERSION_V2 {
        if let Some(lock) = &c.lock {
            let mut lock = lock.clone();
            if let Some(t) = w.lock_generated {
                lock.generated = rfc3339_utc(t);
            }
            let data = crate::chart::yaml::try_marshal(&lock.to_json())?;
            w.file(&format!("{base}/Chart.lock"), data.as_bytes());
        }
    }
    if let Some(v) = &c.values_raw {
        w.file(&format!("{base}/values.yaml"), v);
    }
    if let Some(s) = &c.schema {
        if serde_json::from_slice::<serde_json::Value>(s).is_err() {
            return Err("failed to save: invalid JSON in values.schema.json".into());
        }
        w.file(&format!("{base}/values.schema.json"), s);
    }
    for f in c.templates.iter().chain(c.files.iter()) {
        w.file(&format!("{base}/{}", f.name), &f.data);
    }
    for d in &c.dependencies {
        write_chart(w, d, &format!("{base}/charts"))?;
    }
    Ok(())
}

/// Writes tar headers exactly like Go's `archive/tar` for Helm's headers
/// (`Name`, `Mode 0644`, `Size`, `ModTime`, format unspecified).
struct TarWriter {
    out: Vec<u8>,
    mtime: i64,
    lock_generated: Option<i64>,
}

const NAME_SIZE: usize = 100;
const PREFIX_SIZE: usize = 155;

fn format_octal(b: &mut [u8], x: i64) {
    let s = format!("{x:o}");
    let n = b.len().saturating_sub(s.len() + 1);
    let s = format!("{}{s}", "0".repeat(n));
    format_string(b, s.as_bytes());
}

fn format_string(b: &mut [u8], s: &[u8]) {
    let n = s.len().min(b.len());
    b[..n].copy_from_slice(&s[..n]);
    if s.len() < b.len() {
        b[s.len()] = 0;
    }
    if s.len() > b.len() && b[b.len() - 1] == b'/' {
        let trimmed = s[..b.len() - 1].iter().rposition(|&c| c != b'/');
        let n = trimmed.map(|i| i + 1).unwrap_or(0);
        b[n] = 0;
    }
}

fn set_ustar_and_checksum(h: &mut [u8; 512]) {
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: i64 = h.iter().map(|&b| b as i64).sum();
    format_octal(&mut h[148..155], sum);
    h[155] = b' ';
}

fn to_ascii(s: &str) -> String {
    s.chars().filter(|&c| (c as u32) < 0x80 && c != '\0').collect()
}

/// Go's `splitUSTARPath`.
fn split_ustar_path(name: &str) -> Option<(&str, &str)> {
    let mut length = name.len();
    if length <= NAME_SIZE || !name.is_ascii() {
        return None;
    } else if length > PREFIX_SIZE + 1 {
        length = PREFIX_SIZE + 1;
    } else if name.as_bytes()[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].rfind('/')?;
    let nlen = name.len() - i - 1;
    if i == 0 || nlen > NAME_SIZE || nlen == 0 || i > PREFIX_SIZE {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `formatPAXRecord`.
fn pax_record(k: &str, v: &str) -> String {
    let mut size = k.len() + v.len() + 3;
    size += size.to_string().len();
    let mut rec = format!("{size} {k}={v}\n");
    if rec.len() != size {
        size = rec.len();
        rec = format!("{size} {k}={v}\n");
    }
    rec
}

impl TarWriter {
    fn template(&self, name: &[u8], size: u64, mtime: i64) -> [u8; 512] {
        let mut h = [0u8; 512];
        h[156] = b'0';
        format_string(&mut h[0..100], name);
        format_octal(&mut h[100..108], 0o644);
        format_octal(&mut h[108..116], 0);
        format_octal(&mut h[116..124], 0);
        format_octal(&mut h[124..136], size as i64);
        format_octal(&mut h[136..148], mtime);
        format_octal(&mut h[329..337], 0);
        format_octal(&mut h[337..345], 0);
        h
    }

    fn data(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.out.extend(std::iter::repeat_n(0u8, pad));
    }

    fn file(&mut self, name: &str, data: &[u8]) {
        let ustar_ok = name.is_ascii() && !name.contains('\0') && name.len() <= NAME_SIZE;
        if ustar_ok || split_ustar_path(name).is_some() {
            let (prefix, short) = split_ustar_path(name).unwrap_or(("", name));
            let mut h = self.template(short.as_bytes(), data.len() as u64, self.mtime);
            format_string(&mut h[345..500], prefix.as_bytes());
            set_ustar_and_checksum(&mut h);
            self.out.extend_from_slice(&h);
        } else {
            // PAX extended header carrying the path, then the main header.
            let records = pax_record("path", name);
            let (dir, file) = match name.rfind('/') {
                Some(i) => (&name[..=i], &name[i + 1..]),
                None => ("", name),
            };
            let pax_name = crate::chart::archive::clean_path(&format!("{dir}PaxHeaders.0/{file}"));
            let mut pax_name = to_ascii(&pax_name);
            pax_name.truncate(NAME_SIZE);
            let pax_name = pax_name.trim_end_matches('/');
            let mut ph = [0u8; 512];
            ph[156] = b'x';
            format_string(&mut ph[0..100], pax_name.as_bytes());
            format_octal(&mut ph[100..108], 0);
            format_octal(&mut ph[108..116], 0);
            format_octal(&mut ph[116..124], 0);
            format_octal(&mut ph[124..136], records.len() as i64);
            format_octal(&mut ph[136..148], 0);
            set_ustar_and_checksum(&mut ph);
            self.out.extend_from_slice(&ph);
            self.data(records.as_bytes());
            let mut h = self.template(to_ascii(name).as_bytes(), data.len() as u64, self.mtime);
            set_ustar_and_checksum(&mut h);
            self.out.extend_from_slice(&h);
        }
        self.data(data);
    }
}

/// `cargo xtask chart package` arguments (Helm's flags).
#[derive(clap::Args, Debug, Clone)]
pub struct PackageArgs {
    /// Chart directories to package.
    #[arg(required = true, value_name = "CHART")]
    pub charts: Vec<PathBuf>,
    /// Where to write the archives.
    #[arg(short = 'd', long, default_value = ".")]
    pub destination: PathBuf,
    /// Set the chart version (SemVer).
    #[arg(long)]
    pub version: Option<String>,
    /// Set the chart appVersion.
    #[arg(long = "app-version")]
    pub app_version: Option<String>,
    /// Run `helm dependency update` (through the tool seam) first.
    #[arg(short = 'u', long = "dependency-update")]
    pub dependency_update: bool,
}

/// Runs `chart package`; prints Helm's success line per chart.
pub fn run(args: PackageArgs) -> anyhow::Result<()> {
    use crate::exit::Failure;
    let source_date_epoch = source_date_epoch_from_env().map_err(Failure::bad_input)?;
    let opts = Options {
        destination: args.destination.clone(),
        version: args.version.clone(),
        app_version: args.app_version.clone(),
        mtime: source_date_epoch.unwrap_or(0),
        source_date_epoch,
    };
    for chart in &args.charts {
        if let Err(e) = std::fs::metadata(chart) {
            return Err(Failure::bad_input(format!(
                "stat {}: {}",
                chart.display(),
                if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                }
            ))
            .into());
        }
        if args.dependency_update {
            let tools = crate::tools::Toolbox::for_project(&crate::project_root());
            let cmd = crate::tools::Cmd::new("helm")
                .arg("dependency")
                .arg("update")
                .arg(chart.as_os_str().to_owned());
            let out = tools.run(&cmd)?;
            print!("{}", out.stdout);
        }
        let path =
            package_dir(chart, &opts).map_err(|e| Failure::bad_input(format!("{}: {e}", chart.display())))?;
        println!("Successfully packaged chart and saved it to: {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::archive::load_archive_files;

    fn chart_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (n, b) in files {
            let p = t.path().join("c").join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b).unwrap();
        }
        t
    }

    #[test]
    fn rfc3339_from_epoch() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn go_tar_header_layout() {
        let mut w = TarWriter {
            out: Vec::new(),
            mtime: 1_700_000_000,
            lock_generated: None,
        };
        w.file("demo/Chart.yaml", b"x");
        let h = &w.out[..512];
        assert_eq!(&h[100..108], b"0000644\0");
        assert_eq!(&h[124..136], b"00000000001\0");
        assert_eq!(&h[136..148], b"14524770400\0");
        assert_eq!(h[155], b' ');
        assert_eq!(h[154], 0);
        assert_eq!(&h[257..265], b"ustar\x0000");
        assert_eq!(&h[329..345], b"0000000\x000000000\0");
        assert_eq!(w.out.len(), 1024);
    }

    #[test]
    fn long_names_split_or_pax() {
        let long_dir = format!("demo/{}/f.txt", "d".repeat(120));
        let mut w = TarWriter {
            out: Vec::new(),
            mtime: 0,
            lock_generated: None,
        };
        w.file(&long_dir, b"a");
        assert_eq!(&w.out[0..6], b"f.txt\0");
        assert_eq!(&w.out[345..350], b"demo/");
        let long_file = format!("demo/{}", "f".repeat(120));
        let mut w = TarWriter {
            out: Vec::new(),
            mtime: 0,
            lock_generated: None,
        };
        w.file(&long_file, b"a");
        assert_eq!(w.out[156], b'x');
        assert!(w.out.starts_with(b"demo/PaxHeaders.0/fff"));
        // Readers see the full names.
        let mut tar = w.out.clone();
        tar.extend(std::iter::repeat_n(0u8, 1024));
        let gz = crate::chart::archive::tests::gzip(&tar);
        let files = load_archive_files(&gz[..]).unwrap();
        assert_eq!(files[0].name, "f".repeat(120));
    }

    #[test]
    fn packages_reproducibly_with_helm_order() {
        let t = chart_dir(&[
            (
                "Chart.yaml",
                "# comment\nname: c\nversion: 0.1.0\napiVersion: v2\ndescription: d\n",
            ),
            ("values.yaml", "a: 1\n"),
            ("values.schema.json", "{}"),
            ("templates/x.yaml", "kind: X\n"),
            ("README.md", "r"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
            ),
        ]);
        let opts = Options {
            destination: t.path().join("out"),
            mtime: 0,
            ..Default::default()
        };
        let p1 = package_dir(&t.path().join("c"), &opts).unwrap();
        assert!(p1.ends_with("c-0.1.0.tgz"));
        let b1 = std::fs::read(&p1).unwrap();
        let p2 = package_dir(&t.path().join("c"), &opts).unwrap();
        assert_eq!(b1, std::fs::read(p2).unwrap());
        assert_eq!(&b1[..10], b"\x1f\x8b\x08\x14\0\0\0\0\0\xff");
        let files = load_archive_files(&b1[..]).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "Chart.yaml",
                "values.yaml",
                "values.schema.json",
                "templates/x.yaml",
                "README.md",
                "charts/sub/Chart.yaml"
            ]
        );
        assert_eq!(
            *files[0].data,
            b"apiVersion: v2\ndescription: d\nname: c\nversion: 0.1.0\n"
        );
    }

    #[test]
    fn overrides_and_checks() {
        let t = chart_dir(&[(
            "Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: db\n  repository: file://../db\n",
        )]);
        let dir = t.path().join("c");
        let opts = Options {
            destination: t.path().into(),
            ..Default::default()
        };
        assert_eq!(
            package_dir(&dir, &opts).unwrap_err(),
            "found in Chart.yaml, but missing in charts/ directory: db"
        );
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        let bad = Options {
            version: Some("1.2.x".into()),
            ..opts.clone()
        };
        assert_eq!(package_dir(&dir, &bad).unwrap_err(), "invalid semantic version");
        let good = Options {
            version: Some("2.0.0".into()),
            app_version: Some("1.0".into()),
            ..opts
        };
        let p = package_dir(&dir, &good).unwrap();
        assert!(p.ends_with("c-2.0.0.tgz"));
        let files = load_archive_files(&std::fs::read(p).unwrap()[..]).unwrap();
        assert_eq!(
            *files[0].data,
            b"apiVersion: v2\nappVersion: \"1.0\"\nname: c\nversion: 2.0.0\n"
        );
    }
}
