# SPDX-License-Identifier: GPL-2.0
# Shared settings for the setup and test scripts: sourced, not run.

set -euo pipefail

KWASM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions
. "$KWASM_TOP/scripts/versions"

# Everything slow to make lives here, outside the clone, keyed by version.
KWASM_CACHE=${KWASM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kwasm}
mkdir -p "$KWASM_CACHE"

BINDGEN_ROOT=$KWASM_CACHE/tools/bindgen-cli-$BINDGEN_VERSION
LIBCLANG_ROOT=$KWASM_CACHE/tools/libclang-$LIBCLANG_VERSION
LIBCLANG_PATH=$LIBCLANG_ROOT/libclang-$LIBCLANG_VERSION.data/platlib/clang/native
export LIBCLANG_PATH
export PATH="$BINDGEN_ROOT/bin:$HOME/.cargo/bin:$PATH"
export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN

# Prints a progress line that stands out from the output of the tools.
step() {
	printf '>>> kwasm: %s\n' "$*" >&2
}

die() {
	printf 'kwasm: error: %s\n' "$*" >&2
	exit 1
}

# Installs the Debian packages named (NAME or NAME=VERSION) that are not installed, or
# not at that version; apt checks each against the signed archive.
install_debs() {
	local missing=() p want
	for p in "$@"; do
		want="install ok installed"
		[[ $p != *=* ]] || want+=" ${p#*=}"
		[[ "$(dpkg-query -W -f='${Status} ${Version}' "${p%%=*}" 2>/dev/null)" == "$want"* ]] ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	step "installing Debian packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}
