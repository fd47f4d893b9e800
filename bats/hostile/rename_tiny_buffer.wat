;; SPDX-License-Identifier: GPL-2.0
;; A rename handler with a 4-byte string buffer (the wasm3-style buffer and buffer_size
;; globals): both of rename's parameters are user strings, copied into the buffer one after
;; the other. report: "[OLD] [NEW] A B", the two strings the handler received and their
;; offsets in the buffer.
(module
  (memory (export "memory") 1)
  (global (export "buffer") i32 (i32.const 256))
  (global (export "buffer_size") i32 (i32.const 128))
  (data (i32.const 128) "\04\00\00\00")
  (global $out (mut i32) (i32.const 512))
  (func $put (param $c i32)
    (i32.store8 (global.get $out) (local.get $c))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))
  (func $puts (param $s i32) (local $c i32)
    (block $end
      (loop $next
        (local.set $c (i32.load8_u (local.get $s)))
        (br_if $end (i32.eqz (local.get $c)))
        (call $put (local.get $c))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next))))
  (func $string (param $s i32)
    (call $put (i32.const 91))
    (call $puts (local.get $s))
    (call $put (i32.const 93))
    (call $put (i32.const 32)))
  (func (export "kprobe:__x64_sys_rename:pre") (param $old i32) (param $new i32)
    (global.set $out (i32.const 512))
    (call $string (local.get $old))
    (call $string (local.get $new))
    (call $put (i32.add (i32.const 48) (i32.sub (local.get $old) (i32.const 256))))
    (call $put (i32.const 32))
    (call $put (i32.add (i32.const 48) (i32.sub (local.get $new) (i32.const 256))))
    (call $put (i32.const 0)))
  (func (export "report") (result i32) (i32.const 512)))
