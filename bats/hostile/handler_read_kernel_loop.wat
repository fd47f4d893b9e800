;; SPDX-License-Identifier: GPL-2.0
;; A mkdir handler that copies 1 MiB of kernel memory in an endless loop. The address
;; comes in hex as the last component of the path (mkdir /tmp/t/ffffffff81000000), so a
;; test can name kernel text from /proc/kallsyms.
(module
  (import "kwasm" "read_kernel" (func $read_kernel (param i64 i32 i32) (result i32)))
  (import "kwasm" "read_user_str" (func $read_user_str (param i64 i32 i32) (result i32)))
  (memory (export "memory") 16)
  (global $calls (mut i32) (i32.const 0))
  ;; The hex digits after the path's last '/'.
  (func $address (param $path i64) (result i64) (local $at i32) (local $c i32) (local $v i64)
    (drop (call $read_user_str (local.get $path) (i32.const 0) (i32.const 256)))
    (block $end
      (loop $next
        (local.set $c (i32.load8_u (local.get $at)))
        (br_if $end (i32.eqz (local.get $c)))
        (if (i32.eq (local.get $c) (i32.const 47))
          (then (local.set $v (i64.const 0)))
          (else (local.set $v (i64.or (i64.shl (local.get $v) (i64.const 4))
            (i64.extend_i32_u (i32.sub (local.get $c)
              (select (i32.const 87) (i32.const 48) (i32.ge_u (local.get $c) (i32.const 97)))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $next)))
    (local.get $v))
  (func (export "kprobe:__x64_sys_mkdir:pre") (param $path i64) (local $src i64)
    (local.set $src (call $address (local.get $path)))
    (loop $again
      (drop (call $read_kernel (local.get $src) (i32.const 0) (i32.const 1048576)))
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
