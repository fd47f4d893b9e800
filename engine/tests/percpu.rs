// SPDX-License-Identifier: GPL-2.0

//! Per-CPU mode: more instances of one compiled program (`Program::instantiate_again`,
//! `kwasm_engine_instantiate`), each with its own memory, globals and value stack; calls
//! into different instances at once share nothing that takes a lock, and allocate nothing.

mod common;

mod counting;

use common::*;
use kwasm_engine::Program;

/// A counter in memory (an ASCII digit, so `report` shows it) and one in a global, a
/// `start` that counts itself, and a handler that runs out of fuel.
const PROBE: &str = r#"(module
    (memory (export "memory") 1)
    (data (i32.const 0) "0\00")
    (global $n (export "n") (mut i64) (i64.const 0))
    (global $started (mut i32) (i32.const 0))
    (func $start (global.set $started (i32.add (global.get $started) (i32.const 1))))
    (start $start)
    (func (export "kprobe:count:pre")
        (i32.store8 (i32.const 0) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1)))
        (global.set $n (i64.add (global.get $n) (i64.const 1))))
    (func (export "kprobe:spin:pre") (loop br 0))
    (func (export "kprobe:save:pre") (i64.store (i32.const 16) (global.get $n)))
    (func (export "kprobe:started:pre")
        (i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $started))))
    (func (export "report") (result i32) (i32.const 0)))"#;

fn index(p: &Program, symbol: &str) -> usize {
    p.attach_points()
        .iter()
        .position(|a| a.symbol() == symbol)
        .unwrap()
}

#[test]
fn each_instance_keeps_its_own_memory_and_globals() {
    let mut a = load(PROBE);
    let mut b = a.instantiate_again(start_ctx()).unwrap();
    let mut c = FakeCtx::default();
    let count = index(&a, "count");
    for _ in 0..3 {
        call(&mut a, count, &mut c).unwrap();
    }
    for _ in 0..5 {
        call(&mut b, count, &mut c).unwrap();
    }
    assert_eq!(report(&mut a).unwrap(), "3");
    assert_eq!(report(&mut b).unwrap(), "5");
    // A third instance starts from the module's initial state, not from a copy of another.
    let mut d = b.instantiate_again(start_ctx()).unwrap();
    assert_eq!(report(&mut d).unwrap(), "0");
    // It outlives the instance it was made from.
    drop(a);
    drop(b);
    call(&mut d, count, &mut c).unwrap();
    assert_eq!(report(&mut d).unwrap(), "1");
}

#[test]
fn every_instance_runs_start_once() {
    let mut a = load(PROBE);
    let mut b = a.instantiate_again(start_ctx()).unwrap();
    let mut c = FakeCtx::default();
    let started = index(&a, "started");
    call(&mut a, started, &mut c).unwrap();
    call(&mut b, started, &mut c).unwrap();
    assert_eq!(report(&mut a).unwrap(), "1");
    assert_eq!(report(&mut b).unwrap(), "1");
}

#[test]
fn instances_share_the_attach_points_and_sizes() {
    let a = load(PROBE);
    let b = a.instantiate_again(start_ctx()).unwrap();
    let names = |p: &Program| -> Vec<String> {
        p.attach_points()
            .iter()
            .map(|ap| ap.export().to_string())
            .collect()
    };
    assert_eq!(names(&a), names(&b));
    assert_eq!(
        (a.code_bytes(), a.memory_bytes()),
        (b.code_bytes(), b.memory_bytes())
    );
    assert!(b.has_report());
}

#[test]
fn calls_that_run_out_of_fuel_in_turn_allocate_nothing() {
    // Each instance lends its value stack to a call that runs out of fuel. Given back to
    // the engine's cache of one stack, the second would be freed and the next call would
    // allocate a new one: in the kernel, a free and an allocation in a kprobe handler.
    let mut a = load(PROBE);
    let mut b = a.instantiate_again(start_ctx()).unwrap();
    let mut c = FakeCtx::default();
    let (count, spin) = (index(&a, "count"), index(&a, "spin"));
    let n = counting::allocator_calls_of(|| {
        for _ in 0..10 {
            assert!(call(&mut a, spin, &mut c).is_err());
            assert!(call(&mut b, spin, &mut c).is_err());
            call(&mut a, count, &mut c).unwrap();
            call(&mut b, count, &mut c).unwrap();
        }
    })
    .0;
    assert_eq!(
        n,
        (0, 0),
        "allocations and frees in 40 calls on two instances"
    );
}

/// An instance handed to another thread, as each CPU runs its own in the kernel.
struct OnCpu(Program);

// SAFETY: Each `OnCpu` is used by one thread at a time, as the kernel uses a per-CPU
// instance only on its CPU; the contexts it holds between calls are null.
unsafe impl Send for OnCpu {}

#[test]
fn instances_run_at_once_on_two_threads_with_exact_counts() {
    const CALLS: usize = 20_000;
    let a = load(PROBE);
    let b = a.instantiate_again(start_ctx()).unwrap();
    let (count, spin) = (index(&a, "count"), index(&a, "spin"));
    let run = |mut p: OnCpu| {
        std::thread::spawn(move || {
            let mut c = FakeCtx::default();
            for i in 0..CALLS {
                call(&mut p.0, count, &mut c).unwrap();
                // Out of fuel now and then: the path that used to touch the engine's
                // shared stack cache.
                if i % 100 == 0 {
                    assert!(call(&mut p.0, spin, &mut c).is_err());
                }
            }
            p
        })
    };
    let (ta, tb) = (run(OnCpu(a)), run(OnCpu(b)));
    for t in [ta, tb] {
        let mut p = t.join().unwrap().0;
        // The global counted every call on this instance, and only those.
        let save = index(&p, "save");
        call(&mut p, save, &mut FakeCtx::default()).unwrap();
        let n = i64::from_le_bytes(p.memory()[16..24].try_into().unwrap());
        assert_eq!(n, CALLS as i64);
    }
}
