#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Differential conformance: the kernel build of the engine (soft-float, no SSE, the
# kernel's code-generation flags) must compute what the host build computed, bit for
# bit. 300 generated modules (engine/examples/conformance.rs) each report 24 values:
# f32/f64 operations on NaNs, infinities, signed zeros, subnormals and rounding cases,
# integer operations, conversions; one in five ends with an operation that may trap. Half
# take their operands through calls, so the interpreter computes them, not the translator.
# Where Wasm leaves NaN bits open (arithmetic results) the kernel's NaN must still be an
# arithmetic NaN (types f32/f64), and canonical when no operand was a non-canonical NaN
# (types f32canon/f64canon); abs, neg and copysign (types f32bits/f64bits) are exact.

load helpers

C=/kwasm/conformance

setup() {
	kwasm_load
}

teardown() {
	kwasm_unload
}

@test "conformance: 300 modules report in the kernel what they report on the host" {
	run bash "$BATS_TEST_DIRNAME/conformance.sh" "$WASM" "$C"
	# bats shows this only when the test fails: the modules that differ.
	echo "$output"
	echo "${lines[-1]}" >/dev/kmsg
	[ "$status" = 0 ]
	[[ "${lines[-1]}" == "conformance: 300 modules, "*" values, 0 differ, "* ]]
}
