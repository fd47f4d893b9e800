#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions per call, by kernel function, from two tbcount.so runs of one bench row.

Usage: profile.py SYSTEM_MAP CALLS SHORT_COUNTS SHORT_LOG LONG_COUNTS LONG_LOG

The long run made CALLS more calls of the row than the short one; everything else both
boots did (booting, loading, the warm-up) is the same in both and cancels out. kwasm's
own addresses are named from the kallsyms lines each run's output log carries.
"""
import bisect
import sys


def symbols(system_map, log):
    syms = []
    with open(system_map) as f:
        for line in f:
            addr, kind, name = line.split()[:3]
            if kind in 'tTwW':
                syms.append((int(addr, 16), name))
    inside = False
    with open(log) as f:
        for line in f:
            if line.startswith('kallsyms-begin'):
                inside = True
            elif line.startswith('kallsyms-end'):
                break
            elif inside:
                p = line.split()
                if len(p) >= 3 and p[1] in 'tT':
                    syms.append((int(p[0], 16), p[2]))
    if not inside:
        sys.exit(f'profile.py: {log} has no kallsyms lines (kwasm_bench_kallsyms=1)')
    syms.sort()
    return syms


def by_function(counts, syms):
    addrs = [a for a, _ in syms]
    total = {}
    with open(counts) as f:
        for line in f:
            addr, insns, execs = line.split()
            i = bisect.bisect_right(addrs, int(addr, 16)) - 1
            # Code outside every symbol counts under the symbol before it: ftrace's
            # trampolines, made in the module area, under kwasm's last one.
            name = syms[i][1] if i >= 0 else '?'
            total[name] = total.get(name, 0) + int(insns) * int(execs)
    return total


def main():
    system_map, calls = sys.argv[1], float(sys.argv[2])
    short = by_function(sys.argv[3], symbols(system_map, sys.argv[4]))
    long_ = by_function(sys.argv[5], symbols(system_map, sys.argv[6]))
    per_call = {k: (long_.get(k, 0) - short.get(k, 0)) / calls for k in set(short) | set(long_)}
    print(f'{"insns/call":>10}  function')
    rest = 0.0
    for name, v in sorted(per_call.items(), key=lambda kv: -kv[1]):
        if abs(v) >= 0.5:
            print(f'{v:10.1f}  {name}')
        else:
            rest += v
    print(f'{rest:10.1f}  (functions under 0.5 each)')
    print(f'{sum(per_call.values()):10.1f}  total')


main()
