;; SPDX-License-Identifier: GPL-2.0
;; Worst case, compute: a handler that runs until its fuel is gone. The inner loop is the
;; host bench's "1000-iteration loop" (bench/host), instruction for instruction; the outer
;; one restarts it forever, so every hit ends out of fuel.
(module
  (global $n (mut i64) (i64.const 0))
  (func (export "kprobe:__x64_sys_getpgid:pre") (local $i i32) (local $acc i64)
    (loop $forever
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
      (global.set $n (local.get $acc))
      (br $forever))))
