// SPDX-License-Identifier: GPL-2.0

//! syscalls, in Rust: system calls counted per task name and syscall number in a
//! kernel-side map, as bpftrace's `kprobe:x64_sys_call { @syscalls[comm, arg1] = count(); }`.
//! `cat maps` prints it as bpftrace prints that map; the C version
//! (`probes/examples/syscalls.c`) prints the same.

#![no_std]

use kwasm_probe::{comm, key_str_u64, kprobe, maps, panic_traps, KeyPart, MapDecl, MapKind};

maps! {
    static SYSCALLS = MapDecl::new("syscalls", MapKind::Count)
        .key(KeyPart::Str, KeyPart::U64, 4096)
        .str_len(16);
}

kprobe!(pre x64_sys_call => fn on_syscall(_regs: i64, nr: i32) {
    let mut name = [0u8; 16];
    SYSCALLS.count_key(&key_str_u64(comm(&mut name), nr as u32 as u64));
});

panic_traps!();
