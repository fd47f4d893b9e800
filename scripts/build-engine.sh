#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the engine (engine/kernel, a staticlib over wasmi) for a kernel tree and makes it
# one relocatable object that exports only the engine's C ABI.
#
# Usage: build-engine.sh OBJTREE OUTPUT.o
# Kbuild runs it with KWASM_KBUILD_RUSTFLAGS set to the tree's KBUILD_RUSTFLAGS, so the
# engine is compiled with the same code-generation flags (mitigations, CET, code model) as
# the module; objtool then checks it with the rest of kwasm.o.

set -euo pipefail
objtree=$(cd "$1" && pwd)
output=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KWASM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kwasm}

die() {
	printf 'kwasm: build-engine: %s\n' "$*" >&2
	exit 1
}

# The module and the engine must come from the rustc that built the tree.
want=$(sed -n 's/^CONFIG_RUSTC_VERSION=//p' "$objtree/include/config/auto.conf")
have=$(rustc --version | awk '{ split($2, v, /[.-]/); printf "%d", v[1] * 100000 + v[2] * 100 + v[3] }')
[ "$want" = "$have" ] || die "rustc $(rustc --version) is not the one that built $objtree ($want)"

# Of the tree's flags keep those that shape generated code; drop language, lint, debug,
# LTO and crate-level ones, which belong to the kernel's crates and not to wasmi's.
flags=()
for f in ${KWASM_KBUILD_RUSTFLAGS:-}; do
	case "$f" in
	-Cembed-bitcode* | -Clto* | -Cdebug* | -Copt-level* | -Cpanic* | -Coverflow-checks* | \
		-Cstrip* | -Zallow-features* | -Zcrate-attr* | -Zunstable-options | -Zdwarf-version* | \
		-Zdebuginfo* | -Zbinary-dep-depinfo*) ;;
	-C* | -Z*) flags+=("$f") ;;
	esac
done
[ ${#flags[@]} -gt 0 ] || die "no KBUILD_RUSTFLAGS: run me through Kbuild (make KDIR=...)"
# The optimization level is the tree's (2, or s for CONFIG_CC_OPTIMIZE_FOR_SIZE), given to
# cargo's profile rather than as a flag, so that it holds for the standard library too.
opt_level=$(printf '%s\n' ${KWASM_KBUILD_RUSTFLAGS:-} | sed -n 's/^-Copt-level=//p' | tail -n1)
opt_level=${opt_level:-2}
# Function sections let the final link drop what the C ABI does not reach (such as
# compiler_builtins' __rust_probestack, whose naked return objtool rightly rejects), and
# legacy mangling keeps generic-heavy names under objtool's limit for its __pfx_ symbols.
flags+=(-Zfunction-sections=y -Zunstable-options -Csymbol-mangling-version=legacy)

# The crates kwasm patches, which the workspace's [patch.crates-io] takes from build/crates.
"$top/scripts/prepare-crates.sh"

# The finished object is cached by everything it is made from: the flags, the tree, the
# engine's sources, the manifests, the lock file, the patched crates' pins and patches,
# and the patched crates as build/crates holds them, so that a change tried there in
# place (before it is a patch) is not cached as if it were the patches' build. A fresh
# clone of the same sources reuses it at once.
sources() {
	# shellcheck disable=SC1091 # the pins
	. "$top/scripts/versions"
	find "$top/engine/src" "$top/engine/kernel" "$top/patches" \
		"$top/build/crates/wasmi-$WASMI_VERSION" "$top/build/crates/wasmi_core-$WASMI_CORE_VERSION" \
		-name .git -prune -o -type f ! -name Cargo.lock -print | LC_ALL=C sort
	echo "$top/Cargo.toml" "$top/Cargo.lock" "$top/engine/Cargo.toml" "$top/scripts/build-engine.sh"
}
content=$( {
	printf '%s\n' "${flags[@]}" "opt-level=$opt_level" "$objtree" "$(rustc -V)"
	grep '^WASMI' "$top/scripts/versions"
	# shellcheck disable=SC2046 # one path per word
	cat $(sources)
} | sha256sum | cut -c1-16)
cached=$cache/engine-obj/$content.o
if [ -e "$cached" ]; then
	cp "$cached" "$output"
	exit 0
fi

# Otherwise cargo builds in a target directory of this clone's own. It must not be shared
# between clones: cargo names a workspace member's build by its path relative to the
# workspace, so two clones would share one fingerprint, whose dep-info lists the other
# clone's files, and a changed source here would be taken as built.
key=$(printf '%s\n' "${flags[@]}" "opt-level=$opt_level" "$objtree" "$top" | sha256sum | cut -c1-12)
target_dir=$cache/engine-target/$key
mkdir -p "$target_dir" "$cache/engine-obj"
# Clones come and go (CI makes a new one each run): forget their builds after a week.
find "$cache/engine-target" "$cache/engine-obj" -mindepth 1 -maxdepth 1 -mtime +7 \
	-exec rm -rf {} + 2>/dev/null || true

RUSTC_BOOTSTRAP=1 RUSTFLAGS="${flags[*]}" CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt_level cargo build \
	--manifest-path "$top/Cargo.toml" --locked --release --quiet \
	-p kwasm-engine-kernel --target-dir "$target_dir" \
	--target "$objtree/scripts/target.json" -Zjson-target-spec \
	-Zbuild-std=core,alloc
archive=$target_dir/target/release/libkwasm_engine_kernel.a
[ -e "$archive" ] || die "cargo built no $archive"

# The C ABI, as the header declares it: the roots of the final link.
api=$(grep -oE '\bkwasm_engine_[a-z0-9_]+\(' "$top/src/kwasm_engine.h" | tr -d '(' | sort -u)
[ -n "$api" ] || die "no kwasm_engine_* functions in src/kwasm_engine.h"
roots=() keep=()
for s in $api; do
	roots+=("--require-defined=$s")
	keep+=("--keep-global-symbol=$s")
done

# One object holding only what the C ABI reaches, without LTO's bitcode sections (they
# also confuse binutils' LLVM plugin); only the C ABI stays global.
tmp=$output.tmp
${LD:-ld} -r --gc-sections "${roots[@]}" --whole-archive "$archive" -o "$tmp"
${OBJCOPY:-objcopy} --remove-section=.llvmbc --remove-section=.llvmcmd "${keep[@]}" "$tmp" "$output"
rm -f "$tmp"

# What the engine needs from outside must be a known, small set.
unexpected=$(${NM:-nm} -u "$output" | awk '{ print $2 }' | grep -Ev \
	'^(memcpy|memmove|memset|memcmp|bcmp|kwasm_rt_[a-z_]+|__x86_indirect_thunk_[a-z0-9]+|__x86_return_thunk|__fentry__)$' || true)
[ -z "$unexpected" ] || die "the engine object needs unexpected symbols:" $unexpected
cp "$output" "$cached.tmp" && mv "$cached.tmp" "$cached"
