// SPDX-License-Identifier: GPL-2.0

//! mkdirsnoop in Rust: every mkdir on the trace stream, "mkdir pid=PID comm=COMM
//! path=PATH", formatted in the probe with `core::fmt` (`stream!`), and a report of the
//! count written with `writeln!`.

#![no_std]

use kwasm_probe::{comm, kprobe, panic_traps, pid, read_user_str, report, stream, Global};

static TOTAL: Global<u64> = Global::new(0);

kprobe!(pre __x64_sys_mkdir => fn on_mkdir(path: i64) {
    let (mut name, mut buf) = ([0u8; 16], [0u8; 128]);
    let name = comm(&mut name);
    let path = read_user_str(path as u64, &mut buf).unwrap_or("");
    let _ = stream!("mkdir pid={} comm={} path={}", pid(), name, path);
    TOTAL.update(|n| n + 1);
});

report!(fn report(out) {
    writeln!(out, "{} mkdirs", TOTAL.get());
});

panic_traps!();
