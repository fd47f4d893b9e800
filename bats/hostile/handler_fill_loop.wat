;; SPDX-License-Identifier: GPL-2.0
;; A handler that fills all of memory again and again.
(module (memory 16) (func (export "kprobe:__x64_sys_mkdir:pre") (loop (memory.fill (i32.const 0) (i32.const 255) (i32.const 1048576)) (br 0))))
