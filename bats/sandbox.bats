#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The sandbox's edges: what a loaded program may do that the kernel must survive.
# elem.drop and data.drop of big segments where nothing may be freed, host calls with
# huge lengths in endless loops, a start function that traps in a host call, deep nesting
# and a huge br_table, the attach point limit, a tiny string buffer, the largest fuel on a
# hot path, rmdir during a commit. Each asserts the exact outcome; the splat scanner and
# the kmemleak scan at the end judge the rest. Cases are in bats/hostile/ (WAT) and
# scripts/build-module.sh (generated).

load helpers

H=/kwasm/hostile
MKDIR=kprobe:__x64_sys_mkdir:pre
OPT=/proc/sys/debug/kprobes-optimization

setup() {
	kwasm_setup_scratch
	opt_before=$(cat $OPT)
}

# Tests that insmod with other parameters or turn kprobe optimization off leave the
# module unloaded (the next setup loads it with the defaults) and the sysctl as it was.
teardown() {
	[ -z "${opt_before:-}" ] || echo "$opt_before" >$OPT
	kwasm_teardown_scratch
}

# Loads case $2 (a name in /kwasm/hostile) as program $1.
sandbox() {
	mkdir "$WASM/$1"
	cat "$H/$2.wasm" >"$WASM/$1/code"
}

# Asserts that program $1 has one attach point, on mkdir, with counters $2 ("hits=1
# missed=0 traps=0 fuel_exhausted=0"); any ns.
mkdir_stats() {
	local got
	got=$(cat "$WASM/$1/stats")
	echo "stats of $1: $got"
	[[ "$got" =~ ^"$MKDIR $2 ns="[0-9]+" waited=0 dropped=0"$ ]]
}

# Asserts that program $1 has one attach point, on the test module's kwasm_test_notrace,
# with counters $2; any ns.
notrace_stats() {
	local got
	got=$(cat "$WASM/$1/stats")
	echo "stats of $1: $got"
	[[ "$got" =~ ^"kprobe:kwasm_test_notrace:pre $2 ns="[0-9]+" waited=0 dropped=0"$ ]]
}

# Waits until the kprobe on $1 is optimized: a jump, not int3. The list says [OPTIMIZED]
# as soon as the optimization is queued; the kprobe optimizer patches the text 5 jiffies
# later, after an RCU-tasks grace period, holding kprobe_mutex throughout. Writing 1 to
# the sysctl when it is 1 already changes nothing but takes that mutex: it returns when
# the optimizer's pass is done.
wait_optimized() {
	if ! grep "$1" /sys/kernel/debug/kprobes/list | grep -q OPTIMIZED; then
		echo "kprobe on $1 not optimized: $(cat /sys/kernel/debug/kprobes/list)"
		return 1
	fi
	sleep 1
	echo 1 >$OPT
}

# The address of kernel symbol $1, in hex (root sees real addresses in kallsyms).
ksym() {
	awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms
}

# The average ns per hit of program $1's mkdir attach point.
ns_per_hit() {
	echo $(($(stat_of "$1" $MKDIR ns) / $(stat_of "$1" $MKDIR hits)))
}

# Makes program $1, writes case $2 into its code and prints how long the write and the
# commit (the load, at close) took, in seconds.
timed_load() {
	local TIMEFORMAT=%3R
	mkdir "$WASM/$1"
	{ time cat "$H/$2.wasm" >"$WASM/$1/code"; } 2>&1
}

# Microseconds since the epoch.
now_us() {
	echo "${EPOCHREALTIME/./}"
}

@test "sandbox: a start function that calls arg() fails the load, and status names the host call" {
	sandbox start_arg start_arg
	[ "$(status_of start_arg state)" = empty ]
	[ "$(status_of start_arg error)" = "EINVAL: load failed: the start function trapped: arg() is only available in a handler" ]
	kwasm_dmesg | grep -qxF "kwasm: start_arg: EINVAL: code: load failed: the start function trapped: arg() is only available in a handler"
	run write_attr "$WASM/start_arg/active" 1
	[ "$status" = 1 ]
	[[ "$output" == *"Invalid argument" ]]
}

@test "sandbox: a module with 129 attach points is E2BIG, one over max_attach_points' default" {
	sandbox attach_129 attach_129
	[ "$(status_of attach_129 state)" = empty ]
	[ "$(status_of attach_129 error)" = "E2BIG: load failed: 129 attach points, over the limit of 128 (max_attach_points)" ]
	run write_attr "$WASM/attach_129/active" 1
	[ "$status" = 1 ]
	[[ "$output" == *"Argument list too long" ]]
}

@test "sandbox: a module with 128 attach points, the limit, loads and attaches every one" {
	sandbox attach_128 attach_128
	# 128 attach points do not fit in status's page: its first lines do.
	[ "$(status_of attach_128 state)" = loaded ]
	echo 1 >"$WASM/attach_128/active"
	[ "$(status_of attach_128 state)" = active ]
	run kwasm_attachments
	[ "${#lines[@]}" = 128 ]
	echo 0 >"$WASM/attach_128/active"
	[ -z "$(kwasm_attachments)" ]
}

@test "sandbox: rename with a 4-byte string buffer gets the old name cut to 3 bytes and the new one empty" {
	sandbox rename_tiny_buffer rename_tiny_buffer
	touch /tmp/t/abcdef
	echo 1 >"$WASM/rename_tiny_buffer/active"
	mv /tmp/t/abcdef /tmp/t/ghijkl
	echo 0 >"$WASM/rename_tiny_buffer/active"
	[ -e /tmp/t/ghijkl ]
	run cat "$WASM/rename_tiny_buffer/stats"
	# A CPU's first hit is always timed (stats times one in 16): ns is not 0.
	[[ "$output" =~ ^"kprobe:__x64_sys_rename:pre hits=1 missed=0 traps=0 fuel_exhausted=0 ns="[1-9][0-9]*" waited=0 dropped=0"$ ]]
	# The report: "[OLD] [NEW] A B", the strings and their offsets in the buffer. The
	# first is cut to what fits with its NUL; the second finds the buffer full and gets
	# the first one's NUL, an empty string.
	run cat "$WASM/rename_tiny_buffer/report"
	[ "$output" = "[/tm] [] 0 3" ]
}

@test "sandbox: 100000 nested blocks load without overflowing the stack, and the handler inside them runs" {
	took=$(timed_load blocks_100k blocks_100k)
	echo "# 100000 nested blocks ($(stat -c %s "$H/blocks_100k.wasm") bytes): load took $took s" >&3
	[ "$(status_of blocks_100k state)" = loaded ]
	[ "$(status_of blocks_100k error)" = none ]
	echo 1 >"$WASM/blocks_100k/active"
	mkdir /tmp/t/a /tmp/t/b
	echo 0 >"$WASM/blocks_100k/active"
	mkdir_stats blocks_100k "hits=2 missed=0 traps=0 fuel_exhausted=0"
	[ "$(cat "$WASM/blocks_100k/report")" = 2 ]
}

@test "sandbox: a br_table of 100000 targets loads, and the handler takes its last target" {
	took=$(timed_load br_table_100k br_table_100k)
	echo "# br_table of 100000 targets ($(stat -c %s "$H/br_table_100k.wasm") bytes): load took $took s" >&3
	[ "$(status_of br_table_100k state)" = loaded ]
	[ "$(status_of br_table_100k error)" = none ]
	[ "$(cat "$WASM/br_table_100k/report")" = 0 ]
	echo 1 >"$WASM/br_table_100k/active"
	mkdir /tmp/t/a
	echo 0 >"$WASM/br_table_100k/active"
	mkdir_stats br_table_100k "hits=1 missed=0 traps=0 fuel_exhausted=0"
	[ "$(cat "$WASM/br_table_100k/report")" = 2 ]
}

@test "sandbox: insmod refuses max_fuel over 16777216, and fuel over max_fuel is EINVAL" {
	kwasm_unload
	run insmod "$KO" max_fuel=16777217
	[ "$status" -ne 0 ]
	[[ "$output" == *"Invalid argument"* ]]
	[ ! -d /sys/module/kwasm ]
	kwasm_dmesg | grep -qxF "kwasm: module parameters out of range (see Documentation/usage.rst)"
	insmod "$KO" max_fuel=16777216
	kwasm_new p mkdir_count
	run write_attr "$WASM/p/fuel" 16777217
	[ "$status" = 1 ]
	[[ "$output" == *"Invalid argument" ]]
	[ "$(status_of p error)" = "EINVAL: fuel: 16777217 is not in 1..=16777216 (max_fuel)" ]
	echo 16777216 >"$WASM/p/fuel"
	[ "$(cat "$WASM/p/fuel")" = 16777216 ]
}

@test "sandbox: a handler spinning on mkdir at max_fuel=16777216 is stopped by fuel on every hit" {
	kwasm_unload
	insmod "$KO" max_fuel=16777216
	sandbox handler_spins handler_spins
	echo 16777216 >"$WASM/handler_spins/fuel"
	[ "$(status_of handler_spins fuel)" = 16777216 ]
	echo 1 >"$WASM/handler_spins/active"
	start=$(now_us)
	for i in 1 2 3 4 5; do
		mkdir /tmp/t/s$i
	done
	took=$(($(now_us) - start))
	echo 0 >"$WASM/handler_spins/active"
	mkdir_stats handler_spins "hits=5 missed=0 traps=5 fuel_exhausted=5"
	per_hit=$(ns_per_hit handler_spins)
	echo "# 16777216 fuel of loop/br on mkdir: $per_hit ns per hit; 5 mkdirs took $((took / 1000)) ms" >&3
	[ "$(ls /tmp/t | wc -l)" = 5 ]
	kwasm_dmesg | grep -qxF "kwasm: handler_spins: kprobe:__x64_sys_mkdir:pre trapped: out of fuel"
	# Interrupts are off for the whole hit: far below the RCU stall detector's 21 s,
	# even under TCG.
	[ "$per_hit" -lt 5000000000 ]
}

@test "sandbox: a handler looping on 1 MiB read_kernel of kernel text pays 131072 fuel a copy and runs out" {
	text=$(ksym _stext)
	echo "_stext: $text"
	[ -n "$text" ]
	[ "$text" != 0000000000000000 ]
	# 1000000 fuel is over the default max_fuel (250000).
	kwasm_unload
	insmod "$KO" max_fuel=1000000
	sandbox handler_read_kernel_loop handler_read_kernel_loop
	# The default fuel (100000) pays for no copy at all.
	echo 1 >"$WASM/handler_read_kernel_loop/active"
	mkdir "/tmp/t/$text"
	echo 0 >"$WASM/handler_read_kernel_loop/active"
	mkdir_stats handler_read_kernel_loop "hits=1 missed=0 traps=1 fuel_exhausted=1"
	echo "# read_kernel loop at fuel 100000: $(ns_per_hit handler_read_kernel_loop) ns per hit" >&3
	kwasm_dmesg | grep -qxF "kwasm: handler_read_kernel_loop: kprobe:__x64_sys_mkdir:pre trapped: out of fuel"
	[ "$(cat "$WASM/handler_read_kernel_loop/report")" = 0 ]
	# 1000000 pays for 7 copies of 1 MiB, not an 8th.
	echo 1000000 >"$WASM/handler_read_kernel_loop/fuel"
	rmdir "/tmp/t/$text"
	echo 1 >"$WASM/handler_read_kernel_loop/active"
	mkdir "/tmp/t/$text"
	echo 0 >"$WASM/handler_read_kernel_loop/active"
	mkdir_stats handler_read_kernel_loop "hits=2 missed=0 traps=2 fuel_exhausted=2"
	[ "$(cat "$WASM/handler_read_kernel_loop/report")" = 7 ]
	echo "# read_kernel loop, 7 copies of 1 MiB at fuel 1000000: $(stat_of handler_read_kernel_loop $MKDIR ns) ns for both hits" >&3
}

@test "sandbox: a handler looping on 1 MiB read_user runs out of fuel before its first copy" {
	# 1000000 fuel is over the default max_fuel (250000).
	kwasm_unload
	insmod "$KO" max_fuel=1000000
	sandbox handler_read_user_loop handler_read_user_loop
	echo 1 >"$WASM/handler_read_user_loop/active"
	mkdir /tmp/t/a
	echo 0 >"$WASM/handler_read_user_loop/active"
	mkdir_stats handler_read_user_loop "hits=1 missed=0 traps=1 fuel_exhausted=1"
	echo "# read_user loop at fuel 100000: $(ns_per_hit handler_read_user_loop) ns per hit" >&3
	kwasm_dmesg | grep -qxF "kwasm: handler_read_user_loop: kprobe:__x64_sys_mkdir:pre trapped: out of fuel"
	[ "$(cat "$WASM/handler_read_user_loop/report")" = 0 ]
	echo 1000000 >"$WASM/handler_read_user_loop/fuel"
	echo 1 >"$WASM/handler_read_user_loop/active"
	mkdir /tmp/t/b
	echo 0 >"$WASM/handler_read_user_loop/active"
	mkdir_stats handler_read_user_loop "hits=2 missed=0 traps=2 fuel_exhausted=2"
	[ "$(cat "$WASM/handler_read_user_loop/report")" = 7 ]
}

@test "sandbox: a handler looping on print of 1 MiB runs out of fuel before it prints a line" {
	# 1000000 fuel is over the default max_fuel (250000).
	kwasm_unload
	insmod "$KO" max_fuel=1000000
	sandbox handler_print_loop handler_print_loop
	echo 1 >"$WASM/handler_print_loop/active"
	mkdir /tmp/t/a
	echo 0 >"$WASM/handler_print_loop/active"
	mkdir_stats handler_print_loop "hits=1 missed=0 traps=1 fuel_exhausted=1"
	echo "# print loop at fuel 100000: $(ns_per_hit handler_print_loop) ns per hit" >&3
	kwasm_dmesg | grep -qxF "kwasm: handler_print_loop: kprobe:__x64_sys_mkdir:pre trapped: out of fuel"
	[ "$(cat "$WASM/handler_print_loop/report")" = 0 ]
	[ "$(kwasm_dmesg | grep -cxF "kwasm: handler_print_loop: sandbox print")" = 0 ]
	# 1000000 pays for 7 lines (fewer than the 10 the rate limit lets through).
	echo 1000000 >"$WASM/handler_print_loop/fuel"
	echo 1 >"$WASM/handler_print_loop/active"
	mkdir /tmp/t/b
	echo 0 >"$WASM/handler_print_loop/active"
	mkdir_stats handler_print_loop "hits=2 missed=0 traps=2 fuel_exhausted=2"
	[ "$(cat "$WASM/handler_print_loop/report")" = 7 ]
	[ "$(kwasm_dmesg | grep -cxF "kwasm: handler_print_loop: sandbox print")" = 7 ]
}

@test "sandbox: rmdir while code is being written succeeds at once, and the writer's close commits nothing" {
	mkdir "$WASM/sb_written"
	# bats keeps fds 3 and 4 for itself.
	exec 7>"$WASM/sb_written/code"
	# A truncated module: committed, it would fail to load and say so in dmesg.
	head -c 1000 "$H/blocks_100k.wasm" >&7
	run rmdir "$WASM/sb_written"
	[ "$status" = 0 ]
	[ -z "$output" ]
	[ ! -d "$WASM/sb_written" ]
	# configfs keeps the open file's buffer: writes still succeed, the close drops them.
	head -c 1000 "$H/blocks_100k.wasm" >&7
	exec 7>&-
	[ -z "$(ls "$WASM")" ]
	[ "$(kwasm_dmesg | grep -c '^kwasm: sb_written: ')" = 0 ]
}

@test "sandbox: rmdir during a slow commit waits for the load to end, then succeeds" {
	kwasm_unload
	insmod "$KO" max_code_bytes=4200000
	mkdir "$WASM/sb_commit"
	exec 7>"$WASM/sb_commit/code"
	cat "$H/elem_drop_huge.wasm" >&7
	# Closing fd 7 commits: the load runs in this shell's close(). Another process (which
	# must not hold the file open too, or the last close would be its own) removes the
	# program a moment into it.
	(
		exec 7>&-
		: >/tmp/t/released
		while [ ! -e /tmp/t/closing ]; do
			sleep 0.05
		done
		sleep 0.2
		r0=$(now_us)
		rc=0
		rmdir "$WASM/sb_commit" 2>/tmp/t/rmdir-err || rc=$?
		echo "$rc $r0 $(now_us)" >/tmp/t/rmdir
	) &
	# Until the other process has closed its copy of fd 7, this close would not be the
	# last one and would commit nothing (a loaded machine showed it: a 24 ms "commit").
	while [ ! -e /tmp/t/released ]; do
		sleep 0.01
	done
	t0=$(now_us)
	: >/tmp/t/closing
	exec 7>&-
	t1=$(now_us)
	wait
	read -r rc r0 r1 </tmp/t/rmdir
	echo "# commit of $(stat -c %s "$H/elem_drop_huge.wasm") bytes: $(((t1 - t0) / 1000)) ms; rmdir began $(((r0 - t0) / 1000)) ms into it and took $(((r1 - r0) / 1000)) ms" >&3
	[ "$rc" = 0 ]
	[ ! -s /tmp/t/rmdir-err ]
	[ ! -d "$WASM/sb_commit" ]
	# It began during the commit and ended after it: configfs made it wait.
	[ "$r0" -lt "$t1" ]
	[ "$r1" -ge "$t1" ]
	[ "$(kwasm_dmesg | grep -c '^kwasm: sb_commit: ')" = 0 ]
	rmmod kwasm
	run kmemleak_scan
	[ -z "$output" ]
}

@test "sandbox: rmdir right after a writer starts, or a moment later, succeeds and leaves nothing" {
	kwasm_unload
	insmod "$KO" max_code_bytes=4200000
	for delay in 0 0.2 0.5 1 2; do
		mkdir "$WASM/sb_race"
		cat "$H/elem_drop_huge.wasm" 2>/tmp/t/err >"$WASM/sb_race/code" &
		writer=$!
		[ "$delay" = 0 ] || sleep "$delay"
		r0=$(now_us)
		run rmdir "$WASM/sb_race"
		r1=$(now_us)
		[ "$status" = 0 ]
		[ -z "$output" ]
		# The writer either wrote (its close committed or dropped the module) or found
		# the program gone when it opened code.
		wst=0
		wait $writer || wst=$?
		echo "# rmdir $delay s after the writer started took $(((r1 - r0) / 1000)) ms; the writer's exit: $wst $(cat /tmp/t/err)" >&3
		if [ "$wst" = 0 ]; then
			[ ! -s /tmp/t/err ]
		else
			[ "$wst" = 1 ]
			grep -q "No such file or directory" /tmp/t/err
		fi
		[ ! -d "$WASM/sb_race" ]
	done
	[ -z "$(ls "$WASM")" ]
	rmmod kwasm
	run kmemleak_scan
	[ -z "$output" ]
}

@test "sandbox: a handler that drops a 16384-item element segment runs on an optimized kprobe (notrace function)" {
	echo 1 >$OPT
	target_load
	sandbox elem_drop_handler elem_drop_handler
	echo 1 >"$WASM/elem_drop_handler/active"
	wait_optimized kwasm_test_notrace
	target_calls notrace 2
	echo 0 >"$WASM/elem_drop_handler/active"
	notrace_stats elem_drop_handler "hits=2 missed=0 traps=0 fuel_exhausted=0"
	[ "$(cat "$WASM/elem_drop_handler/report")" = 2 ]
}

@test "sandbox: a report that drops a 16384-item element segment answers, and again" {
	sandbox elem_drop_report elem_drop_report
	echo 1 >"$WASM/elem_drop_report/active"
	mkdir /tmp/t/a
	[ "$(cat "$WASM/elem_drop_report/report")" = 1 ]
	[ "$(cat "$WASM/elem_drop_report/report")" = 1 ]
	echo 0 >"$WASM/elem_drop_report/active"
	[ "$(status_of elem_drop_report error)" = none ]
	mkdir_stats elem_drop_report "hits=1 missed=0 traps=0 fuel_exhausted=0"
}

@test "sandbox: a handler that drops a 64 KiB data segment runs on an optimized kprobe (notrace function)" {
	echo 1 >$OPT
	target_load
	sandbox data_drop_handler data_drop_handler
	echo 1 >"$WASM/data_drop_handler/active"
	wait_optimized kwasm_test_notrace
	target_calls notrace 2
	echo 0 >"$WASM/data_drop_handler/active"
	notrace_stats data_drop_handler "hits=2 missed=0 traps=0 fuel_exhausted=0"
	[ "$(cat "$WASM/data_drop_handler/report")" = 2 ]
}

@test "sandbox: a report that drops a 64 KiB data segment answers, and again" {
	sandbox data_drop_report data_drop_report
	echo 1 >"$WASM/data_drop_report/active"
	mkdir /tmp/t/a
	[ "$(cat "$WASM/data_drop_report/report")" = 1 ]
	[ "$(cat "$WASM/data_drop_report/report")" = 1 ]
	echo 0 >"$WASM/data_drop_report/active"
	[ "$(status_of data_drop_report error)" = none ]
	mkdir_stats data_drop_report "hits=1 missed=0 traps=0 fuel_exhausted=0"
}

@test "sandbox: an int3 handler that drops a 4.1-million-item element segment (16 MiB, vmalloc) runs" {
	kwasm_unload
	insmod "$KO" max_code_bytes=4200000
	target_load
	echo 0 >$OPT
	took=$(timed_load elem_drop_huge elem_drop_huge)
	echo "# elem_drop_huge ($(stat -c %s "$H/elem_drop_huge.wasm") bytes): load took $took s" >&3
	[ "$(status_of elem_drop_huge state)" = loaded ]
	[ "$(status_of elem_drop_huge code_bytes)" = "$(stat -c %s "$H/elem_drop_huge.wasm")" ]
	echo 1 >"$WASM/elem_drop_huge/active"
	[ "$(kprobe_flags kwasm_test_notrace)" = "" ]
	target_calls notrace 1
	echo 0 >"$WASM/elem_drop_huge/active"
	notrace_stats elem_drop_huge "hits=1 missed=0 traps=0 fuel_exhausted=0"
	[ "$(cat "$WASM/elem_drop_huge/report")" = 1 ]
	rmdir "$WASM/elem_drop_huge"
}

@test "sandbox: after all of the above, kmemleak finds nothing" {
	kwasm_unload
	run kmemleak_scan
	[ -z "$output" ]
}
