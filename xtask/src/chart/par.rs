//! Data parallelism for the render pipeline: `map` runs a function over a
//! slice on a few scoped threads and returns the results in input order.
//!
//! Rendering is a handful of independent passes over many files (lexing and
//! parsing templates, decoding rendered documents); on a laptop's cores
//! these passes are most of the wall time. Results keep their order, so the
//! output and the first error reported are the same as a sequential run.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Worker threads to use: the machine's parallelism, at most 8
/// (`ASKY_JOBS` overrides; `ASKY_JOBS=1` runs everything on the caller's thread).
pub fn jobs() -> usize {
    if let Some(n) = std::env::var("ASKY_JOBS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        return n.max(1);
    }
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

/// Input size (bytes of template text) below which a pass runs on the
/// calling thread: starting a thread, with its stack and allocator heap,
/// costs about as much as lexing and parsing this much template text.
pub const MIN_PARALLEL_BYTES: usize = 128 << 10;

/// Whether a pass over `bytes` of input is worth more than one thread.
pub fn worth_threads(bytes: usize) -> bool {
    bytes >= MIN_PARALLEL_BYTES && jobs() > 1
}

/// Template text (bytes) past which decoding the rendered documents beside
/// execution pays for its thread: decoding costs several times more per
/// byte than lexing, so the bar is lower than [`MIN_PARALLEL_BYTES`]
/// (measured on charts/asky, 35 KB of templates: 5% less wall time with it).
pub const MIN_PIPELINE_BYTES: usize = 24 << 10;

/// Whether decoding the output of `bytes` of templates is worth a thread.
pub fn worth_threads_for_decoding(bytes: usize) -> bool {
    bytes >= MIN_PIPELINE_BYTES && jobs() > 1
}

/// Total size (bytes) of the files a chart directory walk lists from which
/// they are read on several threads. Reading is mostly the kernel faulting
/// in fresh pages, which a second thread barely speeds up, but the whole
/// run gains a little: measured on 2 cores (median wall, parallel over
/// sequential reads) 0.95-0.98 for charts of 0.9-6.7 MB (bitnami-redis,
/// argo-rollouts, opentelemetry-kube-stack, kube-prometheus-stack) and
/// 1.00-1.03 for 0.2-0.25 MB (prometheus, grafana), where the thread costs
/// what it saves.
pub const MIN_PARALLEL_READ_BYTES: u64 = 512 << 10;

/// Whether reading files of `bytes` in all is worth more than one thread.
pub fn worth_threads_for_reading(bytes: u64) -> bool {
    bytes >= MIN_PARALLEL_READ_BYTES && jobs() > 1
}

/// `items.iter().map(f).collect()`, spread over up to [`jobs`] threads.
/// Items are handed out one at a time, so uneven sizes balance out.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let n = jobs().min(items.len());
    if n <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..n).map(|_| s.spawn(work)).collect();
        let own = work();
        in_order(items.len(), own, helpers)
    })
}

/// The results of one pass, `(index, result)` pairs from the calling thread
/// (`own`) and from its helper threads, as a vector in index order. A panic
/// in a helper is a bug: it is raised again on this thread.
fn in_order<R>(
    len: usize,
    own: Vec<(usize, R)>,
    helpers: Vec<std::thread::ScopedJoinHandle<'_, Vec<(usize, R)>>>,
) -> Vec<R> {
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(len).collect();
    let mut fill = |done: Vec<(usize, R)>| {
        for (i, r) in done {
            slots[i] = Some(r);
        }
    };
    fill(own);
    for h in helpers {
        match h.join() {
            Ok(done) => fill(done),
            Err(p) => std::panic::resume_unwind(p),
        }
    }
    slots
        .into_iter()
        .map(|r| r.expect("every item is done once"))
        .collect()
}

/// Runs `produce` on the calling thread while up to [`jobs`]` - 1` helper
/// threads apply `consume` to the items it hands out through its `send`
/// argument, as they come; once `produce` returns, the caller joins in on
/// what is left (all of it when `parallel` is false). Returns `produce`'s
/// result and the consumed items in send order. This overlaps a sequential pass (template execution, which shares
/// `Rc` values) with independent per-item work on its output (decoding).
pub fn pipeline<T: Send, R: Send, P>(
    parallel: bool,
    produce: impl FnOnce(&mut dyn FnMut(T)) -> P,
    consume: impl Fn(T) -> R + Sync,
) -> (P, Vec<R>) {
    use std::collections::VecDeque;
    use std::sync::{Condvar, Mutex};

    let helpers = if parallel { jobs().saturating_sub(1) } else { 0 };
    if helpers == 0 {
        let mut items = Vec::new();
        let p = produce(&mut |t| items.push(t));
        return (p, items.into_iter().map(consume).collect());
    }
    struct Queue<T> {
        items: VecDeque<(usize, T)>,
        closed: bool,
        /// helpers waiting for an item (a notification without one is a
        /// system call for nothing)
        waiting: usize,
    }
    let queue = Mutex::new(Queue {
        items: VecDeque::new(),
        closed: false,
        waiting: 0,
    });
    let ready = Condvar::new();
    let lock = || queue.lock().unwrap_or_else(|p| p.into_inner());
    // Takes the next item; waits for one until the queue is closed.
    let take = || -> Option<(usize, T)> {
        let mut q = lock();
        loop {
            if let Some(item) = q.items.pop_front() {
                return Some(item);
            }
            if q.closed {
                return None;
            }
            q.waiting += 1;
            q = ready.wait(q).unwrap_or_else(|p| p.into_inner());
            q.waiting -= 1;
        }
    };
    let work = || {
        let mut done = Vec::new();
        while let Some((i, t)) = take() {
            done.push((i, consume(t)));
        }
        done
    };
    // Closes the queue when dropped, also when `produce` panics: the waiting
    // helpers must end for the scope to end.
    struct Close<'a>(&'a dyn Fn());
    impl Drop for Close<'_> {
        fn drop(&mut self) {
            (self.0)()
        }
    }
    let close = || {
        lock().closed = true;
        ready.notify_all();
    };
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..helpers).map(|_| s.spawn(work)).collect();
        let mut sent = 0;
        let closer = Close(&close);
        let p = produce(&mut |t| {
            let mut q = lock();
            q.items.push_back((sent, t));
            sent += 1;
            if q.waiting > 0 {
                ready.notify_one();
            }
        });
        // the queue is closed now: the caller takes what is left, then stops
        drop(closer);
        let own = work();
        (p, in_order(sent, own, workers))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_maps_every_item() {
        let items: Vec<u64> = (0..1000).collect();
        let out = super::map(&items, |x| x * x);
        assert_eq!(out, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn pipeline_consumes_every_item_in_send_order() {
        let (p, out) = super::pipeline(
            true,
            |send| {
                for i in 0..500u64 {
                    send(i);
                }
                "produced"
            },
            |x| x * 3,
        );
        assert_eq!(p, "produced");
        assert_eq!(out, (0..500u64).map(|x| x * 3).collect::<Vec<_>>());
        let (_, none) = super::pipeline(true, |_send: &mut dyn FnMut(u8)| (), |x| x);
        assert!(none.is_empty());
        let (_, inline) = super::pipeline(false, |send| (0..3u8).for_each(send), |x| x + 1);
        assert_eq!(inline, vec![1, 2, 3]);
    }
}
