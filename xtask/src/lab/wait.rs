//! Deadlines and backoff for every wait of the lab.

use std::time::{Duration, Instant};

/// Exponential backoff: `initial`, doubling, capped at `max`; never sleeps
/// past the deadline.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        // ASKY_LAB_POLL_MS shortens the first interval (tests, fast machines).
        let initial = std::env::var("ASKY_LAB_POLL_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_millis(500));
        Backoff {
            initial,
            max: Duration::from_secs(10).max(initial),
        }
    }
}

/// Why a wait ended without success.
#[derive(Debug)]
pub enum WaitError<E> {
    /// The deadline passed; the last attempt's error.
    Deadline { attempts: u32, last: Option<E> },
    /// The attempt said stop (an error that retrying cannot fix).
    Fatal(E),
    /// Ctrl-C/SIGTERM.
    Interrupted,
}

/// What one attempt says.
pub enum Attempt<T, E> {
    Done(T),
    Retry(E),
    Fatal(E),
}

/// Calls `f` until it returns `Done`, with backoff, until `deadline`.
/// `f` receives the time left so it can bound its own work.
pub fn until<T, E>(
    deadline: Instant,
    backoff: Backoff,
    mut f: impl FnMut(Duration) -> Attempt<T, E>,
) -> Result<(T, u32), WaitError<E>> {
    let mut delay = backoff.initial;
    let mut attempts = 0;
    let mut last = None;
    loop {
        if crate::tools::interrupted() {
            return Err(WaitError::Interrupted);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::Deadline { attempts, last });
        }
        attempts += 1;
        match f(deadline - now) {
            Attempt::Done(v) => return Ok((v, attempts)),
            Attempt::Fatal(e) => return Err(WaitError::Fatal(e)),
            Attempt::Retry(e) => last = Some(e),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::Deadline { attempts, last });
        }
        sleep_interruptibly((deadline - now).min(delay));
        delay = (delay * 2).min(backoff.max);
    }
}

/// Sleeps in small slices so Ctrl-C is noticed quickly.
pub fn sleep_interruptibly(d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end && !crate::tools::interrupted() {
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_then_succeeds() {
        let b = Backoff {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
        };
        let mut n = 0;
        let r: Result<(u32, u32), WaitError<String>> =
            until(Instant::now() + Duration::from_secs(5), b, |_| {
                n += 1;
                if n < 4 {
                    Attempt::Retry(format!("try {n}"))
                } else {
                    Attempt::Done(n)
                }
            });
        assert_eq!(r.unwrap(), (4, 4));
    }

    #[test]
    fn stops_at_deadline_with_last_error() {
        let b = Backoff {
            initial: Duration::from_millis(5),
            max: Duration::from_millis(20),
        };
        let t0 = Instant::now();
        let r: Result<((), u32), WaitError<&str>> =
            until(Instant::now() + Duration::from_millis(120), b, |_| {
                Attempt::Retry("nope")
            });
        match r {
            Err(WaitError::Deadline { attempts, last }) => {
                assert!(attempts >= 3, "{attempts}");
                assert_eq!(last, Some("nope"));
            }
            _ => panic!("expected deadline"),
        }
        assert!(t0.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn fatal_stops_at_once() {
        let r: Result<((), u32), WaitError<&str>> = until(
            Instant::now() + Duration::from_secs(5),
            Backoff::default(),
            |_| Attempt::Fatal("bad"),
        );
        assert!(matches!(r, Err(WaitError::Fatal("bad"))));
    }
}
