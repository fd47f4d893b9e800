#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Maps (Documentation/usage.rst, "Maps"): declared at load, updated on every CPU with no
# lock, printed by `maps` as bpftrace prints its maps, emptied by `clear`; full maps,
# hostile declarations, and clear and rmdir while handlers run.

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

# The number of possible CPUs, each of which has a table per map.
possible_cpus() {
	local last
	last=$(sed 's/.*-//' /sys/devices/system/cpu/possible)
	echo $((last + 1))
}

@test "a program's directory has maps and clear; status counts the maps and their bytes" {
	kwasm_new s syscalls
	run ls "$WASM/s"
	[ "$output" = "$(printf 'active\nclear\ncode\nfuel\nmaps\nmode\nreport\nstats\nstatus')" ]
	[ "$(status_of s maps)" = 1 ]
	# Per CPU: a 64-byte header, an index of 8192 u32 slots and 4096 entries of five
	# words (16-byte comm, number, index slot, count).
	[ "$(status_of s map_bytes)" = $(((64 + 8192 * 4 + 4096 * 5 * 8) * $(possible_cpus))) ]
	[ "$(stat -c %a "$WASM/s/maps")" = 400 ]
	[ "$(stat -c %a "$WASM/s/clear")" = 200 ]
}

@test "syscalls counts syscall_loop's getpgid calls as bpftrace prints @syscalls[comm, nr]" {
	kwasm_new s syscalls
	echo 1 >"$WASM/s/active"
	/kwasm/bin/syscall_loop 37 >/dev/null
	echo 0 >"$WASM/s/active"
	run cat "$WASM/s/maps"
	echo "$output" | grep -qx '@syscalls\[syscall_loop, 121\]: 37'
	# Every line is "@syscalls[COMM, NR]: COUNT", sorted by count as bpftrace sorts.
	[ -z "$(echo "$output" | grep -vxE '@syscalls\[[^]]*, [0-9]+\]: [0-9]+')" ]
	echo "$output" | sed 's/.*: //' | sort -n -c
}

@test "funclatency's histogram counts every getpgid call with bpftrace's buckets and bars" {
	kwasm_new f funclatency
	echo 1 >"$WASM/f/active"
	/kwasm/bin/syscall_loop 200 >/dev/null
	echo 0 >"$WASM/f/active"
	cat "$WASM/f/maps" >/tmp/t/maps
	[ "$(head -n1 /tmp/t/maps)" = "@ns: " ]
	# A blank line ends the histogram, as in bpftrace.
	[ "$(tail -c 2 /tmp/t/maps | od -An -c | tr -d ' ')" = '\n\n' ]
	sed -n '2,$p' /tmp/t/maps | sed '$d' >/tmp/t/rows
	# Rows of 16 columns of label, 8 of count, " |", 52 of bars and "|".
	[ -z "$(grep -vxE '(\[0\]|\[1\]|\[[0-9]+[KMGT]?, [0-9]+[KMGT]?\)) +[0-9]+ \|@* *\|' /tmp/t/rows)" ]
	[ -z "$(awk 'length($0) != 79' /tmp/t/rows)" ]
	total=$(awk -F'|' '{ split($1, f, " "); s += f[length(f)] } END { print s }' /tmp/t/rows)
	calls=$(stat_of f kprobe:__x64_sys_getpgid:post hits)
	[ "$total" -ge 200 ]
	[ "$total" = "$calls" ]
	grep -qE ' \|@{52}\|$' /tmp/t/rows
}

@test "funclatency in per-CPU mode: both vCPUs, every return timed from its own entry" {
	mkdir "$WASM/f"
	echo percpu >"$WASM/f/mode"
	cat "$PROBES/funclatency.wasm" >"$WASM/f/code"
	echo 1 >"$WASM/f/active"
	taskset 1 /kwasm/bin/syscall_loop 300 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 300 >/dev/null &
	wait
	echo 0 >"$WASM/f/active"
	cat "$WASM/f/maps" >/tmp/t/maps
	sed -n '2,$p' /tmp/t/maps | sed '$d' >/tmp/t/rows
	total=$(awk -F'|' '{ split($1, f, " "); s += f[length(f)] } END { print s }' /tmp/t/rows)
	[ "$total" -ge 600 ]
	[ "$total" = "$(stat_of f kprobe:__x64_sys_getpgid:post hits)" ]
	[ "$(stat_of f kprobe:__x64_sys_getpgid:post traps)" = 0 ]
	# A getpgid() takes microseconds, even under TCG: a bucket of a second or more
	# would be a return timed from another call's entry, or from none.
	[ -z "$(grep -E '^\[[0-9]+[GTPE]' /tmp/t/rows)" ]
}

@test "maps prints beyond one page" {
	kwasm_new m map_many
	echo 1 >"$WASM/m/active"
	/kwasm/bin/syscall_loop 3 >/dev/null
	echo 0 >"$WASM/m/active"
	cat "$WASM/m/maps" >/tmp/t/maps
	[ "$(stat -c %s /tmp/t/maps)" -gt 4096 ]
	[ "$(grep -c '^@many\[[0-9]*\]: 3$' /tmp/t/maps)" = 400 ]
	grep -qx '@many\[399000\]: 3' /tmp/t/maps
	grep -qx '@pids: 3' /tmp/t/maps
}

@test "a full map drops new keys, counts them in stats, and keeps counting the keys it has" {
	kwasm_new f map_full
	echo 1 >"$WASM/f/active"
	/kwasm/bin/syscall_loop 5 >/dev/null
	echo 0 >"$WASM/f/active"
	run cat "$WASM/f/maps"
	[ "$output" = "$(printf '@full[0]: 5\n@full[1]: 5\n@full[2]: 5\n@full[3]: 5')" ]
	# Keys 4 to 9 of each of the 5 calls found the table full.
	grep -qx 'map @full kind=count entries=4 max_entries=4 dropped=30' "$WASM/f/stats"
}

@test "echo 1 > clear empties the maps; counting starts again, drops stay counted" {
	kwasm_new f map_full
	echo 1 >"$WASM/f/active"
	/kwasm/bin/syscall_loop 5 >/dev/null
	echo 1 >"$WASM/f/clear"
	[ "$(cat "$WASM/f/maps")" = "" ]
	/kwasm/bin/syscall_loop 2 >/dev/null
	echo 0 >"$WASM/f/active"
	run cat "$WASM/f/maps"
	[ "$output" = "$(printf '@full[0]: 2\n@full[1]: 2\n@full[2]: 2\n@full[3]: 2')" ]
	grep -qx 'map @full kind=count entries=4 max_entries=4 dropped=42' "$WASM/f/stats"
}

@test "clear takes only 1; clear and maps need code; only root reads maps or clears" {
	mkdir "$WASM/e"
	run write_attr "$WASM/e/clear" 1
	[ "$status" -ne 0 ]
	[ "$(status_of e error)" = "ENODATA: clear: no code loaded" ]
	run cat "$WASM/e/maps"
	[ "$status" -ne 0 ]
	[ "$(status_of e error)" = "ENODATA: maps: no code loaded" ]
	kwasm_new f map_full
	run write_attr "$WASM/f/clear" 2
	[ "$status" -ne 0 ]
	[ "$(status_of f error)" = "EINVAL: clear: write 1" ]
	run as_nobody cat "$WASM/f/maps"
	[ "$status" -ne 0 ]
}

@test "report reads merged map values with kwasm_read" {
	kwasm_new r map_report
	echo 1 >"$WASM/r/active"
	/kwasm/bin/syscall_loop 9 >/dev/null
	echo 0 >"$WASM/r/active"
	[ "$(cat "$WASM/r/report")" = "calls 9 total 0" ]
	grep -qx '@calls: count 9, average 0, total 0' "$WASM/r/maps"
}

@test "both CPUs' updates of one key merge exactly" {
	[ "$(nproc)" -ge 2 ]
	# Per-CPU mode: no hit waits for the other CPU (shared mode may drop a contended
	# one), and every instance updates the program's one set of maps.
	mkdir "$WASM/s"
	echo percpu >"$WASM/s/mode"
	cat "$PROBES/syscalls.wasm" >"$WASM/s/code"
	echo 1 >"$WASM/s/active"
	taskset 1 /kwasm/bin/syscall_loop 20000 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 20000 >/dev/null &
	wait
	echo 0 >"$WASM/s/active"
	grep -qx '@syscalls\[syscall_loop, 121\]: 40000' "$WASM/s/maps"
	grep -qx 'map @syscalls kind=count entries=[0-9]* max_entries=4096 dropped=0' "$WASM/s/stats"
}

@test "clear and maps while both CPUs update leave exact counts afterwards" {
	[ "$(nproc)" -ge 2 ]
	kwasm_new s syscalls
	echo 1 >"$WASM/s/active"
	taskset 1 /kwasm/bin/syscall_loop 20000 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 20000 >/dev/null &
	for i in $(seq 30); do
		echo 1 >"$WASM/s/clear"
		cat "$WASM/s/maps" >/dev/null
	done
	wait
	echo 1 >"$WASM/s/clear"
	taskset 1 /kwasm/bin/syscall_loop 11 >/dev/null
	taskset 2 /kwasm/bin/syscall_loop 12 >/dev/null
	echo 0 >"$WASM/s/active"
	grep -qx '@syscalls\[syscall_loop, 121\]: 23' "$WASM/s/maps"
}

@test "rmdir while both CPUs update maps, then kmemleak finds nothing" {
	[ "$(nproc)" -ge 2 ]
	kmemleak_scan >/dev/null
	kwasm_new s syscalls
	kwasm_new f funclatency
	echo 1 >"$WASM/s/active"
	echo 1 >"$WASM/f/active"
	taskset 1 /kwasm/bin/syscall_loop 30000 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 30000 >/dev/null &
	sleep 1
	cat "$WASM/s/maps" >/dev/null
	rmdir "$WASM/s" "$WASM/f"
	wait
	[ -z "$(ls "$WASM")" ]
	rmmod kwasm
	run kmemleak_scan
	[ -z "$output" ]
}

@test "hostile: a map of 2^31 entries is E2BIG naming max_map_entries" {
	mkdir "$WASM/h"
	cat /kwasm/hostile/map_entries_huge.wasm >"$WASM/h/code"
	[ "$(status_of h state)" = empty ]
	[ "$(status_of h error)" = "E2BIG: load failed: map_declare: map @huge has max_entries 2147483648, not 1 to 10240 (max_map_entries)" ]
	kwasm_dmesg | grep -qF "kwasm: h: E2BIG: code: load failed: map_declare: map @huge has max_entries"
}

@test "hostile: maps over max_map_bytes together are E2BIG naming it" {
	mkdir "$WASM/h"
	cat /kwasm/hostile/map_bytes_huge.wasm >"$WASM/h/code"
	[ "$(status_of h state)" = empty ]
	[[ "$(status_of h error)" == "E2BIG: load failed: map_declare: map @h"[12]" needs "*" (max_map_bytes)" ]]
}

@test "hostile: an lhist of a billion buckets is E2BIG" {
	mkdir "$WASM/h"
	cat /kwasm/hostile/map_lhist_huge.wasm >"$WASM/h/code"
	[ "$(status_of h error)" = "E2BIG: load failed: map_declare: lhist @l has 1000000000 buckets, over the limit of 1000" ]
}

@test "hostile: declaring in a handler, an undeclared map and a key outside memory trap" {
	for c in map_declare_in_handler map_update_bad_id map_key_oob; do
		mkdir "$WASM/$c"
		cat "/kwasm/hostile/$c.wasm" >"$WASM/$c/code"
		echo 1 >"$WASM/$c/active"
		mkdir /tmp/t/x && rmdir /tmp/t/x
		echo 0 >"$WASM/$c/active"
		[ "$(stat_of "$c" kprobe:__x64_sys_mkdir:pre traps)" = 1 ]
	done
	kwasm_dmesg | grep -qF "kwasm: map_declare_in_handler: kprobe:__x64_sys_mkdir:pre trapped: map_declare() is only available at load"
	kwasm_dmesg | grep -qF "kwasm: map_update_bad_id: kprobe:__x64_sys_mkdir:pre trapped: map: no such map id (declare maps at load)"
	kwasm_dmesg | grep -qF "kwasm: map_key_oob: kprobe:__x64_sys_mkdir:pre trapped: map_update_key: key outside memory"
}

@test "a module parameter lowers max_maps, and the load says so" {
	kwasm_unload
	insmod "$KO" max_maps=0
	kwasm_new s syscalls
	[ "$(status_of s error)" = "E2BIG: load failed: map_declare: map @syscalls is one more than the limit of 0 maps (max_maps)" ]
}

@test "the Rust syscalls (maps! in kwasm-probe) prints what the C one prints" {
	kwasm_new c syscalls
	kwasm_new r syscalls_rs
	echo 1 >"$WASM/c/active"
	echo 1 >"$WASM/r/active"
	/kwasm/bin/syscall_loop 19 >/dev/null
	echo 0 >"$WASM/c/active"
	echo 0 >"$WASM/r/active"
	grep -qx '@syscalls\[syscall_loop, 121\]: 19' "$WASM/c/maps"
	grep -qx '@syscalls\[syscall_loop, 121\]: 19' "$WASM/r/maps"
}

@test "cells: both CPUs in per-CPU mode count exactly, as a map kwasm keeps does" {
	[ "$(nproc)" -ge 2 ]
	for p in cells_count cells_rs; do
		mkdir "$WASM/$p"
		echo percpu >"$WASM/$p/mode"
		cat "$PROBES/$p.wasm" >"$WASM/$p/code"
		echo 1 >"$WASM/$p/active"
	done
	taskset 1 /kwasm/bin/syscall_loop 20000 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 20000 >/dev/null &
	wait
	for p in cells_count cells_rs; do
		echo 0 >"$WASM/$p/active"
		grep -qx '@hits: 40000' "$WASM/$p/maps"
		grep -qx '@twice: 80000' "$WASM/$p/maps"
		grep -qx '@keyed\[7\]: 40000' "$WASM/$p/maps"
		grep -qx '\[2, 4)  *40000 |@\{52\}|' "$WASM/$p/maps"
		grep -qx 'map @hits kind=count entries=1 max_entries=1 dropped=0' "$WASM/$p/stats"
		grep -qx 'map @twice kind=sum entries=1 max_entries=1 dropped=0' "$WASM/$p/stats"
		grep -qx 'map @lat kind=hist entries=1 max_entries=1 dropped=0' "$WASM/$p/stats"
	done
	cmp "$WASM/cells_count/maps" "$WASM/cells_rs/maps"
}

@test "cells: clear and maps while both CPUs count leave exact counts afterwards" {
	[ "$(nproc)" -ge 2 ]
	mkdir "$WASM/c"
	echo percpu >"$WASM/c/mode"
	cat "$PROBES/cells_count.wasm" >"$WASM/c/code"
	echo 1 >"$WASM/c/active"
	taskset 1 /kwasm/bin/syscall_loop 20000 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 20000 >/dev/null &
	for i in $(seq 30); do
		echo 1 >"$WASM/c/clear"
		cat "$WASM/c/maps" >/dev/null
	done
	wait
	echo 1 >"$WASM/c/clear"
	[ -z "$(cat "$WASM/c/maps")" ]
	taskset 1 /kwasm/bin/syscall_loop 11 >/dev/null
	taskset 2 /kwasm/bin/syscall_loop 12 >/dev/null
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/maps")" = "$(printf '@hits: 23\n@twice: 46\n@keyed[7]: 23\n@lat: \n[2, 4)                23 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|')" ]
}

@test "cells: a program's code replaced and its directory removed while both CPUs count" {
	[ "$(nproc)" -ge 2 ]
	kmemleak_scan >/dev/null
	mkdir "$WASM/c"
	echo percpu >"$WASM/c/mode"
	cat "$PROBES/cells_count.wasm" >"$WASM/c/code"
	echo 1 >"$WASM/c/active"
	taskset 1 /kwasm/bin/syscall_loop 30000 >/dev/null &
	taskset 2 /kwasm/bin/syscall_loop 30000 >/dev/null &
	sleep 1
	cat "$WASM/c/maps" >/dev/null
	echo 0 >"$WASM/c/active"
	cat "$PROBES/cells_count.wasm" >"$WASM/c/code"
	[ -z "$(cat "$WASM/c/maps")" ]
	echo 1 >"$WASM/c/active"
	cat "$WASM/c/maps" >/dev/null
	rmdir "$WASM/c"
	wait
	rmmod kwasm
	run kmemleak_scan
	[ -z "$output" ]
}

@test "hostile: cells past the end of memory are EINVAL" {
	mkdir "$WASM/h"
	cat /kwasm/hostile/map_cells_oob.wasm >"$WASM/h/code"
	[ "$(status_of h state)" = empty ]
	[ "$(status_of h error)" = "EINVAL: load failed: map_declare: map @out: cells of 8 bytes at 65536 end beyond linear memory of 65536 bytes" ]
}
