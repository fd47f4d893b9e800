;; SPDX-License-Identifier: GPL-2.0
;; A start function that calls arg(), which only a handler may: the host call traps.
(module (import "kwasm" "arg" (func $arg (param i32) (result i64))) (func $s (drop (call $arg (i32.const 0)))) (start $s))
