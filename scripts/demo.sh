#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: sets everything up, boots the test machine and runs qemu/demo.sh in it.

. "$(dirname "$0")/common.sh"
cd "$KWASM_TOP"
out=$KWASM_TOP/build
mkdir -p "$out"
"$KWASM_TOP/scripts/setup-host.sh"
kdir=$("$KWASM_TOP/scripts/build-kernel.sh")
"$KWASM_TOP/scripts/build-module.sh" "$kdir" "$out/staging" >/dev/null
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$out/staging"
step "booting the test machine (TCG, 2 vCPUs); the demo follows"
"$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" demo "$out/demo" 300
"$KWASM_TOP/qemu/scan-splats.sh" "$out/demo/console.log"
grep -q 'kwasm-guest: demo exit 0' "$out/demo/console.log" || die "the demo failed (see above)"
