;; SPDX-License-Identifier: GPL-2.0
;; memory.grow inside the limit, in a handler (atomic context): refused, -1; start may grow.
(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 7)) (func $start (drop (memory.grow (i32.const 2)))) (start $start) (func (export "kprobe:__x64_sys_mkdir:pre") (global.set $g (memory.grow (i32.const 1)))) (func (export "report") (result i32) (i32.store8 (i32.const 0) (i32.add (i32.const 48) (i32.add (global.get $g) (i32.const 2)))) (i32.store8 (i32.const 1) (i32.const 0)) (i32.const 0)))
