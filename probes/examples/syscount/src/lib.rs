// SPDX-License-Identifier: GPL-2.0

//! syscount: which processes call getpgid() most (a cheap syscall that tests can make
//! exactly N times), top 10 with their counts.

#![no_std]

use kwasm_probe::{comm, kprobe, panic_traps, report, tgid, Global, Table};

static COUNTS: Global<Table<64>> = Global::new(Table::new());

kprobe!(pre __x64_sys_getpgid => fn on_getpgid() {
    let mut name = [0u8; 16];
    let name = comm(&mut name);
    COUNTS.with(|t| t.add(tgid() as u64, name, 1));
});

report!(fn report(out) {
    out.put_padded("TGID", 8).put_padded("COMM", 16).put("COUNT\n");
    COUNTS.with(|t| {
        t.top(10, |key, name, count| {
            let mut num = [0u8; 24];
            let mut r = kwasm_probe::Report::new(&mut num);
            r.put_u64(key);
            let len = num.iter().position(|&b| b == 0).unwrap_or(0);
            out.put_padded(core::str::from_utf8(&num[..len]).unwrap_or("?"), 8)
                .put_padded(name, 16)
                .put_u64(count)
                .put("\n");
        });
    });
});

panic_traps!();
