#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows, run inside the test machine: two example probes loaded with
# nothing but shell commands, some activity, and their reports.

W=/sys/kernel/config/wasm
P=/kwasm/probes
failed=
say() { printf '\n== %s\n' "$*"; }
run() { printf '# %s\n' "$*"; sh -c "$*" || failed="$failed; '$*' failed"; }
# The demo checks what it shows: a step that fails, or a report without what the demo
# did, makes `make demo` fail.
expect() { # WHAT FILE PATTERN (grep -E)
	grep -qE "$3" "$2" || failed="$failed; $1"
}

say "Load the kwasm module; it registers the configfs subsystem $W"
run "insmod /kwasm/kwasm.ko"
dmesg | grep 'kwasm:' | sed 's/^/   dmesg: /'

say "mkdirsnoop: a C probe on __x64_sys_mkdir that streams each mkdir's pid, comm and path"
run "mkdir $W/mkdirsnoop"
run "cat $P/mkdirsnoop.wasm > $W/mkdirsnoop/code"
run "cat $W/mkdirsnoop/status"
run "echo 1 > $W/mkdirsnoop/active"

say "latency: a pre + post probe on vfs_read timing every read into a log2 histogram"
run "mkdir $W/latency"
run "cat $P/latency.wasm > $W/latency/code && echo 1 > $W/latency/active"

say "Some activity: make a few directories, read some files"
run "mkdir -p /tmp/demo/photos/2026 /tmp/demo/music"
run "mkdir /tmp/demo/notes"
run "for i in 1 2 3 4 5 6 7 8; do wc -c /proc/version /kwasm/probes/*.wasm > /dev/null; done"

say "mkdirsnoop's trace stream (its tracefs instance; trace_pipe would wait for more)"
run "grep -v '^#' /sys/kernel/tracing/instances/kwasm-mkdirsnoop/trace | tee /tmp/mkdirsnoop.txt"
for d in /tmp/demo /tmp/demo/photos /tmp/demo/photos/2026 /tmp/demo/music /tmp/demo/notes; do
	expect "mkdirsnoop streamed $d" /tmp/mkdirsnoop.txt "mkdir pid=[0-9]+ comm=mkdir path=$d/?\$"
done

say "The reports"
run "cat $W/mkdirsnoop/report | tee /tmp/mkdirsnoop-report.txt"
run "cat $W/latency/report | tee /tmp/latency.txt"
expect "mkdirsnoop counts the mkdirs" /tmp/mkdirsnoop-report.txt '^[0-9]+ mkdirs$'
expect "latency has a histogram" /tmp/latency.txt '^\[[0-9KM, )]+ +[0-9]+ +\|@{52}\|$'
run "cat $W/mkdirsnoop/stats $W/latency/stats"

say "Detach and unload"
run "echo 0 > $W/mkdirsnoop/active; echo 0 > $W/latency/active"
run "rmdir $W/mkdirsnoop $W/latency && rmmod kwasm"
if [ -n "$failed" ]; then
	say "The demo FAILED${failed}"
	exit 1
fi
say "Done: both probes showed what the demo did"
