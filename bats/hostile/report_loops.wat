;; SPDX-License-Identifier: GPL-2.0
;; A report that never ends.
(module (memory (export "memory") 1) (func (export "report") (result i32) (loop br 0) (i32.const 0)))
