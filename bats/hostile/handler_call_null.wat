;; SPDX-License-Identifier: GPL-2.0
;; A handler that calls through a null table entry.
(module (type $t (func)) (table 1 funcref) (func (export "kprobe:__x64_sys_mkdir:pre") (call_indirect (type $t) (i32.const 0))))
