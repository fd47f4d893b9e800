#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The shell sessions of Documentation/, run as they stand there (doc_session). It is
# bash; helpers.bash stays plain sh, which the suite's shell loops source.

load helpers

# Runs the shell session of block $2 of Documentation/$1 (scripts/doc-block.sh) with
# busybox sh from directory $3, and compares its transcript with the page: a "# " line is
# a command, the lines after it what it prints; "..." on the page stands for anything.
doc_session() {
	local block=/tmp/session.block script=/tmp/session.sh actual=/tmp/session.out
	local line q i pat
	/kwasm/scripts/doc-block.sh "/kwasm/doc/$1" "$2" >"$block"
	: >"$script"
	while IFS= read -r line; do
		case "$line" in
		"# "*)
			q=${line//\'/\'\\\'\'}
			printf "echo '%s'\n%s\n" "$q" "${line#\# }" >>"$script"
			;;
		esac
	done <"$block"
	# The whole script's stderr, not each command's: "echo 1 > f 2>&1" would send its
	# own error into f.
	(cd "$3" && sh "$script") >"$actual" 2>&1 || true
	mapfile -t want <"$block"
	mapfile -t got <"$actual"
	for ((i = 0; i < ${#want[@]} || i < ${#got[@]}; i++)); do
		pat=$(printf '%s' "${want[i]-}" | sed 's/[][*?\\]/\\&/g; s/\.\.\./*/g')
		# shellcheck disable=SC2053 # the page's line is a pattern
		if [[ "${got[i]-}" != $pat ]]; then
			echo "doc_session: line $((i + 1)): the page shows '${want[i]-}', the run '${got[i]-}'"
			cat "$actual"
			return 1
		fi
	done
}

setup() {
	rm -rf /tmp/a /tmp/b /tmp/c
}

teardown() {
	kwasm_unload
	rm -rf /tmp/a /tmp/b /tmp/c
}

@test "usage.rst: its session runs as the page shows it" {
	kwasm_unload
	doc_session usage.rst usage /kwasm
}

@test "usage.rst: its trace stream session runs as the page shows it" {
	kwasm_unload
	doc_session usage.rst usage-stream /kwasm
}

@test "usage.rst: its wildcard session runs as the page shows it" {
	kwasm_unload
	doc_session usage.rst usage-wildcard /kwasm
}

# dmesg's lines from kwasm share one rate limit, 10 lines in 5 s: a session that shows
# them starts 5 s after the tests before it, whose lines could use up the window.
dmesg_window() {
	sleep 5
}

@test "usage.rst: a failed load shows the errno, status and dmesg as the page shows them" {
	kwasm_load
	dmesg_window
	doc_session usage.rst usage-error /
}

@test "writing-probes.rst: the C probe loads and counts as the page shows" {
	kwasm_load
	doc_session writing-probes.rst c-load /kwasm/probes
}

@test "README.md: the quick start's own probe loads, reports, and a failed load shows, as the page shows" {
	kwasm_unload
	rm -rf /tmp/quick && mkdir /tmp/quick
	# What `make shell FILES=mkdir_count.wasm` puts in /root: the module the README's
	# command builds, which make check compares with this one.
	cp /kwasm/probes/mkdir_count.wasm /tmp/quick/
	dmesg_window
	doc_session README.md readme-session /tmp/quick
	rm -rf /tmp/quick
}

@test "README.md: its list of Documentation/ names every page" {
	for page in /kwasm/doc/*.rst; do
		grep -q "^| \`Documentation/\` |.*\`${page##*/}\`" /kwasm/doc/README.md ||
			{ echo "README.md does not list ${page##*/}"; return 1; }
	done
}

@test "README.md: make demo's script runs and finds what it did (the stream, the reports)" {
	# qemu/demo.sh loads and unloads the module itself; it fails on any step that fails
	# or any output without what the demo did.
	kwasm_unload
	rm -rf /tmp/demo
	run sh /kwasm/demo.sh
	echo "$output"
	rm -rf /tmp/demo
	[ "$status" -eq 0 ]
	[[ "$output" == *"== Done: both probes showed what the demo did"* ]]
}
