#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows, run inside the test machine: two example probes loaded with
# nothing but shell commands, some activity, and their reports.

W=/sys/kernel/config/wasm
P=/kwasm/probes
say() { printf '\n== %s\n' "$*"; }
run() { printf '# %s\n' "$*"; sh -c "$*"; }

say "Load the kwasm module; it registers the configfs subsystem $W"
run "insmod /kwasm/kwasm.ko"
dmesg | grep 'kwasm:' | sed 's/^/   dmesg: /'

say "mkdirsnoop: a C probe on __x64_sys_mkdir that records each path, pid and comm"
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

say "The reports"
run "cat $W/mkdirsnoop/report"
run "cat $W/latency/report"
run "cat $W/mkdirsnoop/stats $W/latency/stats"

say "Detach and unload"
run "echo 0 > $W/mkdirsnoop/active; echo 0 > $W/latency/active"
run "rmdir $W/mkdirsnoop $W/latency && rmmod kwasm"
say "Done"
