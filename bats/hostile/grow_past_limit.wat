;; SPDX-License-Identifier: GPL-2.0
;; memory.grow past the limit returns -1; report shows what it got.
(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 7)) (func (export "kprobe:__x64_sys_mkdir:pre") (global.set $g (memory.grow (i32.const 100)))) (func (export "report") (result i32) (i32.store8 (i32.const 0) (i32.add (i32.const 48) (i32.add (global.get $g) (i32.const 2)))) (i32.store8 (i32.const 1) (i32.const 0)) (i32.const 0)))
