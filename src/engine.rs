// SPDX-License-Identifier: GPL-2.0

//! The engine's C ABI (`src/kwasm_engine.h`), as the Rust side of the module sees it.

use kernel::prelude::*;

mod ffi {
    extern "C" {
        pub(super) fn kwasm_engine_selftest(got: *mut i64) -> i32;
    }
}

/// Runs the engine's built-in module; returns what it computed when that is right.
pub(crate) fn selftest() -> Result<i64> {
    let mut got = 0i64;
    // SAFETY: `got` is a valid `i64` for the duration of the call.
    let ret = unsafe { ffi::kwasm_engine_selftest(&mut got) };
    if ret == 0 {
        Ok(got)
    } else {
        pr_err!("engine self-test computed {got}\n");
        Err(EIO)
    }
}
