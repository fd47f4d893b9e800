;; SPDX-License-Identifier: GPL-2.0
;; A memory of 16 pages, the default limit.
(module (memory (export "memory") 16) (func (export "report") (result i32) (i32.store (i32.const 1048570) (i32.const 0)) (i32.const 1048570)))
