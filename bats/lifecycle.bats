#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# usage.rst: the program directories, their lifecycle, and every errno a user can get.

load helpers

setup() {
	kwasm_load
}

teardown() {
	kwasm_unload
}

@test "mkdir makes an empty program with the attributes of usage.rst" {
	mkdir "$WASM/p"
	run ls "$WASM/p"
	[ "$output" = "$(printf 'active\nclear\ncode\nfuel\nmaps\nmode\nreport\nstats\nstatus')" ]
	run cat "$WASM/p/status"
	[ "$output" = "$(printf 'state: empty\ncode_bytes: 0\nmemory_bytes: 0\nmaps: 0\nmap_bytes: 0\nfuel: 100000\nmode: shared\nprobes:\nerror: none')" ]
	[ "$(cat "$WASM/p/active")" = 0 ]
	[ -z "$(cat "$WASM/p/stats")" ]
}

@test "cat probe.wasm > code loads it: status says loaded, its size and its attach points" {
	kwasm_new p mkdir_errno
	[ "$(status_of p state)" = loaded ]
	[ "$(status_of p code_bytes)" = "$(stat -c %s "$PROBES/mkdir_errno.wasm")" ]
	[ "$(status_of p memory_bytes)" = 65536 ]
	[ "$(status_of p probes)" = "kprobe:__x64_sys_mkdir:post kprobe:__x64_sys_mkdir:pre" ]
	[ "$(status_of p error)" = none ]
}

@test "echo 1 > active attaches and reads 1, echo 0 detaches and reads 0" {
	kwasm_new p mkdir_count
	echo 1 >"$WASM/p/active"
	[ "$(cat "$WASM/p/active")" = 1 ]
	[ "$(status_of p state)" = active ]
	attached_to __x64_sys_mkdir
	echo 0 >"$WASM/p/active"
	[ "$(cat "$WASM/p/active")" = 0 ]
	[ "$(status_of p state)" = loaded ]
	run attached_to __x64_sys_mkdir
	[ "$status" -eq 1 ]
}

@test "echo 1 > active twice, or echo 0 when detached, changes nothing and succeeds" {
	kwasm_new p mkdir_count
	echo 0 >"$WASM/p/active"
	echo 1 >"$WASM/p/active"
	echo 1 >"$WASM/p/active"
	[ "$(kwasm_attachments | grep -c '__x64_sys_mkdir')" = 1 ]
}

@test "active and report fail with ENODATA when no code was ever loaded" {
	mkdir "$WASM/p"
	run write_attr "$WASM/p/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"No data available"* ]]
	[ "$(status_of p error)" = "ENODATA: active: no code loaded" ]
	run cat "$WASM/p/report"
	[ "$status" -ne 0 ]
	[[ "$output" == *"No data available"* ]]
	[ "$(status_of p error)" = "ENODATA: report: no code loaded" ]
}

@test "invalid Wasm fails to load: EINVAL in status and dmesg, the program stays empty, active returns EINVAL" {
	mkdir "$WASM/p"
	printf 'this is not wasm' >"$WASM/p/code"
	[ "$(status_of p state)" = empty ]
	[[ "$(status_of p error)" == "EINVAL: load failed: invalid Wasm: "* ]]
	kwasm_dmesg | grep -q 'kwasm: p: EINVAL: code: load failed: invalid Wasm'
	run write_attr "$WASM/p/active" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"Invalid argument"* ]]
}

@test "a failed load replaces working code and leaves the program empty" {
	kwasm_new p mkdir_count
	[ "$(status_of p state)" = loaded ]
	cat "$PROBES/bad_export.wasm" >"$WASM/p/code"
	[ "$(status_of p state)" = empty ]
	[ "$(status_of p code_bytes)" = 0 ]
	[ "$(status_of p error)" = 'EINVAL: load failed: export "kprobe:vfs_read:entry" does not fit kprobe:SYMBOL:pre|post (it must end in :pre or :post)' ]
	run cat "$WASM/p/report"
	[[ "$output" == *"No data available"* ]]
}

@test "a successful load clears the previous error" {
	mkdir "$WASM/p"
	printf 'junk' >"$WASM/p/code"
	[ "$(status_of p error)" != none ]
	cat "$PROBES/mkdir_count.wasm" >"$WASM/p/code"
	[ "$(status_of p error)" = none ]
	[ "$(status_of p state)" = loaded ]
}

@test "code over max_code_bytes fails with E2BIG, one byte under loads" {
	kwasm_unload
	size=$(stat -c %s "$PROBES/mkdir_count.wasm")
	insmod "$KO" max_code_bytes=$((size - 1))
	mkdir "$WASM/p"
	cat "$PROBES/mkdir_count.wasm" >"$WASM/p/code"
	[ "$(status_of p error)" = "E2BIG: load failed: code is $size bytes, over the limit of $((size - 1)) (max_code_bytes)" ]
	run write_attr "$WASM/p/active" 1
	[[ "$output" == *"Argument list too long"* ]]
	rmdir "$WASM/p"
	rmmod kwasm
	insmod "$KO" max_code_bytes=$size
	kwasm_new p mkdir_count
	[ "$(status_of p state)" = loaded ]
}

@test "code far over max_code_bytes: the writer gets EFBIG and status says E2BIG" {
	kwasm_unload
	insmod "$KO" max_code_bytes=100
	mkdir "$WASM/p"
	run sh -c "cat $PROBES/mkdir_errno.wasm > $WASM/p/code"
	[ "$status" -ne 0 ]
	[[ "$output" == *"File too large"* ]]
	[[ "$(status_of p error)" == "E2BIG: load failed: "* ]]
	[ "$(status_of p state)" = empty ]
}

@test "memory over max_memory_pages fails with E2BIG naming the limit" {
	kwasm_unload
	insmod "$KO" max_memory_pages=2
	mkdir "$WASM/p"
	cat "$PROBES/big_memory.wasm" >"$WASM/p/code"
	[ "$(status_of p error)" = "E2BIG: load failed: linear memory of 3 pages is over the limit of 2 pages (max_memory_pages)" ]
	rmdir "$WASM/p"
	rmmod kwasm
	insmod "$KO" max_memory_pages=3
	kwasm_new p big_memory
	[ "$(status_of p memory_bytes)" = $((3 * 65536)) ]
	[ "$(cat "$WASM/p/report")" = x ]
}

@test "code written while active is refused with EBUSY in status, and the running code stays" {
	kwasm_new p mkdir_count
	echo 1 >"$WASM/p/active"
	cat "$PROBES/mkdir_errno.wasm" >"$WASM/p/code"
	[ "$(status_of p state)" = active ]
	[ "$(status_of p probes)" = "kprobe:__x64_sys_mkdir:pre" ]
	[ "$(status_of p error)" = "EBUSY: code: refused while active; the running code stays" ]
	mkdir /tmp/busy-dir
	[ "$(cat "$WASM/p/report")" = 1 ]
	rmdir /tmp/busy-dir
}

@test "fuel reads the default, takes a new value, and is EBUSY while active" {
	kwasm_new p mkdir_count
	[ "$(cat "$WASM/p/fuel")" = 100000 ]
	echo 5000 >"$WASM/p/fuel"
	[ "$(cat "$WASM/p/fuel")" = 5000 ]
	[ "$(status_of p fuel)" = 5000 ]
	echo 1 >"$WASM/p/active"
	run write_attr "$WASM/p/fuel" 7
	[[ "$output" == *"Device or resource busy"* ]]
	[ "$(cat "$WASM/p/fuel")" = 5000 ]
	[ "$(status_of p error)" = "EBUSY: fuel: refused while active" ]
	run write_attr "$WASM/p/active" 0
	run write_attr "$WASM/p/fuel" abc
	[[ "$output" == *"Invalid argument"* ]]
	[ "$(status_of p error)" = "EINVAL: fuel: write a decimal number" ]
	run write_attr "$WASM/p/fuel" 0
	[[ "$output" == *"Invalid argument"* ]]
	[ "$(status_of p error)" = "EINVAL: fuel: 0 is not in 1..=250000 (max_fuel)" ]
	run write_attr "$WASM/p/fuel" 250001
	[[ "$output" == *"Invalid argument"* ]]
	[ "$(status_of p error)" = "EINVAL: fuel: 250001 is not in 1..=250000 (max_fuel)" ]
	echo 250000 >"$WASM/p/fuel"
	[ "$(cat "$WASM/p/fuel")" = 250000 ]
}

@test "anything but 0 or 1 (plus newline) written to active is EINVAL" {
	kwasm_new p mkdir_count
	for v in 2 yes on " 1" 11 -1 ""; do
		run write_attr "$WASM/p/active" "$v"
		[ "$status" -ne 0 ]
		[[ "$output" == *"Invalid argument"* ]]
	done
	[ "$(status_of p error)" = "EINVAL: active: write 0 or 1" ]
	printf 1 >"$WASM/p/active"
	[ "$(cat "$WASM/p/active")" = 1 ]
}

@test "report without a report export is EOPNOTSUPP" {
	kwasm_new p no_report
	run cat "$WASM/p/report"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not supported"* ]]
	[ "$(status_of p error)" = 'EOPNOTSUPP: report: the program exports no "report"' ]
}

@test "a trap in report is EIO and status names the trap" {
	kwasm_new p trap_report
	run cat "$WASM/p/report"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Input/output error"* ]]
	[ "$(status_of p error)" = "EIO: report trapped: report returned a pointer outside memory" ]
	kwasm_dmesg | grep -q 'kwasm: trap_report\|kwasm: p: EIO: report trapped'
}

@test "a 100 KiB report is read whole by cat" {
	kwasm_new p long_report
	[ "$(cat "$WASM/p/report" | wc -c)" = 102400 ]
	[ "$(cat "$WASM/p/report" | wc -l)" = 1600 ]
	[ "$(head -c 26 "$WASM/p/report")" = abcdefghijklmnopqrstuvwxyz ]
	[ "$(status_of p error)" = none ]
}

@test "a report longer than max_report_bytes is cut to it and status says so" {
	kwasm_unload
	insmod "$KO" max_report_bytes=5000
	kwasm_new p long_report
	[ "$(cat "$WASM/p/report" | wc -c)" = 5000 ]
	[ "$(status_of p error)" = "EOVERFLOW: report: the string was cut to 5000 bytes (max_report_bytes)" ]
}

@test "a report read 100 bytes at a time arrives whole" {
	kwasm_new p long_report
	[ "$(dd if="$WASM/p/report" bs=100 2>/dev/null | cmp - "$WASM/p/report" && echo same)" = same ]
	[ "$(dd if="$WASM/p/report" bs=100 2>/dev/null | wc -c)" = 102400 ]
}

@test "rmdir of an active program detaches it and never fails" {
	kwasm_new p mkdir_count
	echo 1 >"$WASM/p/active"
	rmdir "$WASM/p"
	run attached_to __x64_sys_mkdir
	[ "$status" -eq 1 ]
	mkdir /tmp/after-rmdir && rmdir /tmp/after-rmdir
	rmmod kwasm
}

@test "a non-root user reads status and stats but not report, and cannot create, load or toggle" {
	kwasm_new p mkdir_count
	[ "$(as_nobody id -u)" = 65534 ]
	run as_nobody cat "$WASM/p/status"
	[ "$status" -eq 0 ]
	[[ "$output" == *"state: loaded"* ]]
	run as_nobody cat "$WASM/p/stats"
	[ "$status" -eq 0 ]
	[ "$output" = "kprobe:__x64_sys_mkdir:pre hits=0 missed=0 traps=0 fuel_exhausted=0 ns=0 waited=0 dropped=0" ]
	run as_nobody cat "$WASM/p/report"
	[[ "$output" == *"Permission denied"* ]]
	run as_nobody cat "$WASM/p/active"
	[[ "$output" == *"Permission denied"* ]]
	run as_nobody cat "$WASM/p/fuel"
	[[ "$output" == *"Permission denied"* ]]
	run as_nobody mkdir "$WASM/q"
	[[ "$output" == *"Permission denied"* ]]
	run as_nobody sh -c "echo 1 > $WASM/p/active"
	[[ "$output" == *"Permission denied"* ]]
	run as_nobody sh -c "echo 5 > $WASM/p/fuel"
	[[ "$output" == *"Permission denied"* ]]
	run as_nobody sh -c "cat $PROBES/mkdir_errno.wasm > $WASM/p/code"
	[[ "$output" == *"Permission denied"* ]]
	[ "$(status_of p state)" = loaded ]
	[ "$(status_of p probes)" = "kprobe:__x64_sys_mkdir:pre" ]
	[ ! -d "$WASM/q" ]
}

@test "root without CAP_SYS_ADMIN is refused with EPERM, and status says why" {
	kwasm_new p mkdir_count
	run /kwasm/bin/nocap sh -c "echo 1 > $WASM/p/active"
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(status_of p error)" = "EPERM: active: only a process with CAP_SYS_ADMIN may write it" ]
	run /kwasm/bin/nocap sh -c "echo 5 > $WASM/p/fuel"
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(status_of p error)" = "EPERM: fuel: only a process with CAP_SYS_ADMIN may write it" ]
	# configfs ignores a binary attribute's commit result: the write itself succeeds.
	/kwasm/bin/nocap sh -c "cat $PROBES/mkdir_errno.wasm > $WASM/p/code"
	[ "$(status_of p error)" = "EPERM: code: only a process with CAP_SYS_ADMIN may write it" ]
	[ "$(status_of p state)" = loaded ]
	[ "$(status_of p probes)" = "kprobe:__x64_sys_mkdir:pre" ]
	[ "$(status_of p fuel)" = 100000 ]
	kwasm_dmesg | grep -qF "kwasm: p: EPERM: code: only a process with CAP_SYS_ADMIN may write it"
}

@test "two writers of code at once: one module wins, whole, and nothing leaks" {
	# What each module alone loads as: its attach points and size.
	for m in mkdir_count mkdir_errno; do
		kwasm_new "ref_$m" "$m"
	done
	want_count="$(status_of ref_mkdir_count probes) $(status_of ref_mkdir_count code_bytes)"
	want_errno="$(status_of ref_mkdir_errno probes) $(status_of ref_mkdir_errno code_bytes)"
	[ "$want_count" != "$want_errno" ]
	mkdir "$WASM/p"
	for i in $(seq 1 20); do
		cat "$PROBES/mkdir_count.wasm" >"$WASM/p/code" &
		cat "$PROBES/mkdir_errno.wasm" >"$WASM/p/code" &
		wait
		[ "$(status_of p state)" = loaded ]
		[ "$(status_of p error)" = none ]
		got="$(status_of p probes) $(status_of p code_bytes)"
		[ "$got" = "$want_count" ] || [ "$got" = "$want_errno" ]
	done
	kwasm_unload
	run kmemleak_scan
	[ -z "$output" ]
}

@test "report keeps answering while another process toggles active" {
	kwasm_new p mkdir_count
	( for i in $(seq 1 50); do echo 1 >"$WASM/p/active"; echo 0 >"$WASM/p/active"; done ) &
	for i in $(seq 1 100); do
		[ "$(cat "$WASM/p/report")" = 0 ]
	done
	wait
}

@test "rmdir while a reader holds report open: the read fails cleanly, nothing crashes" {
	kwasm_new p mkdir_count
	# bats keeps fds 3 and 4 for itself.
	exec 7<"$WASM/p/report"
	rmdir "$WASM/p"
	# configfs marks the removed item dead: the read is ENOENT, report never runs.
	run cat <&7
	exec 7<&-
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file or directory"* ]]
	[ ! -d "$WASM/p" ]
	rmmod kwasm
}

@test "loading, attaching and removing a program leaks nothing (kmemleak)" {
	kmemleak_scan >/dev/null
	for i in 1 2 3; do
		kwasm_new p$i mkdir_errno
		echo 1 >"$WASM/p$i/active"
	done
	mkdir /tmp/leak && rmdir /tmp/leak
	for i in 1 2 3; do
		cat "$WASM/p$i/report" >/dev/null
		rmdir "$WASM/p$i"
	done
	rmmod kwasm
	run kmemleak_scan
	[ -z "$output" ]
}

@test "rmmod and insmod cycle ten times with programs made and removed in between" {
	for i in $(seq 1 10); do
		kwasm_new p mkdir_count
		echo 1 >"$WASM/p/active"
		rmdir "$WASM/p"
		rmmod kwasm
		insmod "$KO"
	done
}
