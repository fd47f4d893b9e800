#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prints the literal block that follows `.. kwasm-session: NAME` in an .rst file, without
# its two-space indent, or the fenced code block that follows `<!-- kwasm-session: NAME -->`
# in a Markdown file: the code, commands and sessions that the suite runs or compares, so
# the documentation shows only what is tested.
#
# Usage: doc-block.sh FILE NAME

set -euo pipefail
case "$1" in
*.md)
	out=$(awk -v name="$2" '
		$0 == "<!-- kwasm-session: " name " -->" { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```$/ { exit }
		found == 2 { print }
	' "$1")
	;;
*)
	out=$(awk -v name="$2" '
		$0 == ".. kwasm-session: " name { found = 1; next }
		found == 1 && /::$/ { found = 2; next }
		found == 2 && /^$/ { if (started) blank++; next }
		found == 2 && /^  / { started = 1; for (; blank > 0; blank--) print ""; print substr($0, 3); next }
		found == 2 && started { exit }
	' "$1")
	;;
esac
[ -n "$out" ] || { echo "doc-block.sh: no block \"$2\" in $1" >&2; exit 1; }
printf '%s\n' "$out"
