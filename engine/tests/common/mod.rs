// SPDX-License-Identifier: GPL-2.0

//! A fake host for the engine's tests: the callbacks read a [`FakeCtx`].

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use kwasm_engine::{HostOps, Limits, LoadError, Program};
use std::ffi::c_void;

/// What a fake probe hit sees.
#[derive(Default)]
pub struct FakeCtx {
    pub args: [u64; 6],
    pub ret: u64,
    pub syscall_args: Option<[u64; 6]>,
    pub printed: Vec<Vec<u8>>,
    pub comm: &'static str,
    /// What `cpu()` answers (and which map tables are written); `None` is CPU 1.
    pub cpu: Option<u32>,
    pub streamed: Vec<Vec<u8>>,
    /// `stream` refuses records, as a full ring buffer does.
    pub stream_full: bool,
    /// The fake hit's kernel stack, innermost first.
    pub stack: Vec<u64>,
    /// What `entry_ns` answers; `None` is a hit that is not a return.
    pub entry_ns: Option<u64>,
    /// The function the fake hit is in; `None` is a tracepoint's hit, on no function.
    pub func: Option<u64>,
}

fn ctx<'a>(c: *mut c_void) -> &'a mut FakeCtx {
    // SAFETY: Tests pass a live `FakeCtx` as the context of every call.
    unsafe { &mut *c.cast::<FakeCtx>() }
}

unsafe extern "C" fn arg(c: *mut c_void, n: u32, value: *mut u64) -> i32 {
    match ctx(c).args.get(n as usize) {
        // SAFETY: The engine passes a valid `value`.
        Some(v) => unsafe {
            *value = *v;
            0
        },
        None => -22,
    }
}

unsafe extern "C" fn ret(c: *mut c_void, value: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `value`.
    unsafe { *value = ctx(c).ret };
    0
}

unsafe extern "C" fn entry_ns(c: *mut c_void, value: *mut u64) -> i32 {
    match ctx(c).entry_ns {
        // SAFETY: The engine passes a valid `value`.
        Some(v) => unsafe {
            *value = v;
            0
        },
        None => -22,
    }
}

unsafe extern "C" fn syscall_arg(c: *mut c_void, n: u32, value: *mut u64) -> i32 {
    match ctx(c).syscall_args.and_then(|a| a.get(n as usize).copied()) {
        // SAFETY: The engine passes a valid `value`.
        Some(v) => unsafe {
            *value = v;
            0
        },
        None => -22,
    }
}

/// Reads host memory at `src` (tests pass real addresses); 0 is a fault.
unsafe extern "C" fn read(_c: *mut c_void, kind: u32, dst: *mut u8, src: u64, len: u32) -> i32 {
    if src == 0 {
        return -14;
    }
    let src = src as *const u8;
    // SAFETY: Tests pass addresses of live buffers at least `len` bytes long (or strings).
    unsafe {
        if kind >= kwasm_engine::READ_KERNEL_STR {
            let mut n = 0usize;
            while n + 1 < len as usize && *src.add(n) != 0 {
                *dst.add(n) = *src.add(n);
                n += 1;
            }
            if len > 0 {
                *dst.add(n) = 0;
            }
            n as i32
        } else {
            std::ptr::copy_nonoverlapping(src, dst, len as usize);
            0
        }
    }
}

unsafe extern "C" fn ktime_ns(_c: *mut c_void) -> u64 {
    1_000_000_007
}

unsafe extern "C" fn task(c: *mut c_void, what: u32) -> i32 {
    if what == kwasm_engine::TASK_CPU && !c.is_null() {
        return ctx(c).cpu.unwrap_or(1) as i32;
    }
    [4242, 4200, 1][what as usize]
}

unsafe extern "C" fn comm(c: *mut c_void, dst: *mut u8, len: u32) -> i32 {
    let name = ctx(c).comm.as_bytes();
    let n = name.len().min(len.saturating_sub(1) as usize);
    // SAFETY: The engine checked `dst..dst + len`.
    unsafe {
        std::ptr::copy_nonoverlapping(name.as_ptr(), dst, n);
        if len > 0 {
            *dst.add(n) = 0;
        }
    }
    n as i32
}

unsafe extern "C" fn print(c: *mut c_void, msg: *const u8, len: u32) {
    // SAFETY: The engine checked `msg..msg + len`.
    let bytes = unsafe { std::slice::from_raw_parts(msg, len as usize) }.to_vec();
    // The kernel's callback dereferences its context: every call must have one.
    assert!(!c.is_null(), "print() called without a context");
    ctx(c).printed.push(bytes);
}

unsafe extern "C" fn symbol(
    _c: *mut c_void,
    addr: u64,
    offset: u32,
    dst: *mut u8,
    len: u32,
) -> i32 {
    let name = match (addr, offset) {
        (0xffff_ffff_8100_0000, 0) => "vfs_mkdir".to_string(),
        (0xffff_ffff_8100_0000, _) => "vfs_mkdir+0x0/0x1a0".to_string(),
        _ => format!("{addr:#x}"),
    };
    let n = name.len().min(len as usize);
    // SAFETY: The engine passes a buffer writable for `len` bytes.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), dst, n) };
    n as i32
}

unsafe extern "C" fn stream(c: *mut c_void, msg: *const u8, len: u32) -> i32 {
    assert!((1..=kwasm_engine::STREAM_RECORD_MAX).contains(&len));
    // SAFETY: The engine checked `msg..msg + len`.
    let bytes = unsafe { std::slice::from_raw_parts(msg, len as usize) }.to_vec();
    let c = ctx(c);
    if c.stream_full {
        return -105;
    }
    c.streamed.push(bytes);
    0
}

unsafe extern "C" fn kstack(c: *mut c_void, dst: *mut u8, max: u32) -> i32 {
    let stack = &ctx(c).stack;
    let n = stack.len().min(max as usize);
    for (i, a) in stack[..n].iter().enumerate() {
        // SAFETY: The engine checked `dst..dst + 8 * max`, any alignment.
        unsafe { std::ptr::copy_nonoverlapping(a.to_le_bytes().as_ptr(), dst.add(8 * i), 8) };
    }
    n as i32
}

unsafe extern "C" fn func_ip(c: *mut c_void, value: *mut u64) -> i32 {
    match ctx(c).func {
        // SAFETY: The engine passes a valid `value`.
        Some(f) => unsafe {
            *value = f;
            0
        },
        None => -22,
    }
}

/// A context for a load's `start` function; leaked, as the program may keep printing
/// from it only during the load.
pub fn start_ctx() -> *mut c_void {
    Box::into_raw(Box::<FakeCtx>::default()).cast()
}

pub static OPS: HostOps = HostOps {
    arg,
    ret,
    syscall_arg,
    read,
    ktime_ns,
    task,
    comm,
    print,
    symbol,
    stream,
    kstack,
    entry_ns,
    func_ip,
};

pub const FUEL: u64 = 100_000;

pub fn try_load(wat: &str) -> Result<Program, LoadError> {
    try_load_with(wat, &Limits::default())
}

pub fn try_load_with(wat: &str, limits: &Limits) -> Result<Program, LoadError> {
    let code = wat::parse_str(wat).expect("test WAT must assemble");
    Program::load(&code, limits, &OPS, start_ctx())
}

pub fn load(wat: &str) -> Program {
    try_load(wat).unwrap_or_else(|e| panic!("load failed: {e}"))
}

/// Loads `wat` expecting failure; returns "ERRNO: message".
pub fn load_err(wat: &str) -> String {
    match try_load(wat) {
        Ok(_) => panic!("load succeeded but should fail"),
        Err(e) => e.to_string(),
    }
}

pub fn call(p: &mut Program, index: usize, c: &mut FakeCtx) -> Result<(), kwasm_engine::Trap> {
    let params = c.args;
    p.call(
        index,
        (c as *mut FakeCtx).cast(),
        c.cpu.unwrap_or(1),
        &params,
        0,
        FUEL,
    )
}

pub fn report(p: &mut Program) -> Result<String, kwasm_engine::ReportError> {
    let mut buf = [0u8; 4095];
    let out = p.report(start_ctx(), FUEL, &mut buf)?;
    Ok(String::from_utf8_lossy(&buf[..out.len]).into_owned())
}
