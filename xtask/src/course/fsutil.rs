//! Safe copies of student folders: links are never followed out of the
//! folder, sizes are bounded, and temporary folders clean up after
//! themselves.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};

/// Limits for copying one student's folder.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
pub const MAX_FILES: usize = 2000;

/// A temporary folder removed on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> Result<TempDir> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::temp_dir();
        for _ in 0..100 {
            let n = N.fetch_add(1, Ordering::SeqCst);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let path = base.join(format!("{prefix}-{}-{n}-{nanos}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        anyhow::bail!("could not create a temporary folder in {}", base.display())
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What a copy left out, for the report.
#[derive(Debug, Default, Clone)]
pub struct CopyReport {
    /// Relative paths of links skipped because they point out of the folder
    /// (or nowhere).
    pub skipped_links: Vec<String>,
    /// Relative paths of files skipped because they are too big or too many.
    pub skipped_big: Vec<String>,
}

/// Copies `src` into `dst` (which exists). Symbolic links are resolved:
/// a link to a file or folder inside `src` is copied as that content; a link
/// that leaves `src` is skipped and reported. Special files are skipped.
pub fn copy_tree(src: &Path, dst: &Path) -> Result<CopyReport> {
    let root = src
        .canonicalize()
        .with_context(|| format!("reading {}", src.display()))?;
    let mut report = CopyReport::default();
    let mut count = 0usize;
    copy_dir(&root, &root, dst, Path::new(""), &mut report, &mut count, 0)?;
    Ok(report)
}

fn copy_dir(
    root: &Path,
    dir: &Path,
    dst: &Path,
    rel: &Path,
    report: &mut CopyReport,
    count: &mut usize,
    depth: usize,
) -> Result<()> {
    if depth > 20 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let rel_path = rel.join(&name);
        let path = e.path();
        let ft = match e.file_type() {
            Ok(ft) => ft,
            Err(_) => continue,
        };
        let real = if ft.is_symlink() {
            match path.canonicalize() {
                Ok(r) if r.starts_with(root) && r != *root => r,
                _ => {
                    report.skipped_links.push(rel_path.to_string_lossy().into_owned());
                    continue;
                }
            }
        } else {
            path.clone()
        };
        let meta = match std::fs::metadata(&real) {
            Ok(m) => m,
            Err(_) => continue,
        };
        let target = dst.join(&name);
        if meta.is_dir() {
            if matches!(
                name.to_str(),
                Some(".git" | "__pycache__" | ".venv" | "venv" | "node_modules")
            ) {
                continue;
            }
            std::fs::create_dir_all(&target).with_context(|| format!("creating {}", target.display()))?;
            copy_dir(root, &real, &target, &rel_path, report, count, depth + 1)?;
        } else if meta.is_file() {
            *count += 1;
            if meta.len() > MAX_FILE_BYTES || *count > MAX_FILES {
                report.skipped_big.push(rel_path.to_string_lossy().into_owned());
                continue;
            }
            std::fs::copy(&real, &target).with_context(|| format!("copying {}", real.display()))?;
        }
    }
    Ok(())
}
