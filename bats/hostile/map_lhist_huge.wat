;; SPDX-License-Identifier: GPL-2.0
;; An lhist of a billion buckets.
(module
  (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\6c\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\08\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\ca\9a\3b\00\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "kwasm:init") (drop (call $declare (i32.const 0) (i32.const 80)))))
