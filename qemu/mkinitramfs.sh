#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Makes the test machine's initramfs: busybox, bash, bats, kwasm.ko, the test modules,
# the bats suite and the probes.
#
# Usage: mkinitramfs.sh OUTPUT.cpio.gz STAGING_DIR [ROOT_OVERLAY...]
# STAGING_DIR holds what the build produced, laid out as it goes under /kwasm; each
# ROOT_OVERLAY is copied over / (the bench's bpftrace and its libraries).

set -euo pipefail
out=$1
staging=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/libexec,etc,proc,sys,dev,tmp,root,kwasm}
cp /bin/busybox "$root/bin/busybox"
cp /bin/bash-static "$root/bin/bash"
ln -s bash "$root/bin/sh.bash"
cp /usr/bin/bats "$root/usr/bin/bats"
cp -r /usr/lib/bats-core "$root/usr/lib/"
cp -r /usr/libexec/bats-core "$root/usr/libexec/"
install -m 0755 "$top/qemu/init" "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
cp -r "$staging/." "$root/kwasm/"
for overlay in "$@"; do
	cp -r "$overlay/." "$root/"
done
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
