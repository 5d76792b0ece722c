//! Safe reading of packaged charts (`.tgz`).
//!
//! Helm's reader (`pkg/chart/loader/archive/archive.go`) strips the first
//! path component of every entry, rejects absolute paths, `..`, drive letters
//! and a `Chart.yaml` at the top level, and caps the decompressed size (100 MiB
//! in total, 5 MiB per file). This reader keeps those rules and messages and is
//! stricter where Helm is lenient: symlinks, hard links, device files, FIFOs,
//! duplicate entries and archives with too many entries are rejected too.
//!
//! Nothing is ever written to disk: entries are buffered in memory, and every
//! byte that comes out of the gzip stream is counted, so a gzip bomb stops at
//! the limit instead of exhausting memory (the header sizes are checked before
//! any data is read, and the raw decompressed stream is capped as well, which
//! covers padding and skipped entries).

use std::fmt;
use std::io::{self, BufRead, Read, Seek};
use std::sync::Arc;

use super::blob::{strip_bom, Blob};

/// A file read from a chart: its slash-separated path relative to the chart
/// root and its bytes (UTF-8 BOM already stripped, as Helm does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferedFile {
    pub name: String,
    /// Shared, not copied, by every `.Files` value that shows the file
    /// (`Value::Bytes` holds the same `Arc`).
    pub data: Arc<Blob>,
}

impl BufferedFile {
    pub fn new(name: String, data: Vec<u8>) -> BufferedFile {
        BufferedFile {
            name,
            data: Arc::new(Blob::from(data)),
        }
    }

    /// The file as text, invalid UTF-8 replaced (Go's `string(bytes)` as
    /// the template engine sees it); borrowed when the bytes are valid.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        utf8_lossy(&self.data)
    }
}

/// `String::from_utf8_lossy` with std's faster validity check first: chart
/// files are nearly always valid UTF-8, and this runs over every byte of
/// every template and values file.
pub fn utf8_lossy(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// Helm's `MaxDecompressedChartSize` (100 MiB).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize` (5 MiB).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Our own cap on the number of entries (Helm has none).
pub const MAX_FILES: usize = 10_000;

/// Limits applied while reading an archive.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Sum of all file sizes.
    pub max_total_bytes: u64,
    /// Size of one file.
    pub max_file_bytes: u64,
    /// Number of entries of any type (directories included).
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: MAX_DECOMPRESSED_CHART_SIZE,
            max_file_bytes: MAX_DECOMPRESSED_FILE_SIZE,
            max_entries: MAX_FILES,
        }
    }
}

/// Why an archive was rejected. The `Display` texts of the variants Helm also
/// has are Helm's own messages.
#[derive(Debug, PartialEq, Eq)]
pub enum ArchiveError {
    /// Not gzip data at all (Helm: `does not appear to be a gzipped archive`).
    NotGzip,
    /// The gzip or tar stream is corrupt or truncated.
    Corrupt(String),
    AbsolutePath(String),
    OutsideBase(String),
    ParentDirectory(String),
    IllegalName(String),
    ChartYamlNotInBase,
    Symlink(String),
    HardLink(String),
    SpecialFile(String, char),
    Duplicate(String),
    TooManyEntries(usize),
    ChartTooLarge(u64),
    FileTooLarge(String, u64),
    Empty,
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveError::NotGzip => write!(f, "does not appear to be a gzipped archive"),
            ArchiveError::Corrupt(e) => write!(f, "corrupt chart archive: {e}"),
            ArchiveError::AbsolutePath(n) => {
                write!(f, "chart illegally contains absolute paths ({n:?})")
            }
            ArchiveError::OutsideBase(n) => write!(
                f,
                "chart illegally contains content outside the base directory: {n:?}"
            ),
            ArchiveError::ParentDirectory(n) => {
                write!(f, "chart illegally references parent directory ({n:?})")
            }
            ArchiveError::IllegalName(n) => {
                write!(f, "chart contains illegally named files ({n:?})")
            }
            ArchiveError::ChartYamlNotInBase => write!(f, "chart yaml not in base directory"),
            ArchiveError::Symlink(n) => write!(
                f,
                "chart archive contains a symbolic link {n:?}; links are not allowed in charts"
            ),
            ArchiveError::HardLink(n) => write!(
                f,
                "chart archive contains a hard link {n:?}; links are not allowed in charts"
            ),
            ArchiveError::SpecialFile(n, t) => write!(
                f,
                "chart archive contains {n:?} of tar type {t:?} (device, FIFO or other special file); only regular files and directories are allowed"
            ),
            ArchiveError::Duplicate(n) => {
                write!(f, "chart archive contains the entry {n:?} more than once")
            }
            ArchiveError::TooManyEntries(max) => {
                write!(f, "chart archive has more than {max} entries")
            }
            ArchiveError::ChartTooLarge(max) => {
                write!(f, "decompressed chart is larger than the maximum size {max}")
            }
            ArchiveError::FileTooLarge(n, max) => write!(
                f,
                "decompressed chart file {n:?} is larger than the maximum file size {max}"
            ),
            ArchiveError::Empty => write!(f, "no files in chart archive"),
        }
    }
}

impl std::error::Error for ArchiveError {}

/// Counts every decompressed byte and fails once `limit` is passed.
struct Capped<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(CAP_MARKER));
        }
        Ok(n)
    }
}

const CAP_MARKER: &str = "decompressed stream exceeds its limit";

/// Bytes decompressed ahead of the tar reader (within the 64 KiB of slack
/// the cap allows past the entries' own bytes).
const READ_AHEAD: usize = 32 * 1024;

/// A buffered stream that can only skip forward (what the tar reader's
/// seekable mode asks of it: skipping an entry's padding or unread data),
/// and its position (which the tar reader takes from the seek's answer).
struct Forward<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> Seek for Forward<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let mut n = match pos {
            io::SeekFrom::Current(n) if n >= 0 => n.unsigned_abs(),
            _ => return Err(io::Error::other("chart archive stream can only skip forward")),
        };
        while n > 0 {
            let available = self.inner.fill_buf()?.len();
            if available == 0 {
                return Err(io::Error::other("unexpected EOF during skip"));
            }
            let step = available.min(usize::try_from(n).unwrap_or(usize::MAX));
            self.inner.consume(step);
            self.pos += step as u64;
            n -= step as u64;
        }
        Ok(self.pos)
    }
}

fn map_io(e: io::Error, limits: &Limits) -> ArchiveError {
    if e.to_string() == CAP_MARKER {
        ArchiveError::ChartTooLarge(limits.max_total_bytes)
    } else {
        ArchiveError::Corrupt(e.to_string())
    }
}

/// Go's `path.Clean` for slash-separated paths.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn is_drive_path(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

/// Reads a gzipped tar chart archive into memory with the default [`Limits`].
pub fn load_archive_files(input: impl Read) -> Result<Vec<BufferedFile>, ArchiveError> {
    load_archive_files_with(input, Limits::default())
}

/// Reads a gzipped tar chart archive into memory. File names lose their first
/// path component (the chart directory), exactly as in Helm.
pub fn load_archive_files_with(input: impl Read, limits: Limits) -> Result<Vec<BufferedFile>, ArchiveError> {
    let mut input = input;
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match input.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ArchiveError::Corrupt(e.to_string())),
        }
    }
    if got < 2 || magic != [0x1f, 0x8b] {
        return Err(ArchiveError::NotGzip);
    }
    let chained = io::Cursor::new(magic).chain(input);
    let gz = flate2::read::MultiGzDecoder::new(chained);
    // Headers and padding cost at most 1.5 KiB per entry (header, optional PAX
    // or GNU long-name record, padding) plus the two end blocks.
    let overhead = (limits.max_entries as u64 + 2) * 3 * 512 + 64 * 1024;
    let capped = Capped {
        inner: gz,
        read: 0,
        limit: limits.max_total_bytes.saturating_add(overhead),
    };
    // The tar reader asks for 512 bytes at a time and skips each entry's
    // padding through a freshly zeroed 32 KiB buffer: decompress in large
    // chunks instead and skip by consuming the buffer.
    let mut archive = tar::Archive::new(Forward {
        inner: io::BufReader::with_capacity(READ_AHEAD, capped),
        pos: 0,
    });
    let entries = archive.entries_with_seek().map_err(|e| map_io(e, &limits))?;

    let mut files: Vec<BufferedFile> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut remaining = limits.max_total_bytes;
    let mut count = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(|e| map_io(e, &limits))?;
        count += 1;
        if count > limits.max_entries {
            return Err(ArchiveError::TooManyEntries(limits.max_entries));
        }
        let header = entry.header();
        let kind = header.entry_type();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        use tar::EntryType as T;
        match kind {
            T::Directory => continue,
            T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => continue,
            T::Symlink => return Err(ArchiveError::Symlink(raw_name)),
            T::Link => return Err(ArchiveError::HardLink(raw_name)),
            T::Regular | T::Continuous | T::GNUSparse => {
                if kind == T::GNUSparse {
                    return Err(ArchiveError::SpecialFile(raw_name, 'S'));
                }
            }
            other => return Err(ArchiveError::SpecialFile(raw_name, other.as_byte() as char)),
        }
        if raw_name.ends_with('/') {
            // A regular-file entry whose name ends in a slash is a directory
            // for Go's `FileInfo().IsDir()`.
            continue;
        }
        let size = entry.header().size().map_err(|e| map_io(e, &limits))?;

        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        let n = parts[1..].join("/");
        if n.starts_with('/') {
            return Err(ArchiveError::AbsolutePath(raw_name));
        }
        let n = clean_path(&n);
        if n == "." {
            return Err(ArchiveError::OutsideBase(raw_name));
        }
        if n.starts_with("..") {
            return Err(ArchiveError::ParentDirectory(raw_name));
        }
        if is_drive_path(&n) {
            return Err(ArchiveError::IllegalName(raw_name));
        }
        if parts[0] == "Chart.yaml" {
            return Err(ArchiveError::ChartYamlNotInBase);
        }
        // Helm drops the first component whatever it is; we also refuse a
        // first component that is absolute, `..` or a drive letter.
        if parts[0].is_empty() || is_drive_path(&raw_name) {
            return Err(ArchiveError::AbsolutePath(raw_name));
        }
        if parts[0] == ".." {
            return Err(ArchiveError::ParentDirectory(raw_name));
        }
        if size > remaining {
            return Err(ArchiveError::ChartTooLarge(limits.max_total_bytes));
        }
        if size > limits.max_file_bytes {
            return Err(ArchiveError::FileTooLarge(raw_name, limits.max_file_bytes));
        }
        if !seen.insert(n.clone()) {
            return Err(ArchiveError::Duplicate(n));
        }
        let mut data = Vec::with_capacity(size.min(1 << 20) as usize);
        let read = (&mut entry)
            .take(remaining.min(limits.max_file_bytes) + 1)
            .read_to_end(&mut data)
            .map_err(|e| map_io(e, &limits))? as u64;
        if read > size {
            // Cannot happen with a well-behaved tar reader; kept as a guard.
            return Err(ArchiveError::ChartTooLarge(limits.max_total_bytes));
        }
        if read < size {
            return Err(ArchiveError::Corrupt(format!(
                "entry {raw_name:?} is truncated ({read} of {size} bytes)"
            )));
        }
        remaining -= read;
        files.push(BufferedFile::new(n, strip_bom(data)));
    }
    if files.is_empty() {
        return Err(ArchiveError::Empty);
    }
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Builds a raw tar entry header (USTAR) by hand so tests can craft
    /// entries that well-behaved writers refuse to produce.
    pub(crate) fn raw_header(name: &str, size: u64, typeflag: u8, link: &str) -> [u8; 512] {
        let mut h = [0u8; 512];
        let nb = name.as_bytes();
        h[..nb.len().min(100)].copy_from_slice(&nb[..nb.len().min(100)]);
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = typeflag;
        let lb = link.as_bytes();
        h[157..157 + lb.len()].copy_from_slice(lb);
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    }

    pub(crate) struct Entry<'a> {
        pub name: &'a str,
        pub data: &'a [u8],
        pub typeflag: u8,
        pub link: &'a str,
        /// Size written in the header (defaults to data length).
        pub size: Option<u64>,
    }

    pub(crate) fn file<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
        Entry {
            name,
            data,
            typeflag: b'0',
            link: "",
            size: None,
        }
    }

    pub(crate) fn tar_bytes(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        for e in entries {
            let size = e.size.unwrap_or(e.data.len() as u64);
            out.extend_from_slice(&raw_header(e.name, size, e.typeflag, e.link));
            out.extend_from_slice(e.data);
            let pad = (512 - e.data.len() % 512) % 512;
            out.extend(std::iter::repeat_n(0u8, pad));
        }
        out.extend(std::iter::repeat_n(0u8, 1024));
        out
    }

    pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn load(entries: &[Entry]) -> Result<Vec<BufferedFile>, ArchiveError> {
        load_archive_files(&gzip(&tar_bytes(entries))[..])
    }

    #[test]
    fn reads_files_strips_first_component_and_bom() {
        let files = load(&[
            file("demo/Chart.yaml", b"name: demo\n"),
            Entry {
                typeflag: b'5',
                ..file("demo/templates/", b"")
            },
            file("demo/templates/a.yaml", b"\xEF\xBB\xBFkind: A\n"),
        ])
        .unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[1].name, "templates/a.yaml");
        assert_eq!(*files[1].data, b"kind: A\n");
    }

    #[test]
    fn rejects_malicious_entries() {
        let cases: Vec<(Vec<Entry>, &str)> = vec![
            (vec![file("demo//etc/passwd", b"x")], "absolute paths"),
            (vec![file("/etc/passwd", b"x")], "absolute paths"),
            (vec![file("README.md", b"x")], "outside the base"),
            (vec![file("demo/../../x", b"x")], "parent directory"),
            (vec![file("../x/y", b"x")], "parent directory"),
            (vec![file("demo/c:/x", b"x")], "illegally named"),
            (vec![file("Chart.yaml/x", b"x")], "chart yaml not in base"),
            (
                vec![Entry {
                    typeflag: b'2',
                    link: "/etc/passwd",
                    ..file("demo/values.yaml", b"")
                }],
                "symbolic link",
            ),
            (
                vec![
                    file("demo/a", b"x"),
                    Entry {
                        typeflag: b'1',
                        link: "demo/a",
                        ..file("demo/b", b"")
                    },
                ],
                "hard link",
            ),
            (
                vec![Entry {
                    typeflag: b'3',
                    ..file("demo/tty", b"")
                }],
                "device",
            ),
            (
                vec![Entry {
                    typeflag: b'6',
                    ..file("demo/fifo", b"")
                }],
                "FIFO",
            ),
            (
                vec![file("demo/a.yaml", b"1"), file("demo/./a.yaml", b"2")],
                "more than once",
            ),
            (vec![], "no files in chart archive"),
        ];
        for (entries, want) in cases {
            let err = load(&entries).unwrap_err().to_string();
            assert!(err.contains(want), "{err:?} should contain {want:?}");
        }
    }

    #[test]
    fn rejects_non_gzip_and_truncated() {
        assert_eq!(
            load_archive_files(&b"apiVersion: v2\n"[..]).unwrap_err(),
            ArchiveError::NotGzip
        );
        let gz = gzip(&tar_bytes(&[file("demo/Chart.yaml", &[b'a'; 4000])]));
        let err = load_archive_files(&gz[..gz.len() / 2]).unwrap_err();
        assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn limits_files_bytes_and_entries() {
        let small = Limits {
            max_total_bytes: 10_000,
            max_file_bytes: 4_000,
            max_entries: 3,
        };
        let big = vec![b'a'; 5_000];
        let gz = gzip(&tar_bytes(&[file("demo/big", &big)]));
        assert!(matches!(
            load_archive_files_with(&gz[..], small).unwrap_err(),
            ArchiveError::FileTooLarge(_, 4_000)
        ));
        let chunk = vec![b'a'; 3_500];
        let gz = gzip(&tar_bytes(&[
            file("demo/a", &chunk),
            file("demo/b", &chunk),
            file("demo/c", &chunk),
        ]));
        let small = Limits {
            max_entries: 10,
            ..small
        };
        assert!(matches!(
            load_archive_files_with(&gz[..], small).unwrap_err(),
            ArchiveError::ChartTooLarge(10_000)
        ));
        let gz = gzip(&tar_bytes(&[
            file("demo/a", b""),
            file("demo/b", b""),
            file("demo/c", b""),
            file("demo/d", b""),
        ]));
        let small = Limits {
            max_entries: 3,
            ..small
        };
        assert!(matches!(
            load_archive_files_with(&gz[..], small).unwrap_err(),
            ArchiveError::TooManyEntries(3)
        ));
    }

    #[test]
    fn gzip_bomb_stops_at_the_cap_without_reading_everything() {
        // A header claiming a 200 MiB file: rejected from the header alone.
        let mut t = raw_header("demo/bomb", 200 * 1024 * 1024, b'0', "").to_vec();
        t.extend(std::iter::repeat_n(0u8, 1024 * 1024));
        let err = load_archive_files(&gzip(&t)[..]).unwrap_err();
        assert!(matches!(err, ArchiveError::ChartTooLarge(_)), "{err:?}");
        // A directory entry hiding 20 MiB of payload: the raw stream cap
        // stops decompression.
        let limits = Limits {
            max_total_bytes: 1024 * 1024,
            max_file_bytes: 1024 * 1024,
            max_entries: 10,
        };
        let mut t = raw_header("demo/d/", 20 * 1024 * 1024, b'5', "").to_vec();
        t.extend(std::iter::repeat_n(0u8, 20 * 1024 * 1024));
        let err = load_archive_files_with(&gzip(&t)[..], limits).unwrap_err();
        assert!(matches!(err, ArchiveError::ChartTooLarge(_)), "{err:?}");
    }

    #[test]
    fn clean_path_matches_go() {
        for (i, o) in [
            ("", "."),
            ("a/./b", "a/b"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("a//b/", "a/b"),
            ("a/b/../../c", "c"),
        ] {
            assert_eq!(clean_path(i), o, "{i}");
        }
    }
}
