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
cp "$KWASM_TOP"/bats/*.bats "$KWASM_TOP"/bats/*.bash "$KWASM_TOP"/bats/*.sh "$staging/bats/"
cp "$KWASM_TOP/qemu/demo.sh" "$staging/"
# The documentation's sessions run in the test machine (bats/docs.bats).
cp "$KWASM_TOP"/Documentation/*.rst "$staging/doc/"
cp "$KWASM_TOP/scripts/doc-block.sh" "$staging/scripts/"
"$KWASM_TOP/scripts/build-probes.sh" "$staging/probes" "$KWASM_TOP"/bats/probes/*.c \
	"$KWASM_TOP"/probes/examples/*.c
# Probes in Rust: each crate under probes/examples and bats/probes with a Cargo.toml.
for crate in "$KWASM_TOP"/probes/examples/*/Cargo.toml "$KWASM_TOP"/bats/probes/*/Cargo.toml; do
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
# The sandbox cases of bats/sandbox.bats too large to write by hand. Attach points at
# max_attach_points' default (128) and one over, on this kernel's syscall entry points.
for n in 128 129; do
	{
		echo "(module"
		awk '$3 ~ /^__x64_sys_[a-z0-9_]+$/ && !seen[$1]++ { print $3 }' "$kdir/System.map" | sort |
			sed -n "1,${n}p" | while read -r sym; do echo "  (func (export \"kprobe:$sym:pre\"))"; done
		echo ")"
	} >"$out/attach_$n.wat"
	wat2wasm "$out/attach_$n.wat" -o "$staging/hostile/attach_$n.wasm"
done
# Binary modules written directly (wat2wasm's parser recurses on nested blocks, and a
# 4-million-item segment is 8 MB of text): each has function 0 () -> () that does
# nothing, 1 the handler on kprobe:__x64_sys_mkdir:pre (or on the test module's
# kwasm_test_notrace, whose kprobe is int3 or a jump, never ftrace), 2 report, which
# returns global 0 as one decimal digit; one page of memory.
python3 - "$staging/hostile" <<'EOF'
import sys


def leb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        done = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def vec(items):
    return leb(len(items)) + b"".join(items)


def name(s):
    return leb(len(s)) + s.encode()


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def const(n):
    return b"\x41" + sleb(n)


END, BLOCK = b"\x0b", b"\x02\x40"
GET0, SET0 = b"\x23\x00", b"\x24\x00"
COUNT = GET0 + const(1) + b"\x6a" + SET0
ELEM_DROP, DATA_DROP = b"\xfc\x0d\x00", b"\xfc\x09\x00"
REPORT = (const(0) + GET0 + const(48) + b"\x6a" + b"\x3a\x00\x00"
          + const(1) + const(0) + b"\x3a\x00\x00" + const(0))


def module(handler, report=REPORT, elem=None, data=None, symbol="__x64_sys_mkdir"):
    """elem: a passive element segment of that many items (function 0, one byte each);
    data: a passive data segment of that many bytes."""
    types = vec([b"\x60\x00\x00", b"\x60\x00\x01\x7f"])
    exports = [name(f"kprobe:{symbol}:pre") + b"\x00\x01", name("report") + b"\x00\x02",
               name("memory") + b"\x02\x00"]
    secs = [section(1, types), section(3, vec([b"\x00", b"\x00", b"\x01"])),
            section(5, vec([b"\x00\x01"])), section(6, vec([b"\x7f\x01" + const(0) + END])),
            section(7, vec(exports))]
    if elem is not None:
        secs.append(section(9, leb(1) + b"\x01\x00" + leb(elem) + b"\x00" * elem))
    if data is not None:
        secs.append(section(12, leb(1)))
    bodies = [b"\x00" + code + END for code in (b"", handler, report)]
    secs.append(section(10, vec([leb(len(b)) + b for b in bodies])))
    if data is not None:
        secs.append(section(11, leb(1) + b"\x01" + leb(data) + b"x" * data))
    return b"\0asm\1\0\0\0" + b"".join(secs)


def write(case, code):
    with open(f"{sys.argv[1]}/{case}.wasm", "wb") as f:
        f.write(code)


# elem.drop of a 16384-item segment and data.drop of a 64 KiB one, in a handler and in
# report; the handler counts its hits in global 0 (on the notrace function, for the
# jump-optimized path).
NOTRACE = "kwasm_test_notrace"
write("elem_drop_handler", module(ELEM_DROP + COUNT, elem=16384, symbol=NOTRACE))
write("elem_drop_report", module(COUNT, ELEM_DROP + REPORT, elem=16384))
write("data_drop_handler", module(DATA_DROP + COUNT, data=65536, symbol=NOTRACE))
write("data_drop_report", module(COUNT, DATA_DROP + REPORT, data=65536))
# 4100000 one-byte indices (4.1 MB of code, for max_code_bytes=4200000): wasmi's items
# array of the segment is 16 MiB, vmalloc'd. On the notrace function, for int3.
write("elem_drop_huge", module(ELEM_DROP + COUNT, elem=4100000, symbol=NOTRACE))
# The handler's count inside 100000 nested blocks.
n = 100000
write("blocks_100k", module(BLOCK * n + COUNT + END * n))
# A br_table of 100000 targets, all to the inner block but the last, which the handler
# takes: to the outer block, after which global 0 is 2 (1 after the inner one).
table = b"\x0e" + leb(n) + b"\x00" * (n - 1) + b"\x01" + b"\x00"
write("br_table_100k", module(BLOCK + BLOCK + const(n - 1) + table + END + const(1) + SET0
                              + b"\x0f" + END + const(2) + SET0))
EOF
# The differential conformance corpus, with what the host build of the engine reports.
cargo run --locked --quiet --release --example conformance -p kwasm-engine --features std \
	--manifest-path "$KWASM_TOP/Cargo.toml" -- "$staging/conformance" 300
mkdir -p "$staging/compat" "$staging/bin"
"$KWASM_TOP/scripts/build-probes.sh" --export-all "$staging/compat" "$KWASM_TOP"/probes/compat/*.c
gcc -static -O2 -Wall -Werror -o "$staging/bin/vforker" "$KWASM_TOP/qemu/bin/vforker.c"
cp "$staging/bin/vforker" "$staging/bin/vforker_other"
gcc -static -O2 -Wall -Werror -o "$staging/bin/toyproxy" "$KWASM_TOP/qemu/bin/toyproxy.c"
cp "$staging/bin/toyproxy" "$staging/bin/otherproxy"
gcc -static -O2 -Wall -Werror -o "$staging/bin/syscall_loop" "$KWASM_TOP/qemu/bin/syscall_loop.c"
gcc -static -O2 -Wall -Werror -o "$staging/bin/mkdir_mode" "$KWASM_TOP/qemu/bin/mkdir_mode.c"
gcc -static -O2 -Wall -Werror -o "$staging/bin/nocap" "$KWASM_TOP/qemu/bin/nocap.c"
"$KWASM_TOP/scripts/build-probes.sh" "$staging/bench" "$KWASM_TOP"/bench/probes/*.c
"$KWASM_TOP/scripts/build-probes.sh" --export-all "$staging/bench" "$KWASM_TOP"/bench/compat/*.c
cp "$KWASM_TOP/qemu/bench.sh" "$staging/"
# Modules of growing code size for the load-time bench: N small functions each, about
# 50 bytes of code apiece (wasmi's strict limits refuse many functions averaging under 40).
for n in 10 100 1000 5000; do
	{
		echo "(module"
		for i in $(seq 1 "$n"); do
			echo "(func (param i32) (result i32) (local i32) (loop" \
				"(local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const $i))))" \
				"(local.set 1 (i32.xor (local.get 1) (i32.shr_u (local.get 1) (i32.const 7))))" \
				"(local.set 1 (i32.rotl (local.get 1) (i32.const 3)))" \
				"(local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if 0 (local.get 0)))" \
				"(local.get 1))"
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
# README.md's quick start runs in the test machine too (bats/docs.bats).
cp "$KWASM_TOP/README.md" "$staging/doc/"
