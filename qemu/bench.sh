#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench`: per-hit cost of kwasm handlers on getpgid() and on
# access() (a syscall with a user string, whose entry kprobes can optimize) against no
# probe and a bare C kprobe, in interleaved rounds, medians printed as one table.

W=/sys/kernel/config/wasm
N=${kwasm_bench_n:-20000}
ROUNDS=${kwasm_bench_rounds:-5}
LOOP="/kwasm/bin/syscall_loop $N"
LOOP_ACCESS="/kwasm/bin/syscall_loop $N access /tmp"
OUT=/tmp/bench
mkdir -p $OUT
insmod /kwasm/kwasm.ko

prog() { # NAME: load bench probe NAME as program b
	mkdir $W/b && cat /kwasm/bench/$1.wasm > $W/b/code && echo 1 > $W/b/active
}
unprog() { echo 0 > $W/b/active; rmdir $W/b; }

# Records in $OUT/NAME whether the bare kprobe is optimized (while optimization is on).
optimized() { # NAME
	[ "$(cat /proc/sys/debug/kprobes-optimization)" = 1 ] || return 0
	grep -c OPTIMIZED /sys/kernel/debug/kprobes/list > $OUT/$1
}

measure() { # CONFIG
	case $1 in
	baseline) $LOOP ;;
	bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_getpgid
		optimized optimized
		$LOOP
		rmmod kwasm_test_kprobe ;;
	access_baseline) $LOOP_ACCESS ;;
	access_bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_access
		optimized optimized_access
		$LOOP_ACCESS
		rmmod kwasm_test_kprobe ;;
	access_*) prog $1; $LOOP_ACCESS; unprog ;;
	both_cpus_counter) prog counter
		taskset 1 $LOOP > $OUT/cpu0 & taskset 2 $LOOP > $OUT/cpu1; wait
		cat $OUT/cpu0 $OUT/cpu1 | awk '{ s += $1 } END { printf "%.1f\n", s / NR }'
		unprog ;;
	both_cpus_baseline)
		taskset 1 $LOOP > $OUT/cpu0 & taskset 2 $LOOP > $OUT/cpu1; wait
		cat $OUT/cpu0 $OUT/cpu1 | awk '{ s += $1 } END { printf "%.1f\n", s / NR }' ;;
	noopt_*) echo 0 > /proc/sys/debug/kprobes-optimization
		measure ${1#noopt_}
		echo 1 > /proc/sys/debug/kprobes-optimization ;;
	*) prog $1; $LOOP; unprog ;;
	esac
}

CONFIGS="baseline bare empty counter comm_miss args latency post_counter noopt_bare noopt_counter
	access_baseline access_bare access_counter access_str noopt_access_bare noopt_access_counter
	both_cpus_baseline both_cpus_counter"
# Warm up caches and the engine once.
measure counter > /dev/null
for r in $(seq 1 $ROUNDS); do
	for c in $CONFIGS; do
		echo "$(measure $c)" >> $OUT/$c
	done
done

median() { sort -n $OUT/$1 | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
base=$(median baseline)
bare=$(median bare)
noopt_bare=$(median noopt_bare)
abase=$(median access_baseline)
abare=$(median access_bare)
noopt_abare=$(median noopt_access_bare)
both_base=$(median both_cpus_baseline)
echo "kwasm bench: getpgid() x $N, $ROUNDS interleaved rounds, medians; 2 vCPUs under TCG"
opt() { [ "$(cat $OUT/$1)" -gt 0 ] && echo yes || echo no; }
echo "kprobes optimized (a jump instead of int3): __x64_sys_getpgid $(opt optimized), __x64_sys_access $(opt optimized_access)"
printf '%-22s %10s %12s %18s\n' config ns/op overhead "overhead / bare"
for c in $CONFIGS; do
	m=$(median $c)
	case $c in
	noopt_access_*) ref_base=$abase; ref_bare=$noopt_abare ;;
	access_*) ref_base=$abase; ref_bare=$abare ;;
	noopt_*) ref_base=$base; ref_bare=$noopt_bare ;;
	both_cpus_*) ref_base=$both_base; ref_bare=$bare ;;
	*) ref_base=$base; ref_bare=$bare ;;
	esac
	echo "$c $m $ref_base $ref_bare" | awk '{ o = $2 - $3; ob = $4 - $3;
		printf "%-22s %10.1f %12.1f %18s\n", $1, $2, o, (ob > 0 && $1 !~ /baseline/) ? sprintf("%.2f", o / ob) : "-" }'
done

# Kernel memory per loaded program, all of it (its linear memory and the engine's value
# stack included): slab, vmalloc and
# per-CPU memory before and after loading 100 copies of the counter probe.
mem() { awk '/^(Slab|VmallocUsed|Percpu):/ { s += $2 } END { print s }' /proc/meminfo; }
before=$(mem)
for i in $(seq 1 100); do
	mkdir $W/m$i && cat /kwasm/bench/counter.wasm > $W/m$i/code
done
after=$(mem)
for i in $(seq 1 100); do rmdir $W/m$i; done
echo
echo "kernel memory per loaded program, all included (counter probe: $(wc -c < /kwasm/bench/counter.wasm) bytes of Wasm, 64 KiB linear memory, 64 KiB value stack): $(( (after - before) / 100 )) KiB"

# Load time against code size: each module loaded 3 times, the median (10 ms steps:
# /proc/uptime is what busybox has).
echo
printf '%-16s %10s %14s\n' module bytes "load ms"
for n in 10 100 1000 5000; do
	f=/kwasm/bench/funcs$n.wasm
	for r in 1 2 3; do
		mkdir $W/l
		t0=$(cat /proc/uptime | cut -d' ' -f1)
		cat $f > $W/l/code
		t1=$(cat /proc/uptime | cut -d' ' -f1)
		rmdir $W/l
		echo "$t0 $t1" | awk '{ printf "%.0f\n", ($2 - $1) * 1000 }'
	done | sort -n | sed -n 2p | { read ms; printf '%-16s %10s %14s\n' "$n functions" $(wc -c < $f) $ms; }
done
rmmod kwasm
