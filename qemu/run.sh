#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots the test machine under TCG with 2 vCPUs and a time limit. The kernel console
# (ttyS0) goes to LOGDIR/console.log; what /init writes to ttyS1 (TAP, or the demo) is
# shown as it comes and saved to LOGDIR/output.log. In mode shell, ttyS1 is the guest's
# shell and this terminal talks to it directly.
#
# Usage: run.sh BZIMAGE INITRD MODE LOGDIR [TIMEOUT_SECONDS] [EXTRA_CMDLINE]

set -euo pipefail
bzimage=$1 initrd=$2 mode=$3 logdir=$4 limit=${5:-1200} extra=${6:-}
mkdir -p "$logdir"

# One guest at a time on a machine: two TCG guests on a small host slow each other past
# the suite's stress timings, and make bench's figures meaningless. Held until exit.
lock=${KWASM_QEMU_LOCK:-/tmp/kwasm-qemu.lock}
exec 9>>"$lock"
if ! flock -n 9; then
	echo "kwasm: another kwasm guest is running on this machine: waiting for it ($lock)" >&2
	flock 9
fi
: >"$logdir/console.log"

# KVM is not usable on these machines: TCG only. KWASM_QEMU_ARGS: more of QEMU's
# options (make bench's instruction-counting boot: -icount).
boot() {
	timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
		-machine pc -accel "tcg,thread=${KWASM_TCG_THREAD:-single}" -cpu max -smp 2 -m 1024 \
		-display none -no-reboot -monitor none ${KWASM_QEMU_ARGS:-} \
		-kernel "$bzimage" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic kfence.sample_interval=10 kwasm_mode=$mode $extra" \
		-serial "file:$logdir/console.log" -serial stdio
}
status=0
if [ "$mode" = shell ]; then
	boot || status=$?
else
	boot </dev/null | sed -u 's/\r$//' | tee "$logdir/output.log" || status=$?
fi
if [ "$status" = 124 ]; then
	echo "kwasm: the guest did not finish within $limit s" >&2
	echo "kwasm-host: timeout after $limit s" >>"$logdir/console.log"
fi
exit 0
