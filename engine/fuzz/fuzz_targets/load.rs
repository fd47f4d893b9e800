// SPDX-License-Identifier: GPL-2.0

//! Arbitrary bytes as a probe: loading must fail cleanly or run cleanly.

#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run(data));
