#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: the whole suite from nothing. Host setup, the engine's host tests, the test
# kernel, kwasm.ko, then the bats suite in QEMU with the splat scanner, and a run that
# proves the scanner fails a WARN. Ends with one line: N passed, N failed.

. "$(dirname "$0")/common.sh"
cd "$KWASM_TOP"
out=$KWASM_TOP/build
mkdir -p "$out"
passed=0 failed=0 skipped=0

# Records a host-side check as a TAP line, like the guest's.
host_result() { # STATUS NAME
	if [ "$1" = 0 ]; then
		echo "ok - host: $2"
		passed=$((passed + 1))
	else
		echo "not ok - host: $2"
		failed=$((failed + 1))
	fi
}

# Adds the counts of a TAP stream; a plan larger than what ran counts the rest as failed.
count_tap() { # FILE
	local ok notok skip plan
	ok=$(grep -cE '^ok ' "$1" || true)
	skip=$(grep -cE '^ok .*# [Ss][Kk][Ii][Pp]' "$1" || true)
	notok=$(grep -cE '^not ok ' "$1" || true)
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$1" | head -n1)
	plan=${plan:-0}
	if ((ok + notok < plan)); then
		echo "kwasm: the guest ran $((ok + notok)) of $plan tests" >&2
		notok=$((plan - ok))
	fi
	((plan > 0)) || notok=$((notok + 1))
	passed=$((passed + ok - skip)) failed=$((failed + notok)) skipped=$((skipped + skip))
}

step "setting up the host"
"$KWASM_TOP/scripts/setup-host.sh"

step "engine: cargo test on the host"
status=0
cargo test --locked -p kwasm-engine 2>&1 | tee "$out/cargo-test.log" || status=$?
read -r cp cf < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$out/cargo-test.log")
passed=$((passed + cp)) failed=$((failed + cf))
[ "$status" = 0 ] || { [ "$cf" -gt 0 ] || failed=$((failed + 1)); }

step "engine: a short fuzz run (${KWASM_FUZZ_SECONDS:-30} s per target)"
status=0
"$KWASM_TOP/scripts/fuzz.sh" "${KWASM_FUZZ_SECONDS:-30}" | tee "$out/fuzz.log" || status=$?
host_result "$status" "the engine's fuzz targets find nothing in ${KWASM_FUZZ_SECONDS:-30} s each"

kdir=$("$KWASM_TOP/scripts/build-kernel.sh")
"$KWASM_TOP/scripts/build-module.sh" "$kdir" "$out/staging"

step "booting the test machine: the bats suite (2 vCPUs, TCG)"
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$out/staging"
"$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" suite \
	"$out/suite" "${KWASM_SUITE_TIMEOUT:-1800}" "${KWASM_CMDLINE:-}"
count_tap "$out/suite/output.log"
status=0
"$KWASM_TOP/qemu/scan-splats.sh" "$out/suite/console.log" || status=$?
host_result "$status" "no kernel splat in the suite's console log, and the guest reached its end"

step "booting the test machine: a WARN that the scanner must catch"
"$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" warn \
	"$out/warn" 120 >/dev/null
status=0
"$KWASM_TOP/qemu/scan-splats.sh" "$out/warn/console.log" >"$out/warn/scan.log" 2>&1 || status=$?
grep -q 'WARNING:.*kwasm_test_warn' "$out/warn/scan.log" && [ "$status" = 1 ]
host_result $? "the splat scanner fails a run whose console shows a WARNING"
sed -n '1,3p' "$out/warn/scan.log"

summary="$passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
