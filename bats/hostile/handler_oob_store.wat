;; SPDX-License-Identifier: GPL-2.0
;; A handler that stores at a negative address.
(module (memory 1) (func (export "kprobe:__x64_sys_mkdir:pre") (i32.store (i32.const -1) (i32.const 7))))
