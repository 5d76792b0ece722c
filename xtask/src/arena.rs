//! The program's memory allocator: an arena that hands out memory by moving
//! a pointer forward and takes almost none of it back, until the program
//! says it will run for long ([`stop`]); mimalloc from then on.
//!
//! Why: `chart template` makes a few hundred thousand allocations, frees
//! most of them only when it exits, and runs for tens of milliseconds, so
//! what costs is not finding a free block but the kernel clearing fresh
//! pages. A general allocator keeps blocks of each size and each thread
//! apart, and those partly used pages add up (kube-prometheus-stack:
//! 31 MB allocated in all, 17 MB at most in use at once, 51 MB of memory
//! touched with mimalloc alone). The arena touches each page once, in
//! order: what was allocated, no more (docs/decisions.md). `main` keeps it
//! for the commands that render and exit (`chart template`, `chart lint`)
//! and stops it for every other, right after parsing the arguments.
//!
//! How: the arena is one reserved range of address space ([`ARENA_BYTES`]),
//! mapped at the first allocation. Each thread takes chunks of it
//! ([`CHUNK_BYTES`]) and allocates from its own chunk without locks; a
//! larger block comes straight from the range. Freeing the last block of a
//! thread's chunk, or growing or shrinking it, moves that thread's pointer
//! (a string grown by doubling stays in place); any other free is ignored.
//! When the range is used up, allocation goes on with mimalloc, so a
//! template that churns through more memory than any chart needs runs on,
//! with memory given back again. Memory from either side is always freed
//! by the side it came from (by address).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// Address space reserved for the arena; pages are only used once touched.
pub const ARENA_BYTES: usize = 256 << 20;

/// The piece of the arena a thread takes at a time.
pub const CHUNK_BYTES: usize = 256 << 10;

/// Blocks past this size are taken from the arena directly, not from a
/// thread's chunk (a chunk then wastes at most this much at its end).
const DIRECT_BYTES: usize = 32 << 10;

/// Alignment of the arena's start: a transparent huge page.
const HUGE_PAGE: usize = 2 << 20;

/// The allocator installed by `main` (see the module documentation).
pub struct Allocator;

/// Where allocation goes: [`UNSET`] until the first allocation maps the
/// arena, then [`ACTIVE`], and [`OFF`] once stopped or full (or when it
/// cannot be mapped).
static STATE: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = 0;
const MAPPING: u8 = 1;
const ACTIVE: u8 = 2;
const OFF: u8 = 3;
/// The arena's range; both 0 until it is mapped.
static START: AtomicUsize = AtomicUsize::new(0);
static END: AtomicUsize = AtomicUsize::new(0);
/// The first address of the arena not yet handed out.
static NEXT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's chunk: next free address and end (0, 0: none).
    static CHUNK: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// From now on, allocate with mimalloc: for a command that may run long
/// (blocks from the arena stay valid and are freed by address).
pub fn stop() {
    STATE.store(OFF, Ordering::Release);
}

/// Whether new blocks come from the arena.
pub fn in_use() -> bool {
    STATE.load(Ordering::Acquire) == ACTIVE
}

/// Maps the arena at the first allocation (only one thread gets to try;
/// a racing one allocates with mimalloc meanwhile).
fn start() -> bool {
    if STATE
        .compare_exchange(UNSET, MAPPING, Ordering::Acquire, Ordering::Acquire)
        .is_err()
    {
        return in_use();
    }
    match map_arena() {
        Some(start) => {
            NEXT.store(start, Ordering::Relaxed);
            END.store(start + ARENA_BYTES, Ordering::Relaxed);
            START.store(start, Ordering::Relaxed);
            STATE.store(ACTIVE, Ordering::Release);
            true
        }
        None => {
            STATE.store(OFF, Ordering::Release);
            false
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn map_arena() -> Option<usize> {
    None
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
fn map_arena() -> Option<usize> {
    let len = ARENA_BYTES + HUGE_PAGE;
    // SAFETY: a fresh private anonymous mapping, owned by nothing else.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    let start = (p as usize).next_multiple_of(HUGE_PAGE);
    #[cfg(target_os = "linux")]
    // SAFETY: advice on the mapping just made; failure only loses the advice.
    unsafe {
        libc::madvise(start as *mut libc::c_void, ARENA_BYTES, libc::MADV_HUGEPAGE);
    }
    Some(start)
}

fn in_arena(p: usize) -> bool {
    p >= START.load(Ordering::Relaxed) && p < END.load(Ordering::Relaxed)
}

/// `size` bytes at `align` straight from the arena's range, or `None`
/// when the range is used up.
fn take(size: usize, align: usize) -> Option<usize> {
    let mut cur = NEXT.load(Ordering::Relaxed);
    loop {
        let at = cur.checked_next_multiple_of(align)?;
        let end = at.checked_add(size)?;
        if end > END.load(Ordering::Relaxed) {
            return None;
        }
        match NEXT.compare_exchange_weak(cur, end, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Some(at),
            Err(now) => cur = now,
        }
    }
}

/// A block from the arena, or null when it is used up.
fn arena_alloc(layout: Layout) -> *mut u8 {
    let (size, align) = (layout.size().max(1), layout.align());
    if size <= DIRECT_BYTES {
        let (next, end) = CHUNK.get();
        if let Some(at) = next.checked_next_multiple_of(align) {
            if next != 0 && at + size <= end {
                CHUNK.set((at + size, end));
                return at as *mut u8;
            }
        }
        let Some(chunk) = take(CHUNK_BYTES, align.max(64)) else {
            return std::ptr::null_mut();
        };
        CHUNK.set((chunk + size, chunk + CHUNK_BYTES));
        return chunk as *mut u8;
    }
    take(size, align).map_or(std::ptr::null_mut(), |at| at as *mut u8)
}

/// Moves the end of a block of the arena that ends at `old_end` to
/// `new_end` when it is the last block of this thread's chunk or of the
/// whole arena (freeing, shrinking or growing it in place).
fn resize_last(old_end: usize, new_end: usize) -> bool {
    let (next, end) = CHUNK.get();
    if next == old_end && new_end <= end {
        CHUNK.set((new_end, end));
        return true;
    }
    new_end <= END.load(Ordering::Relaxed)
        && NEXT
            .compare_exchange(old_end, new_end, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
}

// SAFETY: every block handed out is `layout.size()` bytes at
// `layout.align()`, from the arena's range (never handed out twice: each
// thread owns its chunk, and the range is split by atomic updates) or from
// mimalloc; a block is given back to mimalloc only if it came from there.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let state = STATE.load(Ordering::Acquire);
        if state == ACTIVE || (state == UNSET && start()) {
            let p = arena_alloc(layout);
            if !p.is_null() {
                return p;
            }
            // used up: mimalloc from here on
            STATE.store(OFF, Ordering::Release);
        }
        // SAFETY: forwarded as received.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let p = ptr as usize;
        if in_arena(p) {
            resize_last(p + layout.size().max(1), p);
            return;
        }
        // SAFETY: a block mimalloc handed out (not from the arena's range).
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = ptr as usize;
        if !in_arena(p) {
            // SAFETY: a block mimalloc handed out, forwarded as received.
            return unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        }
        let old_size = layout.size().max(1);
        if resize_last(p + old_size, p + new_size.max(1)) || new_size <= old_size {
            return ptr;
        }
        // SAFETY: the caller guarantees a valid size for this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are at least `layout.size()` bytes and distinct.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size()) };
        }
        new
    }
}
