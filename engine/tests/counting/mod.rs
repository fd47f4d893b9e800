// SPDX-License-Identifier: GPL-2.0

//! A global allocator that counts allocations and frees per thread, so a test or fuzz
//! target can check that a call into a program leaves the allocator alone (the kernel
//! runs calls where it must not be entered). Shared by `engine/tests/alloc.rs` and the
//! fuzz targets (`engine/fuzz/fuzz_targets/common.rs`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static FREES: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: Forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: Same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREES.with(|c| c.set(c.get() + 1));
        // SAFETY: Same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        FREES.with(|c| c.set(c.get() + 1));
        // SAFETY: Same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and frees made on this thread while running `f`, and what it returned.
pub fn allocator_calls_of<T>(f: impl FnOnce() -> T) -> ((usize, usize), T) {
    let before = (ALLOCS.with(Cell::get), FREES.with(Cell::get));
    let result = f();
    let after = (ALLOCS.with(Cell::get), FREES.with(Cell::get));
    ((after.0 - before.0, after.1 - before.1), result)
}
