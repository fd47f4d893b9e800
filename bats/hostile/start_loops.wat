;; SPDX-License-Identifier: GPL-2.0
;; A start function that never ends.
(module (func $s (loop br 0)) (start $s))
