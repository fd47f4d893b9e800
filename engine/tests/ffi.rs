// SPDX-License-Identifier: GPL-2.0

//! The C ABI (`src/kwasm_engine.h`) called as the kernel module calls it: errnos and
//! message buffers, handles, attach points, calls, traps and `report`.

mod common;

use common::*;
use kwasm_engine::capi::*;
use kwasm_engine::{Limits, Program};
use std::ffi::{c_char, CStr};
use std::ptr::{null, null_mut};

/// Loads `wat` through the C ABI: the handle, or the errno and the message.
fn c_load(wat: &str, limits: &Limits) -> Result<*mut Program, (i32, String)> {
    let code = wat::parse_str(wat).unwrap();
    let mut out = null_mut();
    // A small buffer, as a caller might pass: messages are cut, always NUL-terminated.
    let mut msg = [0x55 as c_char; 64];
    // SAFETY: Every pointer is valid for the call; `OPS` is static.
    let ret = unsafe {
        kwasm_engine_load(
            code.as_ptr(),
            code.len(),
            limits,
            &OPS,
            start_ctx(),
            &mut out,
            msg.as_mut_ptr(),
            msg.len(),
        )
    };
    // SAFETY: The engine NUL-terminates `msg` within its size.
    let text = unsafe { CStr::from_ptr(msg.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    if ret == 0 {
        assert!(!out.is_null());
        assert_eq!(text, "", "no message on success");
        Ok(out)
    } else {
        Err((ret, text))
    }
}

const PROBE: &str = r#"(module (memory (export "memory") 1)
    (global $n (mut i32) (i32.const 0))
    (data (i32.const 100) "vforker\00")
    (global (export "comm") i32 (i32.const 100))
    (func (export "kprobe:do_sys_open:pre") (param i64 i32)
        (global.set $n (i32.add (global.get $n) (local.get 1))))
    (func (export "kprobe:do_sys_open:post") (param i64)
        (if (i64.eqz (local.get 0)) (then unreachable)))
    (func (export "report") (result i32)
        (i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $n)))
        (i32.store8 (i32.const 1) (i32.const 0))
        (i32.const 0)))"#;

#[test]
fn load_errors_are_negative_errnos_with_the_message_cut_to_the_buffer() {
    let (errno, msg) = c_load(
        "(module (func (export \"kprobe:bad name\")))",
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(errno, -22);
    assert_eq!(msg.len(), 63, "cut to the buffer, NUL included");
    assert!(msg.starts_with("export \"kprobe:bad name\""), "{msg}");
    let limits = Limits {
        max_code_bytes: 10,
        ..Limits::default()
    };
    let (errno, msg) = c_load(PROBE, &limits).unwrap_err();
    assert_eq!(errno, -7);
    assert!(msg.starts_with("code is "), "{msg}");
    let limits = Limits {
        max_memory_pages: 0,
        ..Limits::default()
    };
    assert_eq!(c_load(PROBE, &limits).unwrap_err().0, -7);
}

#[test]
fn a_null_argument_is_einval_not_a_crash() {
    let mut out = null_mut();
    // SAFETY: The engine checks these pointers for null before using them.
    let ret =
        unsafe { kwasm_engine_load(null(), 0, null(), &OPS, null_mut(), &mut out, null_mut(), 0) };
    assert_eq!(ret, -22);
    assert!(out.is_null());
}

#[test]
fn attach_points_calls_traps_and_report_through_the_c_abi() {
    let p = c_load(PROBE, &Limits::default()).unwrap();
    // SAFETY: `p` is a live handle used by this thread only, freed at the end; every
    // out-pointer is valid.
    unsafe {
        assert_eq!(kwasm_engine_attach_count(p), 2);
        let mut info = AttachInfo {
            symbol: null(),
            name: null(),
            kind: null(),
            nparams: 9,
        };
        let want = [("do_sys_open", 1, 1), ("do_sys_open", 0, 2)];
        for (i, (sym, kind, nparams)) in want.iter().enumerate() {
            assert_eq!(kwasm_engine_attach_point(p, i as u32, &mut info), 0);
            assert_eq!(CStr::from_ptr(info.symbol).to_str().unwrap(), *sym);
            let export = format!("kprobe:{sym}:{}", ["pre", "post"][*kind as usize]);
            assert_eq!(CStr::from_ptr(info.name).to_str().unwrap(), export);
            let kind_name = ["kprobe", "kretprobe"][*kind as usize];
            assert_eq!(CStr::from_ptr(info.kind).to_str().unwrap(), kind_name);
            assert_eq!(info.nparams, *nparams);
        }
        assert_eq!(kwasm_engine_attach_point(p, 2, &mut info), -22);
        assert!(kwasm_engine_has_report(p));
        assert_eq!(
            CStr::from_ptr(kwasm_engine_comm_filter(p))
                .to_str()
                .unwrap(),
            "vforker"
        );
        let (mut code, mut memory) = (0, 0);
        kwasm_engine_sizes(p, &mut code, &mut memory);
        assert_eq!(
            (code, memory),
            (wat::parse_str(PROBE).unwrap().len(), 65536)
        );

        // The pre handler (index 1) adds its second parameter, an i32.
        let mut c = FakeCtx::default();
        let ctx = (&mut c as *mut FakeCtx).cast();
        let mut trap = TrapInfo {
            kind: 0,
            message: null(),
        };
        assert_eq!(
            kwasm_engine_call(
                p,
                1,
                ctx,
                0,
                [7, 3, 0, 0, 0, 0].as_ptr(),
                0,
                FUEL,
                &mut trap
            ),
            0
        );
        assert_eq!(
            kwasm_engine_call(
                p,
                1,
                ctx,
                0,
                [7, 2, 0, 0, 0, 0].as_ptr(),
                0,
                FUEL,
                &mut trap
            ),
            0
        );
        // The post handler traps on a zero return value: a positive kind and a message.
        assert_eq!(
            kwasm_engine_call(p, 0, ctx, 0, [0; 6].as_ptr(), 0, FUEL, &mut trap),
            4
        );
        assert_eq!(
            (trap.kind, CStr::from_ptr(trap.message).to_str().unwrap()),
            (4, "unreachable executed")
        );
        assert_eq!(
            kwasm_engine_call(
                p,
                0,
                ctx,
                0,
                [1, 0, 0, 0, 0, 0].as_ptr(),
                0,
                FUEL,
                null_mut()
            ),
            0
        );
        assert_eq!(
            kwasm_engine_call(p, 1, ctx, 0, [0; 6].as_ptr(), 0, 1, &mut trap),
            1,
            "out of fuel"
        );

        let mut buf = [0u8; 8];
        let (mut len, mut truncated) = (0, true);
        let ret = kwasm_engine_report(
            p,
            ctx,
            FUEL,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            &mut truncated,
            &mut trap,
        );
        assert_eq!((ret, len, truncated, &buf[..len]), (0, 1, false, &b"5"[..]));
        let ret = kwasm_engine_report(
            p,
            ctx,
            FUEL,
            buf.as_mut_ptr(),
            0,
            &mut len,
            &mut truncated,
            &mut trap,
        );
        assert_eq!(
            (ret, len, truncated),
            (0, 0, true),
            "cut to a zero-sized buffer"
        );
        kwasm_engine_free(p);
        kwasm_engine_free(null_mut());
    }
}

#[test]
fn report_without_an_export_is_eopnotsupp_and_a_trap_is_positive() {
    let p = c_load(
        r#"(module (memory (export "memory") 1))"#,
        &Limits::default(),
    )
    .unwrap();
    let q = c_load(r#"(module (memory (export "memory") 1) (func (export "report") (result i32) (loop (br 0)) i32.const 0))"#, &Limits::default()).unwrap();
    let mut buf = [0u8; 8];
    let (mut len, mut truncated) = (0, false);
    let mut trap = TrapInfo {
        kind: 0,
        message: null(),
    };
    // SAFETY: Live handles, valid buffers; freed at the end.
    unsafe {
        assert!(!kwasm_engine_has_report(p));
        assert!(kwasm_engine_comm_filter(p).is_null());
        let ret = kwasm_engine_report(
            p,
            start_ctx(),
            FUEL,
            buf.as_mut_ptr(),
            8,
            &mut len,
            &mut truncated,
            &mut trap,
        );
        assert_eq!(ret, -95);
        let ret = kwasm_engine_report(
            q,
            start_ctx(),
            FUEL,
            buf.as_mut_ptr(),
            8,
            &mut len,
            &mut truncated,
            &mut trap,
        );
        assert_eq!(
            (ret, CStr::from_ptr(trap.message).to_str().unwrap()),
            (1, "out of fuel")
        );
        kwasm_engine_free(p);
        kwasm_engine_free(q);
    }
}

#[test]
fn the_selftest_computes_its_value() {
    let mut got = 0;
    // SAFETY: `got` is writable.
    assert_eq!(unsafe { kwasm_engine_selftest(&mut got) }, 0);
    assert_eq!(got, kwasm_engine::SELFTEST_EXPECTED);
}

#[test]
fn the_kinds_are_listed_by_name_and_end_with_null() {
    let names: Vec<_> = (0..)
        .map(|i| kwasm_engine_kind(i))
        .take_while(|p| !p.is_null())
        // SAFETY: Non-null names are static NUL-terminated strings.
        .map(|p| unsafe { CStr::from_ptr(p) }.to_str().unwrap())
        .collect();
    assert_eq!(names, ["kprobe", "kretprobe", "tracepoint", "fprobe"]);
}
