#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Differential conformance: the kernel build of the engine (soft-float, no SSE, the
# kernel's code-generation flags) must compute what the host build computed, bit for
# bit. 300 generated modules (engine/examples/conformance.rs) each report 24 values:
# f32/f64 operations on NaNs, infinities, signed zeros, subnormals and rounding cases,
# integer operations, conversions; one in five ends with an operation that may trap.

load helpers

C=/kwasm/conformance

setup() {
	kwasm_load
}

teardown() {
	kwasm_unload
}

# Whether hex value $2 of type $1 is a NaN.
is_nan() {
	local v=$((16#$2))
	case $1 in
	f64) (((v & 0x7ff0000000000000) == 0x7ff0000000000000 && (v & 0x000fffffffffffff) != 0)) ;;
	f32) (((v & 0x7f800000) == 0x7f800000 && (v & 0x007fffff) != 0)) ;;
	*) false ;;
	esac
}

# Compares kernel output $1 with the host's files for module $2: 0 when equal up to NaN
# sign and payload; counts those NaN differences in nan_differ.
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
		is_nan "${t[i]}" "${g[i]}" && is_nan "${t[i]}" "${w[i]}" || return 1
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
	echo "conformance: $n modules, $values values, $bad differ, $nan_differ NaNs differ in sign or payload only" >/dev/kmsg
	[ "$n" = 300 ]
	[ "$bad" = 0 ]
}
