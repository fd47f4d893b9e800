// SPDX-License-Identifier: GPL-2.0

//! `cells_count.c` in Rust: maps with cells (probe-abi.rst, "Cells"), a hist's
//! included, updated by kwasm-probe's `Map::count` and `Map::update`, beside a keyed map
//! kwasm keeps.

#![no_std]

use kwasm_probe::{comm, kprobe, maps, panic_traps, KeyPart, MapDecl, MapKind};

maps! {
    static HITS = MapDecl::new("hits", MapKind::Count);
    static TWICE = MapDecl::new("twice", MapKind::Sum);
    static KEYED = MapDecl::new("keyed", MapKind::Count).key(KeyPart::U64, KeyPart::None, 1);
    static LAT = MapDecl::new("lat", MapKind::Hist);
}

kprobe!(pre __x64_sys_getpgid => fn on_getpgid() {
    let mut name = [0u8; 16];
    // Only syscall_loop's calls: the test counts exactly what it made.
    if comm(&mut name) != "syscall_loop" {
        return;
    }
    HITS.count(0);
    TWICE.update(0, 2);
    KEYED.count(7);
    LAT.update(0, 3);
});

panic_traps!();
