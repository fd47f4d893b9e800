#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds kwasm.ko and the test-only modules against KDIR and lays out what the test
# machine's /kwasm holds: modules, bats suite, probes.
#
# Usage: build-module.sh KDIR STAGING_DIR

. "$(dirname "$0")/common.sh"
kdir=$1 staging=$2
out=$KWASM_TOP/build
mkdir -p "$out"

step "building kwasm.ko against $kdir"
status=0
make -C "$kdir" M="$KWASM_TOP" -j"$(nproc)" modules 2>&1 | tee "$out/module-build.log" || status=$?
[ "$status" = 0 ] || die "building kwasm.ko failed (see above)"
# objtool warnings do not fail the build by themselves; here they do.
if grep -E 'objtool|warning:' "$out/module-build.log" | grep -v '^make'; then
	die "kwasm.ko built with warnings (above)"
fi
# No warnings means something only if objtool ran: with IBT it checks the linked kwasm.o,
# the engine object included, and Kbuild records the command it ran.
grep -q 'objtool/objtool .*--link .*kwasm\.o' "$KWASM_TOP/.kwasm.o.cmd" ||
	die "objtool did not check kwasm.o (see .kwasm.o.cmd)"
grep -q 'engine/kwasm_engine\.o' "$KWASM_TOP/.kwasm.mod.cmd" "$KWASM_TOP/kwasm.mod" ||
	die "kwasm.o does not link the engine object"
step "objtool checked kwasm.o (engine included): no warnings"

step "building the test-only modules"
make -C "$kdir" M="$KWASM_TOP/qemu/testmod" -j"$(nproc)" modules >"$out/testmod-build.log" 2>&1 ||
	{ cat "$out/testmod-build.log"; die "building the test modules failed"; }

rm -rf "$staging"
mkdir -p "$staging/test" "$staging/bats" "$staging/doc" "$staging/scripts"
cp "$KWASM_TOP/kwasm.ko" "$staging/"
cp "$KWASM_TOP"/qemu/testmod/*.ko "$staging/test/"
cp "$KWASM_TOP"/bats/*.bats "$KWASM_TOP"/bats/*.bash "$staging/bats/"
cp "$KWASM_TOP/qemu/demo.sh" "$staging/"
# The documentation's sessions run in the test machine (bats/docs.bats).
cp "$KWASM_TOP"/Documentation/*.rst "$staging/doc/"
cp "$KWASM_TOP/scripts/doc-block.sh" "$staging/scripts/"
"$KWASM_TOP/scripts/build-probes.sh" "$staging/probes" "$KWASM_TOP"/bats/probes/*.c \
	"$KWASM_TOP"/probes/examples/*.c
# Probes in Rust: each crate under probes/examples with a Cargo.toml.
for crate in "$KWASM_TOP"/probes/examples/*/Cargo.toml; do
	name=$(basename "$(dirname "$crate")")
	cargo build --locked --quiet -p "$name" --target wasm32-unknown-unknown --profile probe \
		--manifest-path "$KWASM_TOP/Cargo.toml"
	cp "$KWASM_TOP/target/wasm32-unknown-unknown/probe/$name.wasm" "$staging/probes/"
done
# The hostile corpus: WAT, assembled without validation (some are invalid on purpose),
# and a probe on the first 120 syscall entry points of this very kernel.
mkdir -p "$staging/hostile"
for wat in "$KWASM_TOP"/bats/hostile/*.wat; do
	wat2wasm --no-check "$wat" -o "$staging/hostile/$(basename "${wat%.wat}").wasm"
done
{
	echo "(module"
	awk '$3 ~ /^__x64_sys_[a-z0-9_]+$/ && !seen[$1]++ { print $3 }' "$kdir/System.map" | sort | sed -n 1,120p |
		while read -r sym; do echo "  (func (export \"kprobe:$sym:pre\"))"; done
	echo ")"
} >"$out/many_symbols.wat"
wat2wasm "$out/many_symbols.wat" -o "$staging/hostile/many_symbols.wasm"
# The differential conformance corpus, with what the host build of the engine reports.
cargo run --locked --quiet --release --example conformance -p kwasm-engine --features std \
	--manifest-path "$KWASM_TOP/Cargo.toml" -- "$staging/conformance" 300
mkdir -p "$staging/compat" "$staging/bin"
"$KWASM_TOP/scripts/build-probes.sh" --export-all "$staging/compat" "$KWASM_TOP"/probes/compat/*.c
gcc -static -O2 -Wall -Werror -o "$staging/bin/vforker" "$KWASM_TOP/qemu/bin/vforker.c"
cp "$staging/bin/vforker" "$staging/bin/vforker_other"
gcc -static -O2 -Wall -Werror -o "$staging/bin/syscall_loop" "$KWASM_TOP/qemu/bin/syscall_loop.c"
gcc -static -O2 -Wall -Werror -o "$staging/bin/mkdir_mode" "$KWASM_TOP/qemu/bin/mkdir_mode.c"
"$KWASM_TOP/scripts/build-probes.sh" "$staging/bench" "$KWASM_TOP"/bench/probes/*.c
"$KWASM_TOP/scripts/build-probes.sh" --export-all "$staging/bench" "$KWASM_TOP"/bench/compat/*.c
cp "$KWASM_TOP/qemu/bench.sh" "$staging/"
# Modules of growing code size for the load-time bench: N small functions each.
for n in 10 100 1000 5000; do
	{
		echo "(module"
		for i in $(seq 1 "$n"); do
			echo "(func (param i32) (result i32) (local i32) (loop (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const $i)))) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if 0 (local.get 0))) (local.get 1))"
		done
		echo ")"
	} >"$out/funcs$n.wat"
	wat2wasm "$out/funcs$n.wat" -o "$staging/bench/funcs$n.wasm"
done

# A process of several threads, for the task-identity tests (bats/sdk.bats).
gcc -static -O2 -Wall -Werror -pthread -o "$staging/bin/threads" "$KWASM_TOP/qemu/bin/threads.c"
# The Rust probe template, built as a user's copy of it is: outside this tree.
"$KWASM_TOP/scripts/build-probes.sh" --rust-template "$out/template-rust"
cp "$out/template-rust/my_probe.wasm" "$staging/probes/"
