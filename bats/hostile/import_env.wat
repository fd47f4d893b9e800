;; SPDX-License-Identifier: GPL-2.0
;; An import from a module other than kwasm.
(module (import "env" "arg" (func (param i32) (result i64))))
