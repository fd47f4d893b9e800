;; SPDX-License-Identifier: GPL-2.0
;; Worst case, compute: a chain of dependent 64-bit unsigned divisions until the fuel is
;; gone. A division costs 1 fuel like an add but takes tens of cycles on many CPUs: this
;; is the dearest instruction per unit of fuel that needs no memory. x alternates between
;; 3 and 0x5555555555555555 (-1 / x), so it never reaches 0 and the quotient is large
;; every other step.
(module
  (global $n (mut i64) (i64.const 0))
  (func (export "kprobe:__x64_sys_getpgid:pre") (local $x i64)
    (local.set $x (i64.const 3))
    (loop $forever
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (local.set $x (i64.div_u (i64.const -1) (local.get $x)))
      (global.set $n (local.get $x))
      (br $forever))))
