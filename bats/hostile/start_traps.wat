;; SPDX-License-Identifier: GPL-2.0
;; A start function that divides by zero.
(module (func $s (drop (i32.div_u (i32.const 1) (i32.const 0)))) (start $s))
