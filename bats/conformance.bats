#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Differential conformance: the kernel build of the engine (soft-float, no SSE, the
# kernel's code-generation flags) must compute what the host build computed, bit for
# bit. 300 generated modules (engine/examples/conformance.rs) each report 24 values:
# f32/f64 operations on NaNs, infinities, signed zeros, subnormals and rounding cases,
# integer operations, conversions; one in five ends with an operation that may trap. Half
# take their operands through calls, so the interpreter computes them, not the translator.
# Where Wasm leaves NaN bits open (arithmetic results) the kernel's NaN must still be an
# arithmetic NaN (types f32/f64), and canonical when no operand was a non-canonical NaN
# (types f32canon/f64canon); abs, neg and copysign (types f32bits/f64bits) are exact.

load helpers

C=/kwasm/conformance

setup() {
	kwasm_load
}

teardown() {
	kwasm_unload
}

# The payload of hex value $2 of type $1 (f32/f64) if it is a NaN; fails otherwise.
nan_payload() {
	local v=$((16#$2))
	case ${1%canon} in
	f64) (((v & 0x7ff0000000000000) == 0x7ff0000000000000 && (v & 0x000fffffffffffff) != 0)) &&
		echo $((v & 0x000fffffffffffff)) ;;
	f32) (((v & 0x7f800000) == 0x7f800000 && (v & 0x007fffff) != 0)) && echo $((v & 0x007fffff)) ;;
	*) false ;;
	esac
}

# Whether kernel NaN $2 may stand for host NaN $3, both of type $1 (Wasm 4.3.3): an
# arithmetic NaN (quiet bit set), and for f32canon/f64canon the canonical NaN (the quiet
# bit alone; either sign).
nan_allowed() {
	local got want quiet
	got=$(nan_payload "$1" "$2") && want=$(nan_payload "$1" "$3") || return 1
	case $1 in f64*) quiet=$((1 << 51)) ;; *) quiet=$((1 << 22)) ;; esac
	(((got & quiet) != 0)) || return 1
	case $1 in *canon) [ "$got" = "$quiet" ] ;; esac
}

# Compares kernel output $1 with the host's files for module $2: 0 when equal up to what
# Wasm leaves open in NaNs; counts those NaN differences in nan_differ.
same() {
	local name=$2 got=$1 type want line=0
	[ "$got" = "$(cat "$C/$name.expected")" ] && return 0
	[[ "$got" == TRAP:* ]] && return 1
	mapfile -t g <<<"$got"
	mapfile -t w <"$C/$name.expected"
	mapfile -t t <"$C/$name.types"
	[ ${#g[@]} = ${#w[@]} ] || return 1
	for ((i = 0; i < ${#w[@]}; i++)); do
		[ "${g[i]}" = "${w[i]}" ] && continue
		nan_allowed "${t[i]}" "${g[i]}" "${w[i]}" || return 1
		nan_differ=$((nan_differ + 1))
	done
}

@test "conformance: 300 modules report in the kernel what they report on the host" {
	n=0 bad=0 nan_differ=0 values=0
	for wasm in $C/*.wasm; do
		name=$(basename "$wasm" .wasm)
		mkdir "$WASM/c"
		cat "$wasm" >"$WASM/c/code"
		if ! got=$(cat "$WASM/c/report" 2>/dev/null); then
			got="TRAP: $(status_of c error | sed 's/^EIO: report trapped: //')"
		fi
		rmdir "$WASM/c"
		if ! same "$got" "$name"; then
			bad=$((bad + 1))
			echo "conformance: $name differs" >/dev/kmsg
		fi
		values=$((values + $(wc -l <"$C/$name.types")))
		n=$((n + 1))
	done
	echo "conformance: $n modules, $values values, $bad differ, $nan_differ NaNs differ in sign or payload only (as Wasm allows)" >/dev/kmsg
	[ "$n" = 300 ]
	[ "$bad" = 0 ]
}
