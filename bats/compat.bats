#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# probe-abi.rst ("Handler parameters", "Probes written for the wasm3 module"): probes
# written for the wasm3 module (plain C built with
# --export-all, handlers taking the syscall's parameters, comm/buffer/buffer_size).

load helpers

COMPAT=/kwasm/compat

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

compat_new() {
	mkdir "$WASM/$1"
	cat "$COMPAT/$2.wasm" >"$WASM/$1/code"
}

@test "a wasm3-style mkdir counter with (const char *pathname, unsigned short mode) counts" {
	compat_new c mkdir_count
	[ "$(status_of c error)" = none ]
	echo 1 >"$WASM/c/active"
	make_dirs /tmp/t 7
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = 7 ]
}

@test "the mode parameter receives the syscall's mode: mkdir -m 777 gives 511" {
	compat_new m mkdir_mode
	echo 1 >"$WASM/m/active"
	mkdir -m 777 /tmp/t/open
	echo 0 >"$WASM/m/active"
	[ "$(cat "$WASM/m/report")" = 511 ]
	[ "$(stat -c %a /tmp/t/open)" = 777 ]
	# A mode busybox would not pass by itself: one mkdir(2) with exactly 0750.
	echo 1 >"$WASM/m/active"
	/kwasm/bin/mkdir_mode /tmp/t/closed 0750
	echo 0 >"$WASM/m/active"
	[ "$(cat "$WASM/m/report")" = 488 ]
}

@test "two string parameters (rename) are copied one after the other into buffer" {
	compat_new r rename_paths
	mkdir /tmp/t/from
	echo 1 >"$WASM/r/active"
	mv /tmp/t/from /tmp/t/to
	echo 0 >"$WASM/r/active"
	[ "$(cat "$WASM/r/report")" = "/tmp/t/from -> /tmp/t/to (packed)" ]
	[ -d /tmp/t/to ]
}

@test "a string parameter is copied into buffer: the report is the path created" {
	compat_new p mkdir_path
	echo 1 >"$WASM/p/active"
	mkdir /tmp/t/made-by-test
	echo 0 >"$WASM/p/active"
	[ "$(cat "$WASM/p/report")" = /tmp/t/made-by-test ]
}

@test "a path longer than buffer is cut to buffer_size - 1 bytes, not overflowed" {
	compat_new s mkdir_small_buffer
	echo 1 >"$WASM/s/active"
	mkdir /tmp/t/a-long-directory-name
	echo 0 >"$WASM/s/active"
	[ "$(cat "$WASM/s/report")" = "/tmp/t/" ]
}

@test "the comm global restricts handlers to one program: only vforker's vforks count" {
	compat_new v vfork_comm
	echo 1 >"$WASM/v/active"
	/kwasm/bin/vforker 5
	/kwasm/bin/vforker_other 3
	/kwasm/bin/vforker 2
	echo 0 >"$WASM/v/active"
	[ "$(cat "$WASM/v/report")" = 7 ]
	[ "$(stat_of v kprobe:__x64_sys_vfork:pre hits)" = 7 ]
}

@test "the wasm3 module's connect_counter counts exactly the connects of the task it names, toyproxy" {
	compat_new cc connect_counter
	nc -l -p 7002 </dev/null >/dev/null &
	listener=$!
	for i in $(seq 1 50); do
		netstat -ltn | grep -q ':7002 ' && break
		sleep 0.1
	done
	echo 1 >"$WASM/cc/active"
	# toyproxy (qemu/bin/toyproxy.c) makes exactly the connects asked for: five refused
	# over TCP, one accepted, two to a UNIX socket path that nothing listens on.
	[ "$(/kwasm/bin/toyproxy 5 tcp 9)" = 0 ]
	[ "$(/kwasm/bin/toyproxy 1 tcp 7002)" = 1 ]
	[ "$(/kwasm/bin/toyproxy 2 unix /tmp/t/nobody-listens)" = 0 ]
	# Connects of other tasks do not count: the same program named otherproxy, this
	# shell's, busybox nc's.
	[ "$(/kwasm/bin/otherproxy 4 tcp 9)" = 0 ]
	(exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null || true
	nc 127.0.0.1 9 </dev/null 2>/dev/null || true
	echo 0 >"$WASM/cc/active"
	kill "$listener" 2>/dev/null || true
	wait "$listener" || true
	echo "report: $(cat "$WASM/cc/report"); stats: $(cat "$WASM/cc/stats")"
	[ "$(cat "$WASM/cc/report")" = 8 ]
	[ "$(stat_of cc kprobe:__x64_sys_connect:pre hits)" = 8 ]
}

@test "a handler parameter of another type is a load error that names the export" {
	mkdir "$WASM/b"
	cat "$COMPAT/bad_param.wasm" >"$WASM/b/code"
	[ "$(status_of b error)" = 'EINVAL: load failed: export "kprobe:__x64_sys_mkdir:pre" has type (f32) -> (), expected up to six i32/i64 parameters and no result' ]
}
