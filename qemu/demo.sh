#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows, run inside the test machine.

W=/sys/kernel/config/wasm
say() { printf '\n== %s\n' "$*"; }

say "Loading kwasm.ko"
insmod /kwasm/kwasm.ko
dmesg | grep 'kwasm:' | sed 's/^/   dmesg: /'
say "The configfs subsystem: $W"
mkdir $W/hello
echo "   mkdir $W/hello; ls $W:"
ls $W | sed 's/^/   /'
rmdir $W/hello
rmmod kwasm
say "Unloaded again: done"
