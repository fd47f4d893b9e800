;; SPDX-License-Identifier: GPL-2.0
;; Updates a map that was never declared: a trap.
(module
  (import "kwasm" "map_update" (func $update (param i32 i64 i64)))
  (func (export "kprobe:__x64_sys_mkdir:pre") (call $update (i32.const 7) (i64.const 0) (i64.const 0))))
