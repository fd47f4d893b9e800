#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fails (exit 1) when the guest's console log shows a kernel splat, or that the guest never
# reached the end of its run, and prints the offending lines.
#
# Usage: scan-splats.sh CONSOLE_LOG

set -uo pipefail
log=$1
patterns=(
	'Oops'
	'BUG:'
	'WARNING:'
	'sleeping function called from invalid context'
	'possible recursive locking'
	'possible circular locking'
	'inconsistent lock state'
	'DEBUG_LOCKS_WARN_ON'
	'INFO: possible'
	'INFO: trying to register non-static key'
	'KFENCE:'
	'suspected memory leak'
	'general protection fault'
	'Kernel panic'
	'kernel BUG at'
	'Call Trace:'
	'RCU stall'
	'rcu_preempt detected stalls'
	'soft lockup'
	'hung_task'
	'kwasm-host: timeout'
)
regex=$(printf '%s|' "${patterns[@]}")
regex=${regex%|}
found=$(grep -nE "$regex" "$log" || true)
status=0
if [ -n "$found" ]; then
	echo "kwasm: kernel splat in $log:" >&2
	head -n 60 <<<"$found" >&2
	status=1
fi
if ! grep -q 'kwasm-guest: end' "$log"; then
	echo "kwasm: the guest never reached the end of its run (see $log):" >&2
	tail -n 30 "$log" >&2
	status=1
fi
exit $status
