// SPDX-License-Identifier: GPL-2.0

//! The formatting host functions through Wasm: `format`, `stream`, `stream_printf`.

mod common;

use common::*;
use kwasm_engine::{Program, TrapKind};

/// A probe whose handler formats "pid=%d comm=%s at %ps" with arguments 42, the string at
/// 64 and a symbol's address (in memory at 16), streams it (its result stored at 512),
/// formats it again into memory at 256 (report returns it), and streams the 11 bytes at 0.
const PROBE: &str = r#"(module
    (import "kwasm" "format" (func $format (param i32 i32 i32 i32 i32 i32) (result i32)))
    (import "kwasm" "stream" (func $stream (param i32 i32) (result i32)))
    (import "kwasm" "stream_printf" (func $printf (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "raw record!")
    (data (i32.const 16) "\2a\00\00\00\00\00\00\00\40\00\00\00\00\00\00\00\00\00\00\81\ff\ff\ff\ff")
    (data (i32.const 64) "mkdir\00")
    (data (i32.const 128) "pid=%d comm=%s at %ps")
    (func (export "kprobe:f:pre")
        (i32.store (i32.const 512)
            (call $printf (i32.const 128) (i32.const 21) (i32.const 16) (i32.const 3)))
        (drop (call $format (i32.const 128) (i32.const 21) (i32.const 16) (i32.const 3)
            (i32.const 256) (i32.const 100)))
        (drop (call $stream (i32.const 0) (i32.const 11))))
    (func (export "report") (result i32) (i32.const 256)))"#;

fn run(p: &mut Program, c: &mut FakeCtx, fuel: u64) -> Result<(), kwasm_engine::Trap> {
    p.call(0, (c as *mut FakeCtx).cast(), 1, &[0; 6], 0, fuel)
}

#[test]
fn records_are_formatted_on_the_host_and_streamed() {
    let mut p = load(PROBE);
    assert!(p.uses_stream());
    let mut c = FakeCtx::default();
    run(&mut p, &mut c, FUEL).unwrap();
    assert_eq!(p.memory()[512..516], [0; 4]);
    let text: Vec<String> = c
        .streamed
        .iter()
        .map(|r| String::from_utf8_lossy(r).into())
        .collect();
    assert_eq!(text, ["pid=42 comm=mkdir at vfs_mkdir", "raw record!"]);
    assert_eq!(report(&mut p).unwrap(), "pid=42 comm=mkdir at vfs_mkdir");
}

#[test]
fn a_program_without_stream_imports_uses_no_stream() {
    let p = load(r#"(module (memory (export "memory") 1) (func (export "kprobe:f:pre")))"#);
    assert!(!p.uses_stream());
}

#[test]
fn a_lost_record_returns_the_errno() {
    let mut p = load(PROBE);
    let mut c = FakeCtx {
        stream_full: true,
        ..FakeCtx::default()
    };
    run(&mut p, &mut c, FUEL).unwrap();
    assert!(c.streamed.is_empty());
    assert_eq!(p.memory()[512..516], (-105i32).to_le_bytes());
}

#[test]
fn formatting_is_charged_fuel_for_its_work() {
    // The symbol lookup alone is charged 512 bytes: 64 fuel. Below the cost, it traps.
    let mut p = load(PROBE);
    let mut c = FakeCtx::default();
    assert_eq!(
        run(&mut p, &mut c, 60).err().map(|t| t.kind),
        Some(TrapKind::OutOfFuel)
    );
    assert!(
        c.streamed.is_empty(),
        "nothing streamed without the fuel for it"
    );
    run(&mut p, &mut c, 1_000).unwrap();
}

#[test]
fn streams_are_for_handlers_and_bad_formats_trap_with_their_reason() {
    let in_report = load(
        r#"(module (import "kwasm" "stream" (func $s (param i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "report") (result i32) (drop (call $s (i32.const 0) (i32.const 1))) (i32.const 0)))"#,
    );
    let mut in_report = in_report;
    match report(&mut in_report) {
        Err(kwasm_engine::ReportError::Trap(t)) => {
            assert_eq!(t.to_string(), "stream() is only available in a handler")
        }
        other => panic!("report: {other:?}"),
    }
    let cases = [
        (
            "(call $p (i32.const 0) (i32.const 2) (i32.const 16) (i32.const 1))",
            "%n",
            "format: %n is refused",
        ),
        (
            "(call $p (i32.const 0) (i32.const 2) (i32.const 16) (i32.const 13))",
            "%d",
            "format: more than 12 arguments",
        ),
        (
            "(call $p (i32.const 0) (i32.const 2) (i32.const 65530) (i32.const 1))",
            "%d",
            "format: the arguments are outside memory",
        ),
        (
            "(call $p (i32.const 65535) (i32.const 2) (i32.const 16) (i32.const 0))",
            "%d",
            "format: the format is outside memory",
        ),
        (
            "(call $p (i32.const 0) (i32.const 2) (i32.const 16) (i32.const 1))",
            "%s",
            "format: a %s argument is outside memory",
        ),
        (
            "(call $s (i32.const 0) (i32.const 513))",
            "%d",
            "stream: a record is at most 512 bytes",
        ),
        (
            "(call $s (i32.const 65535) (i32.const 2))",
            "%d",
            "stream: record outside memory",
        ),
    ];
    for (call, fmt, why) in cases {
        let mut p = load(&format!(
            r#"(module
                (import "kwasm" "stream_printf" (func $p (param i32 i32 i32 i32) (result i32)))
                (import "kwasm" "stream" (func $s (param i32 i32) (result i32)))
                (memory (export "memory") 1)
                (data (i32.const 0) "{fmt}")
                (data (i32.const 16) "\00\00\ff\ff\00\00\00\00")
                (func (export "kprobe:f:pre") (drop {call})))"#
        ));
        let mut c = FakeCtx::default();
        let r = run(&mut p, &mut c, FUEL);
        assert_eq!(
            r.err().map(|t| t.to_string()),
            Some(why.to_string()),
            "{call}"
        );
        assert!(c.streamed.is_empty());
    }
}

#[test]
fn ranges_are_checked_against_memory_as_start_left_it() {
    // Host functions check ranges against where the memory was when the load ended:
    // 3 pages here, grown in `start`; a handler's grow is refused and changes nothing.
    let end = 3 * 65536;
    let mut p = load(&format!(
        r#"(module
            (import "kwasm" "stream" (func $s (param i32 i32) (result i32)))
            (import "kwasm" "stream_printf" (func $p (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func $start (drop (memory.grow (i32.const 2)))
                (i32.store8 (i32.const {last}) (i32.const 33)))
            (start $start)
            (func (export "kprobe:a:pre") (drop (call $s (i32.const {last}) (i32.const 1))))
            (func (export "kprobe:b:pre") (drop (call $s (i32.const {last}) (i32.const 2))))
            (func (export "kprobe:c:pre") (drop (memory.grow (i32.const 1)))
                (drop (call $s (i32.const {end}) (i32.const 1))))
            (func (export "kprobe:d:pre")
                (drop (call $p (i32.const {last}) (i32.const 1) (i32.const {end}) (i32.const 0)))))"#,
        last = end - 1,
    ));
    let mut c = FakeCtx::default();
    call(&mut p, 0, &mut c).unwrap();
    assert_eq!(c.streamed, [b"!".to_vec()]);
    for (i, why) in [
        (1, "stream: record outside memory"),
        (2, "stream: record outside memory"),
    ] {
        let r = call(&mut p, i, &mut c);
        assert_eq!(
            r.err().map(|t| t.to_string()).as_deref(),
            Some(why),
            "handler {i}"
        );
    }
    // The format is the last byte; no arguments, at the very end: in bounds.
    call(&mut p, 3, &mut c).unwrap();
    assert_eq!(c.streamed.len(), 2);
    assert_eq!(p.memory_bytes(), end as usize);
}
