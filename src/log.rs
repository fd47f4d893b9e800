// SPDX-License-Identifier: GPL-2.0

//! Rate-limited log lines, `kwasm: NAME: ...` (the kernel crate has no `pr_*_ratelimited`).

use kernel::ffi::c_char;
use kernel::prelude::*;

extern "C" {
    fn kwasm_log_warn(program: *const c_char, msg: *const c_char);
}

/// Logs `msg` for program `program`, rate-limited: users can repeat what triggers it.
pub(crate) fn warn(program: &CStr, msg: &CStr) {
    // SAFETY: Both strings are NUL-terminated and live for the call.
    unsafe { kwasm_log_warn(program.as_char_ptr(), msg.as_char_ptr()) }
}
