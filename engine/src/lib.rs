// SPDX-License-Identifier: GPL-2.0

//! The kwasm engine: wasmi, the probe ABI, host functions and limits.
//!
//! Everything about WebAssembly lives in this crate and nothing about the kernel does: the
//! kernel module reaches it through the C ABI in [`ffi`] (declared in `src/kwasm_engine.h`),
//! and host builds (`--features std`) test, fuzz and benchmark the very same code.

#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod ffi;
mod selftest;

pub use selftest::{selftest, SELFTEST_EXPECTED};
