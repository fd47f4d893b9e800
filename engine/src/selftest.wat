;; SPDX-License-Identifier: GPL-2.0
;; The self-test module of selftest.rs, kept as text so a test can reassemble it.
(module
  ;; sum of i*i for i in 1..=n, as i64; then sqrt through f64, and a division.
  (func (export "selftest") (param $n i64) (result i64)
    (local $i i64) (local $acc i64) (local $f f64)
    (local.set $i (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.gt_s (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $i) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.set $f (f64.sqrt (f64.convert_i64_s (local.get $acc))))
    ;; acc * 1000 + floor(sqrt(acc) * 7 / 3)
    (i64.add
      (i64.mul (local.get $acc) (i64.const 1000))
      (i64.trunc_f64_s (f64.floor (f64.div (f64.mul (local.get $f) (f64.const 7)) (f64.const 3)))))))
