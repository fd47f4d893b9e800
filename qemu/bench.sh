#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench`: per-hit cost of kwasm handlers on getpgid() and on
# access() (a syscall with a user string, whose entry kprobes can optimize) against no
# probe, a bare C kprobe and bpftrace's count(), in interleaved rounds, medians printed
# as one table; tp_counter is counter's work on the tracepoint raw_syscalls:sys_enter.

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
	# A tracepoint row has no kprobe to wait for (nor a jump to count).
	case $1 in tp_*) ;; *) settle ;; esac
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

CONFIGS="baseline bare empty counter tp_counter comm_miss args latency post_counter noopt_bare noopt_counter
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
	rm -f $OUT/load_ms $OUT/load_failed
	for r in 1 2 3; do
		mkdir $W/l
		t0=$(cat /proc/uptime | cut -d' ' -f1)
		cat $f > $W/l/code
		t1=$(cat /proc/uptime | cut -d' ' -f1)
		# A load that failed is no load time: the row says why instead.
		grep -q 'state: loaded' $W/l/status || grep error $W/l/status > $OUT/load_failed
		rmdir $W/l
		echo "$t0 $t1" | awk '{ printf "%.0f\n", ($2 - $1) * 1000 }' >> $OUT/load_ms
	done
	if [ -e $OUT/load_failed ]; then
		printf '%-16s %10s  failed: %s\n' "$n functions" $(wc -c < $f) "$(cat $OUT/load_failed)"
	else
		printf '%-16s %10s %14s\n' "$n functions" $(wc -c < $f) $(median load_ms)
	fi
done
rmmod kwasm

# Worst cases: calls that use all their fuel, at the fuel default, the max_fuel default,
# the old one (1000000) and the largest max_fuel the module accepts (insmod'ed again with
# it for the columns over the default). Handlers and report run with interrupts off; a
# load does not (process context, preemptible).
# Probes and the max_code_bytes module: bench/worst (Documentation/performance.rst,
# "Worst cases"). Each cell is the median of WRUNS runs, one hit or one cat at a time.
WORST=/kwasm/worst
WRUNS=${kwasm_bench_worst_runs:-5}
WFUELS="100000 250000 1000000 16777216"
WROWS="add_loop div_chain memory_copy read_kernel read_copied report report_wasm cat_status load_max_code"
stat_of() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" $W/w/stats; }
# bash's $EPOCHREALTIME (microseconds) around COMMAND, run by bash: busybox has no
# clock finer than 10 ms. Prints the milliseconds.
wall_ms() { # COMMAND
	bash -c 's=$EPOCHREALTIME; '"$1"'; e=$EPOCHREALTIME; echo "${s/./} ${e/./}"' |
		awk '{ printf "%.3f\n", ($2 - $1) / 1000 }'
}
wrong() { echo "$*" >> $OUT/worst_wrong; }
worst_handler() { # NAME ROW FUEL: WRUNS hits of getpgid, each hit's time from stats
	mkdir $W/w && cat $WORST/$1.wasm > $W/w/code && echo $3 > $W/w/fuel && echo 1 > $W/w/active ||
		{ wrong "$1 at fuel $3: $(grep error $W/w/status)"; rmdir $W/w; return; }
	prev=0 prev_copied=0
	for r in $(seq 1 $WRUNS); do
		/kwasm/bin/syscall_loop 1 > /dev/null
		ns=$(stat_of ns)
		echo "$prev $ns" | awk '{ printf "%.3f\n", ($2 - $1) / 1e6 }' >> $OUT/worst_$2_$3
		prev=$ns
		[ $1 = read ] || continue
		# The hit's bytes, from the probe's own count (its report).
		copied=$(sed -n 's/^copied=\([0-9]*\) failed=0$/\1/p' $W/w/report)
		[ -n "$copied" ] || { wrong "read at fuel $3: $(cat $W/w/report)"; continue; }
		echo $((copied - prev_copied)) | awk '{ printf "%.0f\n", $1 / 1024 }' >> $OUT/worst_read_copied_$3
		prev_copied=$copied
	done
	[ "$(stat_of hits)" = $WRUNS ] && [ "$(stat_of fuel_exhausted)" = $WRUNS ] ||
		wrong "$1 at fuel $3: $(cat $W/w/stats) (every one of $WRUNS hits should run out of fuel)"
	echo 0 > $W/w/active
	rmdir $W/w
}
worst_report() { # FUEL: the first cats run out of fuel while the probe measures its fuel
	mkdir $W/w && cat $WORST/report.wasm > $W/w/code && echo $1 > $W/w/fuel ||
		{ wrong "report at fuel $1: $(grep error $W/w/status)"; rmdir $W/w; return; }
	for i in 1 2 3 4; do cat $W/w/report > /dev/null 2>&1 && break; done
	for r in $(seq 1 $WRUNS); do
		ms=$(wall_ms "cat $W/w/report > $OUT/report.out")
		if [ "$(wc -c < $OUT/report.out)" = 4095 ]; then
			echo $ms >> $OUT/worst_report_$1
			sed -n 's/.* ns=\([0-9]*\) .*/\1/p' $OUT/report.out |
				awk '{ printf "%.3f\n", $1 / 1e6 }' >> $OUT/worst_report_wasm_$1
		else
			wrong "report at fuel $1: $(wc -c < $OUT/report.out) bytes, $(grep error $W/w/status)"
		fi
		# What cat itself costs: a configfs file of a few lines.
		wall_ms "cat $W/w/status > /dev/null" >> $OUT/worst_cat_status_$1
	done
	rmdir $W/w
}
worst_load() { # FUEL: the max_code_bytes module, loaded WRUNS times (fuel does not matter)
	for r in $(seq 1 $WRUNS); do
		mkdir $W/l
		ms=$(wall_ms "cat $WORST/big.wasm > $W/l/code")
		if grep -q 'state: loaded' $W/l/status; then
			echo $ms >> $OUT/worst_load_max_code_$1
		else
			wrong "load of big.wasm: $(grep error $W/l/status)"
		fi
		rmdir $W/l
	done
}
worst_column() { # FUEL
	echo "worst-case runs at fuel $1" >&2
	worst_handler add add_loop $1
	worst_handler div div_chain $1
	worst_handler copy memory_copy $1
	worst_handler read read_kernel $1
	worst_report $1
	worst_load $1
}
# Each column with the module's defaults where its max_fuel allows that fuel (Rust module
# parameters are not in sysfs: a program's fuel attribute says), else with the largest.
fuel_allowed() { # FUEL
	mkdir $W/p && cat $WORST/add.wasm > $W/p/code && echo $1 2>/dev/null > $W/p/fuel
	ok=$?
	rmdir $W/p
	return $ok
}
insmod /kwasm/kwasm.ko
later=
for f in $WFUELS; do
	if fuel_allowed $f; then worst_column $f; else later="$later $f"; fi
done
rmmod kwasm
if [ -z "$later" ]; then
	:
elif insmod /kwasm/kwasm.ko max_fuel=16777216; then
	for f in $later; do worst_column $f; done
	rmmod kwasm
else
	wrong "insmod kwasm.ko max_fuel=16777216 failed"
fi
echo
echo "worst cases: one call that uses all its fuel (interrupts off), or one load of the largest module (process context); median of the runs"
# One column per fuel.
columns() { # FIRST UNIT CELL... RUNS
	printf '%-16s %-6s' "$1" "$2"
	shift 2
	while [ $# -gt 1 ]; do
		printf ' %14s' "$1"
		shift
	done
	printf ' %5s\n' "$1"
}
columns case unit $(for f in $WFUELS; do echo fuel_$f; done) runs | sed 's/fuel_/fuel /g'
for row in $WROWS; do
	unit=ms
	[ $row != read_copied ] || unit=KiB
	cells= runs=
	for f in $WFUELS; do
		if [ -s $OUT/worst_${row}_$f ]; then
			cells="$cells $(median worst_${row}_$f)"
			runs="$runs $(wc -l < $OUT/worst_${row}_$f)"
		else
			cells="$cells -"
			runs="$runs 0"
		fi
	done
	runs=$(echo $runs | tr ' ' '\n' | sort -un | tr '\n' / | sed 's,/$,,')
	columns $row $unit $cells $runs
done
echo "add_loop: the host bench's 1000-iteration loop, forever; div_chain: dependent i64.div_u; memory_copy: 512 KiB at a time"
echo "read_kernel: 16 KiB read_kernel calls (read_copied: KiB per hit, the probe's own count); report: wall time of cat report, a"
echo "4095-byte string (report_wasm: its loop, by its own ktime_ns; cat_status: cat of a small file, for comparison)"
echo "load_max_code: wall time of cat > code, $(wc -c < $WORST/big.wasm) bytes: $(cat $WORST/big.txt)"
[ ! -e $OUT/worst_wrong ] || sed 's/^/WRONG: /' $OUT/worst_wrong
