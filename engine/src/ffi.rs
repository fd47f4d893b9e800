// SPDX-License-Identifier: GPL-2.0

//! The C ABI that the kernel module calls; `src/kwasm_engine.h` declares it.
//!
//! Opaque program handles, errors as a negative errno plus a message buffer, traps as a
//! positive [`TrapKind`] plus a static message. Nothing here allocates after `load`.

use alloc::boxed::Box;
use core::ffi::{c_char, c_void};

use crate::{HostOps, Limits, Maps, Program, ReportError, Trap, MAX_PARAMS};

/// `-EINVAL`, for bad arguments to the C ABI itself.
const EINVAL: i32 = 22;
/// `-EOPNOTSUPP`: no `report` export.
const EOPNOTSUPP: i32 = 95;

pub use crate::cabi::{AttachInfo, TrapInfo};

/// Copies `text` into the C buffer `buf` of `size` bytes, cut to fit, NUL-terminated.
///
/// # Safety
///
/// `buf` must be null or valid for writes of `size` bytes.
unsafe fn copy_c_string(text: &str, buf: *mut c_char, size: usize) {
    if buf.is_null() || size == 0 {
        return;
    }
    let n = text.len().min(size - 1);
    // SAFETY: The caller guarantees `buf` holds `size` bytes; `n + 1 <= size`.
    unsafe {
        core::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast(), n);
        *buf.add(n) = 0;
    }
}

/// Fills `*out` from `trap` and returns its kind.
///
/// # Safety
///
/// `out` must be null or valid for a write.
unsafe fn fill_trap(trap: &Trap, out: *mut TrapInfo) -> i32 {
    if !out.is_null() {
        // SAFETY: The caller guarantees `out` is writable.
        unsafe {
            *out = TrapInfo {
                kind: trap.kind as u32,
                message: trap.message.as_ptr(),
            };
        }
    }
    trap.kind as i32
}

/// Validates, compiles and instantiates a module.
///
/// Returns 0 and a handle in `*out`, or a negative errno with a sentence in `msg`.
///
/// # Safety
///
/// `code` must be valid for `len` bytes, `limits` for a read, `ops` must point to a table
/// that outlives the program, `out` must be writable, `msg` valid for `msg_size` bytes.
/// `ctx` is passed to the host callbacks that the module's `start` function calls.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_load(
    code: *const u8,
    len: usize,
    limits: *const Limits,
    ops: *const HostOps,
    ctx: *mut c_void,
    out: *mut *mut Program,
    msg: *mut c_char,
    msg_size: usize,
) -> i32 {
    if code.is_null() || limits.is_null() || ops.is_null() || out.is_null() {
        return -EINVAL;
    }
    // SAFETY: The caller guarantees these pointers are valid, and `ops` outlives the
    // program (the kernel passes a static table).
    let (code, limits, ops) = unsafe { (core::slice::from_raw_parts(code, len), &*limits, &*ops) };
    match Program::load(code, limits, ops, ctx) {
        Ok(program) => {
            // SAFETY: `out` is writable.
            unsafe { *out = Box::into_raw(Box::new(program)) };
            // SAFETY: `msg` holds `msg_size` bytes.
            unsafe { copy_c_string("", msg, msg_size) };
            0
        }
        Err(e) => {
            // SAFETY: `msg` holds `msg_size` bytes.
            unsafe { copy_c_string(&e.message, msg, msg_size) };
            -(e.errno as i32)
        }
    }
}

/// Makes another instance of a loaded program from its compiled module, with memory,
/// globals and a value stack of its own, running its `start` function (per-CPU mode: one
/// instance per CPU). The new handle is used and freed like one from
/// [`kwasm_engine_load`], independently of `program`, which it may outlive.
///
/// Returns 0 and a handle in `*out`, or a negative errno with a sentence in `msg`.
///
/// # Safety
///
/// `program` must be a live handle that no call uses meanwhile, `out` writable, `msg`
/// valid for `msg_size` bytes. `ctx` is passed to the host callbacks that `start` calls.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_instantiate(
    program: *const Program,
    ctx: *mut c_void,
    out: *mut *mut Program,
    msg: *mut c_char,
    msg_size: usize,
) -> i32 {
    if program.is_null() || out.is_null() {
        return -EINVAL;
    }
    // SAFETY: The caller guarantees a live handle.
    match unsafe { &*program }.instantiate_again(ctx) {
        Ok(instance) => {
            // SAFETY: `out` is writable.
            unsafe { *out = Box::into_raw(Box::new(instance)) };
            // SAFETY: `msg` holds `msg_size` bytes.
            unsafe { copy_c_string("", msg, msg_size) };
            0
        }
        Err(e) => {
            // SAFETY: `msg` holds `msg_size` bytes.
            unsafe { copy_c_string(&e.message, msg, msg_size) };
            -(e.errno as i32)
        }
    }
}

/// Frees a program.
///
/// # Safety
///
/// `program` must be null or a handle from [`kwasm_engine_load`] not freed yet, and no
/// reader of its maps may run (their cells may be in its memory: probe-abi.rst, "Cells").
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_free(program: *mut Program) {
    if !program.is_null() {
        // SAFETY: The handle came from `Box::into_raw` in `kwasm_engine_load`.
        drop(unsafe { Box::from_raw(program) });
    }
}

/// The name of the engine's `index`-th attach kind (NUL-terminated, static), or null past
/// the last: the module checks at init that its attachment layer has every one.
#[no_mangle]
pub extern "C" fn kwasm_engine_kind(index: u32) -> *const c_char {
    match crate::KINDS.get(index as usize) {
        Some(kind) => kind.name_with_nul().as_ptr(),
        None => core::ptr::null(),
    }
}

/// How many attach points the program has.
///
/// # Safety
///
/// `program` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_attach_count(program: *const Program) -> u32 {
    // SAFETY: The caller guarantees a live handle.
    unsafe { (*program).attach_points().len() as u32 }
}

/// Describes attach point `index` in `*out`: 0, or -EINVAL if there is no such index.
///
/// # Safety
///
/// `program` must be a live handle and `out` writable. The symbol lives as long as the
/// program.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_attach_point(
    program: *const Program,
    index: u32,
    out: *mut AttachInfo,
) -> i32 {
    // SAFETY: The caller guarantees a live handle.
    let Some(ap) = (unsafe { &*program }).attach_points().get(index as usize) else {
        return -EINVAL;
    };
    // SAFETY: `out` is writable.
    unsafe {
        *out = AttachInfo {
            symbol: ap.symbol_with_nul().as_ptr().cast(),
            name: ap.export_with_nul().as_ptr().cast(),
            kind: ap.kind.name_with_nul().as_ptr(),
            nparams: ap.params.len() as u32,
        };
    }
    0
}

/// The task name (NUL-terminated) every handler is restricted to, or null.
///
/// # Safety
///
/// `program` must be a live handle; the name lives as long as it.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_comm_filter(program: *const Program) -> *const c_char {
    // SAFETY: The caller guarantees a live handle.
    match unsafe { (*program).comm_filter() } {
        Some(comm) => comm.as_ptr().cast(),
        None => core::ptr::null(),
    }
}

/// Whether the program exports `report`.
///
/// # Safety
///
/// `program` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_has_report(program: *const Program) -> bool {
    // SAFETY: The caller guarantees a live handle.
    unsafe { (*program).has_report() }
}

/// Whether the program imports `entry_ns` ([`Program::uses_entry_ns`]).
///
/// # Safety
///
/// `program` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_uses_entry_ns(program: *const Program) -> bool {
    // SAFETY: The caller guarantees a live handle.
    unsafe { (*program).uses_entry_ns() }
}

/// Whether the program writes to a trace stream ([`Program::uses_stream`]).
///
/// # Safety
///
/// `program` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_uses_stream(program: *const Program) -> bool {
    // SAFETY: The caller guarantees a live handle.
    unsafe { (*program).uses_stream() }
}

/// The size of the module the program was loaded from, and of its linear memory now.
///
/// # Safety
///
/// `program` must be a live handle; `code_bytes` and `memory_bytes` writable or null.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_sizes(
    program: *const Program,
    code_bytes: *mut usize,
    memory_bytes: *mut usize,
) {
    // SAFETY: The caller guarantees a live handle and writable outputs.
    unsafe {
        let p = &*program;
        if !code_bytes.is_null() {
            *code_bytes = p.code_bytes();
        }
        if !memory_bytes.is_null() {
            *memory_bytes = p.memory_bytes();
        }
    }
}

/// Calls the handler of attach point `index` with up to six parameter values and `fuel`;
/// bit i of `strings` marks parameter i as a user string to copy into the program's
/// `buffer` (probe-abi.rst, wasm3 probes). `cpu` is the CPU the caller runs on, fixed
/// for the call (preemption is off): map updates write its tables, and `cpu()` returns
/// it, without a `task` callback each.
///
/// Returns 0, or a positive trap kind with `*trap` filled. Allocates nothing unless the
/// handler traps other than by running out of fuel (wasmi boxes its errors).
///
/// # Safety
///
/// `program` must be a live handle not used by anyone else during the call; `params`
/// valid for six reads; `trap` writable or null. `ctx` is passed to the host callbacks.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_call(
    program: *mut Program,
    index: u32,
    ctx: *mut c_void,
    cpu: u32,
    params: *const u64,
    strings: u32,
    fuel: u64,
    trap: *mut TrapInfo,
) -> i32 {
    // SAFETY: The caller guarantees exclusive use of a live handle and six parameters.
    let (p, params) = unsafe { (&mut *program, &*params.cast::<[u64; MAX_PARAMS]>()) };
    match p.call(index as usize, ctx, cpu, params, strings, fuel) {
        Ok(()) => 0,
        // SAFETY: `trap` is writable or null.
        Err(t) => unsafe { fill_trap(&t, trap) },
    }
}

/// Calls `report` and copies its string into `buf` (`size` bytes, not NUL-terminated),
/// setting `*len` and `*truncated`.
///
/// Returns 0, -EOPNOTSUPP without a `report` export, or a positive trap kind with `*trap`
/// filled.
///
/// # Safety
///
/// As for [`kwasm_engine_call`]; `buf` valid for `size` bytes, `len` and `truncated`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_report(
    program: *mut Program,
    ctx: *mut c_void,
    fuel: u64,
    buf: *mut u8,
    size: usize,
    len: *mut usize,
    truncated: *mut bool,
    trap: *mut TrapInfo,
) -> i32 {
    // SAFETY: The caller guarantees exclusive use of a live handle and `size` bytes.
    let (p, out) = unsafe { (&mut *program, core::slice::from_raw_parts_mut(buf, size)) };
    match p.report(ctx, fuel, out) {
        Ok(r) => {
            // SAFETY: `len` and `truncated` are writable.
            unsafe {
                *len = r.len;
                *truncated = r.truncated;
            }
            0
        }
        Err(ReportError::NoReport) => -EOPNOTSUPP,
        // SAFETY: `trap` is writable or null.
        Err(ReportError::Trap(t)) => unsafe { fill_trap(&t, trap) },
    }
}

/// The program's maps, for [`kwasm_engine_maps_print`] and the others: valid as long as
/// the program, and usable from any thread while calls into the program run.
///
/// # Safety
///
/// `program` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_maps(program: *const Program) -> *const Maps {
    // SAFETY: The caller guarantees a live handle; the maps live in an `Arc` that the
    // program holds until it is freed, and are only read (atomically) after load.
    alloc::sync::Arc::as_ptr(unsafe { (*program).maps() })
}

/// Copies `text` into `buf` (`size` bytes, not NUL-terminated), cut to fit; returns the
/// whole length.
///
/// # Safety
///
/// `buf` must be null or valid for `size` bytes.
unsafe fn copy_out(text: &[u8], buf: *mut u8, size: usize) -> usize {
    if !buf.is_null() {
        let n = text.len().min(size);
        // SAFETY: The caller guarantees `buf` holds `size` bytes; `n <= size`.
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), buf, n) };
    }
    text.len()
}

/// Prints every map, merged across CPUs, as bpftrace prints maps at exit, into `buf`
/// (`size` bytes, not NUL-terminated, cut to fit). Returns the whole text's length, so a
/// caller can size `buf` with a first call of size 0.
///
/// Process context: it allocates (the merge), and may run while handlers update.
///
/// # Safety
///
/// `maps` must come from [`kwasm_engine_maps`] of a live program; `buf` null or valid
/// for `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_maps_print(
    maps: *const Maps,
    buf: *mut u8,
    size: usize,
) -> usize {
    let mut text = alloc::vec::Vec::new();
    // SAFETY: The caller guarantees live maps.
    unsafe { (*maps).print(&mut text) };
    // SAFETY: The caller guarantees `buf` holds `size` bytes.
    unsafe { copy_out(&text, buf, size) }
}

/// Writes a `stats` line per map (`map @NAME kind=... entries=... max_entries=...
/// dropped=...`) into `buf` as [`kwasm_engine_maps_print`] does.
///
/// # Safety
///
/// As for [`kwasm_engine_maps_print`].
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_maps_stats(
    maps: *const Maps,
    buf: *mut u8,
    size: usize,
) -> usize {
    let mut text = alloc::string::String::new();
    // SAFETY: The caller guarantees live maps.
    let _ = unsafe { (*maps).write_stats(&mut text) };
    // SAFETY: The caller guarantees `buf` holds `size` bytes.
    unsafe { copy_out(text.as_bytes(), buf, size) }
}

/// Empties every map; each CPU zeroes its own table on its next update. Safe while
/// handlers run.
///
/// # Safety
///
/// `maps` must come from [`kwasm_engine_maps`] of a live program.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_maps_clear(maps: *const Maps) {
    // SAFETY: The caller guarantees live maps.
    unsafe { (*maps).clear() }
}

/// How many maps the program declared, and the bytes of their tables (all CPUs).
///
/// # Safety
///
/// `maps` must come from [`kwasm_engine_maps`] of a live program; `bytes` writable or
/// null.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_maps_count(maps: *const Maps, bytes: *mut usize) -> u32 {
    // SAFETY: The caller guarantees live maps and a writable `bytes`.
    unsafe {
        if !bytes.is_null() {
            *bytes = (*maps).bytes();
        }
        (*maps).len() as u32
    }
}

/// Runs the built-in self-test. Returns 0 when the engine computed the expected value,
/// or -1; the value it got (or -1) goes to `*got`.
///
/// # Safety
///
/// `got` must be valid for a write of an `i64`.
#[no_mangle]
pub unsafe extern "C" fn kwasm_engine_selftest(got: *mut i64) -> i32 {
    let value = crate::selftest();
    // SAFETY: The caller guarantees `got` is writable.
    unsafe { *got = value.unwrap_or(-1) };
    if value == Some(crate::SELFTEST_EXPECTED) {
        0
    } else {
        -1
    }
}
