;; SPDX-License-Identifier: GPL-2.0
;; A mkdir handler that spins until its fuel runs out.
(module (func (export "kprobe:__x64_sys_mkdir:pre") (loop $spin (br $spin))))
