#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetches Debian's linux-source package at the pinned version through a private apt
# configuration (the system's package set is never upgraded) and unpacks it into the cache.
# Prints the path of the unpacked source tree.

. "$(dirname "$0")/common.sh"

pkg=linux-source-$LINUX_SERIES
src=$KWASM_CACHE/src/linux-source-${LINUX_DEB_VERSION//[~+]/_}
if [ -e "$src/.kwasm-unpacked" ]; then
	echo "$src"
	exit 0
fi

# The machine's own Debian mirror, so the private source goes where apt already goes.
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

apt_dir=$KWASM_CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$KWASM_CACHE/src"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $LINUX_SUITE main" \
	>"$apt_dir/sources.list"
apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/parts"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache::Archives=$apt_dir/archives"
	-o "APT::Get::List-Cleanup=0"
	-o "APT::Sandbox::User=root"
)

step "fetching $pkg $LINUX_DEB_VERSION from $LINUX_SUITE (about 170 MB)"
apt-get -q "${apt_opts[@]}" update >&2
if ! apt-cache "${apt_opts[@]}" show "$pkg=$LINUX_DEB_VERSION" >/dev/null 2>&1; then
	have=$(apt-cache "${apt_opts[@]}" madison "$pkg" 2>/dev/null | awk '{ print $3 }' | xargs)
	die "$pkg $LINUX_DEB_VERSION is no longer in $LINUX_SUITE (it has: ${have:-nothing})." \
		"Set LINUX_DEB_VERSION (and LINUX_SERIES) in scripts/versions."
fi
tmp=$(mktemp -d "$KWASM_CACHE/src/fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get -q "${apt_opts[@]}" download "$pkg=$LINUX_DEB_VERSION" >&2)

step "unpacking the kernel source"
dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb |
	tar -xO "./usr/src/$pkg.tar.xz" | tar -xJ -C "$tmp"
rm -rf "$src"
mv "$tmp/$pkg" "$src"
touch "$src/.kwasm-unpacked"
echo "$src"
