;; SPDX-License-Identifier: GPL-2.0
;; A report whose string has no NUL before the end of memory.
(module (memory (export "memory") 1) (func (export "report") (result i32) (memory.fill (i32.const 0) (i32.const 65) (i32.const 65536)) (i32.const 100)))
