;; SPDX-License-Identifier: GPL-2.0
;; A count whose cells (probe-abi.rst, "Cells") lie past the end of linear memory.
(module
  (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\6f\75\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "kwasm:init") (drop (call $declare (i32.const 0) (i32.const 80)))))
