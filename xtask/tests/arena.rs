//! The arena allocator `chart template` and `chart lint` keep (xtask::arena), called
//! directly: this test binary's own allocator is the system's. One test,
//! in steps, because the arena is process-wide and the last step uses it up
//! (after which, as after `arena::stop`, blocks come from mimalloc).

#![cfg(any(target_os = "linux", target_os = "macos"))]

use std::alloc::{GlobalAlloc, Layout};
use xtask::arena::{self, Allocator, ARENA_BYTES, CHUNK_BYTES};

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

/// A block from the arena allocator, filled with `fill`.
fn block(size: usize, align: usize, fill: u8) -> *mut u8 {
    // SAFETY: a valid non-zero layout; the block is written within its size.
    unsafe {
        let p = Allocator.alloc(layout(size, align));
        assert!(!p.is_null());
        assert_eq!(p as usize % align, 0, "misaligned block of {size} at {align}");
        std::ptr::write_bytes(p, fill, size);
        p
    }
}

fn holds(p: *const u8, size: usize, fill: u8) -> bool {
    // SAFETY: `p` is a live block of at least `size` bytes.
    unsafe { std::slice::from_raw_parts(p, size).iter().all(|&b| b == fill) }
}

#[test]
fn the_arena_hands_out_distinct_blocks_reuses_the_last_and_hands_over_to_mimalloc_when_full() {
    // the first allocation maps the arena
    assert!(!arena::in_use());
    let opening = block(64, 8, 1);
    assert!(arena::in_use(), "the arena could not be mapped");

    // small and large blocks, at every alignment, never overlap
    let mut live = Vec::new();
    for (i, size) in [1usize, 7, 24, 100, 4096, 40 << 10, 1 << 20, 3]
        .into_iter()
        .enumerate()
    {
        for align in [1usize, 8, 16, 64, 4096] {
            let fill = (i * 8 + align.trailing_zeros() as usize) as u8;
            live.push((block(size, align, fill), size, align, fill));
        }
    }
    for &(p, size, _, fill) in &live {
        assert!(holds(p, size, fill), "a block of {size} bytes was overwritten");
    }

    // threads allocate side by side without handing a byte out twice
    let handles: Vec<_> = (0..4u8)
        .map(|t| {
            std::thread::spawn(move || {
                let blocks: Vec<(usize, usize)> = (0..20_000usize)
                    .map(|i| {
                        let size = 1 + (i * 37) % 300;
                        (block(size, 8, t + 100) as usize, size)
                    })
                    .collect();
                blocks
                    .iter()
                    .all(|&(p, size)| holds(p as *const u8, size, t + 100))
            })
        })
        .collect();
    for h in handles {
        assert!(
            h.join().unwrap(),
            "a thread's block was overwritten by another thread"
        );
    }

    // SAFETY: every pointer below is a live block of the layout given.
    unsafe {
        // freeing the last block of this thread's chunk gives its room back
        let a = block(40, 8, 7);
        Allocator.dealloc(a, layout(40, 8));
        let b = block(40, 8, 8);
        assert_eq!(a, b, "the last block's room was not reused");

        // the last block grows and shrinks in place, keeping its bytes
        let grown = Allocator.realloc(b, layout(40, 8), 400);
        assert_eq!(grown, b);
        assert!(holds(grown, 40, 8));
        let shrunk = Allocator.realloc(grown, layout(400, 8), 16);
        assert_eq!(shrunk, b);

        // a block that is not the last moves when it grows, with its bytes
        let first = block(100, 8, 9);
        let _after = block(100, 8, 10);
        let moved = Allocator.realloc(first, layout(100, 8), 5000);
        assert_ne!(moved, first);
        assert!(holds(moved, 100, 9));

        // a freed block that is not the last is kept for this thread's next
        // block of a size it holds (and alignment it has), never for a
        // larger one, nor for another thread
        let x = block(64, 8, 14);
        let y = block(64, 8, 15);
        Allocator.dealloc(x, layout(64, 8));
        let z = block(64, 8, 16);
        assert_eq!(z, x, "a freed block was not reused");
        assert!(holds(y, 64, 15) && holds(z, 64, 16));
        Allocator.dealloc(z, layout(64, 8));
        let elsewhere = std::thread::spawn(|| block(64, 8, 17) as usize).join().unwrap();
        assert_ne!(elsewhere, z as usize, "another thread took this thread's block");
        let larger = block(72, 8, 18);
        assert_ne!(larger, z, "a block was handed out for more than it holds");
        if !(z as usize).is_multiple_of(4096) {
            assert_ne!(block(64, 4096, 19), z, "a kept block was handed out misaligned");
        }
        assert_eq!(
            block(60, 4, 20),
            z,
            "a kept block was not reused for a little less"
        );
        // so is a larger block, for a request of its own size or a little less
        let v = block(3000, 8, 24);
        let _pin = block(8, 8, 25);
        Allocator.dealloc(v, layout(3000, 8));
        assert_eq!(block(3070, 8, 26), v, "a freed 3000-byte block was not reused");
        Allocator.dealloc(v, layout(3070, 8));
        assert_ne!(
            block(3100, 8, 27),
            v,
            "a block was handed out for more than it holds"
        );

        // the block a growing block moves from is kept too
        let from = block(200, 8, 21);
        let _pin = block(8, 8, 22);
        let to = Allocator.realloc(from, layout(200, 8), 2000);
        assert_ne!(to, from);
        assert_eq!(block(200, 8, 23), from, "the block moved from was not kept");
        assert!(holds(to, 200, 21));

        // a large block grown while it is the arena's last grows in place
        let big = block(1 << 20, 8, 11);
        let bigger = Allocator.realloc(big, layout(1 << 20, 8), 3 << 20);
        assert_eq!(bigger, big);
        assert!(holds(bigger, 1 << 20, 11));

        let opening = Allocator.realloc(opening, layout(64, 8), 4096);
        assert!(holds(opening, 64, 1));

        // when the arena is used up (large blocks, never touched), allocation
        // goes on with mimalloc, and blocks of both kinds can still be freed
        let chunk = layout(CHUNK_BYTES * 64, 8);
        let mut taken = 0;
        while arena::in_use() {
            let p = Allocator.alloc(chunk);
            assert!(!p.is_null());
            taken += 1;
            assert!(
                taken <= ARENA_BYTES / chunk.size() + 1,
                "the arena never filled up"
            );
            if !arena::in_use() {
                Allocator.dealloc(p, chunk);
            }
        }
        let after = block(256, 16, 12);
        assert!(holds(after, 256, 12));
        Allocator.dealloc(after, layout(256, 16));
        let a = block(64, 8, 13);
        let a = Allocator.realloc(a, layout(64, 8), 4096);
        assert!(holds(a, 64, 13));
        Allocator.dealloc(a, layout(4096, 8));
        Allocator.dealloc(opening, layout(4096, 8));
        for (p, size, align, fill) in live {
            assert!(holds(p, size, fill));
            Allocator.dealloc(p, layout(size, align));
        }
    }
}
