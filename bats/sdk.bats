#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The probe SDKs (probes/include/kwasm.h, probes/rust/kwasm-probe) as a probe writer
# meets them: what their helpers promise, seen from the shell.

load helpers

setup() {
	kwasm_setup_scratch
}

teardown() {
	kwasm_teardown_scratch
}

@test "a C report that writes nothing shows nothing, not the previous report" {
	kwasm_new r report_once
	[ "$(cat "$WASM/r/report")" = "the first report" ]
	run cat "$WASM/r/report"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(status_of r error)" = none ]
}
