// SPDX-License-Identifier: GPL-2.0

//! No allocator call on the hot path: after load, handler calls (including ones that run
//! out of fuel, and ones that drop element and data segments) and `report` neither
//! allocate nor free. Traps other than fuel allocate and free one wasmi error box each
//! (the kernel serves it from a per-CPU pool), which this test pins down too, so a change
//! in either shows.

mod common;

mod counting;

use common::*;
use kwasm_engine::Program;

/// Allocations and frees made on this thread while running `f`.
fn allocator_calls(f: impl FnOnce()) -> (usize, usize) {
    counting::allocator_calls_of(f).0
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
    (table 4 funcref)
    (elem $big func $deep $deep $deep $deep $deep $deep $deep $deep $deep $deep $deep $deep)
    (data $bytes "a passive data segment")
    (func (export "kprobe:drops:pre")
        (table.init $big (i32.const 0) (i32.const 0) (i32.const 4))
        (memory.init $bytes (i32.const 100) (i32.const 0) (i32.const 8))
        (elem.drop $big)
        (data.drop $bytes))
    (func (export "report") (result i32)
        (elem.drop $big)
        (data.drop $bytes)
        (i32.const 0)))"#;

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
    let n = allocator_calls(|| {
        for _ in 0..100 {
            call(&mut p, counter, &mut c).unwrap();
            call(&mut p, hosts, &mut c).unwrap();
            call(&mut p, deep, &mut c).unwrap();
            // Running out of fuel is the common trap; it must not allocate either.
            assert!(call(&mut p, spin, &mut c).is_err());
            p.report(std::ptr::null_mut(), FUEL, &mut buf).unwrap();
        }
    });
    assert_eq!(n, (0, 0), "allocations and frees in 500 calls after load");
}

#[test]
fn dropping_segments_in_a_handler_or_report_frees_nothing() {
    // elem.drop and data.drop free what the store allocated at load: in the kernel that
    // was a vfree() in a kprobe handler (NMI context), a panic.
    let drops = |p: &Program| {
        p.attach_points()
            .iter()
            .position(|a| a.symbol() == "drops")
            .unwrap()
    };
    let mut c = FakeCtx::default();
    let mut buf = [0u8; 64];
    let mut p = load(PROBE);
    let i = drops(&p);
    let n = allocator_calls(|| {
        call(&mut p, i, &mut c).unwrap();
        // Dropped segments stay dropped: a second init traps (out of bounds), and that
        // trap's one error box is the only allocator use.
        assert!(call(&mut p, i, &mut c).is_err());
    });
    assert_eq!(
        n,
        (1, 1),
        "a handler's drops free nothing; its later trap one box"
    );
    let mut p = load(PROBE);
    let n = allocator_calls(|| {
        p.report(std::ptr::null_mut(), FUEL, &mut buf).unwrap();
        p.report(std::ptr::null_mut(), FUEL, &mut buf).unwrap();
    });
    assert_eq!(n, (0, 0), "report's drops free nothing");
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
    let n = allocator_calls(|| {
        for _ in 0..10 {
            assert!(call(&mut p, oob, &mut c).is_err());
            assert!(call(&mut p, badptr, &mut c).is_err());
        }
    });
    assert_eq!(
        n,
        (20, 20),
        "one wasmi::Error box per trap, freed before the call returns"
    );
}

/// A module with a `start` function: running it is the program store's first call, which
/// takes the engine's cached stack as the store's resident one. Load warms that stack up
/// before the store exists, so a handler as deep as the call depth limit allows (256)
/// grows nothing afterwards, not even on its first call.
const STARTED: &str = r#"(module
    (global $n (mut i32) (i32.const 0))
    (func $start (global.set $n (i32.const 1)))
    (start $start)
    (func $deep (param i32) (if (local.get 0) (then (call $deep (i32.sub (local.get 0) (i32.const 1))))))
    (func (export "kprobe:deep:pre") (call $deep (i32.const 250)))
    (func (export "kprobe:counter:pre") (global.set $n (i32.add (global.get $n) (i32.const 1)))))"#;

#[test]
fn a_module_with_a_start_function_gets_a_warm_stack() {
    let mut p = load(STARTED);
    let index = |name: &str| {
        p.attach_points()
            .iter()
            .position(|a| a.symbol() == name)
            .unwrap()
    };
    let (deep, counter) = (index("deep"), index("counter"));
    let mut c = FakeCtx::default();
    let n = allocator_calls(|| {
        for _ in 0..100 {
            call(&mut p, deep, &mut c).unwrap();
            call(&mut p, counter, &mut c).unwrap();
        }
    });
    assert_eq!(n, (0, 0), "allocations and frees in 200 calls after load");
}
