;; SPDX-License-Identifier: GPL-2.0
;; A handler that recurses without end.
(module (func $r (call $r)) (func (export "kprobe:__x64_sys_mkdir:pre") (call $r)))
