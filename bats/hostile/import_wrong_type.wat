;; SPDX-License-Identifier: GPL-2.0
;; A host function imported with the wrong type.
(module (import "kwasm" "pid" (func (result i64))))
