// SPDX-License-Identifier: GPL-2.0

//! The engine and the attachment layer as the lifecycle sees them: safe owners of the C
//! handles of `src/kwasm_engine.h` and `src/kwasm_exec.h`.

use core::ffi::CStr;
use core::ptr::NonNull;
use kernel::ffi::c_char;
use kernel::prelude::*;

mod ffi {
    use kernel::ffi::c_char;

    /// `struct kwasm_limits`.
    #[derive(Clone, Copy)]
    #[repr(C)]
    pub(crate) struct Limits {
        pub(crate) max_code_bytes: u64,
        pub(crate) max_memory_pages: u32,
        pub(crate) max_table_elements: u32,
        pub(crate) max_attach_points: u32,
        pub(crate) stack_bytes: u32,
        pub(crate) max_call_depth: u32,
        pub(crate) start_fuel: u64,
    }

    /// `struct kwasm_point_stats`.
    #[repr(C)]
    pub(crate) struct PointStats {
        pub(crate) symbol: *const c_char,
        pub(crate) kind: u32,
        pub(crate) export: *const c_char,
        pub(crate) registrar: *const c_char,
        pub(crate) hits: u64,
        pub(crate) missed: u64,
        pub(crate) traps: u64,
        pub(crate) fuel_exhausted: u64,
        pub(crate) ns: u64,
    }

    /// `struct kwasm_exec`, opaque.
    #[repr(C)]
    pub(crate) struct Exec {
        _opaque: [u8; 0],
    }

    extern "C" {
        pub(crate) fn kwasm_selftest(got: *mut i64) -> i32;
        pub(crate) fn kwasm_exec_load(
            code: *const u8,
            len: usize,
            limits: *const Limits,
            name: *const c_char,
            fuel: u64,
            out: *mut *mut Exec,
            msg: *mut c_char,
            msg_size: usize,
        ) -> i32;
        pub(crate) fn kwasm_exec_free(ex: *mut Exec);
        pub(crate) fn kwasm_exec_attach(ex: *mut Exec, failed: *mut u32) -> i32;
        pub(crate) fn kwasm_exec_detach(ex: *mut Exec);
        pub(crate) fn kwasm_exec_set_fuel(ex: *mut Exec, fuel: u64);
        pub(crate) fn kwasm_exec_points(ex: *const Exec) -> u32;
        pub(crate) fn kwasm_exec_stats(ex: *const Exec, index: u32, out: *mut PointStats);
        pub(crate) fn kwasm_exec_report(
            ex: *mut Exec,
            buf: *mut u8,
            size: usize,
            len: *mut usize,
            truncated: *mut bool,
            trap: *mut *const c_char,
        ) -> i32;
        pub(crate) fn kwasm_exec_sizes(ex: *const Exec, code: *mut usize, memory: *mut usize);
    }
}

pub(crate) use ffi::Limits;

/// Runs the engine's built-in module; returns what it computed when that is right.
pub(crate) fn selftest() -> Result<i64> {
    let mut got = 0i64;
    // SAFETY: `got` is a valid `i64` for the duration of the call.
    let ret = unsafe { ffi::kwasm_selftest(&mut got) };
    if ret == 0 {
        Ok(got)
    } else {
        pr_err!("engine self-test computed {got}\n");
        Err(EIO)
    }
}

/// Why a load failed: the errno and the engine's sentence.
pub(crate) struct LoadFailure {
    pub(crate) errno: Error,
    pub(crate) message: [u8; 512],
}

impl LoadFailure {
    /// The sentence, as a string.
    pub(crate) fn text(&self) -> &str {
        let len = self
            .message
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.message.len());
        core::str::from_utf8(&self.message[..len]).unwrap_or("(unprintable message)")
    }
}

/// One attach point's counters.
pub(crate) struct PointStats {
    pub(crate) symbol: &'static CStr,
    pub(crate) post: bool,
    pub(crate) hits: u64,
    pub(crate) missed: u64,
    pub(crate) traps: u64,
    pub(crate) fuel_exhausted: u64,
    pub(crate) ns: u64,
}

/// Why `report` gave no string.
pub(crate) enum ReportFailure {
    /// No `report` export.
    NoReport,
    /// It trapped; the static message says how.
    Trap(&'static CStr),
}

/// A loaded program: the engine's instance and its attach points, attached or not.
/// Dropping it detaches (waiting for running handlers) and frees both.
pub(crate) struct Exec(NonNull<ffi::Exec>);

// SAFETY: The C side serializes every call into the program with its own lock, and the
// handle may be freed from any thread.
unsafe impl Send for Exec {}
// SAFETY: As above: shared use goes through the C side's lock.
unsafe impl Sync for Exec {}

impl Exec {
    /// Loads `code` with `limits`; `name` goes in log lines, `fuel` into every call.
    pub(crate) fn load(
        code: &[u8],
        limits: &Limits,
        name: &CStr,
        fuel: u64,
    ) -> core::result::Result<Self, LoadFailure> {
        let mut failure = LoadFailure {
            errno: ENOMEM,
            message: [0; 512],
        };
        let mut ex = core::ptr::null_mut();
        // SAFETY: `code`, `limits` and `name` are valid for the call; `ex` is writable;
        // `message` holds its length.
        let ret = unsafe {
            ffi::kwasm_exec_load(
                code.as_ptr(),
                code.len(),
                limits,
                name.as_char_ptr(),
                fuel,
                &mut ex,
                failure.message.as_mut_ptr().cast::<c_char>(),
                failure.message.len(),
            )
        };
        if ret != 0 {
            failure.errno = Error::from_errno(ret);
            return Err(failure);
        }
        // A successful load always sets the exec.
        NonNull::new(ex).map(Self).ok_or(failure)
    }

    /// Registers every attach point, all or nothing; on failure returns the errno and
    /// the index of the attach point that failed.
    pub(crate) fn attach(&mut self) -> core::result::Result<(), (Error, u32)> {
        let mut failed = 0u32;
        // SAFETY: `self.0` is a live exec; `failed` is writable.
        let ret = unsafe { ffi::kwasm_exec_attach(self.0.as_ptr(), &mut failed) };
        if ret == 0 {
            Ok(())
        } else {
            Err((Error::from_errno(ret), failed))
        }
    }

    /// Unregisters every attach point and waits for running handlers.
    pub(crate) fn detach(&mut self) {
        // SAFETY: `self.0` is a live exec.
        unsafe { ffi::kwasm_exec_detach(self.0.as_ptr()) }
    }

    /// Sets the fuel of every later call.
    pub(crate) fn set_fuel(&self, fuel: u64) {
        // SAFETY: `self.0` is a live exec; the fuel is read with READ_ONCE.
        unsafe { ffi::kwasm_exec_set_fuel(self.0.as_ptr(), fuel) }
    }

    /// The size of the module and of its linear memory (which cannot grow after load).
    pub(crate) fn sizes(&self) -> (usize, usize) {
        let (mut code, mut memory) = (0, 0);
        // SAFETY: `self.0` is a live exec; the sizes were recorded at load and are only
        // read here, so this never touches the engine while a handler runs.
        unsafe { ffi::kwasm_exec_sizes(self.0.as_ptr(), &mut code, &mut memory) };
        (code, memory)
    }

    /// How many attach points there are.
    pub(crate) fn points(&self) -> u32 {
        // SAFETY: `self.0` is a live exec.
        unsafe { ffi::kwasm_exec_points(self.0.as_ptr()) }
    }

    /// The counters of attach point `index` (below [`Self::points`]).
    pub(crate) fn stats(&self, index: u32) -> PointStats {
        let mut s = ffi::PointStats {
            symbol: core::ptr::null(),
            kind: 0,
            export: core::ptr::null(),
            registrar: core::ptr::null(),
            hits: 0,
            missed: 0,
            traps: 0,
            fuel_exhausted: 0,
            ns: 0,
        };
        // SAFETY: `self.0` is a live exec and `index` in range (callers iterate
        // `0..points()`); `s` is writable.
        unsafe { ffi::kwasm_exec_stats(self.0.as_ptr(), index, &mut s) };
        PointStats {
            // SAFETY: The symbol is NUL-terminated and lives as long as the exec, which
            // outlives every use of these stats (they are formatted at once).
            symbol: unsafe { CStr::from_ptr(s.symbol.cast()) },
            post: s.kind == 1,
            hits: s.hits,
            missed: s.missed,
            traps: s.traps,
            fuel_exhausted: s.fuel_exhausted,
            ns: s.ns,
        }
    }

    /// Calls `report` into `buf`; returns the length and whether the string was cut.
    pub(crate) fn report(
        &self,
        buf: &mut [u8],
    ) -> core::result::Result<(usize, bool), ReportFailure> {
        let (mut len, mut truncated, mut trap) = (0usize, false, core::ptr::null::<c_char>());
        // SAFETY: `self.0` is a live exec; `buf` is writable for its length; the outputs
        // are writable. The C side serializes this call with the handlers.
        let ret = unsafe {
            ffi::kwasm_exec_report(
                self.0.as_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
                &mut truncated,
                &mut trap,
            )
        };
        match ret {
            0 => Ok((len, truncated)),
            // SAFETY: On a trap the engine hands back a static NUL-terminated message.
            _ if !trap.is_null() => {
                Err(ReportFailure::Trap(unsafe { CStr::from_ptr(trap.cast()) }))
            }
            _ => Err(ReportFailure::NoReport),
        }
    }
}

impl Drop for Exec {
    fn drop(&mut self) {
        // SAFETY: `self.0` is a live exec, dropped once.
        unsafe { ffi::kwasm_exec_free(self.0.as_ptr()) }
    }
}
