#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The module itself: loading, the engine self-test, the subsystem, unloading.

load helpers

setup() {
	kwasm_load
}

teardown_file() {
	kwasm_unload
}

@test "insmod kwasm.ko registers the configfs subsystem wasm" {
	[ -d "$WASM" ]
	run ls "$WASM"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "the engine self-test runs i64 and f64 Wasm in the kernel and gets 333833542632" {
	run kwasm_dmesg
	[[ "$output" == *"kwasm: engine self-test passed (333833542632)"* ]]
}

@test "mkdir makes a program that ls lists, and rmdir removes it" {
	mkdir "$WASM/foo"
	mkdir "$WASM/bar"
	run ls "$WASM"
	[ "$output" = "$(printf 'bar\nfoo')" ]
	rmdir "$WASM/foo"
	run ls "$WASM"
	[ "$output" = "bar" ]
	rmdir "$WASM/bar"
	[ -z "$(ls "$WASM")" ]
}

@test "rmmod kwasm is refused while a program exists" {
	mkdir "$WASM/held"
	run rmmod kwasm
	[ "$status" -ne 0 ]
	[[ "$output" == *"Resource temporarily unavailable"* ]]
	[ -d /sys/module/kwasm ]
	rmdir "$WASM/held"
}

@test "rmmod kwasm succeeds after the last rmdir, and insmod works again" {
	mkdir "$WASM/once"
	rmdir "$WASM/once"
	rmmod kwasm
	[ ! -d /sys/module/kwasm ]
	[ ! -d "$WASM" ]
	insmod "$KO"
	[ -d "$WASM" ]
}

@test "a bare kprobe registered, unregistered and registered again still works (kernel check)" {
	insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_mkdir cycles=3
	mkdir /tmp/bare-kprobe && rmdir /tmp/bare-kprobe
	[ "$(cat /sys/module/kwasm_test_kprobe/parameters/hits)" = 1 ]
	rmmod kwasm_test_kprobe
}
