// SPDX-License-Identifier: GPL-2.0

//! Checks made before wasmi sees a module, for inputs that wasmi 2.0.0 mishandles.
//!
//! In the kernel a panic is a BUG(), so a module must never reach a panic in wasmi. The
//! fuzzer found one: with `EnforcedLimits::strict()`, a code section that declares zero
//! function bodies yet is 1000 bytes or more makes wasmi divide by zero
//! (`process_code_start`, a `debug_assert!` guards it only in debug builds).

use crate::error::{load_error, LoadError};

/// Reads an unsigned LEB128 `u32` at `*pos`.
fn leb_u32(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        value |= u32::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The id of the code section.
const CODE_SECTION: u8 = 10;

/// Rejects what wasmi would panic on; anything else malformed is left to wasmi, which
/// reports it properly.
pub(crate) fn prescan(code: &[u8]) -> Result<(), LoadError> {
    let mut pos = 8; // Magic and version; wasmi checks them.
    while pos < code.len() {
        let id = code[pos];
        pos += 1;
        let Some(size) = leb_u32(code, &mut pos) else {
            return Ok(());
        };
        let start = pos;
        if id == CODE_SECTION {
            let Some(count) = leb_u32(code, &mut pos) else {
                return Ok(());
            };
            if count == 0 && size > 1 {
                return Err(load_error!(
                    EINVAL,
                    "invalid Wasm: the code section has {size} bytes but no function bodies"
                ));
            }
        }
        pos = match start.checked_add(size as usize) {
            Some(end) => end,
            None => return Ok(()),
        };
    }
    Ok(())
}
