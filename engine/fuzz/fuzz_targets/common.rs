// SPDX-License-Identifier: GPL-2.0

//! What both fuzz targets do with a module that loads: call every handler and `report`
//! with little fuel, through host callbacks that answer without touching anything, and
//! check that no call enters the allocator (the kernel runs calls where it must not).

use kwasm_engine::{HostOps, Limits, Program, Trap};
use std::ffi::c_void;

#[path = "../../tests/counting/mod.rs"]
mod counting;

/// Runs one call into a program and checks its allocator use: none when it returns
/// normally; when it traps, at most wasmi's one error box, freed before it returns (the
/// kernel serves that box from a small per-CPU pool, see src/rt.c).
fn checked<T>(what: &str, f: impl FnOnce() -> Result<T, Option<Trap>>) {
    let ((allocs, frees), result) = counting::allocator_calls_of(f);
    match result {
        Ok(_) => assert_eq!((allocs, frees), (0, 0), "{what}: allocator used by a call"),
        Err(trap) => assert!(
            allocs == frees && allocs <= 1,
            "{what}: a call that trapped ({trap:?}) made {allocs} allocations, {frees} frees"
        ),
    }
}

unsafe extern "C" fn value(_: *mut c_void, n: u32, v: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `v`.
    // Any n the probe passes, huge ones included: wrapping, like a register.
    unsafe { *v = u64::from(n).wrapping_mul(0x1234_5678_9abc) };
    if n < 6 {
        0
    } else {
        -22
    }
}
unsafe extern "C" fn ret(_: *mut c_void, v: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `v`.
    unsafe { *v = u64::MAX };
    0
}
unsafe extern "C" fn read(_: *mut c_void, _: u32, dst: *mut u8, _: u64, len: u32) -> i32 {
    // SAFETY: The engine checked `dst..dst + len` against linear memory: writing all of
    // it proves the check (ASan would catch a write outside).
    unsafe { std::ptr::write_bytes(dst, 0x5a, len as usize) };
    -14
}
unsafe extern "C" fn ktime(_: *mut c_void) -> u64 {
    42
}
unsafe extern "C" fn task(_: *mut c_void, what: u32) -> i32 {
    what as i32 + 1
}
unsafe extern "C" fn comm(_: *mut c_void, dst: *mut u8, len: u32) -> i32 {
    // SAFETY: As for `read`.
    unsafe { std::ptr::write_bytes(dst, 0, len as usize) };
    0
}
unsafe extern "C" fn print(_: *mut c_void, msg: *const u8, len: u32) {
    // SAFETY: As for `read`: every byte must be readable.
    let bytes = unsafe { std::slice::from_raw_parts(msg, len as usize) };
    std::hint::black_box(bytes.iter().map(|&b| u32::from(b)).sum::<u32>());
}

/// `symbol`: every address is in one symbol.
unsafe extern "C" fn symbol(_: *mut c_void, _: u64, offset: u32, dst: *mut u8, len: u32) -> i32 {
    let name: &[u8] = if offset != 0 { b"sym+0x0/0x10" } else { b"sym" };
    let n = name.len().min(len as usize);
    // SAFETY: The engine passes a buffer writable for `len` bytes.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), dst, n) };
    n as i32
}
/// `stream`: every byte must be readable.
unsafe extern "C" fn stream(_: *mut c_void, msg: *const u8, len: u32) -> i32 {
    // SAFETY: As for `print`.
    let bytes = unsafe { std::slice::from_raw_parts(msg, len as usize) };
    std::hint::black_box(bytes.iter().map(|&b| u32::from(b)).sum::<u32>());
    0
}
unsafe extern "C" fn kstack(_: *mut c_void, dst: *mut u8, max: u32) -> i32 {
    // SAFETY: As for `read`: the engine checked `8 * max` bytes at `dst`.
    unsafe { std::ptr::write_bytes(dst, 0xa5, 8 * max as usize) };
    max as i32
}
unsafe extern "C" fn func_ip(_: *mut c_void, value: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `value`.
    unsafe { *value = 0xffff_ffff_8100_0000 };
    0
}

pub static OPS: HostOps = HostOps {
    arg: value,
    ret,
    syscall_arg: value,
    read,
    ktime_ns: ktime,
    task,
    comm,
    print,
    symbol,
    stream,
    kstack,
    entry_ns: ret,
    func_ip,
};

/// Small limits, so that fuzzing explores limits rather than waits on them.
pub fn limits() -> Limits {
    Limits {
        max_memory_pages: 4,
        max_table_elements: 256,
        start_fuel: 20_000,
        // `task` says CPU 3: four tables per map; small maps, so that loads stay quick.
        cpus: 4,
        max_map_bytes: 1 << 20,
        max_map_entries: 256,
        ..Limits::default()
    }
}

/// Loads `bytes`; if it loads, calls everything twice with little fuel, then makes a
/// second instance (per-CPU mode's) and calls everything on both, in turn.
pub fn run(bytes: &[u8]) {
    let Ok(mut p) = Program::load(bytes, &limits(), &OPS, std::ptr::null_mut()) else {
        return;
    };
    call_all(&mut p);
    // The same module instantiated again: its start function ran once already, so it
    // must instantiate again, or fail as a load would (a trap in start that depends on
    // nothing but the module cannot: it would have failed the load).
    match p.instantiate_again(std::ptr::null_mut()) {
        Ok(mut q) => {
            call_all(&mut q);
            call_all(&mut p);
        }
        Err(e) => panic!("a loaded module failed to instantiate again: {e}"),
    }
}

/// Calls every handler and `report` twice with little fuel.
fn call_all(p: &mut Program) {
    let mut out = [0u8; 256];
    for _ in 0..2 {
        for i in 0..p.attach_points().len() {
            checked("handler", || {
                p.call(
                    i,
                    std::ptr::null_mut(),
                    1,
                    &[1, 2, 3, 4, 5, 6],
                    0b101,
                    5_000,
                )
                .map_err(Some)
            });
        }
        checked("report", || {
            p.report(std::ptr::null_mut(), 5_000, &mut out)
                .map_err(|e| match e {
                    kwasm_engine::ReportError::Trap(t) => Some(t),
                    kwasm_engine::ReportError::NoReport => None,
                })
        });
        // What `cat maps` and `echo 1 > clear` do, between calls (process context).
        let mut text = Vec::new();
        p.maps().print(&mut text);
        std::hint::black_box(&text);
        p.maps().clear();
    }
}
