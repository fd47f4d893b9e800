#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds probes written in C into Wasm modules: the one place the flags live.
#
# Usage: build-probes.sh [--export-all] OUTPUT_DIR SOURCE.c...
# --export-all builds exactly the way probes for the wasm3 module were built (probe-abi.rst),
# with that module's command line and nothing of ours, so they are tested unchanged.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# No libc, no entry point; bulk memory turns memcpy/memset into Wasm instructions; a
# small stack keeps the linear memory within the default limit.
FLAGS=(--target=wasm32 -O2 -nostdlib -mbulk-memory -ffreestanding
	-Wall -Werror -I "$top/probes/include"
	-Wl,--no-entry -Wl,-z,stack-size=16384 -Wl,--strip-debug)
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
