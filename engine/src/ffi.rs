// SPDX-License-Identifier: GPL-2.0

//! The C ABI that the kernel module calls; `src/kwasm_engine.h` declares it.

/// Runs the built-in self-test. Returns 0 when the engine computed the expected value,
/// or -1 (and the value it got, or -1, in `*got`).
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
