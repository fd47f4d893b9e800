#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prints the literal block that follows `.. kwasm-session: NAME` in an .rst file, without
# its two-space indent: the code, commands and sessions that the suite runs or compares,
# so the documentation shows only what is tested.
#
# Usage: doc-block.sh FILE NAME

set -euo pipefail
out=$(awk -v name="$2" '
	$0 == ".. kwasm-session: " name { found = 1; next }
	found == 1 && /::$/ { found = 2; next }
	found == 2 && /^$/ { if (started) blank++; next }
	found == 2 && /^  / { started = 1; for (; blank > 0; blank--) print ""; print substr($0, 3); next }
	found == 2 && started { exit }
' "$1")
[ -n "$out" ] || { echo "doc-block.sh: no block \"$2\" in $1" >&2; exit 1; }
printf '%s\n' "$out"
