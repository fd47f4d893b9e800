;; SPDX-License-Identifier: GPL-2.0
;; A mkdir handler that prints all of its 1 MiB memory (the line stops at the first NUL:
;; "sandbox print") in an endless loop.
(module
  (import "kwasm" "print" (func $print (param i32 i32)))
  (memory (export "memory") 16)
  (data (i32.const 0) "sandbox print")
  (global $calls (mut i32) (i32.const 0))
  (func (export "kprobe:__x64_sys_mkdir:pre")
    (loop $again
      (call $print (i32.const 0) (i32.const 1048576))
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
