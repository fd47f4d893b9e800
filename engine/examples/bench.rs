// SPDX-License-Identifier: GPL-2.0

//! The engine alone on the host (`make bench`): handler workloads through the engine's
//! API against the same work in native Rust, measured side by side in one run. Built
//! with the kernel build's profile (opt-level "s", LTO, portable dispatch).

use kwasm_engine::{HostOps, Limits, Program};
use std::ffi::c_void;
use std::hint::black_box;
use std::time::Instant;

unsafe extern "C" fn arg(_: *mut c_void, n: u32, v: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `v`.
    unsafe { *v = u64::from(n) + 1000 };
    0
}
unsafe extern "C" fn ret(_: *mut c_void, v: *mut u64) -> i32 {
    // SAFETY: As above.
    unsafe { *v = 0 };
    0
}
unsafe extern "C" fn read(_: *mut c_void, _: u32, _: *mut u8, _: u64, _: u32) -> i32 {
    0
}
unsafe extern "C" fn ktime(_: *mut c_void) -> u64 {
    std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos() as u64)
}
unsafe extern "C" fn task(_: *mut c_void, _: u32) -> i32 {
    1
}
unsafe extern "C" fn comm(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn print(_: *mut c_void, _: *const u8, _: u32) {}

static OPS: HostOps = HostOps { arg, ret, syscall_arg: arg, read, ktime_ns: ktime, task, comm, print };

const WAT: &str = r#"(module
    (import "kwasm" "ktime_ns" (func $ktime (result i64)))
    (memory (export "memory") 1)
    (global $n (mut i64) (i64.const 0))
    (func (export "kprobe:empty:pre"))
    (func (export "kprobe:counter:pre") (global.set $n (i64.add (global.get $n) (i64.const 1))))
    (func (export "kprobe:hist:pre") (local $b i32)
        (local.set $b (i32.sub (i32.const 64) (i32.wrap_i64 (i64.clz (call $ktime)))))
        (i64.store (i32.shl (local.get $b) (i32.const 3))
            (i64.add (i64.load (i32.shl (local.get $b) (i32.const 3))) (i64.const 1))))
    (func (export "kprobe:loop:pre") (local $i i32) (local $acc i64)
        (loop $l
            (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
        (global.set $n (local.get $acc)))
    (func (export "report") (result i32) (local $i i32)
        (loop $l
            (i32.store8 (i32.add (i32.const 1024) (local.get $i))
                (i32.add (i32.const 97) (i32.rem_u (local.get $i) (i32.const 26))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1024))))
        (i32.store8 (i32.const 2048) (i32.const 0))
        (i32.const 1024)))"#;

/// Nanoseconds per iteration of `f`, the median of 7 rounds.
fn ns_per(iters: u32, mut f: impl FnMut()) -> f64 {
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[3]
}

fn main() {
    let code = wat::parse_str(WAT).unwrap();
    let mut p = Program::load(&code, &Limits::default(), &OPS).unwrap();
    let idx = |name: &str| p.attach_points().iter().position(|a| a.symbol() == name).unwrap();
    let (empty, counter, hist, lp) = (idx("empty"), idx("counter"), idx("hist"), idx("loop"));
    let params = [0u64; 6];
    let fuel = 100_000;

    let mut n = 0u64;
    let mut slots = [0u64; 65];
    let mut out = [0u8; 4096];
    let rows: Vec<(&str, f64, f64)> = vec![
        (
            "empty handler",
            ns_per(200_000, || p.call(empty, std::ptr::null_mut(), &params, 0, fuel).unwrap()),
            ns_per(200_000, || black_box(())),
        ),
        (
            "counter",
            ns_per(200_000, || p.call(counter, std::ptr::null_mut(), &params, 0, fuel).unwrap()),
            ns_per(200_000, || n = black_box(n) + 1),
        ),
        (
            "ktime + log2 bucket",
            ns_per(200_000, || p.call(hist, std::ptr::null_mut(), &params, 0, fuel).unwrap()),
            ns_per(200_000, || {
                // SAFETY: The same callback the engine calls.
                let t = unsafe { ktime(std::ptr::null_mut()) };
                slots[(64 - t.leading_zeros()) as usize] += 1;
            }),
        ),
        (
            "1000-iteration loop",
            ns_per(20_000, || p.call(lp, std::ptr::null_mut(), &params, 0, fuel).unwrap()),
            ns_per(20_000, || {
                let mut acc = 0u64;
                for i in 0..1000u32 {
                    acc = black_box(acc + u64::from(i));
                }
                n = black_box(acc);
            }),
        ),
        (
            "report, 1 KiB string",
            ns_per(20_000, || {
                p.report(std::ptr::null_mut(), fuel, &mut out).unwrap();
            }),
            ns_per(20_000, || {
                for (i, b) in out[..1024].iter_mut().enumerate() {
                    *b = b'a' + (i % 26) as u8;
                }
                black_box(&out);
            }),
        ),
    ];
    // Loading: a 64 KiB module (the probe above plus a 60 KiB data segment).
    let big = wat::parse_str(WAT.replace(
        "(global $n",
        &format!("(data (i32.const 4096) \"{}\") (global $n", "x".repeat(60 << 10)),
    ))
    .unwrap();
    let load = ns_per(50, || drop(black_box(Program::load(&big, &Limits::default(), &OPS).unwrap())));

    println!("kwasm engine on the host: ns per call, median of 7 rounds");
    println!("{:<22} {:>12} {:>12} {:>14}", "workload", "kwasm", "native", "kwasm/native");
    for (name, k, nat) in rows {
        println!("{name:<22} {k:>12.1} {nat:>12.1} {:>14.1}", k / nat.max(0.1));
    }
    println!("{:<22} {:>12.0} {:>12} {:>14}", format!("load {} KiB module", big.len() >> 10), load, "-", "-");
}
