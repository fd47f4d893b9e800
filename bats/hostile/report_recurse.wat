;; SPDX-License-Identifier: GPL-2.0
;; A report that recurses without end.
(module (memory (export "memory") 1) (func $r (result i32) (call $r)) (func (export "report") (result i32) (call $r)))
