# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the kwasm bats suite; runs in the test machine.

WASM=/sys/kernel/config/wasm
KO=/kwasm/kwasm.ko

# Loads kwasm.ko unless it is loaded.
kwasm_load() {
	[ -d /sys/module/kwasm ] || insmod "$KO"
}

# Removes every program and unloads kwasm.ko, whatever state a test left.
kwasm_unload() {
	local p
	if [ -d "$WASM" ]; then
		for p in "$WASM"/*/; do
			[ -d "$p" ] && rmdir "$p"
		done
	fi
	[ ! -d /sys/module/kwasm ] || rmmod kwasm
}

# The kernel log lines kwasm printed, without their timestamps.
kwasm_dmesg() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' | grep '^kwasm: '
}

PROBES=/kwasm/probes

# Creates program $1 and loads probe $2 (a name in /kwasm/probes) into it.
kwasm_new() {
	mkdir "$WASM/$1"
	cat "$PROBES/$2.wasm" >"$WASM/$1/code"
}

# The value of key $2 in program $1's status.
status_of() {
	sed -n "s/^$2: //p" "$WASM/$1/status"
}

# Writes $2 to attribute $1 the way a script would (echo); prints the shell's error.
write_attr() {
	local err
	err=$( { echo "$2" >"$1"; } 2>&1) && return 0
	echo "$err"
	return 1
}

# Runs a shell command line as the unprivileged user nobody.
as_nobody() {
	su -s /bin/sh -c "$*" nobody
}

# Makes $2 directories under $1 (which must exist).
make_dirs() {
	local i
	for i in $(seq 1 "$2"); do
		mkdir "$1/d$i"
	done
}

# Runs $2... every 0.1 s until it succeeds, at most $1 times; fails if it never does.
wait_until() {
	local n=$1 i
	shift
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# The stats field $3 (hits, missed, ...) of attach point $2 of program $1.
stat_of() {
	sed -n "s/^$2 .*\b$3=\([0-9]*\).*/\1/p" "$WASM/$1/stats"
}

# Prints the leaks kmemleak finds (nothing when there are none). It reports an object
# only once it is older than 5 s and was unreferenced in two scans: one scan at once
# could never see a leak just made.
kmemleak_scan() {
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
}

# The setup and teardown of test files that make files under /tmp/t: kwasm loaded, an
# empty scratch directory; afterwards every program removed and the module unloaded.
kwasm_setup_scratch() {
	kwasm_load
	rm -rf /tmp/t && mkdir /tmp/t
}

kwasm_teardown_scratch() {
	kwasm_unload
	rm -rf /tmp/t
}

TARGET=/sys/module/kwasm_test_target/parameters

# Loads the test module of functions to probe (qemu/testmod/kwasm_test_target.c):
# kwasm_test_notrace() is no ftrace site, so its kprobe is int3 or, optimized, a jump;
# kwasm_test_traced() is one.
target_load() {
	[ -d /sys/module/kwasm_test_target ] || insmod /kwasm/test/kwasm_test_target.ko
}

# Calls kwasm_test_$1 (notrace or traced) $2 times, in the kernel.
target_calls() {
	echo "$2" >"$TARGET/$1_calls"
}

# The flags of each kprobe on $1 in the kprobes list, a line each: "" for a plain
# (int3) one, else "[OPTIMIZED]", "[FTRACE]", "[DISABLED]"...
kprobe_flags() {
	awk -v s="$1" 'index($3, s "+") == 1 { f = ""; for (i = 4; i <= NF; i++) if ($i ~ /^\[/) f = f $i; print f }' \
		/sys/kernel/debug/kprobes/list
}

# How many ftrace_ops are on $1's entry ("NAME (N) ..." in tracing/enabled_functions), 0
# if none. A kprobe:SYMBOL:pre on an ftrace site is one: its program's (kinds/kprobe.c).
ftrace_users() {
	# A module's function has "[module]" before the count.
	awk -v s="$1" '$1 == s { n = $2 ~ /^\[/ ? $3 : $2; gsub(/[()]/, "", n); print n; f = 1 }
		END { if (!f) print 0 }' /sys/kernel/tracing/enabled_functions
}

# Whether $1's entry calls kwasm's handler alone, through a program's ftrace_ops.
on_kwasm_ftrace_ops() {
	grep -Eq "^$1 (\[[^]]*\] )?\(1\) .*\(kwasm_ftrace_handler\+" /sys/kernel/tracing/enabled_functions
}

# Every attachment of kwasm's: kprobes, and the functions kwasm's ftrace_ops call its
# handler from (a line each), as the tests count them.
kwasm_attachments() {
	cat /sys/kernel/debug/kprobes/list
	grep '(kwasm_ftrace_handler+' /sys/kernel/tracing/enabled_functions
}

# Whether kwasm has $1 attached, by either.
attached_to() {
	kwasm_attachments | grep -q "$1"
}
