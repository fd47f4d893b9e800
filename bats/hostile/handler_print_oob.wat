;; SPDX-License-Identifier: GPL-2.0
;; A handler that prints from outside memory.
(module (import "kwasm" "print" (func $p (param i32 i32))) (memory (export "memory") 1) (func (export "kprobe:__x64_sys_mkdir:pre") (call $p (i32.const 65000) (i32.const 1000))))
