#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The tracepoint attach kind (probe-abi.rst, "tracepoint:GROUP:EVENT"): each event attaches,
# counts exactly, gets its TP_PROTO arguments and detaches; unknown and malformed names fail
# whole, naming the export.

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

# The voluntary plus nonvoluntary context switches of thread $1.
ctxt_switches() {
	awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 }
		END { print v + n }' "/proc/$1/status"
}

@test "sched:sched_switch counts exactly the context switches /proc counts for a thread" {
	kwasm_new s tp_switch
	echo 1 >"$WASM/s/active"
	# Born after attaching, it stops itself: its count is then frozen on both sides.
	# (comm takes what is written, a newline too: echo -n.)
	sh -c 'echo -n kwasm_sw >/proc/self/comm; for i in 1 2 3 4 5; do sleep 0.01; done; kill -STOP $$' &
	pid=$!
	for i in $(seq 200); do
		grep -q '^State:.*stopped' "/proc/$pid/status" && break
		sleep 0.05
	done
	sleep 0.2
	want=$(ctxt_switches "$pid")
	run cat "$WASM/s/report"
	kill -CONT "$pid"
	wait "$pid"
	echo 0 >"$WASM/s/active"
	echo "pid $pid: $want switches in /proc; report: $output"
	[ "${lines[${#lines[@]} - 1]}" = "bad=0 dropped=0" ]
	[ "$want" -ge 6 ]
	echo "$output" | grep -qx "$pid $want"
	[ "$(stat_of s tracepoint:sched:sched_switch missed)" = 0 ]
	[ "$(stat_of s tracepoint:sched:sched_switch traps)" = 0 ]
}

@test "sched:sched_process_exec counts 7 execs, with old_pid and bprm (its ELF header) as arguments" {
	printf '#!/bin/sh\nexit 0\n' >/tmp/t/kwasm_exec
	chmod +x /tmp/t/kwasm_exec
	kwasm_new e tp_exec
	echo 1 >"$WASM/e/active"
	for i in 1 2 3 4 5 6 7; do /tmp/t/kwasm_exec; done
	echo 0 >"$WASM/e/active"
	/tmp/t/kwasm_exec
	run cat "$WASM/e/report"
	echo "$output"
	[ "$output" = "execs=7 old_pid_is_tid=7 elf=7" ]
	[ "$(stat_of e tracepoint:sched:sched_process_exec traps)" = 0 ]
}

@test "raw_syscalls:sys_enter counts exactly the 20 mkdirs under /tmp/t/tp, path read through regs" {
	mkdir /tmp/t/tp
	kwasm_new m tp_mkdir
	echo 1 >"$WASM/m/active"
	make_dirs /tmp/t/tp 20
	mkdir /tmp/t/elsewhere
	echo 0 >"$WASM/m/active"
	mkdir /tmp/t/tp/after
	[ "$(cat "$WASM/m/report")" = 20 ]
	[ "$(stat_of m tracepoint:raw_syscalls:sys_enter traps)" = 0 ]
	[ "$(stat_of m tracepoint:raw_syscalls:sys_enter missed)" = 0 ]
}

@test "detached, a tracepoint handler runs no more: hits stay where they were" {
	kwasm_new m tp_mkdir
	echo 1 >"$WASM/m/active"
	mkdir /tmp/t/a
	echo 0 >"$WASM/m/active"
	hits=$(stat_of m tracepoint:raw_syscalls:sys_enter hits)
	[ "$hits" -gt 0 ]
	make_dirs /tmp/t 10
	[ "$(stat_of m tracepoint:raw_syscalls:sys_enter hits)" = "$hits" ]
	echo 1 >"$WASM/m/active"
	mkdir /tmp/t/b
	[ "$(stat_of m tracepoint:raw_syscalls:sys_enter hits)" -gt "$hits" ]
}

# Per-CPU mode: sys_enter fires for every syscall of every task, and shared mode may
# drop a hit that finds the other vCPU inside the program (usage.rst, "Execution
# modes"); per-CPU mode never waits and never drops, so the count is exact.
@test "both vCPUs making mkdirs at once: a tracepoint handler in per-CPU mode counts all 600" {
	[ "$(nproc)" -ge 2 ]
	mkdir /tmp/t/tp /tmp/t/tp/a /tmp/t/tp/b
	mkdir "$WASM/m"
	echo percpu >"$WASM/m/mode"
	cat "$PROBES/tp_mkdir.wasm" >"$WASM/m/code"
	echo 1 >"$WASM/m/active"
	taskset 1 sh -c '. /kwasm/bats/helpers.bash; make_dirs /tmp/t/tp/a 300' &
	taskset 2 sh -c '. /kwasm/bats/helpers.bash; make_dirs /tmp/t/tp/b 300' &
	wait
	echo 0 >"$WASM/m/active"
	[ "$(awk '{ s += $2 } END { print s }' "$WASM/m/report")" = 600 ]
	[ "$(stat_of m tracepoint:raw_syscalls:sys_enter missed)" = 0 ]
	[ "$(stat_of m tracepoint:raw_syscalls:sys_enter dropped)" = 0 ]
}

@test "an unknown event: active fails with ENOENT naming it, and the known one is not attached" {
	kwasm_new u tp_unknown
	[ "$(status_of u probes)" = "tracepoint:sched:kwasm_no_such_event tracepoint:sched:sched_switch" ]
	run write_attr "$WASM/u/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file or directory"* ]]
	[ "$(status_of u error)" = "ENOENT: active: cannot attach tracepoint:sched:kwasm_no_such_event: trace_get_event_file failed, nothing attached" ]
	[ "$(status_of u state)" = loaded ]
	kwasm_dmesg | grep -qF "active: cannot attach tracepoint:sched:kwasm_no_such_event: trace_get_event_file failed"
	sleep 0.1
	[ "$(stat_of u tracepoint:sched:sched_switch hits)" = 0 ]
}

@test "a real event under the wrong group is unknown too: ENOENT" {
	kwasm_new g tp_wrong_group
	run write_attr "$WASM/g/active" 1
	[ "$status" -ne 0 ]
	[ "$(status_of g error)" = "ENOENT: active: cannot attach tracepoint:kwasm_no_such_group:sched_switch: trace_get_event_file failed, nothing attached" ]
	sleep 0.1
	[ "$(stat_of g tracepoint:kwasm_no_such_group:sched_switch hits)" = 0 ]
}

@test "a tracepoint export without its event is a load error naming it" {
	mkdir "$WASM/p"
	cat "$PROBES/tp_malformed.wasm" >"$WASM/p/code"
	[ "$(status_of p state)" = empty ]
	[ "$(status_of p error)" = 'EINVAL: load failed: export "tracepoint:sched" does not fit tracepoint:GROUP:EVENT (no '"':'"' between group and event)' ]
}

@test "attaching and detaching tracepoints 3 times leaks nothing (kmemleak)" {
	kmemleak_scan >/dev/null
	kwasm_new m tp_mkdir
	for i in 1 2 3; do
		echo 1 >"$WASM/m/active"
		mkdir /tmp/t/d$i
		echo 0 >"$WASM/m/active"
	done
	rmdir "$WASM/m"
	[ -z "$(kmemleak_scan)" ]
}

@test "kstack from a kprobe and a kretprobe: vfs_mkdir first, then its caller, down to do_syscall_64" {
	kwasm_new k kstack_mkdir
	echo 1 >"$WASM/k/active"
	mkdir /tmp/t/a
	echo 0 >"$WASM/k/active"
	run cat "$WASM/k/report"
	echo "$output"
	pre=(${lines[0]}) post=(${lines[1]})
	[ "${pre[0]}" = pre: ] && [ "${post[0]}" = post: ]
	[ "${pre[1]}" = vfs_mkdir ]
	# The kretprobe's stack starts where vfs_mkdir returns to: the kprobe's second frame.
	[ "${post[1]}" = "${pre[2]}" ]
	# (__x64_sys_mkdir ends in a tail call: it has no frame of its own.)
	[[ " ${pre[*]} " == *" do_syscall_64 "* ]]
	[[ " ${post[*]} " == *" do_syscall_64 "* ]]
	[[ "${lines[0]}${lines[1]}" != *kwasm* ]]
	# Room for 1000 in the same hit: the whole stack, as many frames as the 24-frame copy.
	[ "${#post[@]}" -lt 25 ]
	[ "${lines[2]}" = "cut=3 vfs big=$((${#post[@]} - 1))" ]
}

@test "kstack from a tracepoint starts at its caller, with no frame of kwasm's" {
	printf '#!/bin/sh\nexit 0\n' >/tmp/t/kwasm_exec
	chmod +x /tmp/t/kwasm_exec
	kwasm_new k kstack_exec
	echo 1 >"$WASM/k/active"
	/tmp/t/kwasm_exec
	echo 0 >"$WASM/k/active"
	run cat "$WASM/k/report"
	echo "$output"
	frames=($output)
	[ "${frames[0]}" = exec: ]
	[[ "$output" != *kwasm* ]]
	# The tracepoint's caller, in exec: bprm_execve, or exec_binprm if not inlined.
	[[ "${frames[1]}" == *exec* ]]
	[[ " ${frames[*]} " == *" do_syscall_64 "* ]]
}
