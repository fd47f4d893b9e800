#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make fuzz`: runs the engine's cargo-fuzz targets (engine/fuzz) for SECONDS each, with
# AddressSanitizer, keeping their corpora in the cache. A crash fails the run and leaves
# its input in engine/fuzz/artifacts/; keep it in engine/fuzz/seeds/TARGET/, which every
# run replays first, and if it is a module, in engine/tests/fuzz_regressions/ too, so
# `cargo test` runs it from then on.
#
# Usage: fuzz.sh [SECONDS] [TARGET...]

. "$(dirname "$0")/common.sh"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load smith format)

CARGO_FUZZ_VERSION=0.13.2
fuzz_root=$KWASM_CACHE/tools/cargo-fuzz-$CARGO_FUZZ_VERSION
if [ ! -x "$fuzz_root/bin/cargo-fuzz" ]; then
	step "building cargo-fuzz $CARGO_FUZZ_VERSION"
	cargo install --locked --quiet cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --root "$fuzz_root"
fi
export PATH="$fuzz_root/bin:$PATH"
# cargo fuzz needs nightly features (-Zsanitizer); the pinned stable toolchain has them
# behind RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1

"$KWASM_TOP/scripts/prepare-crates.sh"
cd "$KWASM_TOP/engine"
# A target directory per clone: shared between clones, cargo would take one clone's build
# for another's (see scripts/build-engine.sh).
target_dir=$KWASM_CACHE/fuzz/target-$(printf '%s' "$KWASM_TOP" | sha256sum | cut -c1-12)
find "$KWASM_CACHE/fuzz" -mindepth 1 -maxdepth 1 -name 'target-*' -mtime +7 -exec rm -rf {} + 2>/dev/null || true
status=0
for t in "${targets[@]}"; do
	corpus=$KWASM_CACHE/fuzz/corpus/$t
	mkdir -p "$corpus"
	step "fuzzing $t for $seconds s"
	log=$KWASM_TOP/build/fuzz-$t.log
	mkdir -p "$KWASM_TOP/build"
	# Inputs that once crashed (fuzz/seeds/TARGET) are read at the start of every run.
	if cargo fuzz run --fuzz-dir fuzz --target-dir "$target_dir" "$t" "$corpus" "fuzz/seeds/$t" -- \
		-max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
		>"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
		echo "fuzz $t: ok, ${runs:-?} executions in $seconds s, $cov, corpus $(ls "$corpus" | wc -l) inputs"
	else
		echo "fuzz $t: FAILED (see $log):"
		grep -E 'ERROR|panicked|SUMMARY|artifact' "$log" | sed -n 1,20p
		status=1
	fi
done
exit $status
