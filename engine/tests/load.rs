// SPDX-License-Identifier: GPL-2.0

//! Loading: the probe ABI's exports and imports, accepted and rejected, and the limits.

mod common;

use common::*;
use kwasm_engine::{Errno, Limits, ParamType, Program, KINDS};

#[test]
fn a_module_with_every_kind_of_export_loads_and_lists_its_attach_points_by_name() {
    let p = load(
        r#"(module
            (memory (export "memory") 1)
            (func (export "kprobe:__x64_sys_mkdir:pre"))
            (func (export "kprobe:vfs_read:post") (param i64))
            (func (export "kprobe:do_sys_openat2:pre") (param i32 i64 i32 i64 i32 i64))
            (func (export "kprobe:foo.isra.0:post"))
            (func (export "report") (result i32) i32.const 0)
            (func (export "helper_not_an_attach_point")))"#,
    );
    let aps = p.attach_points();
    let got: Vec<_> = aps
        .iter()
        .map(|a| (a.symbol(), a.kind.name(), a.params.len()))
        .collect();
    assert_eq!(
        got,
        [
            ("__x64_sys_mkdir", "kprobe", 0),
            ("do_sys_openat2", "kprobe", 6),
            ("foo.isra.0", "kretprobe", 0),
            ("vfs_read", "kretprobe", 1),
        ]
    );
    assert_eq!(aps[3].params, [ParamType::I64]);
    assert_eq!(aps[0].symbol_with_nul(), b"__x64_sys_mkdir\0");
    assert!(p.has_report());
    assert_eq!(p.memory_bytes(), 65536);
}

#[test]
fn every_attach_kind_has_a_unique_name() {
    let mut names: Vec<_> = KINDS.iter().map(|k| k.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), KINDS.len());
}

#[test]
fn an_export_whose_prefix_names_no_kind_is_not_an_attach_point() {
    let p = load(r#"(module (func (export "kprobes:foo:pre")) (func (export "kprobe")))"#);
    assert!(p.attach_points().is_empty());
}

#[test]
fn a_module_with_no_exports_loads_with_no_attach_points() {
    let p = load("(module)");
    assert!(p.attach_points().is_empty());
    assert!(!p.has_report());
}

#[test]
fn malformed_kprobe_export_names_are_rejected_by_name() {
    for (name, why) in [
        ("kprobe:", "no :pre or :post"),
        ("kprobe:foo", "no :pre or :post"),
        ("kprobe:foo:entry", "it must end in :pre or :post"),
        ("kprobe::pre", "the symbol is empty"),
        (
            "kprobe:foo bar:pre",
            "a symbol has only letters, digits, '_' and '.'",
        ),
        (
            "kprobe:a:b:pre",
            "a symbol has only letters, digits, '_' and '.'",
        ),
    ] {
        let err = load_err(&format!(r#"(module (func (export "{name}")))"#));
        assert_eq!(
            err,
            format!("EINVAL: export \"{name}\" does not fit kprobe:SYMBOL:pre|post ({why})")
        );
    }
}

#[test]
fn a_kprobe_export_with_glob_characters_is_a_wildcard_of_kind_fprobe() {
    let p = load(
        r#"(module
            (func (export "kprobe:vfs_*:pre") (param i64))
            (func (export "kprobe:kwasm_test_[ab]?:pre"))
            (func (export "kprobe:x[!0-9]*.isra.0:pre"))
            (func (export "kprobe:vfs_read:pre")))"#,
    );
    let got: Vec<_> = p
        .attach_points()
        .iter()
        .map(|a| (a.symbol(), a.kind.name(), a.params.len()))
        .collect();
    assert_eq!(
        got,
        [
            ("kwasm_test_[ab]?", "fprobe", 0),
            ("vfs_*", "fprobe", 1),
            ("vfs_read", "kprobe", 0),
            ("x[!0-9]*.isra.0", "fprobe", 0),
        ]
    );
}

#[test]
fn malformed_wildcards_are_rejected_by_name() {
    let chars = "a pattern has only letters, digits, '_', '.', '*', '?' and [...] classes";
    for (name, why) in [
        ("kprobe:vfs_[:pre", "a '[' has no ']'"),
        ("kprobe:vfs_[]*:pre", "a class [...] is empty"),
        ("kprobe:vfs_[[a]]*:pre", "classes [...] do not nest"),
        ("kprobe:vfs_*]:pre", "a ']' has no '['"),
        (
            "kprobe:vfs_[a*]:pre",
            "'*' and '?' are not for inside [...]",
        ),
        ("kprobe:!vfs_*:pre", "'!' and '-' are only for inside [...]"),
        ("kprobe:vfs *:pre", chars),
        ("kprobe:a:*:pre", chars),
    ] {
        let err = load_err(&format!(r#"(module (func (export "{name}")))"#));
        assert_eq!(
            err,
            format!("EINVAL: export \"{name}\" does not fit kprobe:PATTERN:pre ({why})")
        );
    }
    let long = format!("kprobe:{}*:pre", "f".repeat(511));
    let err = load_err(&format!(r#"(module (func (export "{long}")))"#));
    assert!(
        err.ends_with("(the pattern is longer than 511 bytes)"),
        "{err}"
    );
}

#[test]
fn a_wildcard_on_return_or_on_tracepoints_is_refused() {
    for name in ["kprobe:vfs_*:post", "tracepoint:sched:sched_*"] {
        let err = load_err(&format!(r#"(module (func (export "{name}")))"#));
        assert_eq!(
            err,
            format!("EINVAL: export \"{name}\": a wildcard attaches only as kprobe:PATTERN:pre")
        );
    }
}

#[test]
fn malformed_tracepoint_export_names_are_rejected_by_name() {
    let chars = "a group and an event are non-empty and have only letters, digits and '_'";
    for (name, why) in [
        ("tracepoint:", "no ':' between group and event"),
        ("tracepoint:sched", "no ':' between group and event"),
        ("tracepoint:sched:", chars),
        ("tracepoint::sched_switch", chars),
        ("tracepoint:sched:sched_switch:pre", chars),
        ("tracepoint:sched:sched-switch", chars),
        ("tracepoint:sched:sched.switch", chars),
    ] {
        let err = load_err(&format!(r#"(module (func (export "{name}")))"#));
        assert_eq!(
            err,
            format!("EINVAL: export \"{name}\" does not fit tracepoint:GROUP:EVENT ({why})")
        );
    }
    let long = format!("tracepoint:g:{}", "e".repeat(510));
    let err = load_err(&format!(r#"(module (func (export "{long}")))"#));
    assert!(
        err.ends_with("(the event is longer than 511 bytes)"),
        "{err}"
    );
}

#[test]
fn tracepoint_handlers_take_up_to_six_integers() {
    let p = load(
        r#"(module (func (export "tracepoint:sched:sched_switch") (param i32 i64 i64 i32))
                   (func (export "tracepoint:raw_syscalls:sys_enter")))"#,
    );
    assert_eq!(p.attach_points().len(), 2);
    let err = load_err(
        r#"(module (func (export "tracepoint:sched:sched_switch") (param i64 i64 i64 i64 i64 i64 i64)))"#,
    );
    assert_eq!(
        err,
        r#"EINVAL: export "tracepoint:sched:sched_switch" has type (i64, i64, i64, i64, i64, i64, i64) -> (), expected up to six i32/i64 parameters (the tracepoint's arguments) and no result"#
    );
}

#[test]
fn a_symbol_longer_than_ksym_name_len_is_rejected() {
    let long = "a".repeat(512);
    let err = load_err(&format!(r#"(module (func (export "kprobe:{long}:pre")))"#));
    assert!(
        err.ends_with("(the symbol is longer than 511 bytes)"),
        "{err}"
    );
    // 511 bytes is fine.
    let ok = "a".repeat(511);
    load(&format!(r#"(module (func (export "kprobe:{ok}:pre")))"#));
}

#[test]
fn handlers_of_the_wrong_type_are_rejected_with_their_type() {
    let cases = [
        (
            r#"(func (export "kprobe:f:pre") (result i32) i32.const 0)"#,
            r#"EINVAL: export "kprobe:f:pre" has type () -> (i32), expected up to six i32/i64 parameters and no result"#,
        ),
        (
            r#"(func (export "kprobe:f:pre") (param i32 i32 i32 i32 i32 i32 i32))"#,
            r#"EINVAL: export "kprobe:f:pre" has type (i32, i32, i32, i32, i32, i32, i32) -> (), expected up to six i32/i64 parameters and no result"#,
        ),
        (
            r#"(func (export "kprobe:f:pre") (param f64))"#,
            r#"EINVAL: export "kprobe:f:pre" has type (f64) -> (), expected up to six i32/i64 parameters and no result"#,
        ),
        (
            r#"(func (export "kprobe:f:post") (param i64 i64))"#,
            r#"EINVAL: export "kprobe:f:post" has type (i64, i64) -> (), expected () -> () or one i32/i64 parameter (the return value)"#,
        ),
        (
            r#"(global (export "kprobe:f:pre") i32 (i32.const 0))"#,
            r#"EINVAL: export "kprobe:f:pre" is a global, expected a function"#,
        ),
        (
            r#"(memory 1) (func (export "report"))"#,
            r#"EINVAL: export "report" has type () -> (), expected () -> (i32)"#,
        ),
        (
            r#"(memory (export "report") 1)"#,
            r#"EINVAL: export "report" is a memory, expected a function () -> (i32)"#,
        ),
        (
            r#"(func (export "memory"))"#,
            r#"EINVAL: export "memory" is a function, expected a memory"#,
        ),
    ];
    for (body, want) in cases {
        assert_eq!(load_err(&format!("(module {body})")), want, "{body}");
    }
}

#[test]
fn report_without_memory_is_rejected() {
    assert_eq!(
        load_err(r#"(module (func (export "report") (result i32) i32.const 0))"#),
        r#"EINVAL: export "report" needs an exported "memory""#
    );
}

#[test]
fn every_host_function_imports_with_its_type() {
    load(
        r#"(module
            (import "kwasm" "arg" (func (param i32) (result i64)))
            (import "kwasm" "ret" (func (result i64)))
            (import "kwasm" "syscall_arg" (func (param i32) (result i64)))
            (import "kwasm" "read_kernel" (func (param i64 i32 i32) (result i32)))
            (import "kwasm" "read_user" (func (param i64 i32 i32) (result i32)))
            (import "kwasm" "read_kernel_str" (func (param i64 i32 i32) (result i32)))
            (import "kwasm" "read_user_str" (func (param i64 i32 i32) (result i32)))
            (import "kwasm" "ktime_ns" (func (result i64)))
            (import "kwasm" "pid" (func (result i32)))
            (import "kwasm" "tgid" (func (result i32)))
            (import "kwasm" "cpu" (func (result i32)))
            (import "kwasm" "comm" (func (param i32 i32) (result i32)))
            (import "kwasm" "print" (func (param i32 i32)))
            (import "kwasm" "kstack" (func (param i32 i32) (result i32)))
            (import "kwasm" "ksym" (func (param i64 i32 i32) (result i32)))
            (memory (export "memory") 1))"#,
    );
}

#[test]
fn unknown_imports_and_wrong_import_types_are_rejected_by_name() {
    let cases = [
        (
            r#"(import "env" "arg" (func (param i32) (result i64)))"#,
            r#"EINVAL: import "env"."arg": unknown module "env" (host functions come from "kwasm")"#,
        ),
        (
            r#"(import "kwasm" "open" (func))"#,
            r#"EINVAL: import "kwasm"."open": no such host function (there are: arg, ret, syscall_arg, read_kernel, read_user, read_kernel_str, read_user_str, ktime_ns, entry_ns, pid, tgid, cpu, comm, print, map_declare, map_update, map_update_key, map_read, map_read_key, format, stream, stream_printf, kstack, ksym, func_ip)"#,
        ),
        (
            r#"(import "kwasm" "arg" (func (param i64) (result i64)))"#,
            r#"EINVAL: import "kwasm"."arg" has type (i64) -> (i64), expected (i32) -> (i64)"#,
        ),
        (
            r#"(import "kwasm" "pid" (global i32))"#,
            r#"EINVAL: import "kwasm"."pid" is a global, expected a function () -> (i32)"#,
        ),
        (
            r#"(import "kwasm" "memory" (memory 1))"#,
            r#"EINVAL: import "kwasm"."memory": no such host function (there are: arg, ret, syscall_arg, read_kernel, read_user, read_kernel_str, read_user_str, ktime_ns, entry_ns, pid, tgid, cpu, comm, print, map_declare, map_update, map_update_key, map_read, map_read_key, format, stream, stream_printf, kstack, ksym, func_ip)"#,
        ),
    ];
    for (body, want) in cases {
        assert_eq!(load_err(&format!("(module {body})")), want, "{body}");
    }
}

#[test]
fn a_pointer_taking_import_needs_an_exported_memory() {
    assert_eq!(
        load_err(r#"(module (import "kwasm" "print" (func (param i32 i32))) (memory 1))"#),
        r#"EINVAL: a host function taking pointers is imported, but no "memory" is exported"#
    );
}

#[test]
fn invalid_and_empty_modules_are_rejected() {
    let limits = Limits::default();
    let e = Program::load(&[], &limits, &OPS, start_ctx())
        .err()
        .unwrap();
    assert_eq!(
        (e.errno, e.message.as_str()),
        (Errno::EINVAL, "code is empty")
    );
    let e = Program::load(b"\0asm\x01\0\0\0\x01", &limits, &OPS, start_ctx())
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::EINVAL);
    assert!(e.message.starts_with("invalid Wasm: "), "{}", e.message);
    let e = Program::load(b"not wasm at all", &limits, &OPS, start_ctx())
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::EINVAL);
    // Duplicate export names are a validation error.
    let e = try_load(r#"(module (func (export "kprobe:a:pre")) (func (export "kprobe:a:pre")))"#)
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::EINVAL);
    assert!(e.message.contains("duplicate export"), "{}", e.message);
}

#[test]
fn code_over_max_code_bytes_is_e2big_and_at_the_limit_loads() {
    let code = wat::parse_str("(module)").unwrap();
    let limits = Limits {
        max_code_bytes: code.len() as u64,
        ..Limits::default()
    };
    assert!(Program::load(&code, &limits, &OPS, start_ctx()).is_ok());
    let limits = Limits {
        max_code_bytes: code.len() as u64 - 1,
        ..Limits::default()
    };
    let e = Program::load(&code, &limits, &OPS, start_ctx())
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::E2BIG);
    assert_eq!(
        e.message,
        "code is 8 bytes, over the limit of 7 (max_code_bytes)"
    );
}

#[test]
fn memory_over_max_memory_pages_is_e2big() {
    let limits = Limits {
        max_memory_pages: 4,
        ..Limits::default()
    };
    assert!(try_load_with(r#"(module (memory 4))"#, &limits).is_ok());
    let e = try_load_with(r#"(module (memory 5))"#, &limits)
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::E2BIG);
    assert_eq!(
        e.message,
        "linear memory of 5 pages is over the limit of 4 pages (max_memory_pages)"
    );
}

#[test]
fn a_table_over_max_table_elements_is_e2big() {
    let limits = Limits {
        max_table_elements: 100,
        ..Limits::default()
    };
    assert!(try_load_with(r#"(module (table 100 funcref))"#, &limits).is_ok());
    let e = try_load_with(r#"(module (table 101 funcref))"#, &limits)
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::E2BIG);
    assert_eq!(
        e.message,
        "a table of 101 elements is over the limit of 100 (max_table_elements)"
    );
}

#[test]
fn attach_points_over_max_attach_points_are_e2big() {
    let limits = Limits {
        max_attach_points: 2,
        ..Limits::default()
    };
    let two = r#"(module (func (export "kprobe:a:pre")) (func (export "kprobe:b:post")))"#;
    assert!(try_load_with(two, &limits).is_ok());
    let three = r#"(module (func (export "kprobe:a:pre")) (func (export "kprobe:b:post"))
                   (func (export "kprobe:c:pre")))"#;
    let e = try_load_with(three, &limits).err().unwrap();
    assert_eq!(e.errno, Errno::E2BIG);
    assert_eq!(
        e.message,
        "3 attach points, over the limit of 2 (max_attach_points)"
    );
}

#[test]
fn too_many_globals_is_e2big() {
    let globals: String = (0..1001).map(|_| "(global i32 (i32.const 0))").collect();
    let e = try_load(&format!("(module {globals})")).err().unwrap();
    assert_eq!(e.errno, Errno::E2BIG, "{}", e.message);
}

#[test]
fn the_start_function_runs_at_load_with_fuel() {
    let p = load(
        r#"(module (memory (export "memory") 1) (data (i32.const 0) "not yet\00")
            (func $start (i32.store8 (i32.const 0) (i32.const 89)) (i32.store8 (i32.const 1) (i32.const 0)))
            (start $start)
            (func (export "report") (result i32) i32.const 0))"#,
    );
    let mut p = p;
    assert_eq!(report(&mut p).unwrap(), "Y");
}

#[test]
fn a_start_function_that_loops_forever_fails_the_load() {
    let e = try_load(r#"(module (func $s (loop br 0)) (start $s))"#)
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::EINVAL);
    assert_eq!(e.message, "the start function trapped: out of fuel");
    let e = try_load(r#"(module (func $s unreachable) (start $s))"#)
        .err()
        .unwrap();
    assert_eq!(
        e.message,
        "the start function trapped: unreachable executed"
    );
}

#[test]
fn a_start_function_that_traps_in_a_host_call_says_why() {
    let e = try_load(
        r#"(module (import "kwasm" "arg" (func $arg (param i32) (result i64)))
            (func $s (drop (call $arg (i32.const 0)))) (start $s))"#,
    )
    .err()
    .unwrap();
    assert_eq!(e.errno, Errno::EINVAL);
    assert_eq!(
        e.message,
        "the start function trapped: arg() is only available in a handler"
    );
}

#[test]
fn a_code_section_with_bytes_but_no_bodies_is_einval_not_a_panic() {
    // Found by the `load` fuzz target: wasmi 2.0.0 divides by zero on it.
    let bytes = include_bytes!("fuzz_regressions/code-section-no-functions-divide-by-zero.wasm");
    let e = Program::load(bytes, &Limits::default(), &OPS, start_ctx())
        .err()
        .unwrap();
    assert_eq!(e.errno, Errno::EINVAL);
    assert_eq!(
        e.message,
        "invalid Wasm: the code section has 17185 bytes but no function bodies"
    );
}
