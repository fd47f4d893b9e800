;; SPDX-License-Identifier: GPL-2.0
;; A map of 2^31 entries per CPU, far over max_map_entries.
(module
  (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\68\75\67\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\01\00\00\00\00\00\00\80\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "kwasm:init") (drop (call $declare (i32.const 0) (i32.const 80)))))
