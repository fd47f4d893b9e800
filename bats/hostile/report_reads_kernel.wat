;; SPDX-License-Identifier: GPL-2.0
;; report calls read_kernel (so copy_from_kernel_nofault) three times; another program
;; probes that function. Its hits inside this report must be skipped, not nested.
(module (import "kwasm" "read_kernel" (func $rk (param i64 i32 i32) (result i32))) (memory (export "memory") 1) (func (export "report") (result i32) (drop (call $rk (i64.const 0) (i32.const 64) (i32.const 8))) (drop (call $rk (i64.const 0) (i32.const 64) (i32.const 8))) (drop (call $rk (i64.const 0) (i32.const 64) (i32.const 8))) (i32.store (i32.const 0) (i32.const 0x6b6f)) (i32.const 0)))
