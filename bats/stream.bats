#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# usage.rst, "The trace stream", and probe-abi.rst, "Formatting": records on a program's
# tracefs instance, read with busybox, and the format host functions.

load helpers

TRACING=/sys/kernel/tracing

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
	# A test that left a reader's instance behind removes it.
	for d in "$TRACING"/instances/kwasm-*; do
		[ ! -d "$d" ] || rmdir "$d"
	done
}

# The records of program $1 still in its ring buffer, without tracefs' header.
records_of() {
	grep -v '^#' "$TRACING/instances/kwasm-$1/trace"
}

@test "stream: a record reaches trace_pipe with comm-pid, CPU, timestamp and the probe's text" {
	kwasm_new snoop mkdirsnoop
	[ -d "$TRACING/instances/kwasm-snoop" ]
	echo 1 >"$WASM/snoop/active"
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec mkdir /tmp/t/snooped'; cat /tmp/t/pid)
	run timeout 10 head -n 1 "$TRACING/instances/kwasm-snoop/trace_pipe"
	[ "$status" = 0 ]
	[[ "$output" =~ ^\ *mkdir-$pid\ +\[[0-9]{3}\]\ [^\ ]+\ +[0-9]+\.[0-9]{6}:\ kwasm_record:\ __x64_sys_mkdir:\ mkdir\ pid=$pid\ comm=mkdir\ path=/tmp/t/snooped$ ]]
	[ "$(stat_of snoop stream written)" = 1 ]
	[ "$(stat_of snoop stream lost)" = 0 ]
}

@test "stream: a record is the event kwasm:kwasm_record, with its format, filter and enable" {
	kwasm_new snoop mkdirsnoop
	ev="$TRACING/instances/kwasm-snoop/events/kwasm/kwasm_record"
	[ "$(cat "$ev/enable")" = 1 ]
	grep -q 'field:unsigned long ip;' "$ev/format"
	grep -q 'field:__data_loc char\[\] msg;' "$ev/format"
	# The top instance has the event too, but nothing is ever written there.
	echo 1 >"$TRACING/events/kwasm/kwasm_record/enable"
	echo 'msg ~ "*path=/tmp/t/keep*"' >"$ev/filter"
	echo 1 >"$WASM/snoop/active"
	mkdir /tmp/t/keep1 /tmp/t/drop1 /tmp/t/keep2
	echo 0 >"$ev/enable"
	mkdir /tmp/t/keep3
	echo 0 >"$WASM/snoop/active"
	echo 0 >"$TRACING/events/kwasm/kwasm_record/enable"
	[ "$(records_of snoop | sed -n 's|.* path=/tmp/t/||p' | tr '\n' ' ')" = "keep1 keep2 " ]
	[ "$(stat_of snoop stream written)" = 3 ]
	[ "$(stat_of snoop stream lost)" = 1 ]
	[ -z "$(grep -v '^#' "$TRACING/trace" | grep kwasm_record)" ]
}

@test "stream: 100 events at a low rate all arrive, in order" {
	kwasm_new snoop mkdirsnoop
	echo 1 >"$WASM/snoop/active"
	for i in $(seq 1 100); do mkdir "/tmp/t/d$i"; done
	echo 0 >"$WASM/snoop/active"
	[ "$(records_of snoop | sed -n 's|.* path=/tmp/t/||p' | tr '\n' ' ')" = "$(for i in $(seq 1 100); do printf 'd%s ' "$i"; done)" ]
	[ "$(stat_of snoop stream written)" = 100 ]
	[ "$(stat_of snoop stream lost)" = 0 ]
}

@test "stream: under overload with overwrite off, records are lost and counted in stats" {
	kwasm_new snoop mkdirsnoop
	echo 0 >"$TRACING/instances/kwasm-snoop/options/overwrite"
	echo 4 >"$TRACING/instances/kwasm-snoop/buffer_size_kb"
	echo 1 >"$WASM/snoop/active"
	mkdir /tmp/t/a{1..2000}
	echo 0 >"$WASM/snoop/active"
	written=$(stat_of snoop stream written)
	lost=$(stat_of snoop stream lost)
	[ "$lost" -gt 0 ]
	[ $((written + lost)) = "$(stat_of snoop kprobe:__x64_sys_mkdir:pre hits)" ]
	[ "$(records_of snoop | grep -c ' mkdir pid=')" = "$written" ]
	# The machine still answers.
	[ "$(status_of snoop state)" = loaded ]
}

@test "stream: both vCPUs at once in per-CPU mode: each record counted once, on its CPU" {
	[ "$(nproc)" -ge 2 ]
	mkdir "$WASM/snoop"
	echo percpu >"$WASM/snoop/mode"
	cat "$PROBES/mkdirsnoop.wasm" >"$WASM/snoop/code"
	echo 1 >"$WASM/snoop/active"
	for cpu in 1 2; do
		taskset $cpu sh -c "mkdir /tmp/t/c$cpu; for i in \$(seq 1 300); do mkdir /tmp/t/c$cpu/\$i; done" &
	done
	wait
	echo 0 >"$WASM/snoop/active"
	hits=$(stat_of snoop kprobe:__x64_sys_mkdir:pre hits)
	written=$(stat_of snoop stream written)
	lost=$(stat_of snoop stream lost)
	echo "hits=$hits written=$written lost=$lost"
	[ "$hits" -ge 602 ]
	[ $((written + lost)) = "$hits" ]
	[ "$(records_of snoop | grep -c ' mkdir pid=')" = "$written" ]
	# Both CPUs wrote (the record's CPU field, "[000]" and "[001]").
	[ "$(records_of snoop | grep ' mkdir pid=' | grep -o '\[00[01]\]' | sort -u | wc -l)" = 2 ]
}

@test "stream: a reader keeps reading across echo 0 > active and a new load of code" {
	kwasm_new snoop mkdirsnoop
	echo 1 >"$WASM/snoop/active"
	cat "$TRACING/instances/kwasm-snoop/trace_pipe" >/tmp/t/out &
	reader=$!
	mkdir /tmp/t/first
	echo 0 >"$WASM/snoop/active"
	cat "$PROBES/mkdirsnoop.wasm" >"$WASM/snoop/code"
	echo 1 >"$WASM/snoop/active"
	mkdir /tmp/t/second
	echo 0 >"$WASM/snoop/active"
	sleep 2
	kill "$reader"
	wait "$reader" || true
	[ "$(sed -n 's|.* path=||p' /tmp/t/out | tr '\n' ' ')" = "/tmp/t/first /tmp/t/second " ]
}

@test "stream: rmdir removes the instance" {
	kwasm_new snoop mkdirsnoop
	[ -d "$TRACING/instances/kwasm-snoop" ]
	rmdir "$WASM/snoop"
	[ ! -d "$TRACING/instances/kwasm-snoop" ]
}

@test "stream: a program without stream calls has no instance" {
	kwasm_new p mkdir_count
	[ ! -d "$TRACING/instances/kwasm-p" ]
	run grep -c '^stream ' "$WASM/p/stats"
	[ "$output" = 0 ]
}

@test "stream: rmdir and rmmod with a reader blocked in trace_pipe neither hang nor leak" {
	kwasm_new snoop mkdirsnoop
	echo 1 >"$WASM/snoop/active"
	cat "$TRACING/instances/kwasm-snoop/trace_pipe" >/tmp/t/out &
	reader=$!
	sleep 1
	rmdir "$WASM/snoop"
	kwasm_dmesg | grep -qF "kwasm: snoop: instances/kwasm-snoop is open (-16): it stays until rmdir removes it"
	timeout 30 rmmod kwasm
	[ ! -d /sys/module/kwasm ]
	# The reader still waits on what is now an ordinary instance; it goes with it.
	kill -0 "$reader"
	kill "$reader"
	wait "$reader" || true
	rmdir "$TRACING/instances/kwasm-snoop"
	[ -z "$(kmemleak_scan)" ]
}

@test "stream: the instance is root's: nobody cannot read it" {
	kwasm_new snoop mkdirsnoop
	run as_nobody "cat $TRACING/instances/kwasm-snoop/trace"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "format: %pS, %ps, %px, flags and widths format as printf and the kernel do" {
	addr=$(awk '$3 == "vfs_mkdir" { print $1; exit }' /proc/kallsyms)
	[ -n "$addr" ]
	kwasm_new f format_symbol
	echo 1 >"$WASM/f/active"
	mkdir -p "/tmp/t/$addr"
	echo 0 >"$WASM/f/active"
	run records_of f
	[[ "$output" == *": __x64_sys_mkdir: vfs_mkdir+0x0/0x"*"|vfs_mkdir|0x$addr|[-42   |0000ff|+7|   he|z%]" ]]
	[ "$(cat "$WASM/f/report")" = "vfs_mkdir 18446744073709551615 -9223372036854775808 0xdeadbeefcafe" ]
}

@test "format: hostile formats trap with a clear message and read nothing outside the sandbox" {
	kwasm_new h format_hostile
	echo 1 >"$WASM/h/active"
	for i in 1 2 3 4 5 6 7 8; do mkdir "/tmp/t/h$i"; done
	echo 0 >"$WASM/h/active"
	[ "$(stat_of h kprobe:__x64_sys_mkdir:pre traps)" = 8 ]
	[ "$(stat_of h stream written)" = 0 ]
	for why in "format: %n is refused" \
		"format: more conversions than arguments" \
		"format: more arguments than conversions" \
		"format: more than 12 arguments" \
		"format: a %s argument is outside memory" \
		"format: unknown conversion (there are %d %i %u %x %X %o %c %s %p %px %pS %ps %%)" \
		"format: the arguments are outside memory" \
		"format: destination outside memory"; do
		kwasm_dmesg | grep -qF "kwasm: h: kprobe:__x64_sys_mkdir:pre trapped: $why"
	done
}

@test "execsnoop streams each exec's pid, comm and path" {
	kwasm_new exec execsnoop
	echo 1 >"$WASM/exec/active"
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec /bin/busybox true'; cat /tmp/t/pid)
	echo 0 >"$WASM/exec/active"
	records_of exec | grep -qE ": exec pid=$pid comm=sh path=/bin/busybox\$"
}

@test "opensnoop streams each open's pid, comm, fd and path, failures as -errno" {
	kwasm_new open opensnoop
	echo 1 >"$WASM/open/active"
	: >/tmp/t/exists
	pid=$(sh -c 'echo $$ >/tmp/t/pid; exec cat /tmp/t/exists /tmp/t/missing' 2>/dev/null; cat /tmp/t/pid)
	echo 0 >"$WASM/open/active"
	run records_of open
	# bats keeps descriptors of its own open: the first free one is not 3.
	echo "$output"
	echo "$output" | grep -qE ": open pid=$pid comm=cat fd=[0-9]+ path=/tmp/t/exists\$"
	echo "$output" | grep -qE ": open pid=$pid comm=cat fd=-2 path=/tmp/t/missing\$"
}
