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

# The kernel log lines kwasm printed.
kwasm_dmesg() {
	dmesg | grep 'kwasm: '
}
