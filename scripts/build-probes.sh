#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds probes written in C into Wasm modules: the one place the flags live.
#
# Usage: build-probes.sh [--export-all] OUTPUT_DIR SOURCE.c...
#        build-probes.sh --flags
# --export-all builds exactly the way probes for the wasm3 module were built (probe-abi.rst),
# with that module's command line and nothing of ours, so they are tested unchanged.
# --flags prints the flags as probes/include/kwasm.h and writing-probes.rst show them (the
# include directory relative to the top of the tree); make check holds them to it.

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
