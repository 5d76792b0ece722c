//! A chart file's bytes: read into memory, or mapped from the file.
//!
//! Large files are mapped instead of read: most of a large chart's bytes are
//! files no render touches (kube-prometheus-stack carries 4.3 MB of CRDs,
//! used only with `--include-crds` or `.Files`), and reading them costs the
//! kernel a fresh page of memory for every 4 KiB copied. A mapped file costs
//! one system call until its pages are read (docs/decisions.md).
//!
//! The price of a mapping: if another program truncates the file while a
//! command runs, reading the lost pages raises `SIGBUS`; `main` turns that
//! signal into an error message and exit status 1 instead of a crash.

use std::fmt;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

/// Files at least this large are mapped (smaller ones are read: a mapping
/// costs more than reading a few pages).
pub const MIN_MAPPED_BYTES: u64 = 64 << 10;

/// The bytes of a chart file (see the module documentation).
pub struct Blob(Repr);

enum Repr {
    Owned(Vec<u8>),
    /// a mapped file, from byte `start` (past a UTF-8 byte order mark)
    Mapped {
        map: memmap2::Mmap,
        start: usize,
    },
}

/// The UTF-8 byte order mark, which Helm drops from the start of every file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `data` without a leading UTF-8 byte order mark.
pub fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    data
}

impl Blob {
    /// Maps the file at `path` (read-only).
    pub fn map(path: &Path) -> std::io::Result<Blob> {
        let file = std::fs::File::open(path)?;
        // SAFETY: the mapping is read-only; what the compiler
        // cannot see is another program changing or truncating the file
        // while it is mapped. A change shows as changed bytes (as a read
        // racing a write would), a truncation as SIGBUS on the lost pages,
        // which `main` reports as an error (see the module documentation).
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(Blob(Repr::Mapped { map, start: 0 }))
    }

    /// The same bytes without a leading UTF-8 byte order mark.
    pub fn without_bom(self) -> Blob {
        match self.0 {
            Repr::Owned(v) => Blob(Repr::Owned(strip_bom(v))),
            Repr::Mapped { map, start } if map[start..].starts_with(UTF8_BOM) => Blob(Repr::Mapped {
                map,
                start: start + UTF8_BOM.len(),
            }),
            mapped => Blob(mapped),
        }
    }

    /// The bytes as a vector (moved out when owned and not shared, else copied).
    pub fn into_vec(this: Arc<Blob>) -> Vec<u8> {
        match Arc::try_unwrap(this) {
            Ok(Blob(Repr::Owned(v))) => v,
            Ok(mapped) => mapped.to_vec(),
            Err(shared) => shared.to_vec(),
        }
    }
}

/// A file's text shared with the file (no copy) when its bytes were read
/// into memory and are valid UTF-8; else a copy of it (lossily decoded,
/// as [`crate::chart::archive::utf8_lossy`] does). A template's parse tree
/// keeps its source text for text nodes and error locations: sharing the
/// file's bytes saves a copy of every template (1.6 MB for
/// kube-prometheus-stack).
#[derive(Clone)]
pub struct SharedText(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Copied(Arc<str>),
    /// read (not mapped) bytes, checked to be valid UTF-8 when made
    File(Arc<Blob>),
}

impl SharedText {
    /// The text of a file's bytes.
    pub fn of_file(data: &Arc<Blob>) -> SharedText {
        if matches!(data.0, Repr::Owned(_)) && std::str::from_utf8(data).is_ok() {
            return SharedText(TextRepr::File(data.clone()));
        }
        // (a mapped file is copied: another program could change its bytes)
        SharedText::from(&*crate::chart::archive::utf8_lossy(data))
    }
}

impl From<&str> for SharedText {
    fn from(s: &str) -> SharedText {
        SharedText(TextRepr::Copied(Arc::from(s)))
    }
}

impl Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            TextRepr::Copied(s) => s,
            // SAFETY: `of_file` made this variant only for bytes in memory of
            // their own (a vector that no one changes while it is shared) after
            // checking that they are valid UTF-8.
            TextRepr::File(b) => unsafe { std::str::from_utf8_unchecked(b) },
        }
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Deref for Blob {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Repr::Owned(v) => v,
            Repr::Mapped { map, start } => &map[*start..],
        }
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Blob {
        Blob(Repr::Owned(v))
    }
}

impl PartialEq for Blob {
    fn eq(&self, other: &Blob) -> bool {
        **self == **other
    }
}

impl Eq for Blob {}

impl<const N: usize> PartialEq<&[u8; N]> for Blob {
    fn eq(&self, other: &&[u8; N]) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Owned(v) => f.debug_tuple("Owned").field(&v.len()).finish(),
            Repr::Mapped { map, start } => f.debug_tuple("Mapped").field(&(map.len() - start)).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_and_read_files_show_the_same_bytes_without_a_bom() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        let mut body = b"\xEF\xBB\xBFkind: ConfigMap\n".to_vec();
        body.extend(std::iter::repeat_n(b'#', 100_000));
        std::fs::write(&p, &body).unwrap();
        let mapped = Blob::map(&p).unwrap().without_bom();
        let read = Blob::from(std::fs::read(&p).unwrap()).without_bom();
        assert_eq!(&*mapped, &body[3..]);
        assert_eq!(mapped, read);
        assert_eq!(Blob::into_vec(Arc::new(mapped)), body[3..].to_vec());
        assert_eq!(Blob::into_vec(Arc::new(read)), body[3..].to_vec());
        // no mark: unchanged
        let plain = Blob::from(b"a: 1\n".to_vec()).without_bom();
        assert_eq!(&*plain, b"a: 1\n");
    }

    #[test]
    fn shared_text_is_the_file_text_and_shares_read_bytes_only() {
        let read = Arc::new(Blob::from(b"kind: \xC3\xA9\n".to_vec()));
        let text = SharedText::of_file(&read);
        assert_eq!(&*text, "kind: \u{e9}\n");
        assert!(matches!(text.0, TextRepr::File(_)));
        assert_eq!(Arc::strong_count(&read), 2);
        // invalid UTF-8 is decoded as the loader decodes it, into a copy
        let bad = Arc::new(Blob::from(b"a\xFFb".to_vec()));
        let text = SharedText::of_file(&bad);
        assert_eq!(&*text, "a\u{FFFD}b");
        assert!(matches!(text.0, TextRepr::Copied(_)));
        // a mapped file is copied
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        std::fs::write(&p, "x".repeat(100_000)).unwrap();
        let mapped = Arc::new(Blob::map(&p).unwrap());
        let text = SharedText::of_file(&mapped);
        assert_eq!(text.len(), 100_000);
        assert!(matches!(text.0, TextRepr::Copied(_)));
    }

    #[test]
    fn a_missing_file_is_an_error_to_map() {
        let t = tempfile::tempdir().unwrap();
        assert!(Blob::map(&t.path().join("missing")).is_err());
    }
}
