;; SPDX-License-Identifier: GPL-2.0
;; A handler that reads a user string into a huge length.
(module (import "kwasm" "read_user_str" (func $r (param i64 i32 i32) (result i32))) (import "kwasm" "syscall_arg" (func $a (param i32) (result i64))) (memory (export "memory") 1) (func (export "kprobe:__x64_sys_mkdir:pre") (drop (call $r (call $a (i32.const 0)) (i32.const 0) (i32.const -1)))))
