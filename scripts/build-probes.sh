#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds probes written in C into Wasm modules: the one place the flags live.
#
# Usage: build-probes.sh [--export-all] OUTPUT_DIR SOURCE.c...
# --export-all builds the way probes for the wasm3 module were built (SPEC §2.1).

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
extra=()
if [ "$1" = --export-all ]; then
	extra=(-Wl,--export-all)
	shift
fi
out=$1
shift
mkdir -p "$out"

# No libc, no entry point; bulk memory turns memcpy/memset into Wasm instructions; a
# small stack keeps the linear memory within the default limit.
CFLAGS=(--target=wasm32 -O2 -nostdlib -mbulk-memory -ffreestanding
	-Wall -Werror -I "$top/probes/include")
LDFLAGS=(-Wl,--no-entry -Wl,-z,stack-size=16384 -Wl,--strip-debug)

for src in "$@"; do
	clang "${CFLAGS[@]}" "${LDFLAGS[@]}" "${extra[@]}" -o "$out/$(basename "${src%.c}").wasm" "$src"
done
