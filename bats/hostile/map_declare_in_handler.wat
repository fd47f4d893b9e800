;; SPDX-License-Identifier: GPL-2.0
;; Declares a map in a handler, where nothing may allocate: a trap.
(module
  (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\63\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "kprobe:__x64_sys_mkdir:pre") (drop (call $declare (i32.const 0) (i32.const 80)))))
