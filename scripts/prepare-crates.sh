#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Makes the crates.io releases that kwasm patches: for each crate below, cargo fetches the
# pinned release, its .crate must match the sha256 in scripts/versions, and it is unpacked
# into build/crates/NAME-VERSION with patches/NAME/*.patch applied in order. The
# workspaces' [patch.crates-io] sections point there. A stamp (the pins and the patches'
# contents) makes a second run instant; a changed pin or patch starts again from the
# pristine release.
#
# The patches are `git format-patch` output made in the crate's upstream repository, so
# their paths carry the crate's directory there (.cargo_vcs_info.json's path_in_vcs,
# crates/core for wasmi_core, crates/wasmi for wasmi) and upstream can `git am` them as
# they are.

# cargo fetches with the caller's toolchain: build-engine.sh runs under the rustc that built
# the kernel tree, which need not be the pinned one that common.sh selects.
if [ -n "${RUSTUP_TOOLCHAIN+set}" ]; then
	caller_env=(env PATH="$PATH" RUSTUP_TOOLCHAIN="$RUSTUP_TOOLCHAIN")
else
	caller_env=(env -u RUSTUP_TOOLCHAIN PATH="$PATH")
fi
. "$(dirname "$0")/common.sh"

# The patched crates: name, version, sha256 of the .crate (pinned in scripts/versions).
CRATES=(
	"wasmi_core $WASMI_CORE_VERSION $WASMI_CORE_SHA256"
	"wasmi $WASMI_VERSION $WASMI_SHA256"
)

crates_dir=$KWASM_TOP/build/crates
cargo_home=${CARGO_HOME:-$HOME/.cargo}

# Puts NAME-VERSION's .crate in cargo's cache, fetched by cargo from crates.io as a
# dependency of a throwaway package, unless it is there already.
fetch_crate() { # NAME VERSION
	local name=$1 version=$2 fetch=$crates_dir/fetch/$1-$2
	compgen -G "$cargo_home/registry/cache/*/$name-$version.crate" >/dev/null && return 0
	step "fetching $name $version from crates.io"
	mkdir -p "$fetch"
	cat >"$fetch/Cargo.toml" <<-EOF
		[package]
		name = "kwasm-fetch"
		version = "0.0.0"
		edition = "2021"
		publish = false

		[lib]
		path = "lib.rs"

		[workspace]

		[dependencies]
		$name = { version = "=$version", default-features = false }
	EOF
	: >"$fetch/lib.rs"
	"${caller_env[@]}" cargo fetch --quiet --manifest-path "$fetch/Cargo.toml" ||
		die "cargo could not fetch $name $version from crates.io"
}

# Prints the path of NAME-VERSION's .crate in cargo's cache, checked against SHA256.
checked_crate() { # NAME VERSION SHA256
	local name=$1 version=$2 sha=$3 file found= have
	for file in "$cargo_home"/registry/cache/*/"$name-$version.crate"; do
		[ -e "$file" ] || continue
		have=$(sha256sum <"$file" | cut -d' ' -f1)
		[ "$have" = "$sha" ] ||
			die "$file has sha256 $have, not the $sha pinned for $name $version in scripts/versions"
		found=$file
	done
	[ -n "$found" ] || die "cargo fetched no $name-$version.crate into $cargo_home/registry/cache"
	printf '%s\n' "$found"
}

prepare() { # NAME VERSION SHA256
	local name=$1 version=$2 sha=$3
	local dest=$crates_dir/$name-$version stamp=$crates_dir/$name-$version.stamp
	local patches=() p want crate tmp vcs strip
	for p in "$KWASM_TOP/patches/$name"/*.patch; do
		[ -e "$p" ] && patches+=("$p")
	done
	want=$( {
		printf '%s\n' "$name" "$version" "$sha"
		for p in ${patches[@]+"${patches[@]}"}; do
			printf '%s\n' "${p##*/}"
			cat "$p"
		done
	} | sha256sum | cut -c1-16)
	[ -d "$dest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
	# Out of date: nothing stale stays behind for cargo to build, even if this fails.
	tmp=$crates_dir/.$name-$version.new
	rm -rf "$dest" "$stamp" "$tmp" "$tmp.log"

	fetch_crate "$name" "$version"
	crate=$(checked_crate "$name" "$version" "$sha")
	step "unpacking $name $version and applying ${#patches[@]} patch(es) from patches/$name"
	mkdir -p "$tmp"
	# --touch: every file is newer than any earlier build of it, so that cargo, which
	# compares modification times, rebuilds when a patch changes or goes.
	tar -xzf "$crate" --touch -C "$tmp" --strip-components=1 "$name-$version"
	# Strip a/ and the crate's directory in its upstream repository.
	vcs=$(sed -n 's/.*"path_in_vcs": *"\([^"]*\)".*/\1/p' "$tmp/.cargo_vcs_info.json" 2>/dev/null || true)
	strip=1
	[ -z "$vcs" ] || strip=$((strip + $(tr -cd / <<<"$vcs" | wc -c) + 1))
	for p in ${patches[@]+"${patches[@]}"}; do
		patch -d "$tmp" -p"$strip" --batch --forward --fuzz=0 --no-backup-if-mismatch \
			--quiet <"$p" >"$tmp.log" 2>&1 ||
			die "patches/$name/${p##*/} no longer applies to the pristine $name $version; refresh it (patch said: $(tr -s '\n' ' ' <"$tmp.log" | sed 's/ *$//'))"
	done
	rm -f "$tmp.log"
	mv "$tmp" "$dest"
	printf '%s\n' "$want" >"$stamp"
}

command -v patch >/dev/null || die "patch(1) is missing (Debian package patch)"
for c in "${CRATES[@]}"; do
	# shellcheck disable=SC2086 # three words
	prepare $c
done
