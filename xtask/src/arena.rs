//! The program's memory allocator: an arena that hands out memory by moving
//! a pointer forward and reuses freed blocks only on the thread that freed
//! them, until the program says it will run for long ([`stop`]); mimalloc
//! from then on.
//!
//! Why: `chart template` makes a few hundred thousand allocations, frees
//! most of them only when it exits, and runs for tens of milliseconds, so
//! what costs is not finding a free block but the kernel clearing fresh
//! pages. A general allocator keeps blocks of each size and each thread
//! apart, and those partly used pages add up (kube-prometheus-stack:
//! 31 MB allocated in all, 17 MB at most in use at once, 51 MB of memory
//! touched with mimalloc alone). The arena touches pages in order, and
//! only as far as what was allocated and not reused (docs/decisions.md). `main` keeps it
//! for the commands that render and exit (`chart template`, `chart lint`)
//! and stops it for every other, right after parsing the arguments.
//!
//! How: the arena is one reserved range of address space ([`ARENA_BYTES`]),
//! mapped at the first allocation. Each thread takes chunks of it
//! ([`CHUNK_BYTES`]) and allocates from its own chunk without locks; a
//! larger block comes straight from the range. Freeing the last block of a
//! thread's chunk, or growing or shrinking it, moves that thread's pointer
//! (a string grown by doubling stays in place); any other freed block goes
//! on a list of the freeing thread's, by size, and that thread's next block
//! of a size it holds is taken from it (memory already touched, and likely
//! still in cache: the blocks a vector leaves behind as it grows serve the
//! next vectors that grow).
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

/// Freed blocks are kept for reuse, each by the thread that frees it, in
/// lists by size: by 8-byte steps up to this size; above it, blocks are
/// handed out in sizes of four steps per power of two (a quarter of the
/// power below: 1280, 1536, 1792, 2048, 2560, …), so that a block freed
/// serves the next request of its size.
const FINE_BYTES: usize = 1024;

/// List `k` up to here holds blocks freed with `8k` to `8k + 7` bytes.
const FINE_LISTS: usize = FINE_BYTES / 8 + 1;

/// Powers of two with lists of their own above [`FINE_BYTES`] (up to 2^40
/// bytes; larger blocks are not kept).
const COARSE_POWERS: usize = 30;

const KEPT_LISTS: usize = FINE_LISTS + 4 * COARSE_POWERS;

thread_local! {
    /// This thread's chunk: next free address and end (0, 0: none).
    static CHUNK: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// The first block of each list of this thread's kept blocks (0: none);
    /// each block holds the address of the next in its first 8 bytes.
    static KEPT: [Cell<usize>; KEPT_LISTS] = const { [const { Cell::new(0) }; KEPT_LISTS] };
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

/// A request of `size` bytes above [`FINE_BYTES`]: the size of block it gets
/// (`size` rounded up to its step) and the list of such blocks, if kept.
fn coarse(size: usize) -> (usize, Option<usize>) {
    let e = (usize::BITS - 1 - (size - 1).leading_zeros()) as usize; // 2^e < size <= 2^(e+1)
    let step = 1 << (e - 2);
    let steps = (size - 1) / step + 1; // 5 to 8
    let list = FINE_LISTS + (e - 10) * 4 + (steps - 5);
    (steps * step, (e - 10 < COARSE_POWERS).then_some(list))
}

/// The size of the block a request of `size` bytes gets (see [`FINE_BYTES`]).
fn block_size(size: usize) -> usize {
    if size <= FINE_BYTES {
        size.max(1)
    } else {
        coarse(size).0
    }
}

/// The list for a block freed with `size` bytes, if it is kept: every
/// block on a list holds the size [`list_for`] asks of it.
fn list_of_freed(size: usize) -> Option<usize> {
    match size {
        0..8 => None,
        8..=FINE_BYTES => Some(size / 8),
        _ => coarse(size).1,
    }
}

/// The list whose every block holds `size` bytes, if there is one.
fn list_for(size: usize) -> Option<usize> {
    if size <= FINE_BYTES {
        Some(size.max(1).div_ceil(8))
    } else {
        coarse(size).1
    }
}

/// Keeps the freed arena block at `p`, of `size` bytes, for reuse by this
/// thread (blocks too small to hold a link are not kept).
fn keep(p: usize, size: usize) {
    let Some(k) = list_of_freed(size) else {
        return;
    };
    KEPT.with(|lists| {
        let list = &lists[k];
        // SAFETY: the block is freed (no one else uses it) and has at least
        // 8 bytes; it may be unaligned.
        unsafe { (p as *mut usize).write_unaligned(list.get()) };
        list.set(p);
    });
}

/// The first block of this thread's list of blocks that hold `size` bytes,
/// if it is aligned to `align`.
fn reuse(size: usize, align: usize) -> Option<usize> {
    let k = list_for(size)?;
    KEPT.with(|lists| {
        let list = &lists[k];
        let p = list.get();
        if p == 0 || p % align != 0 {
            return None;
        }
        // SAFETY: `p` is a kept block: its first 8 bytes link to the next.
        list.set(unsafe { (p as *const usize).read_unaligned() });
        Some(p)
    })
}

/// A block from the arena, or null when it is used up.
fn arena_alloc(layout: Layout) -> *mut u8 {
    if let Some(p) = reuse(layout.size(), layout.align()) {
        return p as *mut u8;
    }
    let (size, align) = (block_size(layout.size()), layout.align());
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
    // (a plain load first: most blocks freed are not the range's last, and
    // a failed compare-exchange still takes the cache line from the others)
    new_end <= END.load(Ordering::Relaxed)
        && NEXT.load(Ordering::Relaxed) == old_end
        && NEXT
            .compare_exchange(old_end, new_end, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
}

// SAFETY: every block handed out is `layout.size()` bytes at
// `layout.align()`, from the arena's range (never handed out twice: each
// thread owns its chunk, and the range is split by atomic updates; a freed
// block is either given back to the end of a chunk or put on one list of
// the freeing thread's, never both, and is taken off that list once, for a
// size no larger than the size it was freed with, checked for alignment)
// or from mimalloc; a block is given back to mimalloc only if it came from
// there.
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
            if !resize_last(p + block_size(layout.size()), p) {
                keep(p, layout.size());
            }
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
        let old_end = p + block_size(layout.size());
        if resize_last(old_end, p + block_size(new_size)) || new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the caller guarantees a valid size for this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are at least `layout.size()` bytes and distinct.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size()) };
            // SAFETY: the old block is the caller's, given up by this call.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_lists_agree() {
        // a block freed with a size is on a list that a request of that size
        // (and of any size its block holds) reads, and every block on the
        // list a request reads holds the request
        for size in 1..(1 << 20) {
            let block = block_size(size);
            assert!(block >= size && block <= size + size / 4 + 1, "{size} -> {block}");
            if let Some(k) = list_of_freed(size) {
                let least = if size <= FINE_BYTES { size / 8 * 8 } else { block };
                assert_eq!(list_for(least), Some(k), "freed {size}, list {k}");
                if size > FINE_BYTES {
                    assert_eq!(list_for(size), Some(k), "a request of {size} misses its own list");
                }
            }
            let k = list_for(size).unwrap();
            for freed in [size, block, block_size(size + 1), size.saturating_sub(8)] {
                if list_of_freed(freed) == Some(k) {
                    assert!(
                        block_size(freed).max(freed) >= size,
                        "freed {freed} serves {size}"
                    );
                }
            }
        }
        assert_eq!(block_size(1025), 1280);
        assert_eq!(block_size(3072), 3072);
        assert_eq!(block_size(3073), 3584);
        assert_eq!(list_of_freed(7), None);
    }
}
