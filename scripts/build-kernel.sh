#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configures and builds the test kernel out of tree (O=) in the cache: tinyconfig plus
# qemu/kernel.config. The build directory is keyed by the source version, the fragment
# and the compilers, so a fresh clone reuses it and a change rebuilds. Prints its path.

. "$(dirname "$0")/common.sh"

src=$("$KWASM_TOP/scripts/fetch-kernel.sh")
fragment=$KWASM_TOP/qemu/kernel.config
key=$( {
	cat "$KWASM_TOP/scripts/versions" "$fragment"
	rustc -V; gcc --version | head -n1; bindgen --version
} | sha256sum | cut -c1-12)
out=$KWASM_CACHE/kernel/linux-${LINUX_DEB_VERSION//[~+]/_}-$key
if [ -e "$out/.kwasm-built" ]; then
	echo "$out"
	exit 0
fi

kmake() {
	make -C "$src" O="$out" -j"$(nproc)" "$@" >&2
}

mkdir -p "$out"
step "configuring the test kernel in $out"
make -C "$src" -s rustavailable >&2 || die "the Rust toolchain does not suit this kernel (see above)"
kmake -s tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >/dev/null
kmake -s olddefconfig

# merge_config drops options whose dependencies are missing without failing: check.
dropped=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" || dropped+=("$line") ;;
	"# CONFIG_"*" is not set")
		opt=${line#"# "}
		opt=${opt%" is not set"}
		! grep -q "^$opt=" "$out/.config" || dropped+=("$opt=n")
		;;
	esac
done <"$fragment"
if ((${#dropped[@]})); then
	die "these options of qemu/kernel.config did not survive the merge: ${dropped[*]}"
fi

step "building the test kernel (bzImage and modules; about 5 minutes on 2 cores)"
start=$SECONDS
kmake
step "test kernel built in $((SECONDS - start)) s"
touch "$out/.kwasm-built"
echo "$out"
