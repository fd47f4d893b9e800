#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Where a bench row's instructions go, by kernel function (performance.rst, "Where a
# hit's instructions go"): the bench machine under -icount with bench/profile/tbcount.so,
# booted twice on one row, 1 and 3 rounds of N calls; the difference over 2N calls.
# Needs what `make bench` built (the bench kernel, build/bench-staging); no bpftrace.
#
# Usage: bench/profile/profile.sh ROW [N]     e.g. profile.sh counter

. "$(dirname "$0")/../../scripts/common.sh"
row=${1:?usage: profile.sh ROW [N]} n=${2:-100000}
out=$KWASM_TOP/build/profile
kdir=$("$KWASM_TOP/scripts/build-kernel.sh" bench)
[ -e "$KWASM_TOP/build/bench-staging/kwasm.ko" ] || die "no build/bench-staging: run make bench first"
mkdir -p "$out"
gcc -O2 -Wall -shared -fPIC -o "$out/tbcount.so" "$KWASM_TOP/bench/profile/tbcount.c"
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$KWASM_TOP/build/bench-staging" >/dev/null
for rounds in 1 3; do
	step "$row: $rounds round(s) of $n calls under -icount"
	rm -f "$out/$row.$rounds.counts"
	# nokaslr: the kernel's addresses are System.map's.
	KWASM_TCG_THREAD=single \
	KWASM_QEMU_ARGS="-icount shift=0,sleep=off -plugin $out/tbcount.so,out=$out/$row.$rounds.counts" \
		"$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" \
		bench "$out/$row.$rounds" 600 "nokaslr spectre_v2=off kwasm_bench_rows_only=1 kwasm_bench_kallsyms=1 kwasm_bench_rounds=$rounds kwasm_bench_n=$n kwasm_bench_only=$row" >/dev/null
	"$KWASM_TOP/qemu/scan-splats.sh" "$out/$row.$rounds/console.log" >/dev/null ||
		die "the guest splatted or did not finish (see $out/$row.$rounds/console.log)"
	[ -s "$out/$row.$rounds.counts" ] || die "no counts from QEMU (see $out/$row.$rounds/)"
done
grep -A1 '^config' "$out/$row.3/output.log"
"$KWASM_TOP/bench/profile/profile.py" "$kdir/System.map" $((2 * n)) \
	"$out/$row.1.counts" "$out/$row.1/output.log" "$out/$row.3.counts" "$out/$row.3/output.log"
