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
# The worst cases' probes and a module of max_code_bytes (1 MiB), for the guest's table
# and the native runner below.
"$KWASM_TOP/bench/worst/build.sh" "$out/bench-staging/worst"
size "$out/bench-staging/kwasm.ko" "$KWASM_TOP/engine/kwasm_engine.o" | awk '
	NR == 2 { printf "kwasm.ko: text %d, data %d, bss %d bytes", $1, $2, $3 }
	NR == 3 { printf " (the engine object: text %d)\n", $1 }'

step "the engine alone on the host, with native, wasm3 and WAMR (bench/host)"
cargo run --locked --quiet --release --manifest-path "$KWASM_TOP/bench/host/Cargo.toml" \
	-- "$out/bench-staging/probes"


step "the guest's worst cases natively: the same probes through the engine on this CPU"
# bench/host's target directory (ignored by git): the engine and wasmi, built with the
# same profile and features, are compiled once for both.
CARGO_TARGET_DIR=$KWASM_TOP/bench/host/target cargo run --locked --quiet --release \
	--manifest-path "$KWASM_TOP/bench/worst/native/Cargo.toml" -- "$out/bench-staging/worst" |
	tee "$out/worst-native.txt"

"$KWASM_TOP/scripts/stage-bpftrace.sh" "$out/bpftrace"
step "making the bench machine's initramfs (bpftrace's libraries make it about 80 MB)"
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/bench-initramfs.cpio.gz" "$out/bench-staging" "$out/bpftrace"
step "booting the bench machine for the guest benchmarks (a few minutes under TCG)"
# Multi-threaded TCG, so the two-vCPU rows show real parallel contention.
KWASM_TCG_THREAD=multi "$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" \
	"$out/bench-initramfs.cpio.gz" bench "$out/bench" 1800 "${KWASM_CMDLINE:-}"
# TCG offers no enhanced IBRS, so the guest kernel protects indirect branches with
# retpolines, which the hardware kwasm is for (eIBRS or AutoIBRS) does not use, and which
# cost an interpreter (an indirect branch per Wasm op) far more than a BPF program.
# performance.rst, "Retpolines": the main rows again, on plain indirect branches.
step "booting it again without retpolines (spectre_v2=off), for the main rows"
KWASM_TCG_THREAD=multi "$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" \
	"$out/bench-initramfs.cpio.gz" bench "$out/bench-no-retpolines" 1200 \
	"spectre_v2=off kwasm_bench_rows_only=1 kwasm_bench_only=baseline,bare,empty,counter,tp_bare,tp_counter,kp_bare,kp_counter,stream,stream_literal,puts_bare,printk_bare,percpu_counter,map_count,map_count_key ${KWASM_CMDLINE:-}"
"$KWASM_TOP/qemu/scan-splats.sh" "$out/bench-no-retpolines/console.log"
# The two boots above time TCG on a shared host: the same build's ratios moved up to
# threefold between boots (performance.rst, "Counting instructions"). With -icount, the
# guest's clock is its instruction count (shift=0: one instruction a nanosecond), so its
# "ns" are instructions executed, whatever else the host runs. -icount needs
# single-threaded TCG; the two-vCPU rows stay with the boots above.
step "booting it a third time, counting instructions (-icount), for the main rows"
KWASM_TCG_THREAD=single KWASM_QEMU_ARGS="-icount shift=0,sleep=off" \
	"$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" \
	"$out/bench-initramfs.cpio.gz" bench "$out/bench-icount" 1200 \
	"spectre_v2=off kwasm_bench_rows_only=1 kwasm_bench_icount=1 kwasm_bench_rounds=5 kwasm_bench_only=baseline,bare,empty,counter,tp_bare,tp_counter,kp_bare,kp_counter,stream,stream_literal,puts_bare,printk_bare,percpu_counter,map_count,map_count_key ${KWASM_CMDLINE:-}"
"$KWASM_TOP/qemu/scan-splats.sh" "$out/bench-icount/console.log"
# Each worst case in the guest (TCG) over the same case natively: TCG's slowdown on that
# very work, to read the guest's figures as native ones. report: its own loop (the cat
# around it has no native counterpart).
awk 'FNR == 1 { file++; t = 0 } /^worst cases/ { t = 1; next } !t { next }
	# The header: "fuel N" per column, from the native table.
	$1 == "case" && file == 1 { for (i = 3; i < NF; i++) if ($i == "fuel") fuel[++cols] = $(i + 1) }
	$1 == "case" || NF < 4 { next }
	$2 == "ms" {
		row = ""
		for (i = 3; i < NF; i++) row = row " " $i
		if (file == 1) { n[$1] = row } else if ($1 in n) { g[$1] = row; order[++k] = $1 }
	}
	END {
		if (!k) exit
		print ""
		print "worst cases, guest (TCG) time / native time, same probe and fuel"
		printf "%-16s", "case"
		for (j = 1; j <= cols; j++) printf " %14s", "fuel " fuel[j]
		printf "\n"
		for (i = 1; i <= k; i++) {
			r = order[i]
			if (r == "report") continue
			split(n[r], a, " ")
			split(g[r], b, " ")
			printf "%-16s", r
			for (j = 1; j <= cols; j++)
				printf " %14s", (a[j] > 0 && b[j] != "-") ? sprintf("%.1f", b[j] / a[j]) : "-"
			printf "\n"
		}
	}' "$out/worst-native.txt" "$out/bench/output.log"
"$KWASM_TOP/qemu/scan-splats.sh" "$out/bench/console.log"
