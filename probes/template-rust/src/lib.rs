// SPDX-License-Identifier: GPL-2.0

//! my-probe: mkdir calls by process, printed as bpftrace prints
//! `@[pid, comm] = count()`: `@[PID, COMM]: COUNT`, fewest calls first.

#![no_std]

use kwasm_probe::{comm, kprobe, panic_traps, pid, report, Global, Table};

/// Calls by process id, each with the name the process had at its first call.
static CALLS: Global<Table<64>> = Global::new(Table::new());

kprobe!(pre __x64_sys_mkdir => fn on_mkdir() {
    let mut name = [0u8; 16];
    let name = comm(&mut name);
    CALLS.with(|t| t.add(pid() as u64, name, 1));
});

report!(fn report(out) {
    CALLS.with(|t| t.ascending(|pid, name, count| writeln!(out, "@[{pid}, {name}]: {count}")));
});

panic_traps!();
