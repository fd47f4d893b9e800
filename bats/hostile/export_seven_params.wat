;; SPDX-License-Identifier: GPL-2.0
;; A handler with seven parameters.
(module (func (export "kprobe:__x64_sys_mkdir:pre") (param i64 i64 i64 i64 i64 i64 i64)))
