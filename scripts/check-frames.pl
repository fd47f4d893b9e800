#!/usr/bin/env perl
# SPDX-License-Identifier: GPL-2.0
#
# check-frames.pl FRAME_WARN ROOT... [-- CUT...] < "objdump -dr kwasm.ko; objdump -r kwasm.ko"
#
# The kernel's -Wframe-larger-than (CONFIG_FRAME_WARN) checks C frames only; rustc has no
# such option. This is that check for the whole module, Rust included, from the code as
# built: a function's frame is what its prologue takes (pushes and `sub $N,%rsp`).
#
# A frame over FRAME_WARN is allowed only in a function that runs nowhere but on the
# engine's own 64 KiB load stack (src/stack.c): every chain of direct callers that leads
# to it must start at one of the ROOTs (the entry points stack.c calls there). A chain
# that starts anywhere else (an entry point C calls on its own stack, or a function whose
# address is taken, so that it may be called from anywhere: an operations table or a
# vtable holds it, which `objdump -r` shows) fails the check. A CUT is a
# pattern (a Perl regex) naming functions that code outside the load stack calls in
# principle but never in kwasm; the caller says why. A chain is followed no further up
# than a CUT, which counts as a ROOT.
#
# The kernel's scripts/checkstack.pl would do for a list, but it adds each epilogue's
# `add $N,%rsp` to the prologue's `sub`, counting a frame once more per epilogue.
#
# Prints the frames over FRAME_WARN and where each is called from; exits 1 if any of
# them is reachable other than from the ROOTs.

use strict;
use warnings;

my ($limit, @args) = @ARGV;
my (@roots, @cuts, $in_cuts);
for (@args) {
	if ($_ eq '--') { $in_cuts = 1 } elsif ($in_cuts) { push @cuts, qr/$_/ } else { push @roots, $_ }
}
die "usage: $0 FRAME_WARN ROOT... [-- CUT...] < objdump -dr and -r output\n" unless $limit && @roots;
my %root = map { $_ => 1 } @roots;
my %cut_used;
sub is_cut {
	my ($f) = @_;
	for my $c (@cuts) {
		if ($f =~ $c) { $cut_used{$c} = 1; return 1 }
	}
	return 0;
}

my (%frame, %addr, %callers, %taken, %code);
my ($func, $ninsn, $pushes, $sub, $branch, $section, $records);
my @pending;	# [caller, section:offset of the callee, branch?] until every address is known

# Sections whose relocations point at code for the kernel's own bookkeeping (unwinding,
# patching, tracing sites), not at functions that something calls through a pointer.
my %metadata = map { $_ => 1 } qw(__bug_table __patchable_function_entries _kprobe_blacklist
	.static_call_sites __mcount_loc __tracepoints_ptrs .retpoline_sites .return_sites
	.call_sites .ibt_endbr_seal .orc_unwind_ip .orc_unwind __jump_table __ex_table
	.altinstructions .smp_locks .parainstructions);

# A relocation's target as section:offset, or undef for a symbol.
sub target {
	my ($type, $target) = @_;
	return undef unless $target =~ /^(\.[\w.]*text[\w.]*)([+-]0x[0-9a-f]+)?$/;
	my ($sec, $add) = ($1, $2);
	my $off = defined $add ? ($add =~ /^-/ ? -hex(substr $add, 1) : hex(substr $add, 1)) : 0;
	# PC-relative: the addend is the offset less the 4 bytes of the field.
	$off += 4 if $type =~ /PC32|PLT32/;
	return "$sec:$off";
}

sub done_func {
	$frame{$func} = $pushes * 8 + $sub if defined $func;
}

while (<STDIN>) {
	if (/^Disassembly of section (\S+):$/) {
		done_func();
		($section, $func, $records) = ($1, undef, undef);
		$code{$section} = 1;
		next;
	}
	# objdump -r: the relocations of the data sections, where function pointers are.
	if (/^RELOCATION RECORDS FOR \[(\S+)\]:$/) {
		done_func();
		$func = undef;
		$records = !$code{$1} && !$metadata{$1};
		next;
	}
	if ($records) {
		if (/^[0-9a-f]+ (R_X86_64_\w+)\s+(\S+)$/) {
			my $t = target($1, $2);
			push @pending, [undef, $t, 0] if defined $t;
		}
		next;
	}
	if (/^([0-9a-f]+) <(.+)>:$/) {
		done_func();
		($func, $ninsn, $pushes, $sub, $branch) = ($2, 0, 0, 0, 0);
		$addr{"$section:" . hex $1} = $func;
		next;
	}
	next unless defined $func;
	# A relocation line follows the instruction it patches.
	if (/^\s+[0-9a-f]+: (R_X86_64_\w+)\s+(\S+)$/) {
		my ($type, $target) = ($1, $2);
		my $t = target($type, $target);
		if (defined $t) {
			push @pending, [$func, $t, $branch];
		} elsif ($branch) {
			push @{$callers{$target}}, $func;
		} else {
			$taken{$target} = 1;
		}
		$branch = 0;
		next;
	}
	next unless /^\s+[0-9a-f]+:\t/;
	$branch = /\t(call|jmp)\s/ ? 1 : 0;
	next if ++$ninsn > 40;
	$pushes++ if /\tpush\s+%r/;
	$sub = hex $1 if !$sub && /\tsub\s+\$0x([0-9a-f]+),%rsp/;
}
done_func();

for my $p (@pending) {
	my ($from, $off, $is_branch) = @$p;
	my $to = $addr{$off};
	next unless defined $to;	# into a function's middle: a jump table, a local label
	if (defined $from && $is_branch) {
		push @{$callers{$to}}, $from unless $to eq $from;
	} else {
		$taken{$to} = 1;
	}
}

# Where a function can be entered from: the chains of direct callers up to their starts.
sub starts {
	my ($f, $seen, $out) = @_;
	return if $seen->{$f}++;
	if ($root{$f} || is_cut($f)) {
		$out->{$f} = 1;
		return;
	}
	my @up = @{$callers{$f} // []};
	$out->{$f} = 1 if !@up || $taken{$f};
	starts($_, $seen, $out) for @up;
}

my $bad = 0;
my @big = sort { $frame{$b} <=> $frame{$a} } grep { $frame{$_} > $limit } keys %frame;
for my $f (@big) {
	my %from;
	starts($f, {}, \%from);
	my @other = sort grep { !$root{$_} && !is_cut($_) } keys %from;
	my @ok = sort grep { $root{$_} || is_cut($_) } keys %from;
	if (is_cut($f)) {
		printf "%6d %s\n       not called outside the load stack in kwasm (CUT)\n", $frame{$f}, $f;
	} elsif (@other) {
		$bad = 1;
		printf "%6d %s\n       FAIL: reachable from %s\n", $frame{$f}, $f, join(', ', @other);
	} else {
		printf "%6d %s\n       load stack only: from %s\n", $frame{$f}, $f, join(', ', @ok);
	}
}
# A CUT that matches nothing any more is stale: say so, so that it gets removed.
for my $c (@cuts) {
	next if $cut_used{$c} || grep { $_ =~ $c } keys %frame;
	print "stale CUT, it names no function: $c\n";
	$bad = 1;
}
printf "%d functions, %d with a frame over %d bytes, %s\n", scalar(keys %frame), scalar(@big),
	$limit, $bad ? "some outside the load stack" : "all on the load stack only";
exit $bad;
