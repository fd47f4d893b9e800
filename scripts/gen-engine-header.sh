#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Generates src/kwasm_engine.h, the engine's C ABI, from the engine crate with cbindgen
# (engine/cbindgen.toml): the types and constants are defined once, in
# engine/src/cabi.rs, so C and Rust cannot disagree. Kbuild runs it before compiling any
# C file of the module. cbindgen is built once into the cache, at its pinned version.
#
# Usage: gen-engine-header.sh OUTPUT.h

# Keep the caller's toolchain for cargo metadata (as prepare-crates.sh does).
if [ -n "${RUSTUP_TOOLCHAIN+set}" ]; then
	caller_env=(env PATH="$PATH" RUSTUP_TOOLCHAIN="$RUSTUP_TOOLCHAIN")
else
	caller_env=(env -u RUSTUP_TOOLCHAIN PATH="$PATH")
fi
. "$(dirname "$0")/common.sh"
output=$1

root=$KWASM_CACHE/tools/cbindgen-$CBINDGEN_VERSION
if [ ! -x "$root/bin/cbindgen" ]; then
	step "building cbindgen $CBINDGEN_VERSION (about 2 minutes)"
	cargo install --locked --quiet cbindgen --version "=$CBINDGEN_VERSION" --root "$root" ||
		die "could not build cbindgen $CBINDGEN_VERSION"
fi
# The workspace's [patch.crates-io] path must exist for cargo metadata.
"$KWASM_TOP/scripts/prepare-crates.sh"
tmp=$output.tmp
"${caller_env[@]}" "$root/bin/cbindgen" --quiet --config "$KWASM_TOP/engine/cbindgen.toml" \
	--crate kwasm-engine --lockfile "$KWASM_TOP/Cargo.lock" --output "$tmp" "$KWASM_TOP" ||
	die "cbindgen could not generate $output"
# Only write a changed header, so that make rebuilds only what it must.
if cmp -s "$tmp" "$output"; then
	rm -f "$tmp"
else
	mv "$tmp" "$output"
fi
