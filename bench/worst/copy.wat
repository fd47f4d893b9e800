;; SPDX-License-Identifier: GPL-2.0
;; Worst case, bulk memory: memory.copy of 512 KiB, half of the largest linear memory
;; (max_memory_pages=16), over and over until the fuel is gone. wasmi charges a copy 1
;; fuel per 64 bytes, so one unit of fuel moves more here than anywhere else.
(module
  (memory 16)
  (func (export "kprobe:__x64_sys_getpgid:pre")
    (loop $forever
      (memory.copy (i32.const 0) (i32.const 524288) (i32.const 524288))
      (br $forever))))
