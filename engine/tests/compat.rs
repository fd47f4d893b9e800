// SPDX-License-Identifier: GPL-2.0

//! Probes written for the wasm3 module (Documentation/probe-abi.rst): `comm`, `buffer`,
//! `buffer_size`.

mod common;

use common::*;

/// What clang `--export-all` makes of `char comm[] = "NAME"; char buffer[SIZE];
/// unsigned int buffer_size = SIZE;`: globals holding addresses.
fn compat_module(comm: &str, buffer_size: u32, handler: &str) -> String {
    format!(
        r#"(module (memory (export "memory") 1)
            (data (i32.const 16) "{comm}\00")
            (data (i32.const 64) "{size}")
            (global (export "comm") i32 (i32.const 16))
            (global (export "buffer") i32 (i32.const 128))
            (global (export "buffer_size") i32 (i32.const 64))
            (global (export "__data_end") i32 (i32.const 4096))
            {handler}
            (func (export "report") (result i32) i32.const 128))"#,
        size = buffer_size
            .to_le_bytes()
            .iter()
            .map(|b| format!("\\{b:02x}"))
            .collect::<String>()
    )
}

#[test]
fn the_comm_global_is_read_at_load() {
    let p = load(&compat_module("vforker", 64, ""));
    assert_eq!(p.comm_filter(), Some(b"vforker\0\0\0\0\0\0\0\0\0"));
    assert_eq!(load("(module)").comm_filter(), None);
}

#[test]
fn a_comm_of_16_bytes_or_more_is_rejected() {
    let e = try_load(&compat_module("sixteen_bytes_xx", 64, ""))
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "EINVAL: global \"comm\": a task name has at most 15 bytes, this one 16"
    );
}

#[test]
fn compat_globals_outside_memory_are_rejected() {
    let e = try_load(
        r#"(module (memory (export "memory") 1) (global (export "comm") i32 (i32.const 70000)))"#,
    )
    .err()
    .unwrap();
    assert_eq!(
        e.to_string(),
        "EINVAL: global \"comm\" holds address 70000, outside memory (65536 bytes)"
    );
    let e = try_load(&compat_module("x", 65536, "")).err().unwrap();
    assert_eq!(
        e.to_string(),
        "EINVAL: global \"buffer\": 65536 bytes at address 128 run past memory (65536 bytes)"
    );
    let e = try_load(
        r#"(module (memory (export "memory") 1) (global (export "buffer") i32 (i32.const 0)))"#,
    )
    .err()
    .unwrap();
    assert_eq!(
        e.to_string(),
        "EINVAL: global \"buffer\" needs \"buffer_size\" too"
    );
}

const STRING_HANDLER: &str = r#"(global $a (mut i32) (i32.const 0)) (global $b (mut i32) (i32.const 0))
    (func (export "kprobe:__x64_sys_rename:pre") (param i32 i32)
        (global.set $a (local.get 0)) (global.set $b (local.get 1))
        (i32.store (i32.const 1000) (local.get 0)) (i32.store (i32.const 1004) (local.get 1)))"#;

#[test]
fn string_parameters_are_copied_one_after_another_into_the_buffer() {
    static FROM: &[u8] = b"/tmp/old\0";
    static TO: &[u8] = b"/tmp/new-name\0";
    let mut p = load(&compat_module("mv", 64, STRING_HANDLER));
    let params = [FROM.as_ptr() as u64, TO.as_ptr() as u64, 0, 0, 0, 0];
    let mut c = FakeCtx::default();
    p.call(0, (&mut c as *mut FakeCtx).cast(), 1, &params, 0b11, FUEL)
        .unwrap();
    let m = p.memory();
    let a = u32::from_le_bytes(m[1000..1004].try_into().unwrap()) as usize;
    let b = u32::from_le_bytes(m[1004..1008].try_into().unwrap()) as usize;
    assert_eq!((a, b), (128, 128 + 9));
    assert_eq!(&m[128..128 + 9 + 14], b"/tmp/old\0/tmp/new-name\0");
    assert_eq!(report(&mut p).unwrap(), "/tmp/old");
}

#[test]
fn strings_are_cut_to_the_buffer_never_past_it() {
    static FROM: &[u8] = b"/tmp/a-long-path\0";
    static TO: &[u8] = b"/x\0";
    let mut p = load(&compat_module("mv", 8, STRING_HANDLER));
    let params = [FROM.as_ptr() as u64, TO.as_ptr() as u64, 0, 0, 0, 0];
    let mut c = FakeCtx::default();
    p.call(0, (&mut c as *mut FakeCtx).cast(), 1, &params, 0b11, FUEL)
        .unwrap();
    let m = p.memory();
    assert_eq!(&m[128..136], b"/tmp/a-\0", "cut to 7 bytes and a NUL");
    assert_eq!(m[136], 0, "nothing written past the buffer");
    let b = u32::from_le_bytes(m[1004..1008].try_into().unwrap());
    assert_eq!(
        b, 135,
        "no room left: the second string is empty, the first one's NUL"
    );
    assert_eq!(m[135], 0);
}

#[test]
fn an_empty_buffer_is_rejected() {
    let e = try_load(&compat_module("mv", 0, "")).err().unwrap();
    assert_eq!(
        e.to_string(),
        "EINVAL: global \"buffer_size\": the buffer has 0 bytes"
    );
}

#[test]
fn without_a_buffer_string_parameters_are_the_raw_pointers() {
    let mut p = load(&format!(
        r#"(module (memory (export "memory") 1) {STRING_HANDLER})"#
    ));
    let params = [0x1234_5678, 0x9abc, 0, 0, 0, 0];
    p.call(0, std::ptr::null_mut(), 1, &params, 0b11, FUEL)
        .unwrap();
    let m = p.memory();
    assert_eq!(
        u32::from_le_bytes(m[1000..1004].try_into().unwrap()),
        0x1234_5678
    );
    assert_eq!(
        u32::from_le_bytes(m[1004..1008].try_into().unwrap()),
        0x9abc
    );
}
