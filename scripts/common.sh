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
