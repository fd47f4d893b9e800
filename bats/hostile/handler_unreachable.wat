;; SPDX-License-Identifier: GPL-2.0
;; A handler that executes unreachable.
(module (func (export "kprobe:__x64_sys_mkdir:pre") unreachable))
