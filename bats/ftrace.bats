#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The function tracer's path (issue 17): on this kernel (CONFIG_FUNCTION_TRACER,
# KPROBES_ON_FTRACE), as on a distribution kernel, a pre point on a traced function's
# entry runs from its program's ftrace_ops (kinds/kprobe.c), and with ftrace_ops=0 from
# an ftrace kprobe; a post point is an ftrace kretprobe. Each must count exactly, and
# survive what once crashed 7.3 kernels built at -Os (Documentation/building.rst):
# registering again at the same entry, by echo 0/1 > active, by insmod/rmmod, and beside
# another user of that entry (tracefs, a C kprobe, another program).

load helpers

T=/sys/kernel/tracing
PARAM=/sys/module/kwasm/parameters/ftrace_ops

setup() {
	kwasm_setup_scratch
}

teardown() {
	if [ -e $T/events/kwasm_t/enable ]; then
		echo 0 >$T/events/kwasm_t/enable
		echo >$T/kprobe_events
	fi
	[ ! -d /sys/module/kwasm_test_kprobe ] || rmmod kwasm_test_kprobe
	[ ! -e $PARAM ] || echo 1 >$PARAM
	kwasm_teardown_scratch
}

# The hits of tracefs kprobe event $1 (kprobe_profile: the event's name without its
# group, hits, misses).
event_hits() {
	awk -v e="$1" '$1 == e { print $2 }' $T/kprobe_profile
}

@test "a pre probe on mkdir runs from its program's ftrace_ops, no kprobe, and counts exactly" {
	kwasm_new c mkdir_count
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops __x64_sys_mkdir
	[ -z "$(kprobe_flags __x64_sys_mkdir)" ]
	make_dirs /tmp/t 5
	echo 0 >"$WASM/c/active"
	[ "$(ftrace_users __x64_sys_mkdir)" = 0 ]
	[ "$(cat "$WASM/c/report")" = 5 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre missed)" = 0 ]
}

@test "with ftrace_ops=0 a pre probe on mkdir is an ftrace kprobe ([FTRACE]), and counts exactly" {
	kwasm_new c mkdir_count
	echo 0 >$PARAM
	echo 1 >"$WASM/c/active"
	[ "$(kprobe_flags __x64_sys_mkdir)" = "[FTRACE]" ]
	! on_kwasm_ftrace_ops __x64_sys_mkdir
	make_dirs /tmp/t 5
	echo 0 >"$WASM/c/active"
	[ -z "$(kprobe_flags __x64_sys_mkdir)" ]
	[ "$(cat "$WASM/c/report")" = 5 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre missed)" = 0 ]
}

@test "two programs on one entry: each its own ftrace_ops, both count, and either goes alone" {
	kwasm_new a mkdir_count
	kwasm_new b mkdir_count
	echo 1 >"$WASM/a/active"
	echo 1 >"$WASM/b/active"
	[ "$(ftrace_users __x64_sys_mkdir)" = 2 ]
	make_dirs /tmp/t 3
	echo 0 >"$WASM/a/active"
	on_kwasm_ftrace_ops __x64_sys_mkdir
	mkdir /tmp/t/x
	echo 0 >"$WASM/b/active"
	[ "$(ftrace_users __x64_sys_mkdir)" = 0 ]
	[ "$(cat "$WASM/a/report")" = 3 ]
	[ "$(cat "$WASM/b/report")" = 4 ]
}

@test "a post probe's kretprobe on mkdir is an ftrace kprobe too, and sees every return" {
	kwasm_new e mkdir_errno
	echo 1 >"$WASM/e/active"
	grep -q '  r  __x64_sys_mkdir+0x[0-9a-f]* .*\[FTRACE\]$' /sys/kernel/debug/kprobes/list
	mkdir /tmp/t/a /tmp/t/b
	run mkdir /tmp/t/a
	echo 0 >"$WASM/e/active"
	[ "$(stat_of e kprobe:__x64_sys_mkdir:post hits)" = 3 ]
	[ "$(stat_of e kprobe:__x64_sys_mkdir:post missed)" = 0 ]
}

@test "one program on a traced and a notrace function: its ftrace_ops and [OPTIMIZED], each counting its own" {
	target_load
	kwasm_new c target_count
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_traced
	[ -z "$(kprobe_flags kwasm_test_traced)" ]
	[ "$(kprobe_flags kwasm_test_notrace)" = "[OPTIMIZED]" ]
	target_calls traced 10
	target_calls notrace 4
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = "notrace 4 10 traced 10 55" ]
}

@test "two points at one ftrace site (a function's two names): one site of the ftrace_ops, both count" {
	target_load
	kwasm_new c alias_count
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_traced
	target_calls traced 10
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = "10 55 10 55" ]
	[ "$(stat_of c kprobe:kwasm_test_traced_alias:pre hits)" = 10 ]
}

@test "50 cycles of echo 1/0 > active on an ftrace site: every cycle counts exactly" {
	local i
	kwasm_new c mkdir_count
	for i in $(seq 1 50); do
		echo 1 >"$WASM/c/active"
		on_kwasm_ftrace_ops __x64_sys_mkdir
		mkdir "/tmp/t/$i"
		[ "$(stat_of c kprobe:__x64_sys_mkdir:pre hits)" = "$i" ] ||
			{ echo "cycle $i: $(cat "$WASM/c/stats")"; false; }
		echo 0 >"$WASM/c/active"
		mkdir "/tmp/t/$i.off"
	done
	[ "$(cat "$WASM/c/report")" = 50 ]
}

@test "10 cycles of insmod, probe, rmmod: the ftrace site counts exactly after each insmod" {
	local i
	for i in $(seq 1 10); do
		kwasm_load
		kwasm_new c mkdir_count
		echo 1 >"$WASM/c/active"
		mkdir "/tmp/t/$i" "/tmp/t/$i.b"
		[ "$(cat "$WASM/c/report")" = 2 ] || { echo "cycle $i: $(cat "$WASM/c/report")"; false; }
		rmdir "$WASM/c"
		rmmod kwasm
	done
	run grep -c __x64_sys_mkdir /sys/kernel/debug/kprobes/list
	[ "$output" = 0 ]
	[ "$(ftrace_users __x64_sys_mkdir)" = 0 ]
}

@test "a tracefs kprobe event on mkdir beside kwasm's: both count, and either goes without harming the other" {
	[ -e $T/kprobe_events ]
	# The program first: its mkdir in configfs is a mkdir(2) too.
	kwasm_new c mkdir_count
	echo 'p:kwasm_t/kwasm_mkdir __x64_sys_mkdir' >>$T/kprobe_events
	echo 1 >$T/events/kwasm_t/kwasm_mkdir/enable
	echo 1 >"$WASM/c/active"
	# The event's ftrace kprobe, and kwasm's ftrace_ops beside kprobes' one.
	[ "$(kprobe_flags __x64_sys_mkdir)" = "[FTRACE]" ]
	[ "$(ftrace_users __x64_sys_mkdir)" = 2 ]
	make_dirs /tmp/t 3
	echo "kprobe_profile: $(cat $T/kprobe_profile)"
	[ "$(event_hits kwasm_mkdir)" = 3 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre hits)" = 3 ]
	# kwasm goes and comes back (registering at the entry again, beside the event).
	echo 0 >"$WASM/c/active"
	mkdir /tmp/t/x
	echo 1 >"$WASM/c/active"
	mkdir /tmp/t/y
	[ "$(event_hits kwasm_mkdir)" = 5 ]
	[ "$(stat_of c kprobe:__x64_sys_mkdir:pre hits)" = 4 ]
	# The event goes: kwasm's probe keeps counting.
	echo 0 >$T/events/kwasm_t/kwasm_mkdir/enable
	echo '-:kwasm_t/kwasm_mkdir' >>$T/kprobe_events
	mkdir /tmp/t/z
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = 5 ]
	[ -z "$(cat $T/kprobe_events)" ]
}

@test "a bare C kprobe registered three times at an ftrace entry counts, and kwasm's beside it too" {
	# The program first: its mkdir in configfs is a mkdir(2) too.
	kwasm_new c mkdir_count
	insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_mkdir cycles=3
	[ "$(kprobe_flags __x64_sys_mkdir)" = "[FTRACE]" ]
	echo 1 >"$WASM/c/active"
	make_dirs /tmp/t 4
	echo 0 >"$WASM/c/active"
	[ "$(cat /sys/module/kwasm_test_kprobe/parameters/hits)" = 4 ]
	rmmod kwasm_test_kprobe
	[ "$(cat "$WASM/c/report")" = 4 ]
}

@test "the module of a pre point's ftrace site can go: a module loaded at its address is not probed" {
	target_load
	kwasm_new c alias_count
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_traced
	target_calls traced 10
	addr=$(awk '$3 == "kwasm_test_traced" { print $1 }' /proc/kallsyms)
	rmmod kwasm_test_target
	# The module again, most likely at the same address: the program's point was on the
	# module that went, and must not fire on the new one's functions.
	target_load
	echo "before: $addr, now: $(awk '$3 == "kwasm_test_traced" { print $1 }' /proc/kallsyms)"
	# dmesg names the program, the point and the module, once per point.
	dmesg | grep -F 'kwasm: c: kprobe:kwasm_test_traced:pre: kwasm_test_target is going, the point no longer fires'
	dmesg | grep -F 'kwasm: c: kprobe:kwasm_test_traced_alias:pre: kwasm_test_target is going'
	target_calls traced 5
	[ "$(cat "$WASM/c/report")" = "10 55 10 55" ]
	[ "$(ftrace_users kwasm_test_traced)" = 0 ]
	echo 0 >"$WASM/c/active"
	# Activated again, the program resolves its points anew, on the new module.
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_traced
	target_calls traced 2
	echo 0 >"$WASM/c/active"
	[ "$(cat "$WASM/c/report")" = "12 58 12 58" ]
}

@test "a module of one of a program's ftrace sites goes: its site leaves the ftrace_ops, the others count on" {
	target_load
	kwasm_new c traced_mkdir
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_traced
	on_kwasm_ftrace_ops __x64_sys_mkdir
	target_calls traced 3
	mkdir /tmp/t/a
	rmmod kwasm_test_target
	[ "$(ftrace_users __x64_sys_mkdir)" = 1 ]
	mkdir /tmp/t/b
	target_load
	target_calls traced 4
	mkdir /tmp/t/c
	[ "$(ftrace_users kwasm_test_traced)" = 0 ]
	[ "$(cat "$WASM/c/report")" = "3 3" ]
	echo 0 >"$WASM/c/active"
	[ "$(ftrace_users __x64_sys_mkdir)" = 0 ]
}

@test "a module goes under a program's ftrace_ops and its kprobe: neither fires on the module loaded again" {
	target_load
	kwasm_new c target_count
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_traced
	[ "$(kprobe_flags kwasm_test_notrace)" = "[OPTIMIZED]" ]
	target_calls traced 1
	target_calls notrace 2
	rmmod kwasm_test_target
	target_load
	target_calls traced 10
	target_calls notrace 10
	[ "$(cat "$WASM/c/report")" = "notrace 2 3 traced 1 1" ]
	echo 0 >"$WASM/c/active"
	[ -z "$(kwasm_attachments)" ]
}

@test "a module goes under a program's pre and post points on one function: neither fires again" {
	target_load
	kwasm_new c target_post
	echo 1 >"$WASM/c/active"
	# The program's ftrace_ops and kprobes' own, for the kretprobe.
	[ "$(ftrace_users kwasm_test_traced)" = 2 ]
	target_calls traced 2
	rmmod kwasm_test_target
	# kprobes keep the kretprobe, marked gone (its symbol gone too), until it is
	# unregistered.
	cat /sys/kernel/debug/kprobes/list
	grep -q '^[0-9a-f]*  r .*\[GONE\]' /sys/kernel/debug/kprobes/list
	target_load
	target_calls traced 5
	[ "$(cat "$WASM/c/report")" = "2 2" ]
	echo 0 >"$WASM/c/active"
	[ -z "$(kwasm_attachments)" ]
}

# Whether kwasm_test_init.ko's init has begun: its parameters are there from then on.
init_module_coming() {
	[ -e /sys/module/kwasm_test_init/parameters/release ]
}

# Whether the point on kwasm_test_init_traced() has hits.
init_point_hit() {
	[ "$(stat_of c kprobe:kwasm_test_init_traced:pre hits)" -gt 0 ]
}

@test "a point on a module's init text, attached as the module comes, leaves the ftrace_ops when init ends" {
	insmod /kwasm/test/kwasm_test_init.ko &
	insmod_pid=$!
	wait_until 200 init_module_coming
	kwasm_new c init_text
	echo 1 >"$WASM/c/active"
	on_kwasm_ftrace_ops kwasm_test_init_traced
	on_kwasm_ftrace_ops kwasm_test_init_core
	wait_until 200 init_point_hit
	echo 1 >/sys/module/kwasm_test_init/parameters/release
	wait $insmod_pid
	# Live: the init text is freed, and its site left the program's filter first.
	dmesg | grep -F 'kwasm: c: kprobe:kwasm_test_init_traced:pre: kwasm_test_init frees its init text, the point no longer fires'
	! on_kwasm_ftrace_ops kwasm_test_init_traced
	on_kwasm_ftrace_ops kwasm_test_init_core
	before=$(stat_of c kprobe:kwasm_test_init_core:pre hits)
	echo 7 >/sys/module/kwasm_test_init/parameters/core_calls
	[ "$(stat_of c kprobe:kwasm_test_init_core:pre hits)" = $((before + 7)) ]
	echo 0 >"$WASM/c/active"
	[ -z "$(kwasm_attachments)" ]
	rmmod kwasm_test_init
}
