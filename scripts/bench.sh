#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the engine alone on the host against native code, wasm3 and WAMR, and the
# per-hit cost in a test machine against a bare kprobe and bpftrace; each measured side by
# side in one run.

. "$(dirname "$0")/common.sh"
cd "$KWASM_TOP"
out=$KWASM_TOP/build
mkdir -p "$out"
"$KWASM_TOP/scripts/setup-host.sh"
# WAMR is built with cmake, for the benchmark only.
install_debs cmake
# The bench kernel: the test kernel's config without its debugging, plus BPF (bpftrace).
kdir=$("$KWASM_TOP/scripts/build-kernel.sh" bench)
"$KWASM_TOP/scripts/build-module.sh" "$kdir" "$out/bench-staging" >/dev/null
size "$out/bench-staging/kwasm.ko" "$KWASM_TOP/engine/kwasm_engine.o" | awk '
	NR == 2 { printf "kwasm.ko: text %d, data %d, bss %d bytes", $1, $2, $3 }
	NR == 3 { printf " (the engine object: text %d)\n", $1 }'

step "the engine alone on the host, with native, wasm3 and WAMR (bench/host)"
cargo run --locked --quiet --release --manifest-path "$KWASM_TOP/bench/host/Cargo.toml" \
	-- "$out/bench-staging/probes"

"$KWASM_TOP/scripts/stage-bpftrace.sh" "$out/bpftrace"
step "making the bench machine's initramfs (bpftrace's libraries make it about 80 MB)"
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/bench-initramfs.cpio.gz" "$out/bench-staging" "$out/bpftrace"
step "booting the bench machine for the guest benchmarks (a few minutes under TCG)"
# Multi-threaded TCG, so the two-vCPU rows show real parallel contention.
KWASM_TCG_THREAD=multi "$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" \
	"$out/bench-initramfs.cpio.gz" bench "$out/bench" 1800 "${KWASM_CMDLINE:-}"
"$KWASM_TOP/qemu/scan-splats.sh" "$out/bench/console.log"
