;; SPDX-License-Identifier: GPL-2.0
;; start calls print(): it runs at load, before the program has a probe context.
(module (import "kwasm" "print" (func $print (param i32 i32))) (memory (export "memory") 1) (data (i32.const 0) "hello from start") (func $start (call $print (i32.const 0) (i32.const 16))) (start $start))
