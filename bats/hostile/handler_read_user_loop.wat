;; SPDX-License-Identifier: GPL-2.0
;; A mkdir handler that copies 1 MiB of user memory, from the path it is given, in an
;; endless loop.
(module
  (import "kwasm" "read_user" (func $read_user (param i64 i32 i32) (result i32)))
  (memory (export "memory") 16)
  (global $calls (mut i32) (i32.const 0))
  (func (export "kprobe:__x64_sys_mkdir:pre") (param $path i64)
    (loop $again
      (drop (call $read_user (local.get $path) (i32.const 0) (i32.const 1048576)))
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (br $again)))
  ;; report: how many host calls completed, in decimal (the string ends at address 1040).
  (func (export "report") (result i32) (local $n i32) (local $at i32)
    (local.set $n (global.get $calls))
    (local.set $at (i32.const 1040))
    (i32.store8 (local.get $at) (i32.const 0))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (local.get $at)))
