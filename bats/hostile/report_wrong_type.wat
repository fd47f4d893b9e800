;; SPDX-License-Identifier: GPL-2.0
;; A report that returns nothing.
(module (memory (export "memory") 1) (func (export "report")))
