#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench`: per-hit cost of kwasm handlers on getpgid() and on
# access() (a syscall with a user string, whose entry kprobes can optimize) against no
# probe, a bare C kprobe and bpftrace's count(), in interleaved rounds, medians printed
# as one table; tp_counter is counter's work on the tracepoint raw_syscalls:sys_enter,
# tp_bare a bare C probe on that tracepoint (its baseline, as bare is the kprobes').

W=/sys/kernel/config/wasm
N=${kwasm_bench_n:-25000}
ROUNDS=${kwasm_bench_rounds:-15}
LOOP="/kwasm/bin/syscall_loop $N"
LOOP_ACCESS="/kwasm/bin/syscall_loop $N access /tmp"
OUT=/tmp/bench
mkdir -p $OUT
insmod /kwasm/kwasm.ko
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

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
# that no row runs partly on int3. An ftrace kprobe (a traced function's entry, on this
# kernel with the function tracer) is on its fast path at once.
all_optimized() { ! grep -v -e OPTIMIZED -e FTRACE /sys/kernel/debug/kprobes/list | grep -q .; }
# Records in $OUT/ROW.jumps, for the row being measured, whether they all were.
settle() {
	[ "$(cat /proc/sys/debug/kprobes-optimization)" = 1 ] || return 0
	if wait_until 30 all_optimized; then
		echo 1 >> $OUT/$row.jumps
	else
		echo 0 >> $OUT/$row.jumps
	fi
}

prog() { # NAME [MODE]: load bench probe NAME as program b, in MODE (default shared)
	mkdir $W/b && echo ${2:-shared} > $W/b/mode && cat /kwasm/bench/$1.wasm > $W/b/code &&
		echo 1 > $W/b/active
	# A tracepoint row has no kprobe to wait for (nor a jump to count).
	case $1 in tp_*) ;; *) settle ;; esac
}
unprog() { echo 0 > $W/b/active; rmdir $W/b; }

# bpftrace, as a user would run it: started, attached, the loop, then ^C. Its count
# must equal the loop's, or the row is marked wrong. Every wait is bounded.
BPFTRACE_PROG='kprobe:__x64_sys_getpgid { @hits = count(); }'
# The same with a key: bpftrace's per-CPU hash map, kwasm's tables (map_count_key).
BPFTRACE_PROG_KEY='kprobe:__x64_sys_getpgid { @hits[1] = count(); }'
getpgid_probed() { grep -q '__x64_sys_getpgid' /sys/kernel/debug/kprobes/list; }
getpgid_free() { ! getpgid_probed; }
bpftrace_alive() { kill -0 $bt_pid 2>/dev/null; }
bpftrace_attached() { ! bpftrace_alive || getpgid_probed; }
bpftrace_gone() { ! bpftrace_alive; }
bpftrace_count() { # [key]: BPFTRACE_PROG, or with key BPFTRACE_PROG_KEY
	local prog=$BPFTRACE_PROG line='^@hits: '
	[ "${1-}" != key ] || prog=$BPFTRACE_PROG_KEY line='^@hits\[1\]: '
	# The last run's kprobe may still be on its way out.
	wait_until 100 getpgid_free || { bt_fail="a kprobe on the symbol stayed"; return 1; }
	bpftrace -e "$prog" > $OUT/bpftrace.out 2>&1 &
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
	hits=$(sed -n "s/$line//p" $OUT/bpftrace.out)
	[ "$hits" = "$N" ] || echo "${hits:-none}" >> $OUT/bpftrace_wrong
}

# kwasm's maps text against bpftrace's, byte for byte: the same updates of every kind of
# map (bench/probes/map_format.c makes them in a handler, this BEGIN in bpftrace), and
# the syscalls example against bpftrace counting the same syscalls.
MAP_FORMAT_BT='BEGIN { @a = hist(0); @a = hist(1); @a = hist(2); @a = hist(3); @a = hist(4); @a = hist(100); @a = hist(1500); @a = hist(3000); @a = hist(3000); @a = hist(70000); @b = lhist(-5, 0, 100, 10); @b = lhist(5, 0, 100, 10); @b = lhist(15, 0, 100, 10); @b = lhist(15, 0, 100, 10); @b = lhist(100, 0, 100, 10); @b = lhist(2000, 0, 100, 10); @b = lhist(55, 0, 100, 10); @c[7] = count(); @c[7] = count(); @c[7] = count(); @c[9] = count(); @c[3] = count(); @c[3] = count(); @d = stats(10); @d = stats(31); @d = stats(7); @e[5] = avg(10); @e[5] = avg(30); @e[6] = avg(1); @f = min(40); @f = min(12); @g = max(12); @g = max(40); @h[1] = sum(100); @h[2] = sum(5); @h[1] = sum(23); @i["bash", 59] = count(); @i["bash", 59] = count(); @i["sshd", 0] = count(); @i["bash", 1] = count(); @i["bash", 1] = count(); @i["bash", 1] = count(); exit(); }'
# bpftrace counts on the tracepoint raw_syscalls:sys_enter: a kprobe event (bpftrace's
# kprobes) is refused on a function without an ftrace site, such as x64_sys_call
# (syscall_64.o is built without them), unless CONFIG_KPROBE_EVENTS_ON_NOTRACE. kwasm's
# example registers its kprobe directly. A task named bt_ready makes it print "ready":
# then its probe is attached.
SYSCALLS_BT='tracepoint:raw_syscalls:sys_enter { if (comm == "syscall_loop") { @syscalls[comm, args->id] = count(); } if (comm == "bt_ready") { printf("ready\n"); } }'
same_text() { # A B WHAT: prints whether files A and B are identical
	if cmp -s $1 $2; then
		echo "$3: identical ($(wc -l < $1) lines)"
	else
		echo "$3: DIFFERENT; kwasm:"
		cat $1
		echo "bpftrace:"
		cat $2
	fi
}
syscalls_bt_ready() { /tmp/bt_ready 1 > /dev/null; grep -q '^ready' $OUT/sys_bt_raw; }
maps_vs_bpftrace() {
	mkdir $W/f && cat /kwasm/bench/map_format.wasm > $W/f/code && echo 1 > $W/f/active
	/kwasm/bin/syscall_loop 1 > /dev/null
	echo 0 > $W/f/active
	cat $W/f/maps > $OUT/maps_kwasm
	rmdir $W/f
	bpftrace -e "$MAP_FORMAT_BT" > $OUT/maps_bt_raw 2>&1
	# bpftrace's "Attaching 1 probe..." and the blank lines before its maps.
	sed -n '/^@/,$p' $OUT/maps_bt_raw > $OUT/maps_bt
	same_text $OUT/maps_kwasm $OUT/maps_bt "maps, every kind, against bpftrace's exit print"
	cp /kwasm/bin/syscall_loop /tmp/bt_ready
	bpftrace -e "$SYSCALLS_BT" > $OUT/sys_bt_raw 2>&1 &
	bt=$!
	wait_until 1200 syscalls_bt_ready || {
		kill -9 $bt 2>/dev/null
		echo "syscalls: bpftrace did not attach; it printed: $(tr '\n' ' ' < $OUT/sys_bt_raw)"
		return
	}
	mkdir $W/s && cat /kwasm/probes/syscalls.wasm > $W/s/code && echo 1 > $W/s/active
	/kwasm/bin/syscall_loop 100 > /dev/null
	echo 0 > $W/s/active
	kill -INT $bt
	wait $bt
	grep '^@syscalls\[syscall_loop, ' $W/s/maps | sort > $OUT/sys_kwasm
	rmdir $W/s
	grep '^@syscalls\[syscall_loop, ' $OUT/sys_bt_raw | sort > $OUT/sys_bt
	same_text $OUT/sys_kwasm $OUT/sys_bt "syscalls per comm and nr, syscall_loop's lines (sorted: equal counts tie)"
}

measure() { # CONFIG
	case $1 in
	baseline) $LOOP ;;
	bpftrace_count|bpftrace_count_key) bpftrace_count ${1#bpftrace_count_} ||
		echo "bpftrace failed: $bt_fail; it printed: $(tr '\n' ' ' < $OUT/bpftrace.out)" >&2 ;;
	bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_getpgid
		settle
		$LOOP
		rmmod kwasm_test_kprobe ;;
	kp_bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=pid_vnr
		settle
		$LOOP
		hits=$(cat /sys/module/kwasm_test_kprobe/parameters/hits)
		[ "$hits" -ge $N ] || echo "kp_bare: $hits hits for $N calls" >> $OUT/paths_wrong
		rmmod kwasm_test_kprobe ;;
	tp_bare) insmod /kwasm/test/kwasm_test_kprobe.ko kind=sys_enter
		$LOOP
		hits=$(cat /sys/module/kwasm_test_kprobe/parameters/hits)
		[ "$hits" -ge $N ] || echo "tp_bare: $hits hits for $N calls" >> $OUT/paths_wrong
		rmmod kwasm_test_kprobe ;;
	# A bare kprobe that also writes stream_literal's record (puts) or stream's, formatted
	# by the kernel (printk), into its own tracefs instance: the kernel's own cost of a
	# streamed record, beside kwasm's stream and stream_literal rows.
	puts_bare|printk_bare)
		insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_getpgid kind=${1%_bare}
		settle
		$LOOP
		hits=$(cat /sys/module/kwasm_test_kprobe/parameters/hits)
		# Every hit's record is in the ring buffer, or was overwritten by a later one.
		recs=$(cat /sys/kernel/tracing/instances/kwasm_test_kprobe/per_cpu/cpu*/stats |
			awk '/^(entries|overrun):/ { s += $2 } END { print s + 0 }')
		[ "$hits" -ge $N ] && [ "$recs" -ge $N ] ||
			echo "$1: $hits hits and $recs records for $N calls" >> $OUT/rows_wrong
		rmmod kwasm_test_kprobe ;;
	access_baseline) $LOOP_ACCESS ;;
	access_bare) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=__x64_sys_access
		settle
		$LOOP_ACCESS
		rmmod kwasm_test_kprobe ;;
	access_*) prog $1; $LOOP_ACCESS; unprog ;;
	both_cpus_counter|both_cpus_percpu_counter)
		if [ $1 = both_cpus_counter ]; then prog counter; else prog counter percpu; fi
		taskset 1 $LOOP > $OUT/cpu0 & taskset 2 $LOOP > $OUT/cpu1; wait
		cat $OUT/cpu0 $OUT/cpu1 | awk '{ s += $1 } END { printf "%.1f\n", s / NR }'
		# hits, waited and dropped: a hit dropped for contention costs less than one run.
		sed -n 's/.* hits=\([0-9]*\) .* waited=\([0-9]*\) dropped=\([0-9]*\)$/\1 \2 \3/p' \
			$W/b/stats >> $OUT/$1.contention
		unprog ;;
	percpu_counter) prog counter percpu; $LOOP; unprog ;;
	# In per-CPU mode, as bpftrace's count() runs: the rows measure the maps (lock-free,
	# per-CPU), not shared mode's lock and its drops, which the counter rows show.
	map_count|both_cpus_map_count|map_count_key) prog ${1#both_cpus_} percpu
		# measure runs in a subshell: the figure goes through a file.
		[ $1 = map_count_key ] || sed -n 's/^map_bytes: //p' $W/b/status > $OUT/map_bytes
		if [ $1 != both_cpus_map_count ]; then
			$LOOP
			want=$N
		else
			taskset 1 $LOOP > $OUT/cpu0 & taskset 2 $LOOP > $OUT/cpu1; wait
			cat $OUT/cpu0 $OUT/cpu1 | awk '{ s += $1 } END { printf "%.1f\n", s / NR }'
			want=$((2 * N))
		fi
		# The map must have counted every call, merged across CPUs.
		got=$(sed -n 's/^@hits\(\[1\]\)\?: //p' $W/b/maps)
		[ "$got" = "$want" ] || echo "$1: ${got:-none}" >> $OUT/map_count_wrong
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

CONFIGS="baseline bare empty counter tp_bare tp_counter kp_bare kp_counter stream stream_literal puts_bare
	printk_bare comm_miss args latency post_counter
	access_baseline access_bare access_counter access_str
	both_cpus_baseline both_cpus_counter percpu_counter both_cpus_percpu_counter
	map_count both_cpus_map_count map_count_key"
# Without the function tracer the syscalls' entry kprobes are jumps, and int3 with
# optimization off; with it they are ftrace kprobes either way, and the paths table
# below compares int3, jump and ftrace on the test module's functions instead.
[ -e /sys/kernel/tracing/available_filter_functions ] ||
	CONFIGS="$CONFIGS noopt_bare noopt_counter noopt_access_bare noopt_access_counter"
# kwasm_bench_only=a,b,c (kernel command line) measures only those rows, for a quick run.
[ -z "$kwasm_bench_only" ] || CONFIGS=$(echo "$kwasm_bench_only" | tr ',' ' ')
# Warm up caches and the engine once.
row=warmup
measure counter > /dev/null
# bpftrace joins the rounds if it runs here; if not, the table says what stopped it.
t0=$(cut -d' ' -f1 /proc/uptime)
if ! command -v bpftrace > /dev/null; then
	bpftrace_status="not run: no bpftrace in this machine (make bench stages it)"
elif bpftrace_count > /dev/null || bpftrace_count > /dev/null; then
	t1=$(cut -d' ' -f1 /proc/uptime)
	bpftrace_status="$(bpftrace --version): started, attached and stopped in $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
	CONFIGS="$CONFIGS bpftrace_count"
	# The keyed row when its kwasm row runs (a quick run may leave both out).
	case " $CONFIGS " in *" map_count_key "*) CONFIGS="$CONFIGS bpftrace_count_key" ;; esac
	rm -f $OUT/bpftrace_count $OUT/bpftrace_wrong
	[ -n "$kwasm_bench_rows_only" ] || maps_vs_bpftrace > $OUT/maps_vs_bpftrace
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

median() { [ -s $OUT/$1 ] || return 0; sort -n $OUT/$1 | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
base=$(median baseline)
bare=$(median bare)
noopt_bare=$(median noopt_bare)
abase=$(median access_baseline)
abare=$(median access_bare)
noopt_abare=$(median noopt_access_bare)
both_base=$(median both_cpus_baseline)
tp_bare=$(median tp_bare)
kp_bare=$(median kp_bare)
echo "kwasm bench: getpgid() x $N, $ROUNDS interleaved rounds, medians; 2 vCPUs under TCG"
# make bench's third boot: QEMU's -icount shift=0 makes the guest's clock count its
# instructions, so the columns are instructions per call, not the shared host's time.
[ -z "$kwasm_bench_icount" ] ||
	echo "clock: QEMU -icount shift=0, one guest instruction a nanosecond: ns below are instructions"
# Retpolines make every indirect branch dearer (an interpreter's dispatch is one per op).
echo "spectre_v2: $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null)"
# yes when every kprobe of ROW was a jump in every round.
opt() { [ -s $OUT/$1.jumps ] && ! grep -q 0 $OUT/$1.jumps && echo yes || echo no; }
echo "kprobes on their fast path (ftrace, or a jump instead of int3): __x64_sys_getpgid $(opt bare), __x64_sys_access $(opt access_bare)"
echo "bpftrace: $bpftrace_status"
[ ! -s $OUT/maps_vs_bpftrace ] || cat $OUT/maps_vs_bpftrace
# min and max show the spread between rounds; jumps, in how many rounds every kprobe of
# the row was optimized or an ftrace one (a row with int3 in some rounds is not comparable).
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
	tp_*) ref_base=$base; ref_bare=$tp_bare ;;
	kp_*) ref_base=$base; ref_bare=$kp_bare ;;
	both_cpus_*) ref_base=$both_base; ref_bare=$bare ;;
	*) ref_base=$base; ref_bare=$bare ;;
	esac
	# 0 for a reference row a quick run (kwasm_bench_only) left out: the columns stay put.
	echo "$c $m ${ref_base:-0} ${ref_bare:-0} $spread $jumps" | awk '{ o = $2 - $3; ob = $4 - $3;
		printf "%-22s %10.1f %10.1f %10.1f %12.1f %16s %6s\n", $1, $2, $5, $6, o,
			(ob > 0 && $1 !~ /baseline/) ? sprintf("%.2f", o / ob) : "-", $7 }'
done
[ ! -e $OUT/rows_wrong ] || sort $OUT/rows_wrong | uniq -c | awk '{ c = $1; $1 = ""; print "WRONG:" $0 " (" c " rounds)" }'
[ ! -e $OUT/map_count_wrong ] ||
	echo "WRONG: the map count() counted $(tr '\n' ' ' < $OUT/map_count_wrong) in some rounds"
# A handler's own cost on each path: its overhead over the bare probe of that path.
[ -z "$tp_bare" ] || [ ! -s $OUT/tp_counter ] || [ -z "$bare" ] ||
	echo "$(median tp_counter) $tp_bare $(median counter) $bare" | awk '{ printf \
		"counter handler over its bare probe: tracepoint %.1f ns, kprobe %.1f ns, ratio %.2f\n",
		$1 - $2, $3 - $4, ($1 - $2) / ($3 - $4) }'
# The same handler (two parameters, a compare, a count) on the tracepoint and on a
# kprobe on pid_vnr(), which getpgid(0) calls once (bench/probes/kp_counter.c).
[ -z "$tp_bare" ] || [ ! -s $OUT/tp_counter ] || [ -z "$kp_bare" ] || [ ! -s $OUT/kp_counter ] ||
	echo "$(median tp_counter) $tp_bare $(median kp_counter) $kp_bare" | awk '{ printf \
		"the same handler over its bare probe: tracepoint %.1f ns, kprobe (pid_vnr) %.1f ns, ratio %.2f\n",
		$1 - $2, $3 - $4, ($1 - $2) / ($3 - $4) }'
# A streamed record's own cost, kwasm's (the row over its counter: a counter's handler
# plus the record) beside the kernel's (the C rows over the bare kprobe).
[ ! -s $OUT/stream ] || [ ! -s $OUT/stream_literal ] || [ ! -s $OUT/puts_bare ] ||
	[ ! -s $OUT/printk_bare ] || [ -z "$bare" ] ||
	echo "$(median stream) $(median stream_literal) $(median counter) $(median puts_bare) $(median printk_bare) $bare $base" |
	awk '{ c = $3 - $7; printf \
		"a streamed record over its probe: kwasm formatted %.1f ns, literal %.1f; the kernel'"'"'s (C kprobe): printk %.1f, puts %.1f\n",
		$1 - $3, $2 - $3, $5 - $6, $4 - $6;
		printf "streamed record / counter: %.2f; a counter with the kernel'"'"'s record (puts) / counter: %.2f\n",
		($1 - $7) / c, (c + $4 - $6) / c }'
# Kernel memory of the map count() program's one map (status' map_bytes): its cells'
# baselines, a word per CPU number (nr_cpu_ids) and one more (probe-abi.rst, "Cells").
ncpus=$(($(sed 's/.*-//' /sys/devices/system/cpu/possible) + 1))
map_bytes=$(cat $OUT/map_bytes 2>/dev/null)
[ -z "$map_bytes" ] ||
	echo "map count(): $map_bytes bytes of kernel memory for its map on $ncpus possible CPUs (its cells are in the program's memory)"
[ ! -s $OUT/map_count ] || [ ! -s $OUT/both_cpus_map_count ] ||
	echo "$(median map_count) $(median both_cpus_map_count)" | awk '{ printf \
		"map count() throughput, 2 vCPUs / 1 vCPU: %.2f\n", 2 * $1 / $2 }'
if [ -s $OUT/bpftrace_count ]; then
	[ ! -s $OUT/map_count ] ||
		echo "$(median map_count) $(median bpftrace_count) $base" | awk '{ printf \
			"kwasm map count() overhead / bpftrace count() overhead: %.2f\n",
			($1 - $3) / ($2 - $3) }'
	[ ! -s $OUT/map_count_key ] || [ ! -s $OUT/bpftrace_count_key ] ||
		echo "$(median map_count_key) $(median bpftrace_count_key) $base" | awk '{ printf \
			"with a key: kwasm map count() overhead / bpftrace count() overhead: %.2f\n",
			($1 - $3) / ($2 - $3) }'
	[ ! -e $OUT/bpftrace_wrong ] ||
		echo "WRONG: bpftrace counted $(tr '\n' ' ' < $OUT/bpftrace_wrong) instead of $N in some rounds"
	echo "$(median counter) $(median bpftrace_count) $base" | awk '{ printf \
		"kwasm counter overhead / bpftrace count() overhead: %.2f (bpftrace kprobe on its fast path: %s)\n",
		($1 - $3) / ($2 - $3), "'"$(opt bpftrace_count)"'" }'
fi

# kwasm_bench_rows_only=1: the table above and its ratios, nothing else (make bench's
# second boot, without retpolines).
# kwasm_bench_kallsyms=1 (bench/profile): kwasm's symbols, to name the addresses QEMU
# counted instructions at.
if [ -n "$kwasm_bench_kallsyms" ]; then
	echo "kallsyms-begin"
	grep '\[kwasm\]$' /proc/kallsyms
	echo "kallsyms-end"
fi
[ -z "$kwasm_bench_rows_only" ] || exit 0

# The paths a kprobe takes (Documentation/performance.rst, "Probe paths"): the test
# module's kwasm_test_traced() is an ftrace site, kwasm_test_notrace() is none (int3, or
# a jump once optimized); a write of PN to its parameter calls one PN times in a loop in
# the kernel, and bash's $EPOCHREALTIME around the write gives ns per call. Each probed
# row checks its count, and records the path the kprobes list shows.
PN=${kwasm_bench_path_n:-100000}
TGT=/sys/module/kwasm_test_target/parameters
insmod /kwasm/test/kwasm_test_target.ko
have_fprobe=no
if insmod /kwasm/test/kwasm_test_kprobe.ko kind=fprobe symbol=kwasm_test_traced 2>/dev/null; then
	rmmod kwasm_test_kprobe
	have_fprobe=yes
fi
calls() { # FN: PN calls of kwasm_test_FN; prints ns per call
	bash -c 's=$EPOCHREALTIME; echo "$1" > "$2"; e=$EPOCHREALTIME; echo "${s/./} ${e/./}"' \
		_ $PN $TGT/$1_calls | awk -v n=$PN '{ printf "%.1f\n", ($2 - $1) * 1000 / n }'
}
# The row's path: its kprobe's from the kprobes list (ftrace, jump, int3), or with no
# kprobe the ftrace_ops on the function's entry: kwasm's own (ftrace_ops) or fprobe's.
path_of() {
	f=$(awk '$3 ~ /^kwasm_test_/ { p = "int3"; for (i = 4; i <= NF; i++) {
		if ($i == "[FTRACE]") p = "ftrace"; if ($i == "[OPTIMIZED]") p = "jump" } print p; exit }' \
		/sys/kernel/debug/kprobes/list)
	if [ -z "$f" ]; then
		f=fprobe
		! grep -q '^kwasm_test_.*(kwasm_ftrace_handler+' /sys/kernel/tracing/enabled_functions ||
			f=ftrace_ops
	fi
	echo "$f" >> $OUT/$row.path
}
bare_hits() { cat /sys/module/kwasm_test_kprobe/parameters/hits; }
check() { # GOT: a row's count must be PN
	[ "$1" = $PN ] || echo "$row: counted $1 of $PN" >> $OUT/paths_wrong
}
pmeasure() { # CONFIG
	case $1 in
	none_traced) calls traced ;;
	none_notrace) calls notrace ;;
	kprobe_ftrace) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=kwasm_test_traced
		settle; path_of; calls traced; check $(bare_hits); rmmod kwasm_test_kprobe ;;
	kprobe_jump) insmod /kwasm/test/kwasm_test_kprobe.ko symbol=kwasm_test_notrace
		settle; path_of; calls notrace; check $(bare_hits); rmmod kwasm_test_kprobe ;;
	fprobe_entry) insmod /kwasm/test/kwasm_test_kprobe.ko kind=fprobe symbol=kwasm_test_traced
		path_of; calls traced; check $(bare_hits); rmmod kwasm_test_kprobe ;;
	kretprobe) insmod /kwasm/test/kwasm_test_kprobe.ko kind=kretprobe symbol=kwasm_test_traced
		settle; path_of; calls traced; check $(bare_hits); rmmod kwasm_test_kprobe ;;
	fprobe_exit) insmod /kwasm/test/kwasm_test_kprobe.ko kind=fprobe_exit symbol=kwasm_test_traced
		path_of; calls traced; check $(bare_hits); rmmod kwasm_test_kprobe ;;
	kwasm_ftrace) prog traced_counter; path_of; calls traced
		check $(sed -n 's/.* hits=\([0-9]*\) .*/\1/p' $W/b/stats); unprog ;;
	kwasm_jump) prog notrace_counter; path_of; calls notrace
		check $(sed -n 's/.* hits=\([0-9]*\) .*/\1/p' $W/b/stats); unprog ;;
	kwasm_post) prog traced_post_counter; path_of; calls traced
		check $(sed -n 's/.* hits=\([0-9]*\) .*/\1/p' $W/b/stats); unprog ;;
	*_int3) echo 0 > /proc/sys/debug/kprobes-optimization
		pmeasure ${1%_int3}_jump
		echo 1 > /proc/sys/debug/kprobes-optimization ;;
	esac
}
PCONFIGS="none_traced none_notrace kprobe_ftrace kprobe_jump kprobe_int3 kwasm_ftrace kwasm_jump
	kwasm_int3 kretprobe kwasm_post"
[ $have_fprobe = no ] || PCONFIGS="$PCONFIGS fprobe_entry fprobe_exit"
for r in $(seq 1 $ROUNDS); do
	echo "paths: round $r of $ROUNDS" >&2
	for c in $PCONFIGS; do
		row=p_$c
		v=$(pmeasure $c)
		[ -z "$v" ] || echo "$v" >> $OUT/$row
	done
done
rmmod kwasm_test_target
echo
echo "probe paths: kwasm_test_traced() (an ftrace site) or kwasm_test_notrace() (none) x $PN in a kernel loop, $ROUNDS rounds, medians; fprobe: $have_fprobe"
# overhead: over the same function without a probe; path: what the kprobes list showed,
# in how many rounds.
printf '%-16s %-22s %10s %10s %10s %10s %s\n' config function ns/call min max overhead path
for c in $PCONFIGS; do
	row=p_$c
	[ -s $OUT/$row ] || { printf '%-16s no round succeeded (see above)\n' $c; continue; }
	case $c in
	*_jump|*_int3|none_notrace) fn=kwasm_test_notrace; ref=$(median p_none_notrace) ;;
	*) fn=kwasm_test_traced; ref=$(median p_none_traced) ;;
	esac
	path=-
	[ ! -s $OUT/$row.path ] || path=$(sort $OUT/$row.path | uniq -c | awk '{ printf "%s%s %d/'"$(wc -l < $OUT/$row.path)"'", s, $2, $1; s = ", " }')
	spread=$(sort -n $OUT/$row | sed -n '1p;$p' | tr '\n' ' ')
	echo "$c $fn $(median $row) $ref $spread" | awk -v path="$path" '{
		printf "%-16s %-22s %10.1f %10.1f %10.1f %10s %s\n", $1, $2, $3, $5, $6,
			($1 ~ /^none_/) ? "-" : sprintf("%.1f", $3 - $4), path }'
done
# A wrong count once per row and count, with in how many rounds.
[ ! -e $OUT/paths_wrong ] || sort $OUT/paths_wrong | uniq -c | awk '{ c = $1; $1 = ""; print "WRONG:" $0 " (" c " rounds)" }'
[ ! -s $OUT/p_kretprobe ] || [ ! -s $OUT/p_fprobe_exit ] ||
	echo "$(median p_kretprobe) $(median p_fprobe_exit) $(median p_none_traced)" | awk '{ printf \
		"return path: kretprobe overhead / fprobe exit-handler overhead: %.2f\n", ($1 - $3) / ($2 - $3) }'
[ ! -s $OUT/p_kprobe_ftrace ] || [ ! -s $OUT/p_fprobe_entry ] ||
	echo "$(median p_kprobe_ftrace) $(median p_fprobe_entry) $(median p_none_traced)" | awk '{ printf \
		"entry: ftrace kprobe overhead / fprobe entry-handler overhead: %.2f\n", ($1 - $3) / ($2 - $3) }'
echo
# Two vCPUs against one: each vCPU's ns/op with both looping, against one vCPU's alone.
# Throughput ratio = 2 x (1-vCPU ns/op) / (2-vCPU ns/op): 2.00 is perfect scaling.
echo
echo "2 vCPUs / 1 vCPU throughput (2 x ns/op on one vCPU / ns/op on each of two):"
ratio() { # ONE TWO LABEL
	[ -s $OUT/$1 ] && [ -s $OUT/$2 ] || { echo "  $3: not measured"; return; }
	echo "$(median $1) $(median $2)" | awk -v l="$3" '{ printf "  %-26s %6.2f  (%.1f ns/op alone, %.1f on each of two)\n", l, 2 * $1 / $2, $1, $2 }'
}
ratio baseline both_cpus_baseline "baseline (no probe)"
ratio counter both_cpus_counter "shared counter"
ratio percpu_counter both_cpus_percpu_counter "per-CPU counter"
for c in both_cpus_counter both_cpus_percpu_counter; do
	[ -s $OUT/$c.contention ] || continue
	awk -v c=$c '{ h += $1; w += $2; d += $3 } END {
		printf "  %s, all rounds: %d hits, %d waited for the other vCPU, %d dropped\n", c, h, w, d }' \
		$OUT/$c.contention
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
# The same in per-CPU mode: an instance per possible CPU on top.
ncpus=$(tr ',' '\n' < /sys/devices/system/cpu/possible | awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }')
before=$(mem)
for i in $(seq 1 100); do
	mkdir $W/m$i && echo percpu > $W/m$i/mode && cat /kwasm/bench/counter.wasm > $W/m$i/code
done
after=$(mem)
status_bytes=$(sed -n 's/^bytes_per_cpu: //p' $W/m1/status)
for i in $(seq 1 100); do rmdir $W/m$i; done
echo "kernel memory per loaded program in per-CPU mode ($ncpus possible CPUs): $(( (after - before) / 100 )) KiB, $(( (after - before) / 100 / ncpus )) KiB per CPU; status says bytes_per_cpu: $status_bytes"

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

# Attaching and detaching a wildcard over some 50 functions (bench/probes/wildcard.c, one
# fprobe): wall time of echo 1 > active and of echo 0 > active, by bash's $EPOCHREALTIME,
# WILD_RUNS times each, the median.
WILD_RUNS=${kwasm_bench_wild_runs:-5}
wild_ms() { # VALUE: ms that echo VALUE > active takes
	bash -c 's=$EPOCHREALTIME; echo "$1" > "$2"; e=$EPOCHREALTIME; echo "${s/./} ${e/./}"' \
		_ $1 $W/wc/active | awk '{ printf "%.3f\n", ($2 - $1) / 1000 }'
}
echo
rm -f $OUT/wild_attach $OUT/wild_detach $OUT/wild_failed
mkdir $W/wc && cat /kwasm/bench/wildcard.wasm > $W/wc/code
for r in $(seq 1 $WILD_RUNS); do
	wild_ms 1 >> $OUT/wild_attach
	grep -q 'state: active' $W/wc/status || { grep error $W/wc/status > $OUT/wild_failed; break; }
	wild_n=$(sed -n 's/^kprobe:.* functions=\([0-9]*\) .*/\1/p' $W/wc/stats)
	wild_ms 0 >> $OUT/wild_detach
done
rmdir $W/wc
if [ -e $OUT/wild_failed ]; then
	echo "wildcard kprobe:vfs_[a-p]*:pre: failed: $(cat $OUT/wild_failed)"
else
	echo "wildcard kprobe:vfs_[a-p]*:pre on $wild_n functions (one fprobe): attach $(median wild_attach) ms, detach $(median wild_detach) ms (medians of $(wc -l < $OUT/wild_attach) runs)"
fi
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
