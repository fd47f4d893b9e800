#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The loop of bats/conformance.bats, as a plain script: inside a bats test every shell
# command also runs bats' DEBUG trap, which under TCG made comparing 300 reports take
# minutes. Usage: conformance.sh WASM_DIR CORPUS_DIR. Loads each module of CORPUS_DIR
# into a program under WASM_DIR (configfs), compares its report with the host's, prints
# a line per module that differs and a last summary line; exits 1 if any differ.

WASM=$1
C=$2

# Sets payload to the payload of hex value $2 of type $1 (f32/f64) if it is a NaN; fails
# otherwise. (A variable, not output: no subshell per value.)
nan_payload() {
	local v=$((16#$2))
	case ${1%canon} in
	f64) (((v & 0x7ff0000000000000) == 0x7ff0000000000000 && (v & 0x000fffffffffffff) != 0)) &&
		payload=$((v & 0x000fffffffffffff)) ;;
	f32) (((v & 0x7f800000) == 0x7f800000 && (v & 0x007fffff) != 0)) && payload=$((v & 0x007fffff)) ;;
	*) false ;;
	esac
}

# Whether kernel NaN $2 may stand for host NaN $3, both of type $1 (Wasm 4.3.3): an
# arithmetic NaN (quiet bit set), and for f32canon/f64canon the canonical NaN (the quiet
# bit alone; either sign).
nan_allowed() {
	local got want quiet payload
	nan_payload "$1" "$2" && got=$payload || return 1
	nan_payload "$1" "$3" && want=$payload || return 1
	case $1 in f64*) quiet=$((1 << 51)) ;; *) quiet=$((1 << 22)) ;; esac
	(((got & quiet) != 0)) || return 1
	case $1 in *canon) [ "$got" = "$quiet" ] ;; esac
}

# Compares kernel output $1 with the host's files for module $2: 0 when equal up to what
# Wasm leaves open in NaNs; counts those NaN differences in nan_differ.
same() {
	local name=$2 got=$1 want i g w t
	IFS= read -r -d '' want <"$C/$name.expected" || true
	[ "$got" = "${want%$'\n'}" ] && return 0
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

# Runs one module in program $1 (made, not loaded) and compares its report.
check_module() {
	local dir=$1 wasm=$2 name got
	name=${wasm##*/} name=${name%.wasm}
	cat "$wasm" >"$dir/code"
	# A report is one read(); a trap fails it with EIO and leaves got empty (no
	# module reports nothing), and status then says why.
	got=
	IFS= read -r -d '' got <"$dir/report" || true
	got=${got%$'\n'}
	if [ -z "$got" ]; then
		local line why
		while IFS= read -r line; do
			why=${line#error: }
			[ "$why" != "$line" ] && got="TRAP: ${why#EIO: report trapped: }"
		done <"$dir/status"
	fi
	if ! same "$got" "$name"; then
		bad=$((bad + 1))
		echo "conformance: $name differs: $got"
	fi
	mapfile -t types <"$C/$name.types"
	values=$((values + ${#types[@]}))
	n=$((n + 1))
}

n=0 bad=0 nan_differ=0 values=0
mods=("$C"/*.wasm)
# In rounds of 20 programs, made and removed by one process each: under TCG a
# process costs ~70 ms, and seven per module were most of this test's time.
for ((i = 0; i < ${#mods[@]}; i += 20)); do
	dirs=()
	for ((j = i; j < i + 20 && j < ${#mods[@]}; j++)); do
		dirs+=("$WASM/c$j")
	done
	mkdir "${dirs[@]}"
	for ((j = i; j < i + 20 && j < ${#mods[@]}; j++)); do
		check_module "$WASM/c$j" "${mods[j]}"
	done
	rmdir "${dirs[@]}"
done
echo "conformance: $n modules, $values values, $bad differ, $nan_differ NaNs differ in sign or payload only (as Wasm allows)"
[ "$bad" = 0 ]
