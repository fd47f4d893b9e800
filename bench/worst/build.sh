#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the worst-case probes of `make bench` (qemu/bench.sh, "worst cases", and the
# native runner in bench/worst/native) into OUTPUT_DIR, and OUTPUT_DIR/big.wasm: a module
# of exactly BYTES bytes (max_code_bytes, 1 MiB by default), nearly all of it code.
#
# Usage: build.sh OUTPUT_DIR [BYTES]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$1 bytes=${2:-1048576}
mkdir -p "$out"
for wat in "$here"/*.wat; do
	wat2wasm "$wat" -o "$out/$(basename "${wat%.wat}").wasm"
done
"$top/scripts/build-probes.sh" "$out" "$here"/*.c

# big.wasm: as many small functions as fit, each different so that nothing can be shared
# between them (the same filler functions as bench/host's load row: a loop, memory
# traffic, a call to the previous one and branches, about 110 bytes of code each), then
# a custom section that pads the module to exactly BYTES. wasmi's strict limits, which
# kwasm enforces, allow 10000 functions: 1 MiB of them is about 9300.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
module() { # N: the module with N filler functions, in $tmp/big.wasm
	awk -v n="$1" 'BEGIN {
		print "(module (memory 1)"
		for (k = 0; k < n; k++) {
			prev = k ? sprintf("(call $f%d (local.get $a) (local.get $b))", k - 1) : "(local.get $b)"
			printf "(func $f%d (param $a i32) (param $b i64) (result i64) (local $i i32) (local $acc i64)\n", k
			printf "  (local.set $acc (i64.xor (local.get $b) (i64.const %.0f)))\n", 2654435769 * (k + 1)
			printf "  (loop $l (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const %d)) (i64.extend_i32_u (local.get $i))))\n", 2 * k + 3
			print "    (i64.store (i32.and (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0xff8)) (local.get $acc))"
			printf "    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const %d))))\n", 8 + k % 9
			printf "  (block $done (br_if $done (i32.ne (local.get $a) (i32.const %d))) (local.set $acc (i64.rotl (local.get $acc) %s)))\n", 7 * k + 1, prev
			print "  (if (result i64) (i64.eqz (i64.and (local.get $acc) (i64.const 1)))"
			printf "    (then (i64.load (i32.and (local.get $a) (i32.const 0xff8)))) (else (i64.sub (local.get $acc) (i64.shr_u (local.get $acc) (i64.const %d))))))\n", 1 + k % 31
		}
		print ")"
	}' >"$tmp/big.wat"
	wat2wasm "$tmp/big.wat" -o "$tmp/big.wasm"
	stat -c %s "$tmp/big.wasm"
}
# The largest N whose module leaves room for the padding section (7 bytes at least):
# from a proportional guess, a few steps of about one function's size.
room=$((bytes - 7))
n=9000
n=$((n * room / $(module $n)))
while :; do
	size=$(module $n)
	if [ "$size" -gt $room ]; then
		n=$((n - (size - room) / 100 - 1))
	elif [ $((room - size)) -ge 130 ]; then
		n=$((n + (room - size) / 130))
	elif [ "$(module $((n + 1)))" -le $room ]; then
		n=$((n + 1))
	else
		break
	fi
done
[ $n -le 10000 ] || { echo "build.sh: $n functions is more than wasmi allows" >&2; exit 1; }
size=$(module $n)
# The pad: id 0, a two-byte LEB128 size (Wasm allows the padded form), the name "pad".
rest=$((bytes - size))
content=$((rest - 3))
[ $content -lt 16384 ] || { echo "build.sh: $rest bytes of padding is too much" >&2; exit 1; }
{
	cat "$tmp/big.wasm"
	printf "\\x00\\x$(printf %02x $((content % 128 + 128)))\\x$(printf %02x $((content / 128)))\\x03pad"
	head -c $((content - 4)) /dev/zero
} >"$out/big.wasm"
[ "$(stat -c %s "$out/big.wasm")" = "$bytes" ] || { echo "build.sh: big.wasm is not $bytes bytes" >&2; exit 1; }
echo "$n functions, $size bytes of module and $rest of padding" >"$out/big.txt"
