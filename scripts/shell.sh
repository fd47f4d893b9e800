#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make shell`: boots the test machine with a root shell on this terminal, for trying
# probes of one's own. kwasm.ko is /kwasm/kwasm.ko in it, the example probes are in
# /kwasm/probes, and the FILEs given (`make shell FILES="a.wasm b.wasm"`) are in /root,
# where the shell starts. `exit` ends the machine; nothing in it is kept.
#
# Usage: shell.sh [FILE...]

. "$(dirname "$0")/common.sh"
files=()
for f in "$@"; do
	[ -f "$f" ] || die "no file $f"
	files+=("$(realpath "$f")")
done
cd "$KWASM_TOP"
out=$KWASM_TOP/build
mkdir -p "$out"
"$KWASM_TOP/scripts/setup-host.sh"
kdir=$("$KWASM_TOP/scripts/build-kernel.sh")
"$KWASM_TOP/scripts/build-module.sh" "$kdir" "$out/staging" >"$out/shell-build.log" ||
	{ tail -n 20 "$out/shell-build.log" >&2; die "the build failed (all of it: build/shell-build.log)"; }
rm -rf "$out/shell-root"
mkdir -p "$out/shell-root/root"
[ ${#files[@]} = 0 ] || cp "${files[@]}" "$out/shell-root/root/"
"$KWASM_TOP/qemu/mkinitramfs.sh" "$out/shell-initramfs.cpio.gz" "$out/staging" "$out/shell-root"
step "booting the test machine (TCG, 2 vCPUs, about 20 s); 'exit' in its shell ends it"
"$KWASM_TOP/qemu/run.sh" "$kdir/arch/x86/boot/bzImage" "$out/shell-initramfs.cpio.gz" shell \
	"$out/shell" "${KWASM_SHELL_TIMEOUT:-7200}"
