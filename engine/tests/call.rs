// SPDX-License-Identifier: GPL-2.0

//! Calling: handlers, parameters, host functions, traps, fuel and `report`.

mod common;

use common::*;
use kwasm_engine::{Limits, Program, ReportError, Trap, TrapKind};

fn kind(r: Result<(), Trap>) -> Option<TrapKind> {
    r.err().map(|t| t.kind)
}

fn message(r: Result<(), Trap>) -> String {
    r.err().map(|t| t.to_string()).unwrap_or_default()
}

/// A counter probe: `pre` counts, `report` prints the count in decimal.
const COUNTER: &str = r#"(module
    (memory (export "memory") 1)
    (global $n (mut i64) (i64.const 0))
    (func (export "kprobe:f:pre") (global.set $n (i64.add (global.get $n) (i64.const 1))))
    (func (export "report") (result i32)
        (local $v i64) (local $p i32)
        (local.set $v (global.get $n))
        (local.set $p (i32.const 100))
        (i32.store8 (local.get $p) (i32.const 0))
        (loop $digits
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (i32.store8 (local.get $p)
                (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
            (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
            (br_if $digits (i64.ne (local.get $v) (i64.const 0))))
        (local.get $p)))"#;

#[test]
fn a_counter_counts_every_call_and_reports_the_count() {
    let mut p = load(COUNTER);
    let mut c = FakeCtx::default();
    assert_eq!(report(&mut p).unwrap(), "0");
    for _ in 0..1234 {
        call(&mut p, 0, &mut c).unwrap();
    }
    assert_eq!(report(&mut p).unwrap(), "1234");
}

#[test]
fn handler_parameters_receive_the_values_with_their_declared_widths() {
    let mut p = load(
        r#"(module (memory (export "memory") 1)
            (func (export "kprobe:f:pre") (param i64 i32 i64)
                (i64.store (i32.const 0) (local.get 0))
                (i32.store (i32.const 8) (local.get 1))
                (i64.store (i32.const 16) (local.get 2)))
            (func (export "kprobe:f:post") (param i32) (i32.store (i32.const 24) (local.get 0)))
            (func (export "report") (result i32) i32.const 0))"#,
    );
    let mut c = FakeCtx {
        args: [u64::MAX - 1, 0x1_0000_0007, 3, 4, 5, 6],
        ..Default::default()
    };
    call(&mut p, 1, &mut c).unwrap(); // `pre` sorts after `post`.
    c.args[0] = (-17i64) as u64;
    call(&mut p, 0, &mut c).unwrap();
    let mem = dump(&mut p);
    assert_eq!(
        u64::from_le_bytes(mem[0..8].try_into().unwrap()),
        u64::MAX - 1
    );
    assert_eq!(
        u32::from_le_bytes(mem[8..12].try_into().unwrap()),
        7,
        "i32 takes the low half"
    );
    assert_eq!(u64::from_le_bytes(mem[16..24].try_into().unwrap()), 3);
    assert_eq!(i32::from_le_bytes(mem[24..28].try_into().unwrap()), -17);
}

#[test]
fn handlers_of_one_to_six_i64_parameters_get_every_value_and_run_out_of_fuel_cleanly() {
    // Each arity is its own typed call in the engine: each stores its parameters at
    // 64 * (n - 1); the second module's handlers then loop until out of fuel.
    let mut wat = String::from(r#"(module (memory (export "memory") 1)"#);
    for n in 1..=6usize {
        let params = "i64 ".repeat(n);
        let mut body = String::new();
        for i in 0..n {
            body += &format!(
                "(i64.store (i32.const {}) (local.get {i}))",
                64 * (n - 1) + 8 * i
            );
        }
        body += "(nop)";
        wat += &format!(r#"(func (export "tracepoint:g:e{n}") (param {params}) {body})"#);
    }
    wat += ")";
    let mut p = load(&wat);
    let mut c = FakeCtx {
        args: [11, u64::MAX, 13, 14, 15, 16],
        ..Default::default()
    };
    for n in 1..=6usize {
        call(&mut p, n - 1, &mut c).unwrap();
        let m = dump(&mut p);
        for i in 0..n {
            let at = 64 * (n - 1) + 8 * i;
            assert_eq!(
                u64::from_le_bytes(m[at..at + 8].try_into().unwrap()),
                c.args[i],
                "{n} parameters, parameter {i}"
            );
        }
    }
    // Out of fuel in each, then a call that finishes: the store's stack came back.
    let mut looping = load(&wat.replace("(nop)", "(loop br 0)"));
    for n in 1..=6usize {
        assert_eq!(message(call(&mut looping, n - 1, &mut c)), "out of fuel");
        call(&mut p, n - 1, &mut c).unwrap();
    }
}

fn dump(p: &mut Program) -> Vec<u8> {
    p.memory().to_vec()
}

#[test]
fn host_functions_answer_from_the_callbacks() {
    let mut p = load(
        r#"(module
            (import "kwasm" "arg" (func $arg (param i32) (result i64)))
            (import "kwasm" "ret" (func $ret (result i64)))
            (import "kwasm" "syscall_arg" (func $sarg (param i32) (result i64)))
            (import "kwasm" "ktime_ns" (func $ktime (result i64)))
            (import "kwasm" "pid" (func $pid (result i32)))
            (import "kwasm" "tgid" (func $tgid (result i32)))
            (import "kwasm" "cpu" (func $cpu (result i32)))
            (import "kwasm" "comm" (func $comm (param i32 i32) (result i32)))
            (import "kwasm" "print" (func $print (param i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 200) "hello, dmesg")
            (func (export "kprobe:f:pre")
                (i64.store (i32.const 0) (call $arg (i32.const 2)))
                (i64.store (i32.const 8) (call $sarg (i32.const 1)))
                (i64.store (i32.const 16) (call $ktime))
                (i32.store (i32.const 24) (call $pid))
                (i32.store (i32.const 28) (call $tgid))
                (i32.store (i32.const 32) (call $cpu))
                (i32.store (i32.const 36) (call $comm (i32.const 40) (i32.const 16)))
                (call $print (i32.const 200) (i32.const 12)))
            (func (export "kprobe:f:post") (i64.store (i32.const 56) (call $ret))))"#,
    );
    let mut c = FakeCtx {
        args: [10, 11, 12, 13, 14, 15],
        ret: (-2i64) as u64,
        syscall_args: Some([20, 21, 22, 23, 24, 25]),
        comm: "mkdir",
        ..Default::default()
    };
    call(&mut p, 1, &mut c).unwrap();
    call(&mut p, 0, &mut c).unwrap();
    // `cpu()` is the CPU the call names (the callback says 1): no callback per read.
    p.call(
        1,
        (&mut c as *mut FakeCtx).cast(),
        3,
        &c.args.clone(),
        0,
        FUEL,
    )
    .unwrap();
    let m = dump(&mut p);
    let u64_at = |o: usize| u64::from_le_bytes(m[o..o + 8].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(m[o..o + 4].try_into().unwrap());
    assert_eq!(u64_at(0), 12);
    assert_eq!(u64_at(8), 21);
    assert_eq!(u64_at(16), 1_000_000_007);
    assert_eq!((u32_at(24), u32_at(28), u32_at(32)), (4242, 4200, 3));
    assert_eq!(u32_at(36), 5);
    assert_eq!(&m[40..46], b"mkdir\0");
    assert_eq!(u64_at(56) as i64, -2);
    // Printed by both calls of the pre handler.
    assert_eq!(
        c.printed,
        [b"hello, dmesg".to_vec(), b"hello, dmesg".to_vec()]
    );
}

#[test]
fn read_functions_copy_into_memory_and_report_faults() {
    static KERNEL_BYTES: [u8; 8] = *b"kernel!\0";
    static PATH: &[u8] = b"/tmp/a/very/long/path\0";
    let wat = format!(
        r#"(module
            (import "kwasm" "read_kernel" (func $rk (param i64 i32 i32) (result i32)))
            (import "kwasm" "read_user_str" (func $rus (param i64 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "kprobe:f:pre")
                (i32.store (i32.const 0) (call $rk (i64.const {k}) (i32.const 100) (i32.const 8)))
                (i32.store (i32.const 4) (call $rus (i64.const {u}) (i32.const 200) (i32.const 7)))
                (i32.store (i32.const 8) (call $rk (i64.const 0) (i32.const 300) (i32.const 8)))))"#,
        k = KERNEL_BYTES.as_ptr() as u64,
        u = PATH.as_ptr() as u64
    );
    let mut p = load(&wat);
    call(&mut p, 0, &mut FakeCtx::default()).unwrap();
    let m = dump(&mut p);
    assert_eq!(i32::from_le_bytes(m[0..4].try_into().unwrap()), 0);
    assert_eq!(&m[100..108], b"kernel!\0");
    assert_eq!(
        i32::from_le_bytes(m[4..8].try_into().unwrap()),
        6,
        "cut to 6 + NUL"
    );
    assert_eq!(&m[200..207], b"/tmp/a\0");
    assert_eq!(
        i32::from_le_bytes(m[8..12].try_into().unwrap()),
        -14,
        "-EFAULT"
    );
}

#[test]
fn host_calls_with_pointers_outside_memory_trap_before_the_callback() {
    let cases = [
        (
            "(call $print (i32.const 65530) (i32.const 7))",
            "print: message outside memory",
        ),
        (
            "(call $print (i32.const -1) (i32.const 1))",
            "print: message outside memory",
        ),
        (
            "(call $print (i32.const 0) (i32.const -1))",
            "print: message outside memory",
        ),
        (
            "(drop (call $comm (i32.const 65535) (i32.const 2)))",
            "comm: destination outside memory",
        ),
        (
            "(drop (call $rk (i64.const 1) (i32.const 65536) (i32.const 1)))",
            "read_kernel: destination outside memory",
        ),
        (
            "(drop (call $rus (i64.const 1) (i32.const 0) (i32.const 65537)))",
            "read_user_str: destination outside memory",
        ),
    ];
    for (body, want) in cases {
        let mut p = load(&format!(
            r#"(module
                (import "kwasm" "print" (func $print (param i32 i32)))
                (import "kwasm" "comm" (func $comm (param i32 i32) (result i32)))
                (import "kwasm" "read_kernel" (func $rk (param i64 i32 i32) (result i32)))
                (import "kwasm" "read_user_str" (func $rus (param i64 i32 i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "kprobe:f:pre") {body}))"#
        ));
        let mut c = FakeCtx::default();
        let r = call(&mut p, 0, &mut c);
        assert_eq!(kind(r), Some(TrapKind::BadHostCall), "{body}");
        assert_eq!(message(call(&mut p, 0, &mut c)), want, "{body}");
        assert!(c.printed.is_empty(), "the callback never ran");
    }
    // A zero-length range at the very end is inside.
    let mut p = load(
        r#"(module (import "kwasm" "print" (func $print (param i32 i32)))
            (memory (export "memory") 1)
            (func (export "kprobe:f:pre") (call $print (i32.const 65536) (i32.const 0))))"#,
    );
    call(&mut p, 0, &mut FakeCtx::default()).unwrap();
}

#[test]
fn context_dependent_host_functions_trap_where_they_make_no_sense() {
    let mut p = load(
        r#"(module
            (import "kwasm" "ret" (func $ret (result i64)))
            (import "kwasm" "arg" (func $arg (param i32) (result i64)))
            (import "kwasm" "syscall_arg" (func $sarg (param i32) (result i64)))
            (memory (export "memory") 1)
            (func (export "kprobe:a:pre") (drop (call $ret)))
            (func (export "kprobe:b:pre") (drop (call $arg (i32.const 6))))
            (func (export "kprobe:c:pre") (drop (call $sarg (i32.const 0))))
            (func (export "report") (result i32) (drop (call $arg (i32.const 0))) (i32.const 0)))"#,
    );
    let mut c = FakeCtx::default();
    assert_eq!(
        message(call(&mut p, 0, &mut c)),
        "ret() is only available in a post handler"
    );
    assert_eq!(message(call(&mut p, 1, &mut c)), "arg(n): no such argument");
    assert_eq!(
        message(call(&mut p, 2, &mut c)),
        "syscall_arg(n): not a syscall entry point, or no such argument"
    );
    match report(&mut p) {
        Err(ReportError::Trap(t)) => {
            assert_eq!(t.kind, TrapKind::BadHostCall);
            assert_eq!(t.to_string(), "arg() is only available in a handler");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn entry_ns_answers_in_a_post_handler_and_traps_elsewhere() {
    let mut p = load(
        r#"(module
            (import "kwasm" "entry_ns" (func $entry (result i64)))
            (import "kwasm" "ktime_ns" (func $ktime (result i64)))
            (memory (export "memory") 1)
            (func (export "kprobe:f:pre") (drop (call $entry)))
            (func (export "kprobe:f:post")
                (i64.store (i32.const 0) (i64.sub (call $ktime) (call $entry))))
            (func (export "report") (result i32) (drop (call $entry)) (i32.const 0)))"#,
    );
    // Attach points are in the order of their names.
    const POST: usize = 0;
    const PRE: usize = 1;
    assert!(p.uses_entry_ns());
    assert!(!load(r#"(module (func (export "kprobe:f:post")))"#).uses_entry_ns());
    let mut c = FakeCtx {
        entry_ns: Some(1_000_000_000),
        ..Default::default()
    };
    call(&mut p, POST, &mut c).unwrap();
    assert_eq!(
        u64::from_le_bytes(dump(&mut p)[0..8].try_into().unwrap()),
        7
    );
    assert_eq!(
        message(call(&mut p, PRE, &mut c)),
        "entry_ns() is only available in a post handler"
    );
    c.entry_ns = None;
    assert_eq!(
        message(call(&mut p, POST, &mut c)),
        "entry_ns(): no entry time for this return"
    );
    match report(&mut p) {
        Err(ReportError::Trap(t)) => {
            assert_eq!(t.kind, TrapKind::BadHostCall);
            assert_eq!(
                t.to_string(),
                "entry_ns() is only available in a post handler"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_trap_kind_is_classified_and_the_program_stays_usable() {
    let cases = [
        ("(loop br 0)", TrapKind::OutOfFuel, "out of fuel"),
        (
            "(drop (i32.load (i32.const 65535)))",
            TrapKind::MemoryOutOfBounds,
            "out-of-bounds memory access",
        ),
        (
            "(i32.store (i32.const -4) (i32.const 1))",
            TrapKind::MemoryOutOfBounds,
            "out-of-bounds memory access",
        ),
        ("(call $recurse)", TrapKind::StackOverflow, "stack overflow"),
        ("unreachable", TrapKind::Unreachable, "unreachable executed"),
        (
            "(drop (i32.div_s (i32.const 1) (i32.const 0)))",
            TrapKind::Integer,
            "integer division by zero",
        ),
        (
            "(drop (i32.div_s (i32.const -2147483648) (i32.const -1)))",
            TrapKind::Integer,
            "integer overflow",
        ),
        (
            "(drop (i32.trunc_f64_s (f64.const nan)))",
            TrapKind::Integer,
            "invalid conversion to integer",
        ),
        (
            "(call_indirect (i32.const 5))",
            TrapKind::Other,
            "out-of-bounds table access",
        ),
        (
            "(call_indirect (i32.const 0))",
            TrapKind::Other,
            "indirect call to null",
        ),
    ];
    for (body, want_kind, want_msg) in cases {
        let mut p = load(&format!(
            r#"(module (memory (export "memory") 1) (table 2 funcref)
                (func $recurse (call $recurse))
                (global $ok (mut i32) (i32.const 0))
                (func (export "kprobe:bad:pre") {body})
                (func (export "kprobe:good:pre") (global.set $ok (i32.add (global.get $ok) (i32.const 1))))
                (func (export "report") (result i32)
                    (i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $ok)))
                    (i32.store8 (i32.const 1) (i32.const 0)) (i32.const 0)))"#
        ));
        let mut c = FakeCtx::default();
        for _ in 0..3 {
            let r = call(&mut p, 0, &mut c);
            assert_eq!(kind(r), Some(want_kind), "{body}");
            assert_eq!(message(call(&mut p, 0, &mut c)), want_msg, "{body}");
            call(&mut p, 1, &mut c).unwrap();
        }
        assert_eq!(report(&mut p).unwrap(), "3", "{body}: usable after traps");
    }
}

#[test]
fn memory_grows_in_start_up_to_the_limit_and_never_in_a_call() {
    // A grow reallocates, and calls run in atomic context: only `start` may grow.
    let mut p = load(
        r#"(module (memory (export "memory") 1)
            (func $start
                (i32.store (i32.const 0) (memory.grow (i32.const 14)))
                (i32.store (i32.const 4) (memory.grow (i32.const 2))))
            (start $start)
            (func (export "kprobe:f:pre")
                (i32.store (i32.const 8) (memory.grow (i32.const 1))))
            (func (export "report") (result i32)
                (i32.store (i32.const 12) (memory.grow (i32.const 0)))
                (i32.store (i32.const 16) (memory.grow (i32.const 1)))
                i32.const 20))"#,
    );
    call(&mut p, 0, &mut FakeCtx::default()).unwrap();
    report(&mut p).unwrap();
    let m = dump(&mut p);
    let word = |at: usize| i32::from_le_bytes(m[at..at + 4].try_into().unwrap());
    assert_eq!(word(0), 1, "start grew from 1 to 15 pages");
    assert_eq!(word(4), -1, "17 pages is over the limit of 16");
    assert_eq!(word(8), -1, "a handler cannot grow memory");
    assert_eq!(word(12), 15, "memory.grow 0 still tells the size");
    assert_eq!(word(16), -1, "report cannot grow memory");
    assert_eq!(p.memory_bytes(), 15 * 65536);
}

#[test]
fn tables_grow_in_start_and_never_in_a_call() {
    let mut p = load(
        r#"(module (memory (export "memory") 1) (table $t 1 funcref)
            (func $start
                (i32.store (i32.const 0) (table.grow $t (ref.null func) (i32.const 3))))
            (start $start)
            (func (export "kprobe:f:pre")
                (i32.store (i32.const 4) (table.grow $t (ref.null func) (i32.const 1)))
                (i32.store (i32.const 8) (table.size $t)))
            (func (export "report") (result i32) i32.const 12))"#,
    );
    call(&mut p, 0, &mut FakeCtx::default()).unwrap();
    let m = dump(&mut p);
    let word = |at: usize| i32::from_le_bytes(m[at..at + 4].try_into().unwrap());
    assert_eq!((word(0), word(4), word(8)), (1, -1, 4));
}

#[test]
fn start_calls_host_functions_with_the_load_context() {
    // The kernel's print() dereferences its context: start must get the load's.
    let mut c = FakeCtx::default();
    let code = wat::parse_str(
        r#"(module (import "kwasm" "print" (func $print (param i32 i32)))
            (memory (export "memory") 1) (data (i32.const 0) "hello")
            (func $start (call $print (i32.const 0) (i32.const 5)))
            (start $start))"#,
    )
    .unwrap();
    let ctx = (&mut c as *mut FakeCtx).cast();
    let p = Program::load(&code, &Limits::default(), &OPS, ctx).unwrap();
    drop(p);
    assert_eq!(c.printed, vec![b"hello".to_vec()]);
}

#[test]
fn report_strings_are_bounds_checked_and_cut_to_the_buffer() {
    let program = |ptr: &str, data: &str| {
        load(&format!(
            r#"(module (memory (export "memory") 1) (data (i32.const 0) "{data}")
                (func (export "report") (result i32) {ptr}))"#
        ))
    };
    let trap_msg = |p: &mut Program| match report(p) {
        Err(ReportError::Trap(t)) => (t.kind, t.to_string()),
        other => panic!("{other:?}"),
    };
    // The last byte of memory is a NUL: the empty string.
    assert_eq!(report(&mut program("(i32.const 65535)", "")).unwrap(), "");
    assert_eq!(
        trap_msg(&mut program("(i32.const 65536)", "")),
        (
            TrapKind::MemoryOutOfBounds,
            "report returned a pointer outside memory".into()
        )
    );
    assert_eq!(
        trap_msg(&mut program("(i32.const -1)", "")),
        (
            TrapKind::MemoryOutOfBounds,
            "report returned a pointer outside memory".into()
        )
    );
    // No NUL anywhere from the pointer to the end of memory.
    let mut p = load(
        r#"(module (memory (export "memory") 1)
            (func (export "report") (result i32)
                (memory.fill (i32.const 0) (i32.const 65) (i32.const 65536)) (i32.const 10)))"#,
    );
    assert_eq!(
        trap_msg(&mut p),
        (
            TrapKind::MemoryOutOfBounds,
            "report's string has no NUL before the end of memory".into()
        )
    );
    // Cut to the caller's buffer, and said so.
    let mut p = program("(i32.const 0)", "0123456789\\00");
    let mut small = [0u8; 4];
    let out = p.report(std::ptr::null_mut(), FUEL, &mut small).unwrap();
    assert_eq!((out.len, out.truncated, &small), (4, true, b"0123"));
    let mut big = [0u8; 64];
    let out = p.report(std::ptr::null_mut(), FUEL, &mut big).unwrap();
    assert_eq!((out.len, out.truncated), (10, false));
    // No report export.
    let mut p = load("(module)");
    assert_eq!(report(&mut p), Err(ReportError::NoReport));
}

#[test]
fn fuel_bounds_every_call_and_is_refilled_for_the_next() {
    // 1000 iterations of a few instructions each: fine with 100k fuel, not with 500.
    let mut p = load(
        r#"(module (func (export "kprobe:f:pre") (local $i i32)
            (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))))"#,
    );
    let params = [0u64; 6];
    assert!(p
        .call(0, std::ptr::null_mut(), 1, &params, 0, 100_000)
        .is_ok());
    let r = p.call(0, std::ptr::null_mut(), 1, &params, 0, 500);
    assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::OutOfFuel));
    assert!(p
        .call(0, std::ptr::null_mut(), 1, &params, 0, 100_000)
        .is_ok());
}

/// A handler that calls host function `call` (a WAT call with its arguments) in an endless
/// loop, with one page of memory.
fn host_loop(imports: &str, call: &str) -> String {
    format!(
        r#"(module {imports} (memory (export "memory") 16)
            (func (export "kprobe:f:pre") (loop $l {call} (br $l))))"#
    )
}

#[test]
fn host_copies_and_prints_are_charged_fuel_per_byte() {
    const MIB: usize = 1 << 20;
    let src = vec![7u8; MIB];
    let cases = [
        (
            r#"(import "kwasm" "read_kernel" (func $r (param i64 i32 i32) (result i32)))"#,
            format!(
                "(drop (call $r (i64.const {}) (i32.const 0) (i32.const {MIB})))",
                src.as_ptr() as u64
            ),
        ),
        (
            r#"(import "kwasm" "read_user_str" (func $r (param i64 i32 i32) (result i32)))"#,
            format!(
                "(drop (call $r (i64.const {}) (i32.const 0) (i32.const {MIB})))",
                src.as_ptr() as u64
            ),
        ),
        (
            r#"(import "kwasm" "print" (func $p (param i32 i32)))"#,
            format!("(call $p (i32.const 0) (i32.const {MIB}))"),
        ),
        (
            r#"(import "kwasm" "comm" (func $c (param i32 i32) (result i32)))"#,
            format!("(drop (call $c (i32.const 0) (i32.const {MIB})))"),
        ),
    ];
    for (imports, call) in cases {
        let mut p = load(&host_loop(imports, &call));
        let mut c = FakeCtx::default();
        let params = [0u64; 6];
        // 1 MiB costs 131072 fuel: not one whole copy at 100k, and at 1M seven of them.
        let r = p.call(0, (&mut c as *mut FakeCtx).cast(), 1, &params, 0, 100_000);
        assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::OutOfFuel), "{call}");
        assert!(
            c.printed.is_empty(),
            "{call}: nothing done without the fuel for it"
        );
        let r = p.call(0, (&mut c as *mut FakeCtx).cast(), 1, &params, 0, 1_000_000);
        assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::OutOfFuel), "{call}");
        if call.contains("$p") {
            assert_eq!(c.printed.len(), 7, "1M fuel pays for 7 prints of 1 MiB");
        }
    }
}

#[test]
fn a_small_host_copy_costs_a_few_fuel() {
    // 64 bytes cost 8 fuel: 1000 of them fit in 100k fuel with room for the loop.
    let src = [1u8; 64];
    let mut p = load(&format!(
        r#"(module (import "kwasm" "read_kernel" (func $r (param i64 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "kprobe:f:pre") (local $i i32)
                (loop $l (drop (call $r (i64.const {}) (i32.const 0) (i32.const 64)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))))"#,
        src.as_ptr() as u64
    ));
    let params = [0u64; 6];
    assert!(p
        .call(0, std::ptr::null_mut(), 1, &params, 0, 100_000)
        .is_ok());
    let r = p.call(0, std::ptr::null_mut(), 1, &params, 0, 8_000);
    assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::OutOfFuel));
}

#[test]
fn a_bad_attach_point_index_is_an_error_not_a_crash() {
    let mut p = load("(module)");
    let r = p.call(3, std::ptr::null_mut(), 1, &[0; 6], 0, FUEL);
    assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::Other));
}

#[test]
fn kstack_copies_the_hit_s_stack_at_any_alignment_up_to_127_frames() {
    let mut p = load(
        r#"(module
            (import "kwasm" "kstack" (func $ks (param i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "tracepoint:g:e")
                (i32.store (i32.const 0) (call $ks (i32.const 9) (i32.const 2)))
                (i32.store (i32.const 4) (call $ks (i32.const 100) (i32.const 1000)))))"#,
    );
    let mut c = FakeCtx {
        stack: (0..200).map(|i| 0xffff_ffff_8100_0000 + i).collect(),
        ..Default::default()
    };
    call(&mut p, 0, &mut c).unwrap();
    let m = dump(&mut p);
    let u64_at = |o: usize| u64::from_le_bytes(m[o..o + 8].try_into().unwrap());
    assert_eq!(i32::from_le_bytes(m[0..4].try_into().unwrap()), 2);
    assert_eq!(
        (u64_at(9), u64_at(17)),
        (0xffff_ffff_8100_0000, 0xffff_ffff_8100_0001)
    );
    assert_eq!(
        i32::from_le_bytes(m[4..8].try_into().unwrap()),
        127,
        "room for 1000, 127 at most"
    );
    assert_eq!(u64_at(100 + 8 * 126), 0xffff_ffff_8100_0000 + 126);
    assert_eq!(u64_at(100 + 8 * 127), 0, "nothing past the 127th");
}

#[test]
fn kstack_and_ksym_trap_on_bad_ranges_and_kstack_outside_handlers() {
    let cases = [
        (
            "(drop (call $ks (i32.const 65530) (i32.const 1)))",
            "kstack: destination outside memory",
        ),
        // 127 frames are 1016 bytes: the clamp comes before the range check.
        (
            "(drop (call $ks (i32.const 64600) (i32.const 5000)))",
            "kstack: destination outside memory",
        ),
        (
            "(drop (call $ks (i32.const 0) (i32.const -1)))",
            "kstack: negative count",
        ),
        (
            "(drop (call $sym (i64.const 1) (i32.const 65535) (i32.const 2)))",
            "ksym: destination outside memory",
        ),
    ];
    for (body, want) in cases {
        let mut p = load(&format!(
            r#"(module
                (import "kwasm" "kstack" (func $ks (param i32 i32) (result i32)))
                (import "kwasm" "ksym" (func $sym (param i64 i32 i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "kprobe:f:pre") {body}))"#
        ));
        let r = call(&mut p, 0, &mut FakeCtx::default());
        assert_eq!(kind(r), Some(TrapKind::BadHostCall), "{body}");
        assert_eq!(
            message(call(&mut p, 0, &mut FakeCtx::default())),
            want,
            "{body}"
        );
    }
    let mut p = load(
        r#"(module
            (import "kwasm" "kstack" (func $ks (param i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "report") (result i32) (drop (call $ks (i32.const 0) (i32.const 1))) (i32.const 0)))"#,
    );
    let err = report(&mut p).unwrap_err();
    assert!(
        format!("{err:?}").contains("kstack() is only available in a handler"),
        "{err:?}"
    );
}

#[test]
fn ksym_names_an_address_cut_to_len_in_handlers_and_report() {
    let mut p = load(
        r#"(module
            (import "kwasm" "ksym" (func $sym (param i64 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 200) "x\00")
            (func (export "kprobe:f:post")
                (i32.store (i32.const 0) (call $sym (i64.const 0xabc) (i32.const 16) (i32.const 64)))
                (i32.store (i32.const 4) (call $sym (i64.const 0xabc) (i32.const 100) (i32.const 4))))
            (func (export "report") (result i32)
                (drop (call $sym (i64.const 0xdef) (i32.const 200) (i32.const 64))) (i32.const 200)))"#,
    );
    call(&mut p, 0, &mut FakeCtx::default()).unwrap();
    let m = dump(&mut p);
    // The fake names an address in no symbol in hex, as the kernel does.
    assert_eq!(i32::from_le_bytes(m[0..4].try_into().unwrap()), 5);
    assert_eq!(&m[16..22], b"0xabc\0");
    assert_eq!(i32::from_le_bytes(m[4..8].try_into().unwrap()), 3);
    assert_eq!(&m[100..104], b"0xa\0");
    assert_eq!(report(&mut p).unwrap(), "0xdef");
}

#[test]
fn kstack_and_ksym_are_charged_fuel_per_byte() {
    let cases = [
        (
            r#"(import "kwasm" "ksym" (func $s (param i64 i32 i32) (result i32)))"#,
            "(drop (call $s (i64.const 1) (i32.const 0) (i32.const 1048576)))".to_string(),
        ),
        (
            r#"(import "kwasm" "kstack" (func $k (param i32 i32) (result i32)))"#,
            // 127 frames, 1016 bytes: 127 fuel a call.
            "(drop (call $k (i32.const 0) (i32.const 127)))".to_string(),
        ),
    ];
    for (imports, call) in cases {
        let mut p = load(&host_loop(imports, &call));
        let mut c = FakeCtx::default();
        let r = p.call(0, (&mut c as *mut FakeCtx).cast(), 1, &[0; 6], 0, 100_000);
        assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::OutOfFuel), "{call}");
    }
    // 127 frames cost 127 fuel: 100 of them fit in 100k fuel with room for the loop,
    // not in 12700.
    let mut p = load(
        r#"(module (import "kwasm" "kstack" (func $k (param i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "kprobe:f:pre") (local $i i32)
                (loop $l (drop (call $k (i32.const 0) (i32.const 127)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))))"#,
    );
    let mut c = FakeCtx::default();
    assert!(p
        .call(0, (&mut c as *mut FakeCtx).cast(), 1, &[0; 6], 0, 100_000)
        .is_ok());
    let r = p.call(0, (&mut c as *mut FakeCtx).cast(), 1, &[0; 6], 0, 12_700);
    assert_eq!(r.err().map(|t| t.kind), Some(TrapKind::OutOfFuel));
}

#[test]
fn func_ip_answers_the_hit_s_function_in_handlers_only() {
    let mut p = load(
        r#"(module
            (import "kwasm" "func_ip" (func $ip (result i64)))
            (memory (export "memory") 1)
            (func (export "kprobe:vfs_*:pre") (i64.store (i32.const 0) (call $ip)))
            (func (export "report") (result i32) (drop (call $ip)) (i32.const 0)))"#,
    );
    let mut c = FakeCtx {
        func: Some(0xffff_ffff_8100_0000),
        ..Default::default()
    };
    call(&mut p, 0, &mut c).unwrap();
    assert_eq!(
        u64::from_le_bytes(dump(&mut p)[0..8].try_into().unwrap()),
        0xffff_ffff_8100_0000
    );
    // A tracepoint's hit is on no function.
    c.func = None;
    assert_eq!(
        message(call(&mut p, 0, &mut c)),
        "func_ip(): this attach point is on no function"
    );
    match report(&mut p) {
        Err(ReportError::Trap(t)) => {
            assert_eq!(t.kind, TrapKind::BadHostCall);
            assert_eq!(t.to_string(), "func_ip() is only available in a handler");
        }
        other => panic!("{other:?}"),
    }
}
