;; SPDX-License-Identifier: GPL-2.0
;; A table of 100000 elements.
(module (table 100000 funcref))
