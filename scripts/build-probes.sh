#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds probes written in C into Wasm modules: the one place the flags live. Also builds
# the standalone Rust template as a user builds a copy of it.
#
# Usage: build-probes.sh [--export-all] OUTPUT_DIR SOURCE.c...
#        build-probes.sh --flags
#        build-probes.sh --rust-template OUTPUT_DIR
# --export-all builds exactly the way probes for the wasm3 module were built (probe-abi.rst),
# with that module's command line and nothing of ours, so they are tested unchanged.
# --flags prints the flags as probes/include/kwasm.h and writing-probes.rst show them (the
# include directory relative to the top of the tree); make check holds them to it.
# --rust-template copies probes/template-rust out of this tree, points it at this tree's
# kwasm-probe, builds it offline (nothing of this tree's workspace or cargo configuration
# applies there) and puts my_probe.wasm and the copy's Cargo.lock in OUTPUT_DIR.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# No libc, no entry point; bulk memory turns memcpy/memset into Wasm instructions; a
# small stack keeps the linear memory within the default limit.
FLAGS=(--target=wasm32 -O2 -nostdlib -mbulk-memory -ffreestanding -I "$top/probes/include"
	-Wl,--no-entry -Wl,-z,stack-size=16384)
if [ "${1-}" = --flags ]; then
	echo "${FLAGS[@]/#$top\//}"
	exit 0
fi
if [ "$1" = --rust-template ]; then
	mkdir -p "$2"
	out=$(cd "$2" && pwd)
	copy=$(mktemp -d)
	trap 'rm -rf "$copy"' EXIT
	cp -r "$top/probes/template-rust/." "$copy/"
	sed -i "s|^kwasm-probe = { path = \"../rust/kwasm-probe\" }$|kwasm-probe = { path = \"$top/probes/rust/kwasm-probe\" }|" \
		"$copy/Cargo.toml"
	grep -qF "path = \"$top/probes/rust/kwasm-probe\"" "$copy/Cargo.toml" ||
		{ echo "build-probes.sh: no kwasm-probe path to set in template-rust/Cargo.toml" >&2; exit 1; }
	(cd "$copy" && cargo build --release --offline --quiet)
	cp "$copy/target/wasm32-unknown-unknown/release/my_probe.wasm" "$copy/Cargo.lock" "$out/"
	exit 0
fi
# The probes of this tree are warning-free too.
FLAGS+=(-Wall -Werror)
if [ "$1" = --export-all ]; then
	FLAGS=(--target=wasm32 -nostdlib -Wl,--no-entry -Wl,--export-all)
	shift
fi
out=$1
shift
mkdir -p "$out"

for src in "$@"; do
	clang "${FLAGS[@]}" -o "$out/$(basename "${src%.c}").wasm" "$src"
done
