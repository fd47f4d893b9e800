#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configures and builds a kernel out of tree (O=) in the cache: tinyconfig plus
# qemu/kernel.config (the test kernel), plus qemu/bench.config for `bench` (the
# benchmark kernel). The build directory is keyed by the source version, the fragments
# and the compilers, so a fresh clone reuses it and a change rebuilds. Prints its path.
#
# Usage: build-kernel.sh [test|bench]

. "$(dirname "$0")/common.sh"

flavour=${1:-test}
fragments=("$KWASM_TOP/qemu/kernel.config")
case $flavour in
test) ;;
bench) fragments+=("$KWASM_TOP/qemu/bench.config") ;;
*) die "build-kernel.sh: no kernel flavour '$flavour' (test or bench)" ;;
esac
src=$("$KWASM_TOP/scripts/fetch-kernel.sh")
key=$( {
	# Only what the kernel build depends on: a new pin of a bench tool rebuilds nothing.
	echo "$LINUX_DEB_VERSION $RUST_TOOLCHAIN $BINDGEN_VERSION $LIBCLANG_VERSION"
	# The fragments' settings, not their comments: a reworded comment rebuilds nothing.
	grep -hE '^(CONFIG_|# CONFIG_)' "${fragments[@]}"
	rustc -V; gcc --version | head -n1; bindgen --version
} | sha256sum | cut -c1-12)
name=linux-${LINUX_DEB_VERSION//[~+]/_}
[ "$flavour" = test ] || name+=-$flavour
out=$KWASM_CACHE/kernel/$name-$key
if [ -e "$out/.kwasm-built" ]; then
	echo "$out"
	exit 0
fi

kmake() {
	make -C "$src" O="$out" -j"$(nproc)" "$@" >&2
}

mkdir -p "$out"
step "configuring the $flavour kernel in $out"
make -C "$src" -s rustavailable >&2 || die "the Rust toolchain does not suit this kernel (see above)"
kmake -s tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >/dev/null
kmake -s olddefconfig

# merge_config drops options whose dependencies are missing without failing: check
# each option's last setting (a later fragment overrides an earlier one).
declare -A want
for fragment in "${fragments[@]}"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) want[${line%%=*}]=$line ;;
		"# CONFIG_"*" is not set")
			opt=${line#"# "}
			want[${opt%" is not set"}]=
			;;
		esac
	done <"$fragment"
done
dropped=()
for opt in "${!want[@]}"; do
	if [ -n "${want[$opt]}" ]; then
		grep -qxF "${want[$opt]}" "$out/.config" || dropped+=("${want[$opt]}")
	else
		! grep -q "^$opt=" "$out/.config" || dropped+=("$opt=n")
	fi
done
if ((${#dropped[@]})); then
	die "these options did not survive the merge of ${fragments[*]##*/}: ${dropped[*]}"
fi

# 7.3's DYNAMIC_FTRACE_WITH_JMP makes ftrace_call_replace() emit a JMP, not a CALL, to an
# odd target address, and GCC at -Os leaves about half of all functions at odd addresses.
# kprobe_ftrace_handler is one of them: re-registering a kprobe at a function entry patches
# a JMP into the kprobe ftrace_ops trampoline's call slot, and the next hit returns to
# address 0. Documentation/building.rst has the details.
if [[ $(make -C "$src" -s kernelversion) == 7.3.* ]] &&
	grep -qx CONFIG_FUNCTION_TRACER=y "$out/.config" &&
	grep -qx CONFIG_CC_OPTIMIZE_FOR_SIZE=y "$out/.config"; then
	die "CONFIG_FUNCTION_TRACER with CONFIG_CC_OPTIMIZE_FOR_SIZE crashes 7.3 kernels:" \
		"at -Os functions lie at odd addresses, ftrace's DYNAMIC_FTRACE_WITH_JMP then" \
		"patches a JMP where a CALL belongs, and a kprobe registered at a function entry" \
		"a second time jumps to address 0 (see Documentation/building.rst)." \
		"Set CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE=y."
fi

step "building the $flavour kernel (bzImage and modules; about 5-25 minutes on 2 cores)"
start=$SECONDS
kmake
step "$flavour kernel built in $((SECONDS - start)) s"
touch "$out/.kwasm-built"
echo "$out"
