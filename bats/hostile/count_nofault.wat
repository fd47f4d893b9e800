;; SPDX-License-Identifier: GPL-2.0
;; Counts calls of copy_from_kernel_nofault.
(module (memory (export "memory") 1) (global $n (mut i32) (i32.const 0)) (func (export "kprobe:copy_from_kernel_nofault:pre") (global.set $n (i32.add (global.get $n) (i32.const 1)))) (func (export "report") (result i32) (i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $n))) (i32.store8 (i32.const 1) (i32.const 0)) (i32.const 0)))
