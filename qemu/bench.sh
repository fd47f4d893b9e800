#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench`: per-hit cost of kwasm handlers on getpgid() and on
# access() (a syscall with a user string, whose entry kprobes can optimize) against no
# probe, a bare C kprobe and bpftrace's count(), in interleaved rounds, medians printed
# as one table.

W=/sys/kernel/config/wasm
N=${kwasm_bench_n:-25000}
ROUNDS=${kwasm_bench_rounds:-15}
LOOP="/kwasm/bin/syscall_loop $N"
LOOP_ACCESS="/kwasm/bin/syscall_loop $N access /tmp"
OUT=/tmp/bench
mkdir -p $OUT
insmod /kwasm/kwasm.ko

wait_until() { # TENTHS COMMAND...: runs COMMAND every 0.1 s until it succeeds
	t=$1
	shift
	until "$@"; do
		[ $t -gt 0 ] || return 1
		t=$((t - 1))
		sleep 0.1
	done
}

# kprobes are optimized into jumps by a worker, a little after they are registered:
# every probed row waits for it (up to 3 s; some probe points cannot be optimized), so
# that no row runs partly on int3.
all_optimized() { ! grep -v OPTIMIZED /sys/kernel/debug/kprobes/list | grep -q .; }
# Records in $OUT/ROW.jumps, for the row being measured, whether they all were.
settle() {
	[ "$(cat /proc/sys/debug/kprobes-optimization)" = 1 ] || return 0
	if wait_until 30 all_optimized; then
		echo 1 >> $OUT/$row.jumps
	else
		echo 0 >> $OUT/$row.jumps
	fi
}

prog() { # NAME: load bench probe NAME as program b
	mkdir $W/b && cat /kwasm/bench/$1.wasm > $W/b/code && echo 1 > $W/b/active
	settle
}
unprog() { echo 0 > $W/b/active; rmdir $W/b; }

# bpftrace, as a user would run it: started, attached, the loop, then ^C. Its count
# must equal the loop's, or the row is marked wrong. Every wait is bounded.
BPFTRACE_PROG='kprobe:__x64_sys_getpgid { @hits = count(); }'
getpgid_probed() { grep -q '__x64_sys_getpgid' /sys/kernel/debug/kprobes/list; }
getpgid_free() { ! getpgid_probed; }
bpftrace_alive() { kill -0 $bt_pid 2>/dev/null; }
bpftrace_attached() { ! bpftrace_alive || getpgid_probed; }
bpftrace_gone() { ! bpftrace_alive; }
bpftrace_count() {
	# The last run's kprobe may still be on its way out.
	wait_until 100 getpgid_free || { bt_fail="a kprobe on the symbol stayed"; return 1; }
	bpftrace -e "$BPFTRACE_PROG" > $OUT/bpftrace.out 2>&1 &
	bt_pid=$!
	wait_until 1200 bpftrace_attached || { bt_fail="not attached within 120 s"; kill -9 $bt_pid; return 1; }
	bpftrace_alive || { wait $bt_pid; bt_fail="it exited ($?) before the loop"; return 1; }
	# Its program is attached to the perf event just after the kprobe is registered.
	sleep 0.5
	settle
	$LOOP
	# SIGINT, as ^C: bpftrace prints its maps and exits.
	kill -INT $bt_pid
	wait_until 600 bpftrace_gone || { bt_fail="still running 60 s after SIGINT"; kill -9 $bt_pid; return 1; }
	hits=$(sed -n 's/^@hits: //p' $OUT/bpftrace.out)
	[ "$hits" = "$N" ] || echo "${hits:-none}" >> $OUT/bpftrace_wrong
}

measure() { # CONFIG
	case $1 in
	baseline) $LOOP ;;
	bpftrace_count) bpftrace_count ||
		echo "bpftrace failed: $bt_fail; it printed: $(tr '\n' ' ' < $OUT/bpftrace.out)" >&2 ;;
	bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_getpgid
		settle
		$LOOP
		rmmod kwasm_test_kprobe ;;
	access_baseline) $LOOP_ACCESS ;;
	access_bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_access
		settle
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
row=warmup
measure counter > /dev/null
# bpftrace joins the rounds if it runs here; if not, the table says what stopped it.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
t0=$(cut -d' ' -f1 /proc/uptime)
if ! command -v bpftrace > /dev/null; then
	bpftrace_status="not run: no bpftrace in this machine (make bench stages it)"
elif bpftrace_count > /dev/null || bpftrace_count > /dev/null; then
	t1=$(cut -d' ' -f1 /proc/uptime)
	bpftrace_status="$(bpftrace --version): started, attached and stopped in $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
	CONFIGS="$CONFIGS bpftrace_count"
	rm -f $OUT/bpftrace_count $OUT/bpftrace_wrong
else
	bpftrace_status="not run: bpftrace failed here ($bt_fail); it printed: $(tr '\n' ' ' < $OUT/bpftrace.out)"
fi
for r in $(seq 1 $ROUNDS); do
	echo "round $r of $ROUNDS" >&2
	for c in $CONFIGS; do
		row=$c
		# A failed measurement (it says why on stderr) leaves the round out.
		v=$(measure $c)
		[ -z "$v" ] || echo "$v" >> $OUT/$c
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
# yes when every kprobe of ROW was a jump in every round.
opt() { [ -s $OUT/$1.jumps ] && ! grep -q 0 $OUT/$1.jumps && echo yes || echo no; }
echo "kprobes optimized (a jump instead of int3): __x64_sys_getpgid $(opt bare), __x64_sys_access $(opt access_bare)"
echo "bpftrace: $bpftrace_status"
# min and max show the spread between rounds; jumps, in how many rounds every kprobe of
# the row was optimized (a row with int3 in some rounds is not comparable).
printf '%-22s %10s %10s %10s %12s %16s %6s\n' config ns/op min max overhead "overhead / bare" jumps
for c in $CONFIGS; do
	[ -s $OUT/$c ] || { printf '%-22s no round succeeded (see above)\n' $c; continue; }
	m=$(median $c)
	spread=$(sort -n $OUT/$c | sed -n '1p;$p' | tr '\n' ' ')
	jumps=-
	[ ! -e $OUT/$c.jumps ] || jumps="$(grep -c 1 $OUT/$c.jumps)/$(wc -l < $OUT/$c.jumps)"
	case $c in
	noopt_access_*) ref_base=$abase; ref_bare=$noopt_abare ;;
	access_*) ref_base=$abase; ref_bare=$abare ;;
	noopt_*) ref_base=$base; ref_bare=$noopt_bare ;;
	both_cpus_*) ref_base=$both_base; ref_bare=$bare ;;
	*) ref_base=$base; ref_bare=$bare ;;
	esac
	echo "$c $m $ref_base $ref_bare $spread $jumps" | awk '{ o = $2 - $3; ob = $4 - $3;
		printf "%-22s %10.1f %10.1f %10.1f %12.1f %16s %6s\n", $1, $2, $5, $6, o,
			(ob > 0 && $1 !~ /baseline/) ? sprintf("%.2f", o / ob) : "-", $7 }'
done
if [ -s $OUT/bpftrace_count ]; then
	[ ! -e $OUT/bpftrace_wrong ] ||
		echo "WRONG: bpftrace counted $(tr '\n' ' ' < $OUT/bpftrace_wrong) instead of $N in some rounds"
	echo "$(median counter) $(median bpftrace_count) $base" | awk '{ printf \
		"kwasm counter overhead / bpftrace count() overhead: %.2f (bpftrace kprobe optimized: %s)\n",
		($1 - $3) / ($2 - $3), "'"$(opt bpftrace_count)"'" }'
fi

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
