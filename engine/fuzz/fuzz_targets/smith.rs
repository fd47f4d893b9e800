// SPDX-License-Identifier: GPL-2.0

//! Valid modules from wasm-smith, shaped like probes: they import kwasm's host functions
//! and export handlers, `report` and `memory`, so every path of the engine runs.

#![no_main]

mod common;

use arbitrary::Unstructured;
use std::sync::OnceLock;

/// The imports a generated module may use: every host function of probe-abi.rst.
const IMPORTS: &str = r#"(module
    (import "kwasm" "arg" (func (param i32) (result i64)))
    (import "kwasm" "ret" (func (result i64)))
    (import "kwasm" "syscall_arg" (func (param i32) (result i64)))
    (import "kwasm" "read_kernel" (func (param i64 i32 i32) (result i32)))
    (import "kwasm" "read_user_str" (func (param i64 i32 i32) (result i32)))
    (import "kwasm" "ktime_ns" (func (result i64)))
    (import "kwasm" "entry_ns" (func (result i64)))
    (import "kwasm" "pid" (func (result i32)))
    (import "kwasm" "comm" (func (param i32 i32) (result i32)))
    (import "kwasm" "print" (func (param i32 i32)))
    (import "kwasm" "map_declare" (func (param i32 i32) (result i32)))
    (import "kwasm" "map_update" (func (param i32 i64 i64)))
    (import "kwasm" "map_update_key" (func (param i32 i32 i32 i64)))
    (import "kwasm" "map_read" (func (param i32 i64 i32) (result i64)))
    (import "kwasm" "map_read_key" (func (param i32 i32 i32 i32) (result i64)))
    (import "kwasm" "kstack" (func (param i32 i32) (result i32)))
    (import "kwasm" "ksym" (func (param i64 i32 i32) (result i32)))
    (import "kwasm" "func_ip" (func (result i64))))"#;

/// The exports every generated module has: handlers of several types, report, memory,
/// and `kwasm:init`, where maps are declared.
const EXPORTS: &str = r#"(module
    (memory (export "memory") 1)
    (func (export "kwasm:init"))
    (func (export "kprobe:a:pre"))
    (func (export "kprobe:b:pre") (param i64 i32 i64))
    (func (export "kprobe:b:post") (param i64))
    (func (export "kprobe:c:post"))
    (func (export "tracepoint:g:e") (param i32 i64 i64 i32 i64 i64))
    (func (export "kprobe:d_*:pre") (param i64 i64))
    (func (export "report") (result i32) i32.const 0))"#;

fn templates() -> &'static (Vec<u8>, Vec<u8>) {
    static T: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    T.get_or_init(|| {
        (
            wat::parse_str(IMPORTS).unwrap(),
            wat::parse_str(EXPORTS).unwrap(),
        )
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (imports, exports) = templates();
    let Ok(mut config) = u.arbitrary::<wasm_smith::Config>() else {
        return;
    };
    config.available_imports = Some(imports.clone());
    config.exports = Some(exports.clone());
    config.max_memories = 1;
    config.max_memory32_bytes = 4 << 16;
    config.memory64_enabled = false;
    config.simd_enabled = false;
    config.relaxed_simd_enabled = false;
    config.threads_enabled = false;
    config.exceptions_enabled = false;
    config.gc_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.wide_arithmetic_enabled = false;
    // What the engine accepts and a call may do without allocating: bulk memory and
    // reference types bring data.drop, elem.drop, table.* and memory.copy/fill/init.
    config.bulk_memory_enabled = true;
    config.reference_types_enabled = true;
    config.max_tables = 4;
    config.max_table_elements = 256;
    config.max_data_segments = 16;
    config.max_element_segments = 16;
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else {
        return;
    };
    common::run(&module.to_bytes());
});
