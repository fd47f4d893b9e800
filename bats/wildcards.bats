#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Wildcards (probe-abi.rst, "kprobe:PATTERN:pre"): one export on every function its pattern
# matches, through one fprobe; counted per function in stats; func_ip() says which fired.
# The test module (qemu/testmod) has kwasm_test_wild_a, _b and _c, called 1, 2 and 3 times
# for each count written to its wild_calls parameter.

load helpers

CAP=/sys/module/kwasm/parameters/max_wildcard_functions

setup() {
	kwasm_setup_scratch
	target_load
}

teardown() {
	kwasm_teardown_scratch
}

# The address /proc/kallsyms lists for function $1, as a signed decimal (maps' i64 keys).
kallsyms_addr() {
	local a
	a=$(awk -v f="$1" '$3 == f { print $1; exit }' /proc/kallsyms)
	echo $((0x$a))
}

@test "kprobe:kwasm_test_wild_*:pre attaches to the 3 functions and counts each exactly" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	echo 10 >"$TARGET/wild_calls"
	run cat "$WASM/w/stats"
	echo "$output"
	# Exports in name order; a wildcard's sums, then a line per function, indented.
	[[ "${lines[0]}" =~ ^kprobe:kwasm_test_traced:pre\ hits=0\  ]]
	[[ "${lines[1]}" =~ ^kprobe:kwasm_test_wild_\*:pre\ hits=60\ missed=0\ traps=0\ .*\ functions=3\ skipped=0$ ]]
	[ "$(grep -c '^  kwasm_test_wild_[abc] hits=' "$WASM/w/stats")" = 3 ]
	[ "$(stat_of w '  kwasm_test_wild_a' hits)" = 10 ]
	[ "$(stat_of w '  kwasm_test_wild_b' hits)" = 20 ]
	[ "$(stat_of w '  kwasm_test_wild_c' hits)" = 30 ]
	[ "$(stat_of w '  kwasm_test_wild_c' missed)" = 0 ]
	[ "$(stat_of w '  kwasm_test_wild_c' traps)" = 0 ]
	kwasm_dmesg | grep -qF "w: kprobe:kwasm_test_wild_*:pre attached to 3 functions (0 skipped)"
	echo 0 >"$WASM/w/active"
	# Detached: more calls count nowhere, and the counts stay for stats.
	echo 10 >"$TARGET/wild_calls"
	[ "$(stat_of w 'kprobe:kwasm_test_wild_\*:pre' hits)" = 60 ]
	[ "$(stat_of w '  kwasm_test_wild_c' hits)" = 30 ]
	[ -z "$(grep kwasm_test_wild_ /sys/kernel/tracing/enabled_functions)" ]
}

@test "the handler gets each function's arguments and counts per function name in a map" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	echo 10 >"$TARGET/wild_calls"
	echo 0 >"$WASM/w/active"
	run grep -E '^@(calls|argsum)\[' "$WASM/w/maps"
	echo "$output"
	# Each call gets 1..10: a's sum is 55, b's twice that, c's three times.
	[ "$output" = "@calls[kwasm_test_wild_a]: 10
@calls[kwasm_test_wild_b]: 20
@calls[kwasm_test_wild_c]: 30
@argsum[kwasm_test_wild_a]: 55
@argsum[kwasm_test_wild_b]: 110
@argsum[kwasm_test_wild_c]: 165" ]
}

@test "func_ip() is the address /proc/kallsyms lists, for a wildcard's functions and a kprobe's" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	echo 1 >"$TARGET/wild_calls"
	target_calls traced 4
	echo 0 >"$WASM/w/active"
	run grep '^@ips\[' "$WASM/w/maps"
	echo "$output"
	[ "$output" = "@ips[$(kallsyms_addr kwasm_test_wild_a)]: 1
@ips[$(kallsyms_addr kwasm_test_wild_b)]: 2
@ips[$(kallsyms_addr kwasm_test_wild_c)]: 3
@ips[$(kallsyms_addr kwasm_test_traced)]: 4" ]
}

@test "func_ip() in a tracepoint handler traps: a tracepoint is on no function" {
	kwasm_new t wild_tp
	echo 1 >"$WASM/t/active"
	/bin/true
	echo 0 >"$WASM/t/active"
	[ "$(stat_of t tracepoint:sched:sched_process_exec traps)" -ge 1 ]
	kwasm_dmesg | grep -qF "func_ip(): this attach point is on no function"
}

@test "a wildcard that matches nothing fails echo 1 > active with ENOENT naming it" {
	kwasm_new n wild_nomatch
	run write_attr "$WASM/n/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file or directory"* ]]
	[ "$(status_of n error)" = "ENOENT: active: cannot attach kprobe:kwasm_no_such_function_*:pre: register_fprobe (no traceable function matches) failed, nothing attached" ]
	[ "$(status_of n state)" = loaded ]
	kwasm_dmesg | grep -qF "active: cannot attach kprobe:kwasm_no_such_function_*:pre: register_fprobe (no traceable function matches) failed"
}

@test "a wildcard over max_wildcard_functions fails with E2BIG naming the limit, nothing attached" {
	[ "$(cat "$CAP")" = 4096 ]
	echo 2 >"$CAP"
	kwasm_new w wild_count
	run write_attr "$WASM/w/active" 1
	echo 4096 >"$CAP"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Argument list too long"* ]]
	[ "$(status_of w error)" = "E2BIG: active: cannot attach kprobe:kwasm_test_wild_*:pre: register_fprobe (more matches than max_wildcard_functions) failed, nothing attached" ]
	kwasm_dmesg | grep -qF "w: kprobe:kwasm_test_wild_*:pre matches 3 functions, over max_wildcard_functions=2"
	[ -z "$(grep kwasm_test_wild_ /sys/kernel/tracing/enabled_functions)" ]
	echo 3 >"$CAP"
	echo 1 >"$WASM/w/active"
	echo 4096 >"$CAP"
	echo 1 >"$TARGET/wild_calls"
	[ "$(stat_of w 'kprobe:kwasm_test_wild_\*:pre' hits)" = 6 ]
}

@test "malformed wildcards and :post wildcards are load errors naming the export" {
	mkdir "$WASM/p"
	cat "$PROBES/wild_malformed.wasm" >"$WASM/p/code"
	[ "$(status_of p state)" = empty ]
	[ "$(status_of p error)" = "EINVAL: load failed: export \"kprobe:kwasm_test_wild_[ab:pre\" does not fit kprobe:PATTERN:pre (a '[' has no ']')" ]
	cat "$PROBES/wild_post.wasm" >"$WASM/p/code"
	[ "$(status_of p error)" = 'EINVAL: load failed: export "kprobe:kwasm_test_wild_*:post": a wildcard attaches only as kprobe:PATTERN:pre' ]
}

@test "the functions are one ftrace filter of fprobe's, gone after detaching" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	run grep -c '^kwasm_test_wild_[abc] ' /sys/kernel/tracing/enabled_functions
	[ "$output" = 3 ]
	echo 0 >"$WASM/w/active"
	run grep -c '^kwasm_test_wild_' /sys/kernel/tracing/enabled_functions
	[ "$output" = 0 ]
}

@test "rmdir while a wildcard is attached detaches it" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	echo 1 >"$TARGET/wild_calls"
	rmdir "$WASM/w"
	echo 1 >"$TARGET/wild_calls"
	[ -z "$(grep kwasm_test_wild_ /sys/kernel/tracing/enabled_functions)" ]
}

@test "both vCPUs at once on a wildcard: exact counts per function, none missed" {
	[ "$(nproc)" -ge 2 ]
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	taskset 1 sh -c "echo 200 >$TARGET/wild_calls" &
	taskset 2 sh -c "echo 200 >$TARGET/wild_calls" &
	wait
	echo 0 >"$WASM/w/active"
	[ "$(stat_of w '  kwasm_test_wild_a' hits)" = 400 ]
	[ "$(stat_of w '  kwasm_test_wild_c' hits)" = 1200 ]
	[ "$(stat_of w 'kprobe:kwasm_test_wild_\*:pre' missed)" = 0 ]
	grep -qx '@calls\[kwasm_test_wild_b\]: 800' "$WASM/w/maps"
}

@test "attaching and detaching a wildcard 3 times, and rmdir while attached, leak nothing (kmemleak)" {
	kmemleak_scan >/dev/null
	kwasm_new w wild_count
	for i in 1 2 3; do
		echo 1 >"$WASM/w/active"
		echo 1 >"$TARGET/wild_calls"
		echo 0 >"$WASM/w/active"
	done
	echo 1 >"$WASM/w/active"
	rmdir "$WASM/w"
	kwasm_new n wild_nomatch
	echo 1 >"$WASM/n/active" || true
	rmdir "$WASM/n"
	[ -z "$(kmemleak_scan)" ]
}

@test "funccount counts vfs_* calls per function: 25 mkdirs are 25 vfs_mkdir calls" {
	kwasm_new f funccount
	echo 1 >"$WASM/f/active"
	make_dirs /tmp/t 25
	cat /tmp/t/d1/. 2>/dev/null || true
	echo 0 >"$WASM/f/active"
	run cat "$WASM/f/maps"
	echo "$output"
	echo "$output" | grep -qx '@funcs\[vfs_mkdir\]: 25'
	# Every line is "@funcs[NAME]: COUNT", sorted by count as bpftrace sorts.
	[ -z "$(echo "$output" | grep -vxE '@funcs\[vfs_[a-z0-9_.]+\]: [0-9]+')" ]
	[ "$(echo "$output" | awk '{ print $2 }')" = "$(echo "$output" | awk '{ print $2 }' | sort -n)" ]
	n=$(sed -n 's/^kprobe:vfs_\*:pre .* functions=\([0-9]*\) .*/\1/p' "$WASM/f/stats")
	echo "functions=$n"
	[ "$n" -ge 20 ]
	# A line per function, however many: stats is longer than a page if need be.
	[ "$(grep -c '^  vfs_' "$WASM/f/stats")" = "$n" ]
	# The functions' hits add up to the wildcard's own line.
	sum=$(sed -n 's/^  vfs_[^ ]* hits=\([0-9]*\) .*/\1/p' "$WASM/f/stats" | awk '{ s += $1 } END { print s }')
	[ "$sum" = "$(sed -n 's/^kprobe:vfs_\*:pre hits=\([0-9]*\) .*/\1/p' "$WASM/f/stats")" ]
}

@test "the module whose functions a wildcard is on can be removed; detaching after is clean" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	echo 1 >"$TARGET/wild_calls"
	rmmod kwasm_test_target
	echo 0 >"$WASM/w/active"
	[ "$(stat_of w '  kwasm_test_wild_c' hits)" = 3 ]
	target_load
	echo 1 >"$WASM/w/active"
	echo 1 >"$TARGET/wild_calls"
	echo 0 >"$WASM/w/active"
	# A new activation resolves the pattern anew: new addresses, new counts.
	[ "$(stat_of w '  kwasm_test_wild_c' hits)" = 3 ]
	[ "$(stat_of w 'kprobe:kwasm_test_wild_\*:pre' hits)" = 6 ]
}

@test "kwasm's own functions are skipped and counted; matching only them is ENOENT" {
	kwasm_new o wild_own
	echo 1 >"$WASM/o/active"
	echo 1 >"$TARGET/wild_calls"
	cat "$WASM/o/stats"
	skipped=$(sed -n 's/^kprobe:.* skipped=\([0-9]*\)$/\1/p' "$WASM/o/stats")
	[ "$skipped" -ge 5 ]
	[ "$(stat_of o '  kwasm_test_wild_c' hits)" = 3 ]
	[ "$(stat_of o '  kwasm_test_traced' hits)" = 0 ]
	[ -z "$(grep '^  kwasm_exec_' "$WASM/o/stats")" ]
	[ -z "$(grep 'kwasm_exec_' /sys/kernel/tracing/enabled_functions)" ]
	echo 0 >"$WASM/o/active"
	kwasm_new n wild_only_own
	run write_attr "$WASM/n/active" 1
	[ "$status" -ne 0 ]
	[ "$(status_of n error)" = "ENOENT: active: cannot attach kprobe:kwasm_exec_*:pre: register_fprobe (only kwasm's own or kprobe-blacklisted functions match) failed, nothing attached" ]
}

@test "a kprobe-blacklisted ftrace site is skipped and counted, as bpftrace skips it" {
	# The case is the one meant: an ftrace site (fprobe would take it) that kprobes refuse.
	grep -q '^kwasm_test_nokprobe ' /sys/kernel/tracing/available_filter_functions
	grep -qw kwasm_test_nokprobe /sys/kernel/debug/kprobes/blacklist
	kwasm_new b wild_blacklist
	echo 1 >"$WASM/b/active"
	echo 10 >"$TARGET/wild_calls"
	run cat "$WASM/b/stats"
	echo "$output"
	# kwasm_test_notrace is no ftrace site: not matched, not counted. kwasm_test_wild,
	# wild_calls' function, matches too: a call of it is 1 + 6 calls of the others.
	[[ "${lines[0]}" =~ ^kprobe:kwasm_test_\[nw\]\*:pre\ hits=70\ missed=0\ traps=0\ .*\ functions=4\ skipped=1$ ]]
	[ -z "$(grep '^  kwasm_test_nokprobe ' "$WASM/b/stats")" ]
	[ -z "$(grep kwasm_test_nokprobe /sys/kernel/tracing/enabled_functions)" ]
	kwasm_dmesg | grep -qF "b: kprobe:kwasm_test_[nw]*:pre attached to 4 functions (1 skipped)"
	run grep '^@calls\[' "$WASM/b/maps"
	echo "$output"
	[ "${#lines[@]}" = 4 ]
	grep -qxF '@calls[kwasm_test_wild]: 10' "$WASM/b/maps"
	grep -qxF '@calls[kwasm_test_wild_a]: 10' "$WASM/b/maps"
	grep -qxF '@calls[kwasm_test_wild_b]: 20' "$WASM/b/maps"
	grep -qxF '@calls[kwasm_test_wild_c]: 30' "$WASM/b/maps"
	# The test kprobes are gone: none is left on any of the functions.
	[ -z "$(grep kwasm_test_ /sys/kernel/debug/kprobes/list)" ]
	echo 0 >"$WASM/b/active"
}

@test "a wildcard's module goes and is loaded again at its address: the wildcard does not fire on it" {
	kwasm_new w wild_count
	echo 1 >"$WASM/w/active"
	echo 1 >"$TARGET/wild_calls"
	before=$(stat_of w 'kprobe:kwasm_test_wild_\*:pre' hits)
	[ "$before" -gt 0 ]
	rmmod kwasm_test_target
	target_load
	echo 1 >"$TARGET/wild_calls"
	echo 1 >"$TARGET/wild_calls"
	# fprobe drops a going module's functions itself, as kinds/kprobe.c does for its ops.
	cat "$WASM/w/stats"
	[ "$(stat_of w 'kprobe:kwasm_test_wild_\*:pre' hits)" = "$before" ]
	echo 0 >"$WASM/w/active"
}
