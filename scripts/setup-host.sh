#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and testing kwasm needs on the host, skipping what is there:
# Debian packages, rustup components, bindgen-cli and libclang; then the patched crates
# (scripts/prepare-crates.sh), which every cargo command in the workspaces needs. Idempotent.

. "$(dirname "$0")/common.sh"

DEB_PACKAGES=(
	bc bison flex libelf-dev libssl-dev cpio xz-utils zstd python3 rsync
	qemu-system-x86 busybox-static bash-static bats
	wabt clang lld libclang-dev patch
)

install_debs "${DEB_PACKAGES[@]}"

if ! rustup toolchain list | grep -q "^$RUST_TOOLCHAIN"; then
	step "installing Rust $RUST_TOOLCHAIN"
	rustup toolchain install --profile minimal "$RUST_TOOLCHAIN"
fi
components=$(rustup component list --installed --toolchain "$RUST_TOOLCHAIN")
grep -q '^rust-src' <<<"$components" || {
	step "adding rust-src to $RUST_TOOLCHAIN"
	rustup component add --toolchain "$RUST_TOOLCHAIN" rust-src
}
# make check checks the formatting, as the kernel's `make rustfmtcheck` does.
grep -q '^rustfmt' <<<"$components" || {
	step "adding rustfmt to $RUST_TOOLCHAIN"
	rustup component add --toolchain "$RUST_TOOLCHAIN" rustfmt
}
rustup target list --installed --toolchain "$RUST_TOOLCHAIN" | grep -q '^wasm32-unknown-unknown' || {
	step "adding the wasm32-unknown-unknown target"
	rustup target add --toolchain "$RUST_TOOLCHAIN" wasm32-unknown-unknown
}

if [ ! -x "$BINDGEN_ROOT/bin/bindgen" ]; then
	step "building bindgen-cli $BINDGEN_VERSION (about 2 minutes)"
	cargo install --locked --quiet bindgen-cli --version "=$BINDGEN_VERSION" --root "$BINDGEN_ROOT"
fi

if [ ! -e "$LIBCLANG_PATH/libclang.so" ]; then
	step "fetching libclang $LIBCLANG_VERSION from PyPI"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	python3 -m pip download --quiet --no-deps --only-binary=:all: \
		--platform manylinux2010_x86_64 -d "$tmp" "libclang==$LIBCLANG_VERSION"
	echo "$LIBCLANG_SHA256  $tmp/$LIBCLANG_WHEEL" | sha256sum -c --quiet ||
		die "$LIBCLANG_WHEEL does not match its pinned sha256"
	rm -rf "$LIBCLANG_ROOT"
	mkdir -p "$LIBCLANG_ROOT"
	python3 -m zipfile -e "$tmp/$LIBCLANG_WHEEL" "$LIBCLANG_ROOT"
	[ -e "$LIBCLANG_PATH/libclang.so" ] || die "no libclang.so in $LIBCLANG_WHEEL"
fi

"$KWASM_TOP/scripts/prepare-crates.sh"
