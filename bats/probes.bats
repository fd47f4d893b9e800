#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# probe-abi.rst in the kernel: real probes on real functions, host functions, and the
# execution rules (serialized calls, fuel, traps, missed hits, detaching under load).

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

@test "a pre counter on __x64_sys_mkdir counts exactly the 25 directories made" {
	kwasm_new c mkdir_count
	echo 1 >"$WASM/c/active"
	make_dirs /tmp/t 25
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = 25 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre hits)" = 25 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre traps)" = 0 ]
}

@test "stats has one line per attach point with every counter" {
	kwasm_new e mkdir_errno
	run cat "$WASM/e/stats"
	[ "${#lines[@]}" = 2 ]
	[[ "${lines[0]}" =~ ^kprobe:__x64_sys_mkdir:post\ hits=0\ missed=0\ traps=0\ fuel_exhausted=0\ ns=0\ waited=0\ dropped=0$ ]]
	[[ "${lines[1]}" =~ ^kprobe:__x64_sys_mkdir:pre\ hits=0\ missed=0\ traps=0\ fuel_exhausted=0\ ns=0\ waited=0\ dropped=0$ ]]
}

@test "syscall_arg and read_user_str: the report lists the exact paths made" {
	kwasm_new paths mkdir_paths
	echo 1 >"$WASM/paths/active"
	mkdir /tmp/t/alpha /tmp/t/beta "/tmp/t/with space"
	mkdir /tmp/t/alpha/deeper/ 2>/dev/null || true
	echo 0 >"$WASM/paths/active"
	run cat "$WASM/paths/report"
	[ "$output" = "$(printf '/tmp/t/alpha\n/tmp/t/beta\n/tmp/t/with space\n/tmp/t/alpha/deeper/')" ]
}

@test "a post handler counts mkdir failures by errno and sees the entry arguments" {
	kwasm_new e mkdir_errno
	echo 1 >"$WASM/e/active"
	make_dirs /tmp/t 4
	mkdir /tmp/t/d1 /tmp/t/d2 /tmp/t/d3 2>/dev/null || true
	mkdir /tmp/t/none/x 2>/dev/null || true
	mkdir /tmp/t/none/y 2>/dev/null || true
	echo 0 >"$WASM/e/active"
	[ "$(cat "$WASM/e/report")" = "ok=4 EEXIST=3 ENOENT=2 other=0 entry_args_match=9 differ=0" ]
}

@test "both vCPUs making mkdirs at once: the count is exact and nothing is missed" {
	[ "$(nproc)" -ge 2 ]
	kwasm_new c mkdir_count
	echo 1 >"$WASM/c/active"
	mkdir /tmp/t/a /tmp/t/b
	taskset 1 sh -c '. /kwasm/bats/helpers.bash; make_dirs /tmp/t/a 300' &
	taskset 2 sh -c '. /kwasm/bats/helpers.bash; make_dirs /tmp/t/b 300' &
	wait
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = 602 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre hits)" = 602 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre missed)" = 0 ]
}

@test "a probe on a notrace function is optimized (a jump, not int3) while kprobe optimization is on" {
	target_load
	kwasm_new c target_count
	echo 1 >"$WASM/c/active"
	[ "$(kprobe_flags kwasm_test_notrace)" = "[OPTIMIZED]" ]
	target_calls notrace 3
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = "notrace 3 6 traced 0 0" ]
}

@test "both vCPUs at once on an int3 kprobe (optimization off): exact count, none missed" {
	[ "$(nproc)" -ge 2 ]
	target_load
	echo 0 >/proc/sys/debug/kprobes-optimization
	kwasm_new c target_count
	echo 1 >"$WASM/c/active"
	run kprobe_flags kwasm_test_notrace
	[ "$output" = "" ] || { echo 1 >/proc/sys/debug/kprobes-optimization; false; }
	taskset 1 sh -c ". /kwasm/bats/helpers.bash; target_calls notrace 300" &
	taskset 2 sh -c ". /kwasm/bats/helpers.bash; target_calls notrace 300" &
	wait
	echo 0 >"$WASM/c/active"
	echo 1 >/proc/sys/debug/kprobes-optimization
	# 300 calls with 1..300 on each CPU: 2 * 300 * 301 / 2.
	[ "$(cat "$WASM/c/report")" = "notrace 600 90300 traced 0 0" ]
	[ "$(stat_of c kprobe:kwasm_test_notrace:pre hits)" = 600 ]
	[ "$(stat_of c kprobe:kwasm_test_notrace:pre missed)" = 0 ]
}

@test "echo 0 > active while both vCPUs hammer the probe, 100 times, then rmdir under load" {
	kwasm_new c mkdir_count
	stop=/tmp/t/stop
	for cpu in 1 2; do
		taskset $cpu sh -c "while [ ! -e $stop ]; do mkdir /tmp/t/h$cpu; rmdir /tmp/t/h$cpu; done" &
	done
	for i in $(seq 1 100); do
		echo 1 >"$WASM/c/active"
		echo 0 >"$WASM/c/active"
	done
	echo 1 >"$WASM/c/active"
	rmdir "$WASM/c"
	touch $stop
	wait
	rmmod kwasm
	[ ! -d /sys/module/kwasm ]
}

@test "a handler in an infinite loop: fuel stops it every time and stats counts it" {
	kwasm_new s spin
	echo 20000 >"$WASM/s/fuel"
	echo 1 >"$WASM/s/active"
	make_dirs /tmp/t 3
	echo 0 >"$WASM/s/active"
	[ "$(stat_of s kprobe:__x64_sys_mkdir:pre hits)" = 3 ]
	[ "$(stat_of s kprobe:__x64_sys_mkdir:pre traps)" = 3 ]
	[ "$(stat_of s kprobe:__x64_sys_mkdir:pre fuel_exhausted)" = 3 ]
	[ "$(cat "$WASM/s/report")" = "still here" ]
	kwasm_dmesg | grep -q 'kwasm: s: kprobe:__x64_sys_mkdir:pre trapped: out of fuel'
	[ "$(ls /tmp/t | wc -l)" = 3 ]
}

@test "a probe on a function the handler itself makes the kernel call: no deadlock, missed counted" {
	kwasm_new r recurse
	echo 1 >"$WASM/r/active"
	make_dirs /tmp/t 5
	echo 0 >"$WASM/r/active"
	[ "$(cat "$WASM/r/report")" = "mkdirs=5" ]
	[ "$(stat_of r kprobe:copy_from_kernel_nofault:pre missed)" -ge 5 ]
}

@test "host functions and parameters on internal kernel functions give exact values" {
	kwasm_new hf host_funcs
	echo 1 >"$WASM/hf/active"
	taskset 2 /kwasm/bin/mkdir_mode /tmp/t/made 0750
	run mkdir /tmp/t/made
	[ "$status" -ne 0 ]
	echo 0 >"$WASM/hf/active"
	[ "$(stat -c %a /tmp/t/made)" = 750 ]
	run cat "$WASM/hf/report"
	echo "report: $output"
	[ "$output" = "dfd=-100 kstr=/tmp/t/made kstr_len=11 ustr=/tmp/t/made user_len=11 mode=488 dir_is_kernel=1 cpu=1 fault_kernel=-14 fault_user=-14 ret=-17" ]
	[ "$(stat_of hf kprobe:vfs_mkdir:pre hits)" = 1 ]
	[ "$(stat_of hf kprobe:filename_create:pre hits)" = 2 ]
	kwasm_dmesg | grep -qxF "kwasm: hf: vfs_mkdir seen"
}

@test "an unknown symbol: active fails with ENOENT, status names it, nothing stays attached" {
	kwasm_new u unknown_symbol
	run write_attr "$WASM/u/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file or directory"* ]]
	[ "$(status_of u error)" = "ENOENT: active: cannot attach kprobe:kwasm_no_such_function:pre: register_kprobe failed, nothing attached" ]
	[ "$(status_of u state)" = loaded ]
	run attached_to __x64_sys_mkdir
	[ "$status" -eq 1 ]
}

@test "a kretprobe on an unknown symbol: ENOENT, status names register_kretprobe, both earlier probes undone" {
	kwasm_new u unknown_post
	[ "$(status_of u probes)" = "kprobe:__x64_sys_mkdir:post kprobe:__x64_sys_mkdir:pre kprobe:kwasm_no_such_function:post" ]
	run write_attr "$WASM/u/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file or directory"* ]]
	[ "$(status_of u error)" = "ENOENT: active: cannot attach kprobe:kwasm_no_such_function:post: register_kretprobe failed, nothing attached" ]
	[ "$(status_of u state)" = loaded ]
	[ "$(cat "$WASM/u/active")" = 0 ]
	[ -z "$(kwasm_attachments)" ]
	# Nothing half-attached is left to count hits.
	mkdir /tmp/t/after
	[ "$(stat_of u kprobe:__x64_sys_mkdir:pre hits)" = 0 ]
}

@test "a blacklisted symbol: active fails with EINVAL and status names it" {
	grep -q kprobe_int3_handler /sys/kernel/debug/kprobes/blacklist
	kwasm_new b blacklisted
	run write_attr "$WASM/b/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"Invalid argument"* ]]
	[ "$(status_of b error)" = "EINVAL: active: cannot attach kprobe:kprobe_int3_handler:pre: register_kprobe failed, nothing attached" ]
	[ -z "$(cat /sys/kernel/debug/kprobes/list)" ]
}
