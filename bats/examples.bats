#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The example probes of probes/examples: each report checked against what the test did.

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

@test "mkdirsnoop streams each mkdir's pid, comm and path, and reports the count" {
	kwasm_new snoop mkdirsnoop
	echo 1 >"$WASM/snoop/active"
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec mkdir /tmp/t/snooped'; cat /tmp/t/pid)
	mkdir /tmp/t/second
	echo 0 >"$WASM/snoop/active"
	run grep -v '^#' /sys/kernel/tracing/instances/kwasm-snoop/trace
	[ "${#lines[@]}" = 2 ]
	[[ "${lines[0]}" == *": __x64_sys_mkdir: mkdir pid=$pid comm=mkdir path=/tmp/t/snooped" ]]
	[[ "${lines[1]}" =~ :\ __x64_sys_mkdir:\ mkdir\ pid=[0-9]+\ comm=mkdir\ path=/tmp/t/second$ ]]
	[ "$(cat "$WASM/snoop/report")" = "2 mkdirs" ]
}

@test "mkdirsnoop_rs (Rust, core::fmt) streams the same records and reports the count" {
	kwasm_new rsnoop mkdirsnoop_rs
	echo 1 >"$WASM/rsnoop/active"
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec mkdir /tmp/t/rust'; cat /tmp/t/pid)
	echo 0 >"$WASM/rsnoop/active"
	run grep -v '^#' /sys/kernel/tracing/instances/kwasm-rsnoop/trace
	[ "${#lines[@]}" = 1 ]
	[[ "${lines[0]}" == *": __x64_sys_mkdir: mkdir pid=$pid comm=mkdir path=/tmp/t/rust" ]]
	[ "$(stat_of rsnoop stream written)" = 1 ]
	[ "$(cat "$WASM/rsnoop/report")" = "1 mkdirs" ]
}

@test "tcpconnect shows each TCP connect's pid, comm, destination address and port, and no UNIX connect" {
	kwasm_new tc tcpconnect
	nc -l -p 7001 </dev/null >/dev/null &
	listener=$!
	for i in $(seq 1 50); do
		netstat -ltn | grep -q ':7001 ' && break
		sleep 0.1
	done
	echo 1 >"$WASM/tc/active"
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec nc 127.0.0.1 7001 </dev/null'; cat /tmp/t/pid)
	# bash's /dev/tcp: a refused connect ends the shell (a failed exec redirection).
	pid2=$(bash -c 'echo $$; exec 3<>/dev/tcp/127.0.0.2/9' 2>/dev/null) || true
	# A UNIX socket's connect (logger's, to /dev/log) is no inet_stream_connect.
	logger -s "kwasm tcpconnect test" 2>/dev/null || true
	echo 0 >"$WASM/tc/active"
	kill "$listener" 2>/dev/null || true
	wait "$listener" || true
	run cat "$WASM/tc/report"
	echo "$output"
	[ "${#lines[@]}" = 3 ]
	[ "${lines[0]}" = "PID     COMM            IP DADDR                                   DPORT" ]
	[[ "${lines[1]}" =~ ^$pid\ +nc\ +4\ \ 127\.0\.0\.1\ +7001$ ]]
	[[ "${lines[2]}" =~ ^$pid2\ +bash\ +4\ \ 127\.0\.0\.2\ +9$ ]]
	[ "$(stat_of tc kprobe:inet_stream_connect:pre hits)" = 2 ]
}

@test "latency renders a log2 histogram of vfs_read times with every timed read counted" {
	kwasm_new lat latency
	echo 1 >"$WASM/lat/active"
	for i in $(seq 1 10); do wc -c /proc/version >/dev/null; done
	echo 0 >"$WASM/lat/active"
	run cat "$WASM/lat/report"
	[ "${lines[0]}" = "vfs_read latency, usecs:" ]
	for line in "${lines[@]:1}"; do
		[[ "$line" =~ ^\[[0-9]+[KM]?(,\ [0-9]+[KM]?\))?\]?\ +[0-9]+\ +\|[@\ ]{52}\|$ ]]
	done
	total=$(echo "$output" | awk -F'|' 'NR > 1 { split($1, f, " "); s += f[length(f)] } END { print s }')
	[ "$total" -ge 10 ]
	# Only returns whose entry was timed count (reads in flight at attach do not).
	[ "$total" -le "$(stat_of lat kprobe:vfs_read:post hits)" ]
	# The largest bucket is drawn full width, and only it can be.
	max=$(echo "$output" | awk -F'|' 'NR > 1 { split($1, f, " "); if (f[length(f)] > m) m = f[length(f)] } END { print m }')
	echo "$output" | grep -qE "^\[[^]]*\]? +$max +\|@{52}\|\$"
}

@test "syscount (Rust) counts a process's getpgid calls exactly" {
	kwasm_new sc syscount
	echo 1 >"$WASM/sc/active"
	/kwasm/bin/syscall_loop 37 >/dev/null
	/kwasm/bin/syscall_loop 5 >/dev/null
	echo 0 >"$WASM/sc/active"
	run cat "$WASM/sc/report"
	[ "${lines[0]}" = "PID     COMM            COUNT" ]
	echo "$output" | grep -qE "^[0-9]+ +syscall_loop +37\$"
	echo "$output" | grep -qE "^[0-9]+ +syscall_loop +5\$"
}

@test "syscount (Rust) counts the calls of all of a process's threads under its pid" {
	kwasm_new sc syscount
	echo 1 >"$WASM/sc/active"
	/kwasm/bin/threads 4 5 >/tmp/t/ids
	echo 0 >"$WASM/sc/active"
	pid=$(sed -n 1p /tmp/t/ids)
	run cat "$WASM/sc/report"
	echo "$output"
	cat "$WASM/sc/stats"
	# Shared mode: a hit that found the other vCPU inside the program for as many calls
	# as there are CPUs gives up, counted as dropped (usage.rst); each call is a count
	# under the pid or a drop.
	count=$(echo "$output" | sed -nE "s/^$pid +threads +([0-9]+)\$/\1/p")
	dropped=$(stat_of sc kprobe:__x64_sys_getpgid:pre dropped)
	[ $((count + dropped)) = 20 ]
	[ "$(echo "$output" | grep -c ' threads ')" = 1 ]
}

@test "errno counts mkdir failures by errno name from the return value" {
	kwasm_new e errno
	echo 1 >"$WASM/e/active"
	mkdir /tmp/t/a /tmp/t/b
	mkdir /tmp/t/a /tmp/t/a /tmp/t/b 2>/dev/null || true
	mkdir /tmp/t/none/x 2>/dev/null || true
	echo 0 >"$WASM/e/active"
	run cat "$WASM/e/report"
	[ "${lines[0]}" = "mkdir calls: 6, succeeded: 2" ]
	[ "${lines[1]}" = "EEXIST        3" ]
	[ "${lines[2]}" = "ENOENT        1" ]
	[ "${#lines[@]}" = 3 ]
}

@test "readbytes adds up the bytes each process reads" {
	kwasm_new r readbytes
	head -c 100000 /dev/zero >/tmp/t/file
	echo 1 >"$WASM/r/active"
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec dd if=/tmp/t/file of=/dev/null bs=4096 2>/dev/null'; cat /tmp/t/pid)
	echo 0 >"$WASM/r/active"
	run cat "$WASM/r/report"
	[ "${lines[0]}" = "PID     COMM            BYTES" ]
	echo "$output" | grep -qE "^$pid +dd +100000\$"
}

@test "runqlat renders a histogram of run-queue latency with a sample per wakeup of 20 sleeps" {
	kwasm_new rq runqlat
	echo 1 >"$WASM/rq/active"
	for i in $(seq 1 20); do sleep 0.01; done
	echo 0 >"$WASM/rq/active"
	run cat "$WASM/rq/report"
	echo "$output"
	[ "${lines[0]}" = "@usecs:" ]
	for line in "${lines[@]:1}"; do
		[[ "$line" =~ ^\[[0-9]+[KM]?(,\ [0-9]+[KM]?\))?\]?\ +[0-9]+\ +\|[@\ ]{52}\|$ ]]
	done
	total=$(echo "$output" | awk -F'|' 'NR > 1 { split($1, f, " "); s += f[length(f)] } END { print s }')
	# Every sleep's wakeup is one sample at least; a sample needs a switch-in.
	[ "$total" -ge 20 ]
	[ "$total" -le "$(stat_of rq tracepoint:sched:sched_switch hits)" ]
	[ "$(stat_of rq tracepoint:sched:sched_wakeup traps)" = 0 ]
}

@test "stackcount counts 25 vfs_mkdir calls by kernel stack, all from mkdir(2)" {
	kwasm_new st stackcount
	echo 1 >"$WASM/st/active"
	make_dirs /tmp/t 25
	echo 0 >"$WASM/st/active"
	run cat "$WASM/st/report"
	echo "$output"
	[ "${lines[0]}" = "@[" ]
	[ "${lines[1]}" = "    vfs_mkdir" ]
	total=$(echo "$output" | sed -n 's/^\]: //p' | awk '{ s += $1 } END { print s }')
	[ "$total" = 25 ]
	echo "$output" | grep -qx "    do_syscall_64"
	[[ "$output" != *kwasm* ]]
}
