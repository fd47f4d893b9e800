#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The probe SDKs (probes/include/kwasm.h, probes/rust/kwasm-probe) as a probe writer
# meets them: what their helpers promise, seen from the shell.

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

@test "a C report that writes nothing shows nothing, not the previous report" {
	kwasm_new r report_once
	[ "$(cat "$WASM/r/report")" = "the first report" ]
	run cat "$WASM/r/report"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(status_of r error)" = none ]
}

@test "kwasm_pid() is the process id in every thread, kwasm_tid() each thread's own id" {
	kwasm_new ids task_ids
	echo 1 >"$WASM/ids/active"
	/kwasm/bin/threads 4 5 >/tmp/t/ids
	echo 0 >"$WASM/ids/active"
	pid=$(sed -n 1p /tmp/t/ids)
	# Four threads, the first of which is the main one, whose thread id is the pid.
	[ "$(sed 1d /tmp/t/ids | sort -u | wc -l)" = 4 ]
	[ "$(sed -n 2p /tmp/t/ids)" = "$pid" ]
	run cat "$WASM/ids/report"
	[ "${lines[0]}" = "PID     TID     COUNT" ]
	want=$(sed 1d /tmp/t/ids | sort -n | while read -r tid; do printf '%-8s%-8s5\n' "$pid" "$tid"; done)
	[ "$(echo "$output" | grep "^$pid " | sort -n -k2)" = "$want" ]
	# So a filter on the thread id equal to the pid sees one thread of the four.
	[ "$(echo "$output" | grep -c "^$pid  *$pid ")" = 1 ]
	[ "${lines[${#lines[@]} - 1]}" = "tgid differs: 0" ]
}

@test "the Rust template, built outside the tree, loads and reports as bpftrace prints a map" {
	kwasm_new mine my_probe
	[ "$(status_of mine state)" = loaded ]
	[ "$(status_of mine memory_bytes)" = 65536 ]
	echo 1 >"$WASM/mine/active"
	two=$(sh -c 'echo $$ >/tmp/t/pid; exec mkdir /tmp/t/a /tmp/t/b'; cat /tmp/t/pid)
	one=$(sh -c 'echo $$ >/tmp/t/pid; exec mkdir /tmp/t/c'; cat /tmp/t/pid)
	echo 0 >"$WASM/mine/active"
	run cat "$WASM/mine/report"
	[ "$output" = "$(printf '@[%s, mkdir]: 1\n@[%s, mkdir]: 2' "$one" "$two")" ]
}
