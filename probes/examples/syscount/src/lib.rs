// SPDX-License-Identifier: GPL-2.0

//! syscount: which processes call getpgid() most (a cheap syscall that tests can make
//! exactly N times), top 10 with their counts. The key is the process id, so
//! the calls of all of a process's threads add up in one line.

#![no_std]

use kwasm_probe::{comm, kprobe, panic_traps, pid, report, Global, Table};

static COUNTS: Global<Table<64>> = Global::new(Table::new());

kprobe!(pre __x64_sys_getpgid => fn on_getpgid() {
    let mut name = [0u8; 16];
    let name = comm(&mut name);
    COUNTS.with(|t| t.add(pid() as u64, name, 1));
});

report!(fn report(out) {
    writeln!(out, "{:<8}{:<16}COUNT", "PID", "COMM");
    COUNTS.with(|t| {
        t.top(10, |pid, name, count| writeln!(out, "{pid:<8}{name:<16}{count}"));
    });
});

panic_traps!();
