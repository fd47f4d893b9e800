// SPDX-License-Identifier: GPL-2.0

//! The worst cases of `make bench`'s guest table (qemu/bench.sh), natively: the same
//! probes (bench/worst) through the engine's C ABI, the functions the kernel module
//! calls, on this machine's CPU, at the same fuel. What the guest measures under TCG is
//! this times TCG's slowdown; this is what a call costs on real hardware, less the
//! kprobe, the lock and the kernel's copies (the read callback copies 8 bytes at a time,
//! as `copy_from_kernel_nofault` does). Times are the thread's CPU time: a call in the
//! kernel runs with interrupts off and is never preempted, so CPU time is what it holds
//! the CPU for, and on a shared machine it does not count other processes' turns.
//!
//! Usage: kwasm-bench-worst DIR (bench/worst/build.sh's output)

use std::ffi::{c_void, CStr};
use std::hint::black_box;
use std::path::Path;
use std::ptr::{null, null_mut};
use std::time::Instant;

use kwasm_engine::capi::{
    kwasm_engine_call, kwasm_engine_free, kwasm_engine_load, kwasm_engine_report, TrapInfo,
};
use kwasm_engine::{HostOps, Limits, Program};

/// The fuel of each column: the `fuel` default, the `max_fuel` default, the old one and
/// the largest `max_fuel` the module accepts (qemu/bench.sh's columns).
const FUELS: [u64; 4] = [100_000, 250_000, 1_000_000, 1 << 24];
/// Runs per cell; each cell is their median.
const RUNS: usize = 5;
/// What `report` may return: one page less its NUL, as in the kernel.
const REPORT_BUF: usize = 4095;
/// The trap kind of running out of fuel (`KWASM_TRAP_FUEL`).
const OUT_OF_FUEL: i32 = 1;

/// A kernel stack: 16 KiB, aligned to its size, as THREAD_SIZE stacks are. `arg(0)`
/// points near its top, where a syscall's `pt_regs` is.
#[repr(C, align(16384))]
struct Stack([u8; 16384]);
static STACK: Stack = Stack([0x5a; 16384]);

unsafe extern "C" fn arg(_: *mut c_void, _: u32, v: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `v`.
    unsafe { *v = STACK.0.as_ptr() as u64 + 16384 - 168 };
    0
}
unsafe extern "C" fn ret(_: *mut c_void, v: *mut u64) -> i32 {
    // SAFETY: As above.
    unsafe { *v = 0 };
    0
}
/// `copy_from_kernel_nofault` as x86 has it: 8 bytes at a time, each access on its own.
unsafe extern "C" fn read(_: *mut c_void, _: u32, dst: *mut u8, src: u64, len: u32) -> i32 {
    let (src, dst) = (src as *const u64, dst.cast::<u64>());
    for i in 0..len as usize / 8 {
        // SAFETY: The probes read inside STACK (the address `arg` gives, rounded down),
        // and the engine checked `dst..dst + len` against linear memory.
        unsafe { dst.add(i).write_unaligned(src.add(i).read_volatile()) };
    }
    0
}
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}
/// `CLOCK_THREAD_CPUTIME_ID`.
const THREAD_CPU: i32 = 3;

/// This thread's CPU time in nanoseconds.
fn cpu_ns() -> u64 {
    let mut t = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is writable; the clock exists on Linux.
    assert_eq!(unsafe { clock_gettime(THREAD_CPU, &mut t) }, 0);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Milliseconds of CPU time since `t0` (from [`cpu_ns`]).
fn ms_since(t0: u64) -> f64 {
    (cpu_ns() - t0) as f64 / 1e6
}

unsafe extern "C" fn ktime_ns(_: *mut c_void) -> u64 {
    cpu_ns()
}
unsafe extern "C" fn task(_: *mut c_void, _: u32) -> i32 {
    1
}
unsafe extern "C" fn comm(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn print(_: *mut c_void, _: *const u8, _: u32) {}
unsafe extern "C" fn kstack(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn func_ip(_: *mut c_void, value: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `value`.
    unsafe { *value = 0xffff_ffff_8100_0000 };
    0
}

/// `symbol`: every address is in one symbol.
unsafe extern "C" fn symbol(_: *mut c_void, _: u64, offset: u32, dst: *mut u8, len: u32) -> i32 {
    let name: &[u8] = if offset != 0 { b"sym+0x0/0x10" } else { b"sym" };
    let n = name.len().min(len as usize);
    // SAFETY: The engine passes a buffer writable for `len` bytes.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), dst, n) };
    n as i32
}
unsafe extern "C" fn stream(_: *mut c_void, _: *const u8, _: u32) -> i32 {
    0
}

static OPS: HostOps = HostOps {
    arg,
    ret,
    syscall_arg: arg,
    read,
    ktime_ns,
    task,
    comm,
    print,
    symbol,
    stream,
    kstack,
    entry_ns: ret,
    func_ip,
};

fn load(code: &[u8]) -> *mut Program {
    let mut out = null_mut();
    let mut msg = [0; 256];
    // SAFETY: Every pointer is valid for the call; OPS is static.
    let ret = unsafe {
        kwasm_engine_load(
            code.as_ptr(),
            code.len(),
            &Limits::default(),
            &OPS,
            null_mut(),
            &mut out,
            msg.as_mut_ptr(),
            msg.len(),
        )
    };
    // SAFETY: The engine NUL-terminates `msg`.
    assert_eq!(ret, 0, "load: {:?}", unsafe {
        CStr::from_ptr(msg.as_ptr())
    });
    out
}

/// One call of the program's only handler with `fuel`: milliseconds and the trap kind.
fn call(p: *mut Program, fuel: u64) -> (f64, i32) {
    let params = [0u64; 6];
    let mut trap = TrapInfo {
        kind: 0,
        message: null(),
    };
    let t = cpu_ns();
    // SAFETY: `p` is live and used by this thread only.
    let ret = unsafe { kwasm_engine_call(p, 0, null_mut(), 0, params.as_ptr(), 0, fuel, &mut trap) };
    (ms_since(t), black_box(ret))
}

/// `report` with `fuel`: milliseconds and its text, or the trap kind.
fn report(p: *mut Program, fuel: u64) -> (f64, Result<String, i32>) {
    let mut buf = [0u8; REPORT_BUF];
    let (mut len, mut truncated) = (0, false);
    let mut trap = TrapInfo {
        kind: 0,
        message: null(),
    };
    let t = cpu_ns();
    // SAFETY: As above; `buf` holds REPORT_BUF bytes.
    let ret = unsafe {
        kwasm_engine_report(
            p,
            null_mut(),
            fuel,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            &mut truncated,
            &mut trap,
        )
    };
    let ms = ms_since(t);
    match ret {
        0 => (ms, Ok(String::from_utf8_lossy(&buf[..len]).into_owned())),
        kind => (ms, Err(kind)),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A `key=N` field of a report's text.
fn field(text: &str, key: &str) -> f64 {
    text.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: kwasm-bench-worst DIR");
    let dir = Path::new(&dir);
    let code = |name: &str| {
        std::fs::read(dir.join(format!("{name}.wasm")))
            .unwrap_or_else(|e| panic!("{}/{name}.wasm: {e}", dir.display()))
    };
    let started = Instant::now();
    // Rows: (key, unit, one cell per fuel).
    let mut rows: Vec<(&str, &str, Vec<f64>)> = Vec::new();
    let mut wrong = Vec::new();

    for name in ["add", "div", "copy", "read"] {
        let mut cells = Vec::new();
        let mut kib = Vec::new();
        for fuel in FUELS {
            let p = load(&code(name));
            let runs: Vec<f64> = (0..RUNS)
                .map(|_| {
                    let (ms, kind) = call(p, fuel);
                    if kind != OUT_OF_FUEL {
                        wrong.push(format!("{name} at fuel {fuel} ended with trap kind {kind}"));
                    }
                    ms
                })
                .collect();
            cells.push(median(runs));
            if name == "read" {
                let text = report(p, 100_000).1.expect("read's report");
                kib.push(field(&text, "copied") / RUNS as f64 / 1024.0);
            }
            // SAFETY: `p` is live and not used again.
            unsafe { kwasm_engine_free(p) };
        }
        let key = match name {
            "add" => "add_loop",
            "div" => "div_chain",
            "copy" => "memory_copy",
            _ => "read_kernel",
        };
        rows.push((key, "ms", cells));
        if name == "read" {
            rows.push(("read_copied", "KiB", kib));
        }
    }

    let (mut cat, mut wasm) = (Vec::new(), Vec::new());
    for fuel in FUELS {
        let p = load(&code("report"));
        // The first calls run out of fuel while the report measures what it may do.
        let mut ok = 0;
        for _ in 0..4 {
            if report(p, fuel).1.is_ok() {
                ok += 1;
                break;
            }
        }
        if ok == 0 {
            wrong.push(format!("report at fuel {fuel} never succeeded"));
        }
        let runs: Vec<(f64, f64)> = (0..RUNS)
            .map(|_| match report(p, fuel) {
                (ms, Ok(text)) => {
                    assert_eq!(text.len(), REPORT_BUF);
                    (ms, field(&text, "ns") / 1e6)
                }
                (ms, Err(kind)) => {
                    wrong.push(format!("report at fuel {fuel} trapped ({kind})"));
                    (ms, f64::NAN)
                }
            })
            .collect();
        cat.push(median(runs.iter().map(|r| r.0).collect()));
        wasm.push(median(runs.iter().map(|r| r.1).collect()));
        // SAFETY: As above.
        unsafe { kwasm_engine_free(p) };
    }
    rows.push(("report", "ms", cat));
    rows.push(("report_wasm", "ms", wasm));

    // Loading does not depend on fuel: every column loads the same module.
    let big = code("big");
    let load_ms: Vec<f64> = FUELS
        .iter()
        .map(|_| {
            median(
                (0..RUNS)
                    .map(|_| {
                        let t = cpu_ns();
                        let p = load(&big);
                        let ms = ms_since(t);
                        // SAFETY: As above.
                        unsafe { kwasm_engine_free(p) };
                        ms
                    })
                    .collect(),
            )
        })
        .collect();
    rows.push(("load_max_code", "ms", load_ms));

    println!(
        "worst cases natively: the same probes through the engine's C ABI on this CPU (CPU time), median of {RUNS} calls per cell"
    );
    let header: String = FUELS
        .iter()
        .map(|f| format!(" {:>14}", format!("fuel {f}")))
        .collect();
    println!("{:<16} {:<6}{header} {:>5}", "case", "unit", "runs");
    for (key, unit, cells) in &rows {
        let c: String = cells
            .iter()
            .map(|v| {
                if *unit == "KiB" {
                    format!(" {v:>14.0}")
                } else {
                    format!(" {v:>14.3}")
                }
            })
            .collect();
        println!("{key:<16} {unit:<6}{c} {RUNS:>5}");
    }
    for w in &wrong {
        println!("WRONG: {w}");
    }
    println!(
        "load_max_code: {} bytes ({}); report: the call through the C ABI; run took {:.1} s",
        big.len(),
        std::fs::read_to_string(dir.join("big.txt"))
            .unwrap_or_default()
            .trim(),
        started.elapsed().as_secs_f64()
    );
}
