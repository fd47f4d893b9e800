;; SPDX-License-Identifier: GPL-2.0
;; A report that returns a negative pointer.
(module (memory (export "memory") 1) (func (export "report") (result i32) (i32.const -8)))
