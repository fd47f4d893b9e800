#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# SMP stress, bounded in time: programs on hot functions while both vCPUs make syscalls
# and another loop toggles, reads, rewrites and recreates programs. Exact counts where
# the test knows the truth; no splat, no leak.

load helpers

setup() {
	kwasm_load
	rm -rf /tmp/s && mkdir /tmp/s
}

teardown() {
	kwasm_unload
	rm -rf /tmp/s
}

@test "stress: two vCPUs, nine programs (one per-CPU, two wildcards), toggles, rewrites and recreation for 40 s" {
	kwasm_new count mkdir_count
	# The same counter in per-CPU mode: its CPUs' counts must add up to the shared one's.
	mkdir "$WASM/pc"
	echo percpu >"$WASM/pc/mode"
	cat /kwasm/probes/mkdir_count.wasm >"$WASM/pc/code"
	kwasm_new errs mkdir_errno
	kwasm_new lat latency
	kwasm_new sc syscount
	# Tracepoints on the scheduler, toggled below, and stacks on every vfs_mkdir.
	kwasm_new rq runqlat
	kwasm_new stk stackcount
	# Wildcards on every vfs_* function: one stays (per-CPU: busy vfs_read/write hits on
	# both vCPUs never wait for each other, so none is dropped), one is attached and
	# detached below.
	mkdir "$WASM/fc"
	echo percpu >"$WASM/fc/mode"
	cat /kwasm/probes/funccount.wasm >"$WASM/fc/code"
	kwasm_new fc2 funccount
	for p in count pc errs lat sc rq stk fc fc2; do echo 1 >"$WASM/$p/active"; done
	stop=/tmp/s/stop
	# The workload: a known number of mkdirs on each vCPU, and reads and getpgids.
	for cpu in 1 2; do
		taskset $cpu sh -c "
			n=0
			while [ ! -e $stop ]; do
				mkdir /tmp/s/c$cpu-\$n && n=\$((n + 1))
				wc -c /proc/version >/dev/null
				/kwasm/bin/syscall_loop 50 >/dev/null
			done
			echo \$n >/tmp/s/made$cpu" &
	done
	# The churn: toggling, reading, refused rewrites, programs coming and going; for 40 s
	# and at least five rounds (a round took 5 to 13 s under TCG on a loaded host).
	end=$(($(date +%s) + 40))
	i=0
	while [ "$i" -lt 5 ] || [ "$(date +%s)" -lt $end ]; do
		echo 0 >"$WASM/lat/active"
		echo 0 >"$WASM/rq/active"
		echo 0 >"$WASM/fc2/active"
		cat "$WASM/lat/report" "$WASM/sc/report" "$WASM/count/stats" "$WASM/pc/report" >/dev/null
		cat "$WASM/rq/report" "$WASM/stk/report" "$WASM/fc/stats" "$WASM/fc/maps" >/dev/null
		echo 1 >"$WASM/lat/active"
		echo 1 >"$WASM/rq/active"
		echo 1 >"$WASM/fc2/active"
		cat /kwasm/probes/mkdir_errno.wasm >"$WASM/count/code"
		mkdir "$WASM/tmp$i"
		# Every other one per-CPU: made, run, reported and removed under load.
		[ $((i % 2)) = 0 ] || echo percpu >"$WASM/tmp$i/mode"
		cat /kwasm/probes/mkdirsnoop.wasm >"$WASM/tmp$i/code"
		echo 1 >"$WASM/tmp$i/active"
		cat "$WASM/tmp$i/report" >/dev/null
		rmdir "$WASM/tmp$i"
		i=$((i + 1))
	done
	touch $stop
	wait
	for p in count pc errs lat sc rq stk fc fc2; do echo 0 >"$WASM/$p/active"; done
	made=$(($(cat /tmp/s/made1) + $(cat /tmp/s/made2)))
	# The counter saw every mkdir of the workload (plus the churn loop's mkdirs of
	# programs, which are mkdir calls too), and the refused rewrites never replaced it.
	[ "$(status_of count probes)" = "kprobe:__x64_sys_mkdir:pre" ]
	[ "$(status_of count error)" = "EBUSY: code: refused while active; the running code stays" ]
	[ "$(cat "$WASM/count/report")" -eq $((made + i)) ]
	[ "$(stat_of count kprobe:__x64_sys_mkdir:pre missed)" = 0 ]
	[ "$(awk '{ s += $2 } END { print s }' "$WASM/pc/report")" -eq $((made + i)) ]
	[ "$(stat_of pc kprobe:__x64_sys_mkdir:pre hits)" -eq $((made + i)) ]
	[ "$(stat_of pc kprobe:__x64_sys_mkdir:pre missed)" = 0 ]
	# Every mkdir reached vfs_mkdir once, each counted under its stack (or dropped).
	stacked=$(sed -n 's/^\]: //p; s/^@dropped: //p' "$WASM/stk/report" | awk '{ s += $1 } END { print s }')
	[ "$stacked" -eq $((made + i)) ]
	[ "$(stat_of stk kprobe:vfs_mkdir:pre traps)" = 0 ]
	# And the wildcard that stayed attached counted each under vfs_mkdir.
	grep -qx "@funcs\[vfs_mkdir\]: $((made + i))" "$WASM/fc/maps"
	[ "$(stat_of fc 'kprobe:vfs_\*:pre' traps)" = 0 ]
	for e in sched_switch sched_wakeup sched_wakeup_new; do
		[ "$(stat_of rq tracepoint:sched:$e traps)" = 0 ]
	done
	[ "$(stat_of rq tracepoint:sched:sched_switch hits)" -gt 0 ]
	[ "$(head -n1 "$WASM/rq/report")" = "@usecs:" ]
	echo "stress: $made mkdirs by the workload, $i churn rounds" >/dev/kmsg
	kwasm_unload
	insmod "$KO"
	rmmod kwasm
	run kmemleak_scan
	[ -z "$output" ]
}
