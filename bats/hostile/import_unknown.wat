;; SPDX-License-Identifier: GPL-2.0
;; An import of a host function that does not exist.
(module (import "kwasm" "open" (func)))
