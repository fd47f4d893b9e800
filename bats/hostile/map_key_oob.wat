;; SPDX-License-Identifier: GPL-2.0
;; Updates a string-keyed map with a key past the end of memory: a trap.
(module
  (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
  (import "kwasm" "map_update_key" (func $update (param i32 i32 i32 i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\73\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\03\00\10\00\04\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "kwasm:init") (drop (call $declare (i32.const 0) (i32.const 80))))
  (func (export "kprobe:__x64_sys_mkdir:pre") (call $update (i32.const 0) (i32.const 65530) (i32.const 16) (i64.const 0))))
