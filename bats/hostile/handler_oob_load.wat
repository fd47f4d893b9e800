;; SPDX-License-Identifier: GPL-2.0
;; A handler that loads past memory.
(module (memory 1) (func (export "kprobe:__x64_sys_mkdir:pre") (drop (i64.load (i32.const 65530)))))
