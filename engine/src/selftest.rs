// SPDX-License-Identifier: GPL-2.0

//! A built-in smoke test: a tiny module with i64 and f64 arithmetic.
//!
//! The kernel build runs it when the module loads, so a broken engine build (soft-float,
//! code-generation flags, allocator) shows before any probe does.

use wasmi::{Config, Engine, Linker, Module, Store};

/// The module below, assembled by `wat2wasm`; a host test checks that they agree.
///
/// ```wat
/// (module
///   (func (export "selftest") (param $n i64) (result i64)
///     (local $i i64) (local $acc i64) (local $f f64)
///     (local.set $i (i64.const 1))
///     (block $done
///       (loop $next
///         (br_if $done (i64.gt_s (local.get $i) (local.get $n)))
///         (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $i) (local.get $i))))
///         (local.set $i (i64.add (local.get $i) (i64.const 1)))
///         (br $next)))
///     (local.set $f (f64.sqrt (f64.convert_i64_s (local.get $acc))))
///     (i64.add
///       (i64.mul (local.get $acc) (i64.const 1000))
///       (i64.trunc_f64_s (f64.floor (f64.div (f64.mul (local.get $f) (f64.const 7))
///                                            (f64.const 3)))))))
/// ```
pub(crate) const SELFTEST_WASM: [u8; 117] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7e, 0x01, 0x7e,
    0x03, 0x02, 0x01, 0x00, 0x07, 0x0c, 0x01, 0x08, 0x73, 0x65, 0x6c, 0x66, 0x74, 0x65, 0x73, 0x74,
    0x00, 0x00, 0x0a, 0x51, 0x01, 0x4f, 0x02, 0x02, 0x7e, 0x01, 0x7c, 0x42, 0x01, 0x21, 0x01, 0x02,
    0x40, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x55, 0x0d, 0x01, 0x20, 0x02, 0x20, 0x01, 0x20, 0x01,
    0x7e, 0x7c, 0x21, 0x02, 0x20, 0x01, 0x42, 0x01, 0x7c, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20,
    0x02, 0xb9, 0x9f, 0x21, 0x03, 0x20, 0x02, 0x42, 0xe8, 0x07, 0x7e, 0x20, 0x03, 0x44, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x1c, 0x40, 0xa2, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x40,
    0xa3, 0x9c, 0xb0, 0x7c, 0x0b,
];

/// The argument the self-test passes.
pub(crate) const SELFTEST_N: i64 = 1000;

/// What `selftest(1000)` returns: 333833500 * 1000 + floor(sqrt(333833500) * 7 / 3).
pub const SELFTEST_EXPECTED: i64 = 333_833_542_632;

/// Runs the built-in module and returns its result, or `None` if any step failed.
pub fn selftest() -> Option<i64> {
    let mut config = Config::default();
    config.compilation_mode(wasmi::CompilationMode::Eager);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &SELFTEST_WASM[..]).ok()?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .ok()?;
    let func = instance
        .get_typed_func::<i64, i64>(&store, "selftest")
        .ok()?;
    func.call(&mut store, SELFTEST_N).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_match_the_text() {
        let text = include_str!("selftest.wat");
        // `wat` appends a `name` section (wat2wasm does not): compare what precedes it.
        let bytes = wat::parse_str(text).unwrap();
        assert_eq!(bytes[..SELFTEST_WASM.len()], SELFTEST_WASM);
        assert_eq!(
            bytes.get(SELFTEST_WASM.len()),
            Some(&0),
            "only a custom section follows"
        );
    }

    #[test]
    fn computes_the_expected_value() {
        assert_eq!(selftest(), Some(SELFTEST_EXPECTED));
    }
}
