;; SPDX-License-Identifier: GPL-2.0
;; A memory of 17 pages, one over the default limit.
(module (memory 17))
