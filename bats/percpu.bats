#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Per-CPU mode (usage.rst, "Execution modes"): an instance per possible CPU, hits on
# their CPU's instance with no lock, report on each CPU's instance in turn; exact totals
# across CPUs, rmdir under load.

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

# Makes program $1 in per-CPU mode from probe $2.
percpu_new() {
	mkdir "$WASM/$1"
	echo percpu >"$WASM/$1/mode"
	cat "$PROBES/$2.wasm" >"$WASM/$1/code"
}

# The possible CPUs, counted from the kernel's list ("0-1", "0,2-3").
possible_cpus() {
	tr ',' '\n' </sys/devices/system/cpu/possible |
		awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }'
}

# The sum of the numbers of a per-CPU report ("cpuN: COUNT" lines).
report_total() {
	awk '{ s += $2 } END { print s + 0 }' "$WASM/$1/report"
}

@test "shared is the default mode, and status says so with no per-CPU lines" {
	kwasm_new c mkdir_count
	[ "$(cat "$WASM/c/mode")" = shared ]
	[ "$(status_of c mode)" = shared ]
	[ -z "$(grep '^instances:' "$WASM/c/status")" ]
	[ -z "$(grep '^bytes_per_cpu:' "$WASM/c/status")" ]
}

@test "percpu: status shows the mode, an instance per possible CPU and the kernel memory of each" {
	percpu_new p mkdir_count
	[ "$(cat "$WASM/p/mode")" = percpu ]
	[ "$(status_of p state)" = loaded ]
	[ "$(status_of p mode)" = percpu ]
	[ "$(status_of p instances)" = "$(possible_cpus)" ]
	# Each instance holds at least its 64 KiB of linear memory and its 64 KiB value stack.
	bytes=$(status_of p bytes_per_cpu)
	echo "bytes_per_cpu: $bytes"
	[ "$bytes" -ge 131072 ]
	[ "$bytes" -lt 1048576 ]
}

@test "mode is refused with EBUSY once code is loaded, and accepted again after a failed load" {
	kwasm_new c mkdir_count
	run write_attr "$WASM/c/mode" percpu
	[[ "$output" == *"Device or resource busy"* ]]
	[ "$(status_of c error)" = "EBUSY: mode: refused while code is loaded; write mode before code" ]
	[ "$(cat "$WASM/c/mode")" = shared ]
	# Writing the mode it has changes nothing and is accepted.
	echo shared >"$WASM/c/mode"
	run write_attr "$WASM/c/mode" both
	[[ "$output" == *"Invalid argument"* ]]
	[ "$(status_of c error)" = "EINVAL: mode: write shared or percpu" ]
	printf 'not wasm' >"$WASM/c/code"
	echo percpu >"$WASM/c/mode"
	cat "$PROBES/mkdir_count.wasm" >"$WASM/c/code"
	[ "$(status_of c mode)" = percpu ]
}

@test "percpu: one vCPU's mkdirs are counted on that CPU's instance alone" {
	[ "$(nproc)" -ge 2 ]
	percpu_new p mkdir_count
	echo 1 >"$WASM/p/active"
	taskset 2 sh -c '. /kwasm/bats/helpers.bash; mkdir /tmp/t/b && make_dirs /tmp/t/b 20'
	echo 0 >"$WASM/p/active"
	run cat "$WASM/p/report"
	echo "$output"
	[ "${lines[0]}" = "cpu0: 0" ]
	[ "${lines[1]}" = "cpu1: 21" ]
	[ "${#lines[@]}" = "$(nproc)" ]
}

# Both vCPUs make 300 directories each (and one more each for their base): 602 hits.
both_cpus_602() {
	percpu_new p mkdir_count
	echo 1 >"$WASM/p/active"
	taskset 1 sh -c '. /kwasm/bats/helpers.bash; mkdir /tmp/t/a; make_dirs /tmp/t/a 300' &
	taskset 2 sh -c '. /kwasm/bats/helpers.bash; mkdir /tmp/t/b; make_dirs /tmp/t/b 300' &
	wait
	echo 0 >"$WASM/p/active"
	cat "$WASM/p/report"
	[ "$(report_total p)" = 602 ]
	[ "$(sed -n 's/^cpu0: //p' "$WASM/p/report")" = 301 ]
	[ "$(sed -n 's/^cpu1: //p' "$WASM/p/report")" = 301 ]
	[ "$(stat_of p kprobe:__x64_sys_mkdir:pre hits)" = 602 ]
	[ "$(stat_of p kprobe:__x64_sys_mkdir:pre missed)" = 0 ]
	[ "$(stat_of p kprobe:__x64_sys_mkdir:pre waited)" = 0 ]
	[ "$(stat_of p kprobe:__x64_sys_mkdir:pre dropped)" = 0 ]
}

@test "percpu: both vCPUs at once, exact totals across CPUs, none missed, none waited" {
	[ "$(nproc)" -ge 2 ]
	both_cpus_602
}

@test "percpu: both vCPUs at once on an int3 kprobe (optimization off): exact totals" {
	[ "$(nproc)" -ge 2 ]
	echo 0 >/proc/sys/debug/kprobes-optimization
	run both_cpus_602
	echo 1 >/proc/sys/debug/kprobes-optimization
	echo "$output"
	[ "$status" = 0 ]
}

@test "percpu: report while both vCPUs hammer the probe, then rmdir under load and rmmod" {
	[ "$(nproc)" -ge 2 ]
	percpu_new p mkdir_count
	echo 1 >"$WASM/p/active"
	stop=/tmp/t/stop
	for cpu in 1 2; do
		taskset $cpu sh -c "while [ ! -e $stop ]; do mkdir /tmp/t/h$cpu; rmdir /tmp/t/h$cpu; done" &
	done
	prev=0
	for i in $(seq 1 50); do
		total=$(report_total p)
		# Each CPU's count only grows.
		[ "$total" -ge "$prev" ]
		prev=$total
	done
	rmdir "$WASM/p"
	touch $stop
	wait
	rmmod kwasm
	[ ! -d /sys/module/kwasm ]
}

@test "percpu: a handler in an infinite loop runs out of fuel on each CPU, again and again" {
	[ "$(nproc)" -ge 2 ]
	percpu_new s spin
	echo 20000 >"$WASM/s/fuel"
	echo 1 >"$WASM/s/active"
	# Twice on each CPU: the second call on an instance runs on the stack the first
	# (out of fuel) gave back to it.
	for cpu in 1 2 1 2; do taskset $cpu mkdir /tmp/t/x$cpu$RANDOM; done
	echo 0 >"$WASM/s/active"
	[ "$(stat_of s kprobe:__x64_sys_mkdir:pre hits)" = 4 ]
	[ "$(stat_of s kprobe:__x64_sys_mkdir:pre fuel_exhausted)" = 4 ]
	run cat "$WASM/s/report"
	[ "${lines[0]}" = "cpu0: still here" ]
	[ "${lines[1]}" = "cpu1: still here" ]
}

@test "percpu: a trap in report is EIO, and status names the trap and the CPU" {
	mkdir "$WASM/p"
	echo percpu >"$WASM/p/mode"
	cat "$PROBES/trap_report.wasm" >"$WASM/p/code"
	run cat "$WASM/p/report"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Input/output error"* ]]
	[ "$(status_of p error)" = "EIO: report trapped on cpu0's instance: report returned a pointer outside memory" ]
}

@test "percpu: load, attach and remove leave no leak (kmemleak)" {
	for i in 1 2 3; do
		percpu_new p$i mkdir_count
		echo 1 >"$WASM/p$i/active"
		mkdir /tmp/t/l$i
		cat "$WASM/p$i/report" >/dev/null
		rmdir "$WASM/p$i"
	done
	kwasm_unload
	run kmemleak_scan
	[ -z "$output" ]
}
