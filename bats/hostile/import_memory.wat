;; SPDX-License-Identifier: GPL-2.0
;; A memory import.
(module (import "kwasm" "memory" (memory 1)))
