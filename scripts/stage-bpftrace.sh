#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lays out Debian's bpftrace (pinned in scripts/versions) with every shared library it
# loads, at their own paths under DIR, for the benchmark machine's initramfs. Installs
# the package on the host first if needed.
#
# Usage: stage-bpftrace.sh DIR

. "$(dirname "$0")/common.sh"
dir=$1

install_debs "bpftrace=$BPFTRACE_DEB_VERSION"

rm -rf "$dir"
mkdir -p "$dir"
# ldd prints "name => /path (addr)" per library and "/path (addr)" for the loader.
files=(/usr/bin/bpftrace)
while read -r path; do
	files+=("$path")
done < <(ldd /usr/bin/bpftrace | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
((${#files[@]} > 5)) || die "ldd found too few libraries for bpftrace: ${files[*]}"
for f in "${files[@]}"; do
	mkdir -p "$dir$(dirname "$f")"
	cp -L "$f" "$dir$f"
done
# The kernel's UAPI headers, as a distribution has them (Debian's linux-libc-dev): on a
# kernel without BTF, as the bench kernel is, bpftrace compiles a tracepoint's args
# struct with clang, which includes linux/types.h.
install_debs linux-libc-dev
for d in /usr/include/linux /usr/include/asm-generic /usr/include/x86_64-linux-gnu/asm; do
	[ -d "$d" ] || die "linux-libc-dev has no $d"
	mkdir -p "$dir$(dirname "$d")"
	cp -a "$d" "$dir$d"
done
echo "bpftrace $BPFTRACE_DEB_VERSION staged: ${#files[@]} files and the UAPI headers, $(du -sm "$dir" | cut -f1) MB" >&2
