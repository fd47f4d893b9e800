// SPDX-License-Identifier: GPL-2.0

//! Arbitrary formats, arguments and memory through the formatter of `format` and
//! `stream_printf`: it must refuse or format, never panic, read outside `memory` (ASan
//! would see it) or write past its output, and count its work so fuel bounds it.

#![no_main]

use kwasm_engine::format::{format, SYMBOL_WORK};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // [out size: 2 bytes][nargs: 1][args: 8 * nargs][format length: 1][format][memory]
    let Some((&[a, b, n], rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let size = usize::from(u16::from_le_bytes([a, b])) % 1024;
    let nargs = usize::from(n % 16);
    let Some((args, rest)) = rest.split_at_checked(nargs * 8) else {
        return;
    };
    let args: Vec<u64> = args
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let Some((&fmt_len, rest)) = rest.split_first() else {
        return;
    };
    let Some((fmt, memory)) = rest.split_at_checked(usize::from(fmt_len).min(rest.len())) else {
        return;
    };
    // Exactly-sized copies, so that ASan catches any read or write past their ends.
    let (fmt, memory) = (fmt.to_vec(), memory.to_vec());
    let mut out = vec![0u8; size];
    let mut lookups = 0usize;
    let mut symbol = |addr: u64, offset: bool, buf: &mut [u8]| {
        lookups += 1;
        let text = if offset {
            format!("sym_{addr:x}+0x0/0x10")
        } else {
            format!("sym_{addr:x}")
        };
        let n = text.len().min(buf.len());
        buf[..n].copy_from_slice(&text.as_bytes()[..n]);
        n
    };
    if let Ok(done) = format(&fmt, &args, &memory, &mut out, &mut symbol) {
        assert!(done.len <= size);
        // Work counts every byte written and the format; all of it is bounded.
        assert!(done.work >= done.len);
        assert!(done.work <= fmt.len() + 2 * size + lookups * SYMBOL_WORK);
    }
});
