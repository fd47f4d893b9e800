// SPDX-License-Identifier: GPL-2.0

//! Rate-limited log lines, `kwasm: NAME: ...` (the kernel crate has no `pr_*_ratelimited`).

use kernel::prelude::*;

use crate::engine::ffi::kwasm_log_warn;

/// Logs `msg` for program `program`, rate-limited: users can repeat what triggers it.
pub(crate) fn warn(program: &CStr, msg: &CStr) {
    // SAFETY: Both strings are NUL-terminated and live for the call.
    unsafe { kwasm_log_warn(program.as_char_ptr(), msg.as_char_ptr()) }
}
