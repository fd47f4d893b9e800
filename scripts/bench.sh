#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: per-hit cost in the test machine, measured side by side in one boot.

. "$(dirname "$0")/common.sh"
cd "$KWASM_TOP"
out=$KWASM_TOP/build
mkdir -p "$out"
"$KWASM_TOP/scripts/setup-host.sh"
step "the engine alone on the host"
cargo run --locked --quiet --release --example bench -p kwasm-engine --features std
kdir=$("$KWASM_TOP/scripts/build-kernel.sh")
"$KWASM_TOP/scripts/build-module.sh" "$kdir" "$out/staging" >/dev/null
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$out/staging"
step "booting the test machine for the guest benchmarks (a few minutes under TCG)"
# Multi-threaded TCG, so the two-vCPU rows show real parallel contention.
KWASM_TCG_THREAD=multi "$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" bench "$out/bench" 1800 \
	"${KWASM_CMDLINE:-}"
"$KWASM_TOP/qemu/scan-splats.sh" "$out/bench/console.log"
