// SPDX-License-Identifier: GPL-2.0

//! Host functions (probe-abi.rst, "Imports"), answered through a table of C callbacks.
//!
//! The engine never names a kernel symbol: the kernel side hands it a [`HostOps`] table and,
//! per call, an opaque context pointer that it passes back. Every (pointer, length) a probe
//! gives is checked against its linear memory here, before any callback sees it.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::ffi::CStr;
use core::ptr::NonNull;
use wasmi::{Caller, Error, Extern, Linker, Memory, TrapCode};

use crate::error::{LoadError, Trap, TrapKind};
use crate::limits::{Limiter, Limits};
use crate::maps::{Maps, MAX_KEY_STR};

pub use crate::cabi::{
    Ctx, HostOps, KSTACK_MAX_FRAMES, READ_KERNEL, READ_KERNEL_STR, READ_USER, READ_USER_STR,
    STREAM_RECORD_MAX, TASK_CPU, TASK_PID, TASK_TGID,
};

/// What is running: decides which host functions make sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The `start` function or the `kwasm:init` export, at load.
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
    /// Its bytes, once the load is done: see [`MemoryView`].
    pub(crate) view: Option<MemoryView>,
    /// Why the last host call trapped.
    pub(crate) host_trap: Option<Trap>,
    pub(crate) limiter: Limiter,
    /// The program's maps: declared at load (while this is their only owner), then
    /// shared with readers.
    pub(crate) maps: Arc<Maps>,
    /// The limits maps are declared under.
    pub(crate) limits: Limits,
    /// Why a `map_declare` failed: the load fails with it.
    pub(crate) load_error: Option<LoadError>,
    /// `map_declare` calls so far in this store.
    pub(crate) declared: usize,
    /// The CPU the current call runs on, as its caller passed it, or [`CPU_ASK`]: map
    /// updates and `cpu()` then ask the `task` callback.
    pub(crate) cpu: u32,
    /// The formatter's buffers, allocated at load; taken out while a host function
    /// formats.
    scratch: Option<Box<Scratch>>,
}

/// What `format` and `stream_printf` format into: the program's own, not the probe's
/// stack, where a hit in NMI context has 8 KiB in all. A program runs on one CPU at a
/// time (per-CPU mode: each instance on its own CPU), so one per instance is enough.
pub(crate) struct Scratch {
    record: [u8; RECORD],
    name: [u8; crate::format::SYMBOL_WORK],
}

/// Where the exported memory's bytes are, set when the load is done. From then on the
/// [`Limiter`] refuses to grow it, so its buffer neither moves nor changes size until the
/// store is dropped, and host functions check a range against this rather than look the
/// memory up in the store on every call.
#[derive(Clone, Copy)]
pub(crate) struct MemoryView {
    base: NonNull<u8>,
    len: usize,
}

impl MemoryView {
    /// The view of `memory` in `store`, whose limiter refuses growth from now on.
    pub(crate) fn of(memory: Memory, store: &mut wasmi::Store<HostState>) -> Self {
        debug_assert!(store.data().limiter.loaded);
        let data = memory.data_mut(store);
        let len = data.len();
        Self {
            // A slice's pointer is never null, an empty one's included.
            base: NonNull::new(data.as_mut_ptr()).unwrap_or(NonNull::dangling()),
            len,
        }
    }

    /// Where the memory starts and how long it is.
    pub(crate) fn raw(&self) -> (*mut u8, usize) {
        (self.base.as_ptr(), self.len)
    }
}

/// [`HostState::cpu`] outside a handler (`start`, `init`, `report`): no CPU was given.
pub(crate) const CPU_ASK: u32 = u32::MAX;

impl HostState {
    pub(crate) fn new(ops: &'static HostOps, limiter: Limiter, limits: &Limits) -> Self {
        Self {
            ops,
            ctx: core::ptr::null_mut(),
            phase: Phase::Start,
            memory: None,
            view: None,
            host_trap: None,
            limiter,
            maps: Arc::new(Maps::new()),
            limits: *limits,
            load_error: None,
            declared: 0,
            cpu: CPU_ASK,
            scratch: Some(Box::new(Scratch {
                record: [0; RECORD],
                name: [0; crate::format::SYMBOL_WORK],
            })),
        }
    }

    /// The state of another instance of a program whose first instance declared `maps`:
    /// its declarations, made again at its load, must be the same and get the same ids.
    pub(crate) fn sharing_maps(mut self, maps: Arc<Maps>) -> Self {
        self.maps = maps;
        self
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
/// ends out of fuel, like one that runs out in Wasm. Inline in every host function: it
/// is on every hit that calls one, where a call and return cost more than its work under
/// TCG (`performance.rst`).
#[inline(always)]
fn charge(caller: &mut Caller<'_, HostState>, len: u32) -> HostResult<()> {
    let cost = u64::from(len).div_ceil(HOST_BYTES_PER_FUEL);
    // Fuel metering is always on (`engine_config`), so neither call fails.
    let left = caller.get_fuel().unwrap_or(0);
    match left.checked_sub(cost) {
        Some(rest) => {
            let _ = caller.set_fuel(rest);
            Ok(())
        }
        None => out_of_fuel(caller),
    }
}

#[cold]
fn out_of_fuel(caller: &mut Caller<'_, HostState>) -> HostResult<()> {
    let _ = caller.set_fuel(0);
    end_call(caller, Trap::from(TrapCode::OutOfFuel))
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

/// Linear memory's start and size: from [`HostState::view`] once the load is done,
/// through the store before (`start`, `init`), or `None` without an exported memory.
fn guest_memory(caller: &mut Caller<'_, HostState>) -> Option<(*mut u8, usize)> {
    if let Some(v) = caller.data().view {
        return Some((v.base.as_ptr(), v.len));
    }
    let mem = memory(caller)?;
    let data = mem.data_mut(&mut *caller);
    Some((data.as_mut_ptr(), data.len()))
}

/// Checks `ptr..ptr + len` against linear memory and returns a raw pointer to it, or
/// traps naming the function.
fn guest_range(
    caller: &mut Caller<'_, HostState>,
    ptr: i32,
    len: i32,
    who: &'static CStr,
) -> HostResult<*mut u8> {
    let Some((base, size)) = guest_memory(caller) else {
        return trap(caller, who);
    };
    let (start, len) = (ptr as u32 as usize, len as u32 as usize);
    match start.checked_add(len) {
        // SAFETY: `start <= size`: the result is inside linear memory or one past its end.
        Some(end) if end <= size => Ok(unsafe { base.add(start) }),
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

/// The CPU this call runs on, whose map tables it writes: given with a handler's call,
/// which spares each update a callback; asked for otherwise.
fn this_cpu(caller: &Caller<'_, HostState>) -> u32 {
    let s = caller.data();
    if s.cpu != CPU_ASK {
        return s.cpu;
    }
    // SAFETY: The callback only reads the current CPU's number.
    unsafe { (s.ops.task)(s.ctx, TASK_CPU) as u32 }
}

/// Words of the longest key (two string parts).
const KEY_WORDS: usize = 2 * MAX_KEY_STR as usize / 8;

/// Reads the key of map `id` from `ptr..ptr + len`, paying for the copy.
fn key_from_memory(
    caller: &mut Caller<'_, HostState>,
    id: i32,
    ptr: i32,
    len: i32,
    who: &'static CStr,
    key: &mut [u64; KEY_WORDS],
) -> HostResult<()> {
    let p = guest_range(caller, ptr, len, who)?;
    charge(caller, len as u32)?;
    // SAFETY: `p..p + len` lies inside linear memory (checked above), which nothing else
    // touches during the call.
    let bytes = unsafe { core::slice::from_raw_parts(p, len as u32 as usize) };
    match caller.data().maps.key_from_bytes(id, bytes, key) {
        Ok(_) => Ok(()),
        Err(why) => trap(caller, why),
    }
}

/// Fuel for a map update or read beyond its key: one, plus one per CPU table a read
/// merges.
fn charge_map(caller: &mut Caller<'_, HostState>, read: bool) -> HostResult<()> {
    let cpus = if read {
        caller.data().limits.cpus.max(1)
    } else {
        1
    };
    charge(caller, cpus.saturating_mul(HOST_BYTES_PER_FUEL as u32))
}

fn update(caller: &mut Caller<'_, HostState>, id: i32, key: &[u64], value: i64) -> HostResult<()> {
    let cpu = this_cpu(caller);
    match caller.data().maps.update(id, cpu, key, value) {
        Ok(()) => Ok(()),
        Err(why) => trap(caller, why),
    }
}

fn read_map(
    caller: &mut Caller<'_, HostState>,
    id: i32,
    key: &[u64],
    what: i32,
) -> HostResult<i64> {
    match caller.data().maps.read(id, key, what) {
        Ok(v) => Ok(v),
        Err(why) => trap(caller, why),
    }
}

/// Defines the map host functions (probe-abi.rst, "Maps").
fn define_maps(linker: &mut Linker<HostState>) -> Result<(), wasmi::errors::LinkerError> {
    const M: &str = crate::abi::HOST_MODULE;
    linker.func_wrap(
        M,
        "map_declare",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            if caller.data().phase != Phase::Start {
                return trap(&mut caller, c"map_declare() is only available at load");
            }
            let p = guest_range(
                &mut caller,
                ptr,
                len,
                c"map_declare: descriptor outside memory",
            )?;
            // SAFETY: `p..p + len` lies inside linear memory (checked above).
            let desc = unsafe { core::slice::from_raw_parts(p, len as u32 as usize) };
            let state = caller.data_mut();
            let (limits, n) = (state.limits, state.declared);
            state.declared += 1;
            let result = match Arc::get_mut(&mut state.maps) {
                Some(maps) => maps.declare(desc, &limits),
                // Shared at load: this instance replays the first instance's declarations.
                None => state.maps.redeclare(n, desc),
            };
            match result {
                Ok(id) => Ok(id),
                Err(e) => {
                    caller.data_mut().load_error = Some(e);
                    trap(&mut caller, c"map_declare failed")
                }
            }
        },
    )?;
    linker.func_wrap(
        M,
        "map_update",
        |mut caller: Caller<'_, HostState>, id: i32, key: i64, value: i64| {
            charge_map(&mut caller, false)?;
            let cpu = this_cpu(&caller);
            match caller.data().maps.update_int(id, cpu, key, value) {
                Ok(()) => Ok(()),
                Err(why) => trap(&mut caller, why),
            }
        },
    )?;
    linker.func_wrap(
        M,
        "map_update_key",
        |mut caller: Caller<'_, HostState>, id: i32, ptr: i32, len: i32, value: i64| {
            charge_map(&mut caller, false)?;
            let mut key = [0u64; KEY_WORDS];
            key_from_memory(
                &mut caller,
                id,
                ptr,
                len,
                c"map_update_key: key outside memory",
                &mut key,
            )?;
            update(&mut caller, id, &key, value)
        },
    )?;
    linker.func_wrap(
        M,
        "map_read",
        |mut caller: Caller<'_, HostState>, id: i32, key: i64, what: i32| {
            charge_map(&mut caller, true)?;
            let key = match caller.data().maps.key_from_int(id, key) {
                Ok(k) => k,
                Err(why) => return trap(&mut caller, why),
            };
            read_map(&mut caller, id, &key, what)
        },
    )?;
    linker.func_wrap(
        M,
        "map_read_key",
        |mut caller: Caller<'_, HostState>, id: i32, ptr: i32, len: i32, what: i32| {
            charge_map(&mut caller, true)?;
            let mut key = [0u64; KEY_WORDS];
            key_from_memory(
                &mut caller,
                id,
                ptr,
                len,
                c"map_read_key: key outside memory",
                &mut key,
            )?;
            read_map(&mut caller, id, &key, what)
        },
    )?;
    Ok(())
}

/// The most bytes `format` writes in one call, and a stream record's: formatted into
/// [`Scratch`], as the text may overlap its own format or strings in linear memory.
const RECORD: usize = STREAM_RECORD_MAX as usize;

/// Formats the format at `fmt..fmt + fmt_len` with the `nargs` little-endian 64-bit
/// arguments at `args` into the record of the program's [`Scratch`], which it hands to
/// `then` with the length; charges the formatting's work.
fn format_call<R>(
    caller: &mut Caller<'_, HostState>,
    call: (i32, i32, i32, i32),
    then: impl FnOnce(&mut Caller<'_, HostState>, &[u8]) -> HostResult<R>,
) -> HostResult<R> {
    // Out while in use: `format_into` needs the caller too. No host function runs inside
    // another, so it is always there.
    let Some(mut scratch) = caller.data_mut().scratch.take() else {
        return trap(caller, c"format: no formatting buffer");
    };
    let r = format_into(caller, call, &mut scratch)
        .and_then(|len| then(caller, &scratch.record[..len]));
    caller.data_mut().scratch = Some(scratch);
    r
}

/// [`format_call`]'s formatting; returns the length.
fn format_into(
    caller: &mut Caller<'_, HostState>,
    (fmt, fmt_len, args, nargs): (i32, i32, i32, i32),
    scratch: &mut Scratch,
) -> HostResult<usize> {
    use crate::format::MAX_ARGS;
    let nargs = nargs as u32 as usize;
    if nargs > MAX_ARGS {
        return trap(caller, c"format: more than 12 arguments");
    }
    let Some((base, size)) = guest_memory(caller) else {
        return trap(caller, c"format: no memory");
    };
    let fits = |at: i32, len: usize| {
        (at as u32 as usize)
            .checked_add(len)
            .is_some_and(|end| end <= size)
    };
    let (fmt_at, fmt_len) = (fmt as u32 as usize, fmt_len as u32 as usize);
    if !fits(fmt, fmt_len) {
        return trap(caller, c"format: the format is outside memory");
    }
    if !fits(args, nargs * 8) {
        return trap(caller, c"format: the arguments are outside memory");
    }
    let args_at = args as u32 as usize;
    // SAFETY: `base..base + size` is linear memory, which nothing writes while this host
    // function runs; `data` is not used once it returns.
    let data = unsafe { core::slice::from_raw_parts(base.cast_const(), size) };
    let fmt = &data[fmt_at..fmt_at + fmt_len];
    // Read as the conversions use them: no array of twelve to clear on every call.
    let argv = data[args_at..args_at + nargs * 8]
        .chunks_exact(8)
        .map(|word| u64::from_le_bytes(word.try_into().unwrap_or_default()));
    let (ops, ctx) = (caller.data().ops, caller.data().ctx);
    let mut symbol = |addr: u64, offset: bool, buf: &mut [u8]| -> usize {
        // SAFETY: `buf` is writable for its length; the callback writes at most that.
        let n =
            unsafe { (ops.symbol)(ctx, addr, offset.into(), buf.as_mut_ptr(), buf.len() as u32) };
        n.max(0) as usize
    };
    let Scratch { record, name } = scratch;
    match crate::format::format_with(fmt, argv, data, record, name, &mut symbol) {
        Ok(done) => {
            charge(caller, done.work as u32)?;
            Ok(done.len)
        }
        Err(why) => trap(caller, why),
    }
}

/// Writes `len` bytes at `msg` (host memory) to the stream.
fn stream_write(caller: &mut Caller<'_, HostState>, msg: *const u8, len: usize) -> HostResult<i32> {
    if len == 0 {
        return Ok(0);
    }
    let s = caller.data();
    // SAFETY: `msg..msg + len` is readable (linear memory checked by the caller, or the
    // host's buffer), and `len` is at most STREAM_RECORD_MAX.
    Ok(unsafe { (s.ops.stream)(s.ctx, msg, len as u32) })
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
    linker.func_wrap(M, "func_ip", |mut caller: Caller<'_, HostState>| {
        if !in_handler(&caller) {
            return trap(&mut caller, c"func_ip() is only available in a handler");
        }
        let s = caller.data();
        let mut value = 0u64;
        // SAFETY: As for `arg`.
        match unsafe { (s.ops.func_ip)(s.ctx, &mut value) } {
            0 => Ok(value as i64),
            _ => trap(
                &mut caller,
                c"func_ip(): this attach point is on no function",
            ),
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
    linker.func_wrap(M, "entry_ns", |mut caller: Caller<'_, HostState>| {
        if caller.data().phase != Phase::Post {
            return trap(
                &mut caller,
                c"entry_ns() is only available in a post handler",
            );
        }
        let s = caller.data();
        let mut value = 0u64;
        // SAFETY: As for `arg`.
        match unsafe { (s.ops.entry_ns)(s.ctx, &mut value) } {
            0 => Ok(value as i64),
            _ => trap(&mut caller, c"entry_ns(): no entry time for this return"),
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
    linker.func_wrap(M, "cpu", |caller: Caller<'_, HostState>| {
        this_cpu(&caller) as i32
    })?;
    for (name, what) in [("pid", TASK_PID), ("tgid", TASK_TGID)] {
        linker.func_wrap(M, name, move |caller: Caller<'_, HostState>| {
            let s = caller.data();
            // SAFETY: The callback only reads the current task.
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
        "format",
        |mut caller: Caller<'_, HostState>,
         fmt: i32,
         fmt_len: i32,
         args: i32,
         nargs: i32,
         dst: i32,
         dst_len: i32| {
            let dst = guest_range(
                &mut caller,
                dst,
                dst_len,
                c"format: destination outside memory",
            )?;
            let room = (dst_len as u32 as usize).min(RECORD);
            if room == 0 {
                return Ok(0);
            }
            format_call(&mut caller, (fmt, fmt_len, args, nargs), |_, out| {
                // Leave room for the NUL.
                let len = out.len().min(room - 1);
                // SAFETY: `dst..dst + dst_len` is inside linear memory (checked above)
                // and `len + 1 <= dst_len`; `out` is the host's own buffer.
                unsafe {
                    core::ptr::copy_nonoverlapping(out.as_ptr(), dst, len);
                    *dst.add(len) = 0;
                }
                Ok(len as i32)
            })
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
        "stream",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            if !in_handler(&caller) {
                return trap(&mut caller, c"stream() is only available in a handler");
            }
            let msg = guest_range(&mut caller, ptr, len, c"stream: record outside memory")?;
            if len as u32 > STREAM_RECORD_MAX {
                return trap(&mut caller, c"stream: a record is at most 512 bytes");
            }
            charge(&mut caller, len as u32)?;
            stream_write(&mut caller, msg, len as usize)
        },
    )?;
    linker.func_wrap(
        M,
        "stream_printf",
        |mut caller: Caller<'_, HostState>, fmt: i32, fmt_len: i32, args: i32, nargs: i32| {
            if !in_handler(&caller) {
                return trap(
                    &mut caller,
                    c"stream_printf() is only available in a handler",
                );
            }
            format_call(&mut caller, (fmt, fmt_len, args, nargs), |caller, out| {
                stream_write(caller, out.as_ptr(), out.len())
            })
        },
    )?;
    linker.func_wrap(
        M,
        "ksym",
        |mut caller: Caller<'_, HostState>, addr: i64, dst: i32, len: i32| {
            let dst = guest_range(&mut caller, dst, len, c"ksym: destination outside memory")?;
            charge(&mut caller, len as u32)?;
            let Some(room) = (len as u32).checked_sub(1) else {
                return Ok(0);
            };
            let s = caller.data();
            // SAFETY: `dst..dst + len` is inside linear memory (checked above), and the
            // callback writes at most `room` bytes, leaving one for the NUL.
            let n =
                unsafe { (s.ops.symbol)(s.ctx, addr as u64, 0, dst, room) }.clamp(0, room as i32);
            // SAFETY: `n <= room < len`.
            unsafe { *dst.add(n as usize) = 0 };
            Ok(n)
        },
    )?;
    define_maps(linker)
}
