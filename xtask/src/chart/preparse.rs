//! Templates parsed while the chart is still loading.
//!
//! Lexing and parsing the templates is the largest part of rendering a
//! large chart, and loading one (walking the directory, reading, unpacking
//! the packed subcharts, parsing each `values.yaml`) leaves a core idle for
//! much of its time. The loader hands each chart's templates on as soon as
//! it has sorted that chart's files ([`super::load::load_offering`]); a
//! [`Preparse`] queues them and, once enough text was offered to pay for a
//! thread, parses them on a thread of its own ([`Preparse::work`]). The
//! renderer then takes the trees ([`Preparse::finish`]): it helps with what
//! is still queued and parses what was never offered.
//!
//! Parsing a file does not depend on anything but its text (trees are
//! parsed under a provisional name and renamed when rendered), so a tree
//! parsed early is the tree the renderer would have parsed; a tree nobody
//! asks for (a disabled subchart's) is dropped with the `Preparse`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::archive::BufferedFile;
use super::blob::{Blob, SharedText};
use super::par;
use super::template::parse::{parse_text, ParseError, Parsed};
use super::template::Registry;

/// A file's parse: its trees or its error.
pub type Outcome = Result<Parsed, ParseError>;

/// Parses a template file as the renderer does, under a provisional name
/// (trees are renamed when rendered): the one parse both the worker and
/// the renderer use, so a tree parsed early is the tree parsed late.
pub fn parse_file(data: &Arc<Blob>, registry: &Registry) -> Outcome {
    parse_text("", SharedText::of_file(data), &|n| registry.contains(n))
}

/// Template files offered while loading, and their parses (see the module
/// documentation).
pub struct Preparse {
    state: Mutex<State>,
    /// signalled when a file is queued, a parse ends or the queue closes
    changed: Condvar,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Arc<Blob>>,
    /// parses under way on worker threads
    parsing: usize,
    /// threads waiting for a change (a notification without one is a
    /// system call for nothing)
    waiting: usize,
    /// no more offers; workers stop once the queue is empty
    closed: bool,
    offered_bytes: usize,
    /// whether a worker was asked for
    started: bool,
    /// by blob address; the blob is kept so that its address is not reused
    done: HashMap<usize, (Arc<Blob>, Outcome)>,
}

fn key(blob: &Arc<Blob>) -> usize {
    Arc::as_ptr(blob) as usize
}

impl Default for Preparse {
    fn default() -> Self {
        Preparse::new()
    }
}

impl fmt::Debug for Preparse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Preparse")
            .field("queued", &st.queue.len())
            .field("parsed", &st.done.len())
            .field("started", &st.started)
            .finish()
    }
}

impl Preparse {
    pub fn new() -> Preparse {
        Preparse {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `files` for parsing. Returns true once, when the text offered
    /// so far first makes a thread worth it ([`par::worth_threads`]): the
    /// caller then starts one thread running [`Preparse::work`]. Offers
    /// after [`Preparse::close`] are ignored.
    pub fn offer(&self, files: &[BufferedFile]) -> bool {
        let mut st = self.lock();
        if st.closed || files.is_empty() {
            return false;
        }
        st.queue.extend(files.iter().map(|f| f.data.clone()));
        st.offered_bytes += files.iter().map(|f| f.data.len()).sum::<usize>();
        self.notify(&st);
        if !st.started && par::worth_threads(st.offered_bytes) {
            st.started = true;
            return true;
        }
        false
    }

    /// Whether [`Preparse::offer`] asked for a worker.
    pub fn started(&self) -> bool {
        self.lock().started
    }

    /// Takes no more offers; workers end once the queue is empty.
    pub fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        self.notify(&st);
    }

    /// Wakes the waiting threads, if any, after a change to `st`.
    fn notify(&self, st: &State) {
        if st.waiting > 0 {
            self.changed.notify_all();
        }
    }

    /// Waits for a change to `st`.
    fn wait<'s>(&'s self, mut st: MutexGuard<'s, State>) -> MutexGuard<'s, State> {
        st.waiting += 1;
        let mut st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
        st.waiting -= 1;
        st
    }

    /// A worker thread's body: parses queued files as they come, until the
    /// queue is closed and empty.
    pub fn work(&self) {
        let registry = super::render::helm_registry();
        while let Some(blob) = self.take(true) {
            // counts the parse as ended even if it panics, so that `finish`
            // does not wait for it (it parses the file again)
            struct Ended<'a>(&'a Preparse);
            impl Drop for Ended<'_> {
                fn drop(&mut self) {
                    let mut st = self.0.lock();
                    st.parsing -= 1;
                    self.0.notify(&st);
                }
            }
            let ended = Ended(self);
            let outcome = parse_file(&blob, &registry);
            self.lock().done.insert(key(&blob), (blob, outcome));
            drop(ended);
        }
    }

    /// The next queued file, counted as being parsed; waiting for one while
    /// the queue is open if `wait`.
    fn take(&self, wait: bool) -> Option<Arc<Blob>> {
        let mut st = self.lock();
        loop {
            if let Some(b) = st.queue.pop_front() {
                st.parsing += 1;
                return Some(b);
            }
            if st.closed || !wait {
                return None;
            }
            st = self.wait(st);
        }
    }

    /// The parse of each of `files`, in order: closes the queue, parses
    /// what is still queued beside the worker, waits for the worker's last
    /// file, and parses every file that was not offered (on several
    /// threads when worth it); `registry` is the renderer's.
    pub fn finish(&self, files: &[&BufferedFile], registry: &Registry) -> Vec<Outcome> {
        self.close();
        while let Some(blob) = self.take(false) {
            let outcome = parse_file(&blob, registry);
            let mut st = self.lock();
            st.parsing -= 1;
            st.done.insert(key(&blob), (blob, outcome));
        }
        let mut done = {
            let mut st = self.lock();
            while st.parsing > 0 {
                st = self.wait(st);
            }
            std::mem::take(&mut st.done)
        };
        let mut slots: Vec<Option<Outcome>> = files
            .iter()
            .map(|f| done.remove(&key(&f.data)).map(|(_, o)| o))
            .collect();
        let missing: Vec<usize> = (0..files.len()).filter(|&i| slots[i].is_none()).collect();
        let missing_bytes = missing.iter().map(|&i| files[i].data.len()).sum();
        let parse_at = |&i: &usize| parse_file(&files[i].data, registry);
        let parsed = if par::worth_threads(missing_bytes) {
            par::map(&missing, parse_at)
        } else {
            missing.iter().map(parse_at).collect()
        };
        for (i, outcome) in missing.into_iter().zip(parsed) {
            slots[i] = Some(outcome);
        }
        slots
            .into_iter()
            .map(|o| o.expect("every file is parsed once"))
            .collect()
    }
}

/// Closes a [`Preparse`] when dropped: on every path out of the scope that
/// runs its worker, also an early error or a panic, the worker must end.
pub struct CloseOnDrop<'a>(pub &'a Preparse);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> BufferedFile {
        BufferedFile::new(name.to_string(), text.as_bytes().to_vec())
    }

    /// What parsing the file directly gives, as text (trees have no `Eq`).
    fn direct(f: &BufferedFile) -> String {
        let registry = crate::chart::render::helm_registry();
        format!(
            "{:?}",
            parse_text("", SharedText::of_file(&f.data), &|n| registry.contains(n))
        )
    }

    #[test]
    fn offered_and_unoffered_files_come_back_in_order_as_parsed_directly() {
        let big = format!(
            "{{{{/* {} */}}}}{{{{ .Values.a | quote }}}}",
            "x".repeat(par::MIN_PARALLEL_BYTES)
        );
        let offered = vec![
            file("templates/big.yaml", &big),
            file("templates/_h.tpl", "{{ define \"h\" }}{{ .x }}{{ end }}"),
            file("templates/bad.yaml", "{{ nosuchfunc }}"),
        ];
        let others = [
            file("templates/late.yaml", "{{ if .a }}{{ end }}"),
            file("templates/unclosed.yaml", "{{ if"),
        ];
        let registry = crate::chart::render::helm_registry();
        let pre = Preparse::new();
        std::thread::scope(|s| {
            let _closed = CloseOnDrop(&pre);
            // the first offer is below the threshold, the second passes it
            assert!(!pre.offer(&offered[1..]));
            // (one core, or ASKY_JOBS=1: no worker; finish parses it all)
            let threads = par::jobs() > 1;
            assert_eq!(pre.offer(&offered[..1]), threads);
            assert_eq!(pre.started(), threads);
            if threads {
                s.spawn(|| pre.work());
            }
            assert!(!pre.offer(&[]), "a worker is asked for once");
            let files: Vec<&BufferedFile> =
                [&others[0], &offered[0], &offered[2], &offered[1], &others[1]].into();
            let got: Vec<String> = pre
                .finish(&files, &registry)
                .iter()
                .map(|o| format!("{o:?}"))
                .collect();
            let want: Vec<String> = files.iter().map(|f| direct(f)).collect();
            assert_eq!(got, want);
            assert!(
                got[2].contains("function \\\"nosuchfunc\\\" not defined"),
                "{}",
                got[2]
            );
            // after finish the queue is closed: later offers are dropped
            assert!(!pre.offer(&offered));
            assert_eq!(pre.lock().queue.len(), 0);
        });
    }

    #[test]
    fn finish_without_a_worker_parses_everything_itself() {
        let registry = crate::chart::render::helm_registry();
        let pre = Preparse::new();
        let files = [file("a.yaml", "{{ .a }}"), file("b.yaml", "{{ end }}")];
        assert!(!pre.offer(&files[..1]));
        let refs: Vec<&BufferedFile> = files.iter().collect();
        let got: Vec<String> = pre
            .finish(&refs, &registry)
            .iter()
            .map(|o| format!("{o:?}"))
            .collect();
        assert_eq!(got, refs.iter().map(|f| direct(f)).collect::<Vec<_>>());
        // a file listed twice is parsed for each listing
        let twice = [&files[0], &files[0]];
        assert_eq!(pre.finish(&twice, &registry).len(), 2);
    }

    #[test]
    fn a_worker_ends_when_the_queue_closes_with_nothing_left() {
        let pre = Preparse::new();
        std::thread::scope(|s| {
            let worker = s.spawn(|| pre.work());
            pre.close();
            worker.join().unwrap();
        });
        assert!(format!("{pre:?}").contains("queued: 0"));
    }
}
