// SPDX-License-Identifier: GPL-2.0

//! Generates the differential conformance corpus (`bats/conformance.bats`): modules whose
//! `report` evaluates numeric operations (f32/f64 with NaN, infinities, zeros of both
//! signs, subnormals and rounding cases; integer overflow and traps) and returns the
//! result bits in hex. This host build of the engine runs each and writes what it
//! reported, and the type of each value (`.types`); the kernel build must report the
//! same, bit for bit, except where Wasm leaves NaN bits to the implementation: a NaN from
//! an arithmetic operation must be an arithmetic NaN (types `f32`/`f64`), and canonical
//! when no operand is a non-canonical NaN (types `f32canon`/`f64canon`), while `abs`,
//! `neg` and `copysign` are exact bit operations (types `f32bits`/`f64bits`). Every other module takes its operands through a call,
//! so that the translator cannot fold them and the interpreter itself computes them.
//!
//! Usage: conformance OUTPUT_DIR [COUNT]

use kwasm_engine::{HostOps, Limits, Program, ReportError};
use std::ffi::c_void;
use std::fmt::Write;

unsafe extern "C" fn arg(_: *mut c_void, _: u32, _: *mut u64) -> i32 {
    -22
}
unsafe extern "C" fn ret(_: *mut c_void, _: *mut u64) -> i32 {
    -22
}
unsafe extern "C" fn read(_: *mut c_void, _: u32, _: *mut u8, _: u64, _: u32) -> i32 {
    -14
}
unsafe extern "C" fn ktime(_: *mut c_void) -> u64 {
    0
}
unsafe extern "C" fn task(_: *mut c_void, _: u32) -> i32 {
    0
}
unsafe extern "C" fn comm(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn print(_: *mut c_void, _: *const u8, _: u32) {}
/// `symbol`: every address is in one symbol.
unsafe extern "C" fn symbol(_: *mut c_void, _: u64, offset: u32, dst: *mut u8, len: u32) -> i32 {
    let name: &[u8] = if offset != 0 { b"sym+0x0/0x10" } else { b"sym" };
    let n = name.len().min(len as usize);
    // SAFETY: The engine passes a buffer writable for `len` bytes.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), dst, n) };
    n as i32
}
unsafe extern "C" fn stream(_: *mut c_void, _: *const u8, _: u32) -> i32 {
    0
}

unsafe extern "C" fn kstack(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn func_ip(_: *mut c_void, value: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `value`.
    unsafe { *value = 0xffff_ffff_8100_0000 };
    0
}
static OPS: HostOps = HostOps {
    arg,
    ret,
    syscall_arg: arg,
    read,
    ktime_ns: ktime,
    task,
    comm,
    print,
    symbol,
    stream,
    kstack,
    entry_ns: ret,
    func_ip,
};

/// A small deterministic generator (xorshift64*), so the corpus is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const F64_SPECIAL: &[u64] = &[
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0001,
    0x7ff4_0000_0000_0000,
    0x0000_0000_0000_0001,
    0x000f_ffff_ffff_ffff,
    0x0010_0000_0000_0000,
    0x7fef_ffff_ffff_ffff,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x3fe0_0000_0000_0000,
    0x4330_0000_0000_0001,
    0x43e0_0000_0000_0000,
    0xc3e0_0000_0000_0000,
    0x41df_ffff_ffc0_0000,
    0x3ff8_0000_0000_0000,
    0x4004_0000_0000_0000,
];
const F32_SPECIAL: &[u32] = &[
    0x0000_0000,
    0x8000_0000,
    0x7f80_0000,
    0xff80_0000,
    0x7fc0_0000,
    0xffc0_0001,
    0x7fa0_0000,
    0x0000_0001,
    0x007f_ffff,
    0x0080_0000,
    0x7f7f_ffff,
    0x3f80_0000,
    0xbf80_0000,
    0x3f00_0000,
    0x4b00_0001,
    0x4f00_0000,
    0xcf00_0000,
    0x3fc0_0000,
    0x4020_0000,
];
const INT_SPECIAL: &[u64] = &[
    0,
    1,
    u64::MAX,
    0x8000_0000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000,
    0x7fff_ffff,
    0xffff_ffff,
    2,
    3,
    0x1_0000_0001,
];

/// Operands as constants, or through `$id64`/`$id32` (opaque to the translator).
#[derive(Clone, Copy)]
enum Operands {
    Constant,
    Runtime,
}

fn i64_value(v: u64, o: Operands) -> String {
    match o {
        Operands::Constant => format!("(i64.const {})", v as i64),
        Operands::Runtime => format!("(call $id64 (i64.const {}))", v as i64),
    }
}

fn i32_value(v: u32, o: Operands) -> String {
    match o {
        Operands::Constant => format!("(i32.const {})", v as i32),
        Operands::Runtime => format!("(call $id32 (i32.const {}))", v as i32),
    }
}

/// A float operand, and whether it is a NaN other than a canonical one.
fn f64_operand_bits(r: &mut Rng, o: Operands) -> (String, bool) {
    let bits = if r.next().is_multiple_of(3) {
        r.next()
    } else {
        *r.pick(F64_SPECIAL)
    };
    let nan =
        bits & 0x7ff0_0000_0000_0000 == 0x7ff0_0000_0000_0000 && bits & 0x000f_ffff_ffff_ffff != 0;
    let odd_nan = nan && bits & 0x7fff_ffff_ffff_ffff != 0x7ff8_0000_0000_0000;
    (
        format!("(f64.reinterpret_i64 {})", i64_value(bits, o)),
        odd_nan,
    )
}

fn f64_operand(r: &mut Rng, o: Operands) -> String {
    f64_operand_bits(r, o).0
}

fn f32_operand_bits(r: &mut Rng, o: Operands) -> (String, bool) {
    let bits = if r.next().is_multiple_of(3) {
        r.next() as u32
    } else {
        *r.pick(F32_SPECIAL)
    };
    let nan = bits & 0x7f80_0000 == 0x7f80_0000 && bits & 0x007f_ffff != 0;
    let odd_nan = nan && bits & 0x7fff_ffff != 0x7fc0_0000;
    (
        format!("(f32.reinterpret_i32 {})", i32_value(bits, o)),
        odd_nan,
    )
}

fn f32_operand(r: &mut Rng, o: Operands) -> String {
    f32_operand_bits(r, o).0
}

fn int_operand(r: &mut Rng, wide: bool, o: Operands) -> String {
    let v = if r.next().is_multiple_of(2) {
        r.next()
    } else {
        *r.pick(INT_SPECIAL)
    };
    if wide {
        i64_value(v, o)
    } else {
        i32_value(v as u32, o)
    }
}

/// The type label of a float result (Wasm 4.3.3): bit operations must match exactly,
/// even NaNs (`bits`); an arithmetic result that is a NaN must be a canonical NaN when no
/// operand is a non-canonical NaN (`canon`), and any arithmetic NaN otherwise.
fn float_type(op: &str, wide: bool, odd_nan_operand: bool) -> &'static str {
    match (
        matches!(op, "abs" | "neg" | "copysign"),
        odd_nan_operand,
        wide,
    ) {
        (true, _, true) => "f64bits",
        (true, _, false) => "f32bits",
        (false, false, true) => "f64canon",
        (false, false, false) => "f32canon",
        (false, true, true) => "f64",
        (false, true, false) => "f32",
    }
}

/// One expression whose value is an i64 (float results as their bits), and its type.
fn expression(r: &mut Rng, o: Operands) -> (String, &'static str) {
    const F64_BIN: &[&str] = &["add", "sub", "mul", "div", "min", "max", "copysign"];
    const F64_UN: &[&str] = &["sqrt", "floor", "ceil", "trunc", "nearest", "abs", "neg"];
    const INT_BIN: &[&str] = &[
        "add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr",
    ];
    const INT_UN: &[&str] = &["clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
    match r.next() % 10 {
        0 | 1 => {
            let op = *r.pick(F64_BIN);
            let ((a, odd_a), (b, odd_b)) = (f64_operand_bits(r, o), f64_operand_bits(r, o));
            (
                format!("(i64.reinterpret_f64 (f64.{op} {a} {b}))"),
                float_type(op, true, odd_a || odd_b),
            )
        }
        2 => {
            let op = *r.pick(F64_UN);
            let (a, odd) = f64_operand_bits(r, o);
            (
                format!("(i64.reinterpret_f64 (f64.{op} {a}))"),
                float_type(op, true, odd),
            )
        }
        3 => {
            let op = *r.pick(F64_BIN);
            let ((a, odd_a), (b, odd_b)) = (f32_operand_bits(r, o), f32_operand_bits(r, o));
            (
                format!("(i64.extend_i32_u (i32.reinterpret_f32 (f32.{op} {a} {b})))"),
                float_type(op, false, odd_a || odd_b),
            )
        }
        4 => {
            let op = *r.pick(F64_UN);
            let (a, odd) = f32_operand_bits(r, o);
            (
                format!("(i64.extend_i32_u (i32.reinterpret_f32 (f32.{op} {a})))"),
                float_type(op, false, odd),
            )
        }
        5 => (
            format!(
                "(i64.{} {} {})",
                r.pick(INT_BIN),
                int_operand(r, true, o),
                int_operand(r, true, o)
            ),
            "int",
        ),
        6 => (
            format!(
                "(i64.extend_i32_u (i32.{} {} {}))",
                r.pick(INT_BIN),
                int_operand(r, false, o),
                int_operand(r, false, o)
            ),
            "int",
        ),
        7 => (
            format!("(i64.{} {})", r.pick(INT_UN), int_operand(r, true, o)),
            "int",
        ),
        8 => (
            format!(
                "(i64.reinterpret_f64 ({} {}))",
                r.pick(&["f64.convert_i64_s", "f64.convert_i64_u"]),
                int_operand(r, true, o)
            ),
            "f64",
        ),
        _ => (
            format!(
                "({} {})",
                r.pick(&["i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u"]),
                f64_operand(r, o)
            ),
            "int",
        ),
    }
}

/// A trapping (or not) operation for the end of a trap module.
fn maybe_trap(r: &mut Rng, o: Operands) -> String {
    match r.next() % 4 {
        0 => format!(
            "(i64.div_s {} {})",
            int_operand(r, true, o),
            i64_value(0, o)
        ),
        1 => format!(
            "(i64.div_s {} {})",
            i64_value(1 << 63, o),
            i64_value(u64::MAX, o)
        ),
        2 => format!("(i64.trunc_f64_s {})", f64_operand(r, o)),
        _ => format!("(i64.extend_i32_s (i32.trunc_f32_u {}))", f32_operand(r, o)),
    }
}

/// The module: `report` stores each value at 8 * k and formats them as hex lines.
fn module(exprs: &[String]) -> String {
    let mut body = String::new();
    for (k, e) in exprs.iter().enumerate() {
        let _ = writeln!(body, "(i64.store (i32.const {}) {e})", k * 8);
    }
    format!(
        r#"(module (memory (export "memory") 1)
  (func $id64 (param i64) (result i64) (local.get 0))
  (func $id32 (param i32) (result i32) (local.get 0))
  (func $nibble (param i32) (result i32)
    (select (i32.add (local.get 0) (i32.const 87)) (i32.add (local.get 0) (i32.const 48))
            (i32.gt_u (local.get 0) (i32.const 9))))
  (func (export "report") (result i32) (local $k i32) (local $v i64) (local $i i32) (local $out i32)
    {body}
    (local.set $out (i32.const 4096))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (i32.const {n})))
      (local.set $v (i64.load (i32.shl (local.get $k) (i32.const 3))))
      (local.set $i (i32.const 0))
      (loop $digit
        (i32.store8 (i32.add (local.get $out) (local.get $i))
          (call $nibble (i32.wrap_i64 (i64.and (i64.shr_u (local.get $v)
            (i64.extend_i32_u (i32.sub (i32.const 60) (i32.shl (local.get $i) (i32.const 2)))))
            (i64.const 15)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $digit (i32.lt_u (local.get $i) (i32.const 16))))
      (i32.store8 (i32.add (local.get $out) (i32.const 16)) (i32.const 10))
      (local.set $out (i32.add (local.get $out) (i32.const 17)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store8 (local.get $out) (i32.const 0))
    (i32.const 4096)))"#,
        n = exprs.len()
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().expect("usage: conformance OUTPUT_DIR [COUNT]"));
    let count: usize = args.next().map_or(300, |c| c.parse().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    let mut r = Rng(0x6b77_6173_6d21_2026);
    let mut traps = 0;
    for m in 0..count {
        let o = if m % 2 == 0 {
            Operands::Constant
        } else {
            Operands::Runtime
        };
        let (mut exprs, mut types): (Vec<String>, Vec<&str>) =
            (0..24).map(|_| expression(&mut r, o)).unzip();
        // One module in five ends with an operation that may trap.
        if m % 5 == 4 {
            exprs.push(maybe_trap(&mut r, o));
            types.push("int");
        }
        let wasm = wat::parse_str(module(&exprs)).unwrap();
        let mut p = Program::load(&wasm, &Limits::default(), &OPS, std::ptr::null_mut()).unwrap();
        let mut buf = vec![0u8; 4095];
        let expected = match p.report(std::ptr::null_mut(), 1_000_000, &mut buf) {
            Ok(o) => String::from_utf8(buf[..o.len].to_vec()).unwrap(),
            Err(ReportError::Trap(t)) => {
                traps += 1;
                format!("TRAP: {t}\n")
            }
            Err(e) => panic!("{e:?}"),
        };
        std::fs::write(out.join(format!("m{m:03}.wasm")), &wasm).unwrap();
        std::fs::write(out.join(format!("m{m:03}.expected")), expected).unwrap();
        std::fs::write(out.join(format!("m{m:03}.types")), types.join("\n") + "\n").unwrap();
    }
    eprintln!(
        "conformance: {count} modules, {} values, {traps} ending in a trap",
        count * 24
    );
}
