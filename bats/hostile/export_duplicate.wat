;; SPDX-License-Identifier: GPL-2.0
;; Two exports with one name.
(module (func (export "kprobe:__x64_sys_mkdir:pre")) (func (export "kprobe:__x64_sys_mkdir:pre")))
