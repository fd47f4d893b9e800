// SPDX-License-Identifier: GPL-2.0

//! Host functions (probe-abi.rst, "Imports"), answered through a table of C callbacks.
//!
//! The engine never names a kernel symbol: the kernel side hands it a [`HostOps`] table and,
//! per call, an opaque context pointer that it passes back. Every (pointer, length) a probe
//! gives is checked against its linear memory here, before any callback sees it.

use core::ffi::CStr;
use wasmi::{Caller, Error, Extern, Linker, Memory, TrapCode};

use crate::error::{Trap, TrapKind};
use crate::limits::Limiter;

pub use crate::cabi::{
    Ctx, HostOps, KSTACK_MAX_FRAMES, READ_KERNEL, READ_KERNEL_STR, READ_USER, READ_USER_STR,
    TASK_CPU, TASK_PID, TASK_TGID,
};

/// What is running: decides which host functions make sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The `start` function, at load.
    Start,
    /// A handler of an attach kind that runs on entry (or on an event).
    Pre,
    /// A handler of an attach kind that runs as the probed function returns.
    Post,
    /// `report`.
    Report,
}

/// The store's data: what host functions need during a call.
pub(crate) struct HostState {
    pub(crate) ops: &'static HostOps,
    pub(crate) ctx: Ctx,
    pub(crate) phase: Phase,
    /// The exported memory, once instantiation has made it.
    pub(crate) memory: Option<Memory>,
    /// Why the last host call trapped.
    pub(crate) host_trap: Option<Trap>,
    pub(crate) limiter: Limiter,
}

impl HostState {
    pub(crate) fn new(ops: &'static HostOps, limiter: Limiter) -> Self {
        Self {
            ops,
            ctx: core::ptr::null_mut(),
            phase: Phase::Start,
            memory: None,
            host_trap: None,
            limiter,
        }
    }
}

type HostResult<T> = Result<T, Error>;

/// Ends the call with trap `t`.
fn end_call<T>(caller: &mut Caller<'_, HostState>, t: Trap) -> HostResult<T> {
    caller.data_mut().host_trap = Some(t);
    // The trap is recorded above; the code here only has to be a trap.
    Err(Error::from(TrapCode::UnreachableCodeReached))
}

/// Ends the call with a "bad host call" trap that says why.
fn trap<T>(caller: &mut Caller<'_, HostState>, why: &'static CStr) -> HostResult<T> {
    end_call(caller, Trap::new(TrapKind::BadHostCall, why))
}

/// Bytes of host work (a copy, a log line) that one unit of fuel pays for: one 64-bit
/// word, what a Wasm load and store would move. wasmi charges its own bulk-memory
/// instructions 1 fuel per 64 bytes of `memcpy`; a host copy is dearer (fault-checked
/// chunks, or a log line), and this bounds a call's host work by its fuel:
/// `fuel * HOST_BYTES_PER_FUEL` bytes at most.
pub const HOST_BYTES_PER_FUEL: u64 = 8;

/// Takes the fuel for `len` bytes of host work before doing it; a call that cannot pay
/// ends out of fuel, like one that runs out in Wasm.
fn charge(caller: &mut Caller<'_, HostState>, len: u32) -> HostResult<()> {
    let cost = u64::from(len).div_ceil(HOST_BYTES_PER_FUEL);
    // Fuel metering is always on (`engine_config`), so neither call fails.
    let left = caller.get_fuel().unwrap_or(0);
    match left.checked_sub(cost) {
        Some(rest) => {
            let _ = caller.set_fuel(rest);
            Ok(())
        }
        None => {
            let _ = caller.set_fuel(0);
            end_call(caller, Trap::from(TrapCode::OutOfFuel))
        }
    }
}

/// The exported memory; looked up once (during `start` it is not cached yet).
fn memory(caller: &mut Caller<'_, HostState>) -> Option<Memory> {
    if let Some(m) = caller.data().memory {
        return Some(m);
    }
    let m = caller.get_export("memory").and_then(Extern::into_memory)?;
    caller.data_mut().memory = Some(m);
    Some(m)
}

/// Checks `ptr..ptr + len` against linear memory and returns a raw pointer to it, or
/// traps naming the function.
fn guest_range(
    caller: &mut Caller<'_, HostState>,
    ptr: i32,
    len: i32,
    who: &'static CStr,
) -> HostResult<*mut u8> {
    let Some(mem) = memory(caller) else {
        return trap(caller, who);
    };
    let data = mem.data_mut(&mut *caller);
    let (start, len) = (ptr as u32 as usize, len as u32 as usize);
    match start.checked_add(len) {
        Some(end) if end <= data.len() => Ok(data[start..].as_mut_ptr()),
        _ => trap(caller, who),
    }
}

fn in_handler(caller: &Caller<'_, HostState>) -> bool {
    matches!(caller.data().phase, Phase::Pre | Phase::Post)
}

fn read(
    mut caller: Caller<'_, HostState>,
    kind: u32,
    src: i64,
    dst: i32,
    len: i32,
    who: &'static CStr,
) -> HostResult<i32> {
    let dst = guest_range(&mut caller, dst, len, who)?;
    charge(&mut caller, len as u32)?;
    let s = caller.data();
    // SAFETY: `dst..dst + len` lies inside linear memory (checked above), which nothing
    // else touches during the call; the callback writes at most `len` bytes.
    Ok(unsafe { (s.ops.read)(s.ctx, kind, dst, src as u64, len as u32) })
}

/// Defines every host function of [`crate::abi::HOST_FUNCS`] in `linker`.
pub(crate) fn define(linker: &mut Linker<HostState>) -> Result<(), wasmi::errors::LinkerError> {
    const M: &str = crate::abi::HOST_MODULE;
    linker.func_wrap(M, "arg", |mut caller: Caller<'_, HostState>, n: i32| {
        if !in_handler(&caller) {
            return trap(&mut caller, c"arg() is only available in a handler");
        }
        let s = caller.data();
        let mut value = 0u64;
        // SAFETY: `value` is a valid `u64`; `ctx` is the one the caller of this call gave.
        match unsafe { (s.ops.arg)(s.ctx, n as u32, &mut value) } {
            0 => Ok(value as i64),
            _ => trap(&mut caller, c"arg(n): no such argument"),
        }
    })?;
    linker.func_wrap(M, "ret", |mut caller: Caller<'_, HostState>| {
        if caller.data().phase != Phase::Post {
            return trap(&mut caller, c"ret() is only available in a post handler");
        }
        let s = caller.data();
        let mut value = 0u64;
        // SAFETY: As for `arg`.
        match unsafe { (s.ops.ret)(s.ctx, &mut value) } {
            0 => Ok(value as i64),
            _ => trap(&mut caller, c"ret(): no return value"),
        }
    })?;
    linker.func_wrap(
        M,
        "syscall_arg",
        |mut caller: Caller<'_, HostState>, n: i32| {
            if !in_handler(&caller) {
                return trap(&mut caller, c"syscall_arg() is only available in a handler");
            }
            let s = caller.data();
            let mut value = 0u64;
            // SAFETY: As for `arg`.
            match unsafe { (s.ops.syscall_arg)(s.ctx, n as u32, &mut value) } {
                0 => Ok(value as i64),
                _ => trap(
                    &mut caller,
                    c"syscall_arg(n): not a syscall entry point, or no such argument",
                ),
            }
        },
    )?;
    linker.func_wrap(
        M,
        "read_kernel",
        |c: Caller<'_, HostState>, src: i64, dst: i32, len: i32| {
            read(
                c,
                READ_KERNEL,
                src,
                dst,
                len,
                c"read_kernel: destination outside memory",
            )
        },
    )?;
    linker.func_wrap(
        M,
        "read_user",
        |c: Caller<'_, HostState>, src: i64, dst: i32, len: i32| {
            read(
                c,
                READ_USER,
                src,
                dst,
                len,
                c"read_user: destination outside memory",
            )
        },
    )?;
    linker.func_wrap(
        M,
        "read_kernel_str",
        |c: Caller<'_, HostState>, src: i64, dst: i32, len: i32| {
            read(
                c,
                READ_KERNEL_STR,
                src,
                dst,
                len,
                c"read_kernel_str: destination outside memory",
            )
        },
    )?;
    linker.func_wrap(
        M,
        "read_user_str",
        |c: Caller<'_, HostState>, src: i64, dst: i32, len: i32| {
            read(
                c,
                READ_USER_STR,
                src,
                dst,
                len,
                c"read_user_str: destination outside memory",
            )
        },
    )?;
    linker.func_wrap(M, "ktime_ns", |caller: Caller<'_, HostState>| {
        let s = caller.data();
        // SAFETY: The callback only reads the clock.
        unsafe { (s.ops.ktime_ns)(s.ctx) as i64 }
    })?;
    for (name, what) in [("pid", TASK_PID), ("tgid", TASK_TGID), ("cpu", TASK_CPU)] {
        linker.func_wrap(M, name, move |caller: Caller<'_, HostState>| {
            let s = caller.data();
            // SAFETY: The callback only reads the current task or CPU.
            unsafe { (s.ops.task)(s.ctx, what) }
        })?;
    }
    linker.func_wrap(
        M,
        "comm",
        |mut caller: Caller<'_, HostState>, dst: i32, len: i32| {
            let dst = guest_range(&mut caller, dst, len, c"comm: destination outside memory")?;
            charge(&mut caller, len as u32)?;
            let s = caller.data();
            // SAFETY: `dst..dst + len` is inside linear memory (checked above).
            Ok(unsafe { (s.ops.comm)(s.ctx, dst, len as u32) })
        },
    )?;
    linker.func_wrap(
        M,
        "print",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            let msg = guest_range(&mut caller, ptr, len, c"print: message outside memory")?;
            charge(&mut caller, len as u32)?;
            let s = caller.data();
            // SAFETY: `msg..msg + len` is inside linear memory (checked above).
            unsafe { (s.ops.print)(s.ctx, msg, len as u32) };
            Ok(())
        },
    )?;
    linker.func_wrap(
        M,
        "kstack",
        |mut caller: Caller<'_, HostState>, dst: i32, max: i32| {
            if !in_handler(&caller) {
                return trap(&mut caller, c"kstack() is only available in a handler");
            }
            if max < 0 {
                return trap(&mut caller, c"kstack: negative count");
            }
            let max = (max as u32).min(KSTACK_MAX_FRAMES);
            let bytes = (max * 8) as i32;
            let dst = guest_range(
                &mut caller,
                dst,
                bytes,
                c"kstack: destination outside memory",
            )?;
            // The walk's work is bounded by the frames copied: paid like their bytes.
            charge(&mut caller, bytes as u32)?;
            let s = caller.data();
            // SAFETY: `dst..dst + 8 * max` is inside linear memory (checked above).
            Ok(unsafe { (s.ops.kstack)(s.ctx, dst, max) })
        },
    )?;
    linker.func_wrap(
        M,
        "ksym",
        |mut caller: Caller<'_, HostState>, addr: i64, dst: i32, len: i32| {
            let dst = guest_range(&mut caller, dst, len, c"ksym: destination outside memory")?;
            charge(&mut caller, len as u32)?;
            let s = caller.data();
            // SAFETY: `dst..dst + len` is inside linear memory (checked above).
            Ok(unsafe { (s.ops.ksym)(s.ctx, addr as u64, dst, len as u32) })
        },
    )?;
    Ok(())
}
