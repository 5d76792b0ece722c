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
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..n).map(|_| s.spawn(work)).collect();
        for (i, r) in work() {
            slots[i] = Some(r);
        }
        for h in helpers {
            // a panic in a worker is a bug: re-raise it on this thread
            match h.join() {
                Ok(done) => {
                    for (i, r) in done {
                        slots[i] = Some(r);
                    }
                }
                Err(p) => std::panic::resume_unwind(p),
            }
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every item is mapped once"))
        .collect()
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
}
