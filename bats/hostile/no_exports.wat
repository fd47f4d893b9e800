;; SPDX-License-Identifier: GPL-2.0
;; A valid module with nothing to attach.
(module (func $f))
