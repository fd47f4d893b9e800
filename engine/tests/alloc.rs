// SPDX-License-Identifier: GPL-2.0

//! No allocation on the hot path: after load, handler calls (including ones that run out
//! of fuel) and `report` allocate nothing. Traps other than fuel allocate one wasmi error
//! box each, which this test pins down too, so a change in either shows.

mod common;

use common::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: Forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: Same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: Same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: Same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread while running `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

const PROBE: &str = r#"(module
    (import "kwasm" "arg" (func $arg (param i32) (result i64)))
    (import "kwasm" "ktime_ns" (func $ktime (result i64)))
    (import "kwasm" "print" (func $print (param i32 i32)))
    (import "kwasm" "read_user_str" (func $rus (param i64 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $n (mut i64) (i64.const 0))
    (func $deep (param i32) (if (local.get 0) (then (call $deep (i32.sub (local.get 0) (i32.const 1))))))
    (func (export "kprobe:counter:pre") (param i64 i32)
        (global.set $n (i64.add (global.get $n) (local.get 0))))
    (func (export "kprobe:hosts:pre")
        (drop (call $arg (i32.const 1)))
        (drop (call $ktime))
        (drop (call $rus (i64.const 0) (i32.const 0) (i32.const 16))))
    (func (export "kprobe:deep:pre") (call $deep (i32.const 200)))
    (func (export "kprobe:spin:pre") (loop br 0))
    (func (export "kprobe:oob:pre") (drop (i32.load (i32.const 70000))))
    (func (export "kprobe:badptr:pre") (call $print (i32.const 70000) (i32.const 1)))
    (func (export "report") (result i32) (i32.const 0)))"#;

#[test]
fn handler_calls_and_report_allocate_nothing_after_load() {
    let mut p = load(PROBE);
    let index = |name: &str| {
        p.attach_points()
            .iter()
            .position(|a| a.symbol() == name)
            .unwrap()
    };
    let (counter, hosts, deep, spin) = (
        index("counter"),
        index("hosts"),
        index("deep"),
        index("spin"),
    );
    let mut c = FakeCtx::default();
    let mut buf = [0u8; 64];
    let n = allocations(|| {
        for _ in 0..100 {
            call(&mut p, counter, &mut c).unwrap();
            call(&mut p, hosts, &mut c).unwrap();
            call(&mut p, deep, &mut c).unwrap();
            // Running out of fuel is the common trap; it must not allocate either.
            assert!(call(&mut p, spin, &mut c).is_err());
            p.report(std::ptr::null_mut(), FUEL, &mut buf).unwrap();
        }
    });
    assert_eq!(n, 0, "allocations in 500 calls after load");
}

#[test]
fn other_traps_allocate_exactly_one_error_each() {
    let mut p = load(PROBE);
    let index = |name: &str| {
        p.attach_points()
            .iter()
            .position(|a| a.symbol() == name)
            .unwrap()
    };
    let (oob, badptr) = (index("oob"), index("badptr"));
    let mut c = FakeCtx::default();
    // The first of each may size internal buffers; count from the second.
    let _ = call(&mut p, oob, &mut c);
    let _ = call(&mut p, badptr, &mut c);
    let n = allocations(|| {
        for _ in 0..10 {
            assert!(call(&mut p, oob, &mut c).is_err());
            assert!(call(&mut p, badptr, &mut c).is_err());
        }
    });
    assert_eq!(n, 20, "one wasmi::Error box per trap");
}
