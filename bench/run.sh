#!/bin/sh
# bench/run.sh - `make bench`: vmdbg against its peers, as ratios taken in
# one run.  Absolute times on a shared machine are noise; the ratios (each
# pair measured back to back, best of BENCH_REPS) are the result.
#
#   kvm backend (issue 2): a traced `out` trap vs a raw KVM exit round trip
#     (bench/kvm_raw.c, a bare KVM VM running the same guest), single-step
#     rate vs raw KVM single-step, trace bytes per trap.
#   emu backend (issues 3, 16): vs QEMU TCG on the same guest images: a
#     dec;jnz loop (emu's counting-loop path), a mixed C app on the
#     lecture32 kernel (bench/guests/mix32.c: plain code in general), an
#     `out` loop, untraced and traced ring-3 int+iret round trips; QEMU
#     with `-d int -D FILE` as a secondary row; traced vs untraced `out`;
#     emu's step mode (privileged-instruction records, no stop per
#     instruction); the debugger's `stepi N` and one `stepi` per command.
#   trace viewer (issue 5): `vmdbg view`'s file access (bench/bench_view.c)
#     on a generated 10-million-trap trace: open, jumps, peak memory
#     (wall-clock: a person waits for them).
#   trace files (issue 16): `trace show` ns per record and `trace stats`
#     (from the chunk summaries, and --decode) on the viewer's 10-million-
#     trap trace, opening a 100-million-trap trace from its chunk directory
#     (bench_view -O), and the bytes a polling loop costs per iteration
#     (REPEAT records).
#   several CPUs (issue 17): emu's time per retired instruction with
#     --cpus 4 against --cpus 1 on the same dec;jnz guest (smp32.img, every
#     CPU runs the loop; 4096-instruction quanta), both sides vmdbg.
#   perfetto export (issue 13): `vmdbg trace export --format perfetto` of
#     the same 10-million-trap trace: time and peak memory (it streams).
#   time travel (issue 11): bench/tt_bench.c records int32 for 10^8
#     instructions (5*10^7 records): the run with recording on vs off,
#     then reverse-stepi and goto record N at random points (wall-clock).
#
# Times are CPU time (user + system, of the bench process or of QEMU with
# all its threads; the guest's time inside KVM counts as the vCPU
# thread's) unless BENCH_CLOCK=wall: on a loaded machine wall-clock time
# mostly measures the other processes.  QEMU's start-up (and emu's, for
# symmetry) is taken out by also running each guest with 10 iterations.
#
# Environment: BUILD (default build), BENCH_SECONDS (per measurement,
# default 1), BENCH_REPS (default 4), BENCH_CLOCK (cpu or wall, default
# cpu), BENCH_ONLY (some of: kvm trace emu smp view tracefile perfetto symbols replay timetravel; default all), QEMU (default
# qemu-system-x86_64).  Guests: bench/guests/*.S, built by bench/bench.mk.
# The table also goes to $BUILD/bench/results.txt.

BUILD=${BUILD:-build}
B=$BUILD/bench
G=$B/guests
W=$B/work
SECS=${BENCH_SECONDS:-1}
REPS=${BENCH_REPS:-4}
QEMU=${QEMU:-qemu-system-x86_64}
ONLY=$(echo "${BENCH_ONLY:-kvm trace emu smp view tracefile perfetto symbols replay timetravel}" | tr ',' ' ')
OUT=$B/results.txt
case ${BENCH_CLOCK:-cpu} in
cpu)	CLOCK_KEY=cpu_ns CLOCK_NAME="CPU time" ;;
wall)	CLOCK_KEY=ns CLOCK_NAME="wall-clock time" ;;
*)	echo "bench: BENCH_CLOCK=$BENCH_CLOCK: expected cpu or wall" >&2; exit 1 ;;
esac

mkdir -p "$W" || exit 1
for f in kvm_raw vmdbg_bench qemu_bench bench_view bench_symbols tt_bench; do
	[ -x "$B/$f" ] || { echo "bench: $B/$f is missing (run make bench)" >&2; exit 1; }
done
for g in out16 loop16 loop32 out32 int32 mix32 smp32; do
	[ -f "$G/$g.img" ] || { echo "bench: $G/$g.img is missing (run make bench)" >&2; exit 1; }
done

ROWS=$W/rows
NOTES=$W/notes
: >"$ROWS"
: >"$NOTES"

# ---- helpers ----------------------------------------------------------------
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
# row MEASUREMENT VMDBG PEER RATIO GOAL MET: one line of the table.
row() { printf '%s|%s|%s|%s|%s|%s\n' "$@" >>"$ROWS"; }
note() { echo "$*" >>"$NOTES"; echo "bench: $*" >&2; }
progress() { echo "bench: $*..." >&2; }
# get KEY LINE: the value of KEY=... in a key=value line.
get() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# calc EXPR: floating point.  fmt VALUE DECIMALS.  met VALUE OP GOAL: yes/no.
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }
fmt() { awk "BEGIN { printf \"%.$2f\", $1 }"; }
met() { awk "BEGIN { print ($1 $2 $3) ? \"yes\" : \"no\" }"; }
min() { if [ -z "$1" ] || awk "BEGIN { exit !($2 < $1) }"; then echo "$2"; else echo "$1"; fi; }

# measure FUNC COUNT: run one measurement; its line in LAST, its time in T
# (ns of CPU or wall-clock time, after BENCH_CLOCK).
LAST='' T=''
measure() {
	"$@" >"$W/line" || return 1
	LAST=$(cat "$W/line")
	T=$(get $CLOCK_KEY "$LAST")
	[ -n "$T" ]
}

# calibrate FUNC START [BASE]: a count that makes FUNC take about SECS
# seconds beyond BASE ns (start-up time).
calibrate() {
	f=$1 c=$2 base=${3:-0}
	while :; do
		measure "$f" "$c" || return 1
		net=$(calc "$T - $base")
		if awk "BEGIN { exit !($net >= $SECS * 1e9 / 6 || $c >= 400000000) }"; then
			break
		fi
		c=$((c * 8))
	done
	awk "BEGIN { n = $c * $SECS * 1e9 / ($net > 1e5 ? $net : 1e5);
		     if (n > 4000000000) n = 4000000000; if (n < 100) n = 100;
		     printf \"%d\", n }"
}

# pair PEER VMDBG START: calibrate on vmdbg (the slower side), then REPS
# rounds of peer and vmdbg back to back with the same count.  Sets N,
# PEER_NS and VMDBG_NS (best of REPS) and VMDBG_LINE.
pair() {
	N=$(calibrate "$2" "$3") || return 1
	PEER_NS='' VMDBG_NS=''
	r=0
	while [ $r -lt "$REPS" ]; do
		measure "$1" "$N" || return 1
		PEER_NS=$(min "$PEER_NS" "$T")
		measure "$2" "$N" || return 1
		VMDBG_NS=$(min "$VMDBG_NS" "$T")
		VMDBG_LINE=$LAST
		r=$((r + 1))
	done
}

# per_iter FUNC BIG [FUNC2 BIG2]: best-of-REPS time per iteration with the
# start-up time taken out, (t(BIG) - t(10)) / (BIG - 10).  With FUNC2 the
# two are measured in turns, round by round.  Sets PER_NS and LINE (BIG's
# line), and PER_NS2 and LINE2.
per_iter() {
	tb='' tt='' tb2='' tt2=''
	r=0
	while [ $r -lt "$REPS" ]; do
		measure "$1" 10 || return 1
		tt=$(min "$tt" "$T")
		measure "$1" "$2" || return 1
		tb=$(min "$tb" "$T")
		LINE=$LAST
		if [ $# -ge 4 ]; then
			measure "$3" 10 || return 1
			tt2=$(min "$tt2" "$T")
			measure "$3" "$4" || return 1
			tb2=$(min "$tb2" "$T")
			LINE2=$LAST
		fi
		r=$((r + 1))
	done
	PER_NS=$(calc "($tb - $tt) / ($2 - 10)")
	[ $# -lt 4 ] || PER_NS2=$(calc "($tb2 - $tt2) / ($4 - 10)")
}

# ---- the measurements: FUNC COUNT prints a key=value line ------------------
kvm_out_raw()	{ "$B/kvm_raw" out "$G/out16.img" "$1"; }
kvm_out_vmdbg()	{ "$B/vmdbg_bench" --backend kvm --trace "$W/out16-kvm.vtr" --count "$1" "$G/out16.img"; }
kvm_step_raw()	{ "$B/kvm_raw" step "$G/loop16.img" "$1"; }
kvm_step_vmdbg() { "$B/vmdbg_bench" --backend kvm --step --count "$1" "$G/loop16.img"; }
emu_loop()	{ "$B/vmdbg_bench" --backend emu --count "$1" "$G/loop32.img"; }
qemu_loop()	{ "$B/qemu_bench" --qemu "$QEMU" "$G/loop32.img" "$1"; }
emu_out()	{ "$B/vmdbg_bench" --backend emu --count "$1" "$G/out32.img"; }
qemu_out()	{ "$B/qemu_bench" --qemu "$QEMU" "$G/out32.img" "$1"; }
emu_mix()	{ "$B/vmdbg_bench" --backend emu --count "$1" "$G/mix32.img"; }
qemu_mix()	{ "$B/qemu_bench" --qemu "$QEMU" "$G/mix32.img" "$1"; }
emu_out_traced() { "$B/vmdbg_bench" --backend emu --trace "$W/out32-emu.vtr" --count "$1" "$G/out32.img"; }
emu_int()	{ "$B/vmdbg_bench" --backend emu --trace "$W/int32-emu.vtr" --count "$1" "$G/int32.img"; }
qemu_int()	{ "$B/qemu_bench" --qemu "$QEMU" --log "$W/int32-qemu.log" "$G/int32.img" "$1"; }
emu_int_plain()	{ "$B/vmdbg_bench" --backend emu --count "$1" "$G/int32.img"; }
qemu_int_plain() { "$B/qemu_bench" --qemu "$QEMU" "$G/int32.img" "$1"; }
# The vmdbg program itself (its -t printing and the debugger live in the
# frontend): the image patched to COUNT, then the program's CPU time from
# the shell's `times` (children of the subshell; 1 ms resolution).
# (`times` into a file: in a pipe it would run in a new subshell, which
# has no children yet)
cpu_of() {
	times >"$W/times"
	tail -n 1 "$W/times" | awk '{ n = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60 + a[2] }
		printf "cpu_ns=%.0f\n", n * 1e9 }'
}
patched() { "$B/vmdbg_bench" --count "$2" --save-image "$W/$1-n.img" "$G/$1.img"; }
prog_out() { patched out32 "$1" && ( "$BUILD/vmdbg" run --backend emu -q "$W/out32-n.img" >/dev/null 2>&1; cpu_of ); }
prog_out_t() {
	patched out32 "$1" &&
	( "$BUILD/vmdbg" run --backend emu -q -t "$W/out32-n.img" >/dev/null 2>"$W/traps.txt"; cpu_of )
}
prog_stepi_n() {
	patched loop32 "$1" &&
	( "$BUILD/vmdbg" --backend emu --batch -ex "stepi $((2 * $1))" "$W/loop32-n.img" >/dev/null 2>&1; cpu_of )
}
prog_stepi_1() {
	patched loop32 100000000 && yes stepi | head -n "$1" >"$W/stepi.x" &&
	( "$BUILD/vmdbg" --backend emu --batch -x "$W/stepi.x" "$W/loop32-n.img" >/dev/null 2>&1; cpu_of )
}
emu_step()	{ "$B/vmdbg_bench" --backend emu --step --count "$1" "$G/loop32.img"; }
emu_step_int()	{ "$B/vmdbg_bench" --backend emu --step --trace "$W/int32-step.vtr" --count "$1" "$G/int32.img"; }

# bytes_row NAME LINE: trace bytes per trap, whole file / traps (header,
# chunk headers, console output and the END record included).
bytes_row() {
	tr=$(get traps "$2") by=$(get trace_bytes "$2")
	[ -n "$tr" ] && [ "$tr" -gt 0 ] || return 0
	b=$(calc "$by / $tr")
	row "trace bytes/trap: $1 ($tr traps, $by bytes)" "$(fmt "$b" 2) B" "-" "-" \
	    "<= 16 B" "$(met "$b" "<=" 16)"
}

# ---- issue 2: the kvm backend ----------------------------------------------
KVM_OUT_LINE=
section_kvm() {
	if ! "$B/kvm_raw" out "$G/out16.img" 10 >/dev/null 2>"$W/kvm.err"; then
		note "kvm rows skipped: $(head -n 1 "$W/kvm.err")"
		return
	fi
	progress "kvm: traced out trap vs raw KVM exit"
	if pair kvm_out_raw kvm_out_vmdbg 2000; then
		raw=$(calc "$PEER_NS / $N / 1000")
		vm=$(calc "$VMDBG_NS / $N / 1000")
		ratio=$(calc "$vm / $raw")
		row "kvm: traced out trap vs raw KVM exit (us/trap; $N traps)" \
		    "$(fmt "$vm" 2) us" "$(fmt "$raw" 2) us" "$(fmt "$ratio" 2)x" "<= 1.10x" \
		    "$(met "$ratio" "<=" 1.10)"
		KVM_OUT_LINE=$VMDBG_LINE
	else
		note "kvm out bench failed"
	fi
	progress "kvm: single-step rate vs raw KVM single-step"
	if pair kvm_step_raw kvm_step_vmdbg 2000; then
		raw=$(calc "2 * $N / $PEER_NS * 1e6")
		vm=$(calc "2 * $N / $VMDBG_NS * 1e6")
		ratio=$(calc "$vm / $raw")
		row "kvm: single-step rate vs raw KVM single-step (k steps/s)" \
		    "$(fmt "$vm" 1) k/s" "$(fmt "$raw" 1) k/s" "$(fmt "$ratio" 2)x" ">= 0.90x" \
		    "$(met "$ratio" ">=" 0.90)"
	else
		note "kvm step bench failed"
	fi
}

# ---- trace bytes per trap ----------------------------------------------------
# The traps-only variants write trap records alone: what a trap costs.
section_trace() {
	progress "trace bytes per trap"
	[ -n "$KVM_OUT_LINE" ] && bytes_row "out loop, kvm" "$KVM_OUT_LINE"
	l32=$BUILD/guests/lecture32.img
	if [ ! -f "$l32" ]; then
		note "lecture32 rows skipped: $l32 not built"
		return
	fi
	for v in "run" "run --traps-only" "step" "step --traps-only"; do
		# shellcheck disable=SC2086  # split "MODE [--traps-only]"
		set -- $v
		mode=$1
		shift
		sflag=
		[ "$mode" = step ] && sflag=--step
		if line=$("$B/vmdbg_bench" --backend emu $sflag --trace "$W/lecture32.vtr" "$@" "$l32"); then
			bytes_row "lecture32, emu $mode mode${1:+, traps only}" "$line"
		else
			note "lecture32 $mode-mode trace failed"
		fi
	done
}

# ---- issue 3: emu vs QEMU TCG ----------------------------------------------
# emu_vs_qemu NAME UNIT EMU QEMU EMU_START QEMU_START GOAL [OP VALUE]
emu_vs_qemu() {
	name=$1 unit=$2 efn=$3 qfn=$4
	progress "emu vs QEMU: $name"
	en=$(calibrate "$efn" "$5") || { note "emu: $name failed"; return; }
	if [ $have_qemu = 0 ]; then
		per_iter "$efn" "$en" || { note "emu: $name failed"; return; }
		row "emu vs QEMU TCG: $name ($unit)" "$(fmt "$PER_NS" 2)" "skipped" "-" "$7" "-"
		return
	fi
	measure "$qfn" 10 && base=$T && qn=$(calibrate "$qfn" "$6" "$base") ||
		{ note "QEMU: $name failed"; return; }
	per_iter "$efn" "$en" "$qfn" "$qn" || { note "emu vs QEMU: $name failed"; return; }
	e=$PER_NS q=$PER_NS2
	ratio=$(calc "$e / $q")
	row "emu vs QEMU TCG: $name ($unit)" "$(fmt "$e" 2)" "$(fmt "$q" 2)" \
	    "$(fmt "$ratio" 2)x" "$7" "$([ $# -ge 9 ] && met "$ratio" "$8" "$9" || echo -)"
}

# int_rows: the emu int+iret rows from PER_NS and LINE (count en).
int_rows() {
	e=$(calc "$PER_NS / 1000")
	each=$(fmt "$(calc "$(get traps "$LINE") / $en")" 0)
	row "emu: traced ring-3 int+iret (ns/round trip; $each traps each)" \
	    "$(fmt "$PER_NS" 1) ns" "-" "-" "<= 100 ns" "$(met "$PER_NS" "<=" 100)"
	if [ -n "$QEMU_INT_NS" ]; then
		ratio=$(calc "$QEMU_INT_NS / $PER_NS")
		row "emu traced vs QEMU TCG untraced: int+iret (ns/round trip)" \
		    "$(fmt "$PER_NS" 1)" "$(fmt "$QEMU_INT_NS" 1)" "$(fmt "$ratio" 2)x faster" \
		    ">= 2.8x faster" "$(met "$ratio" ">=" 2.8)"
	fi
	bytes_row "int+iret loop, emu" "$LINE"
}

section_emu() {
	have_qemu=1
	if ! command -v "$QEMU" >/dev/null 2>&1; then
		have_qemu=0
		note "QEMU rows skipped: $QEMU not found (Debian: apt-get install qemu-system-x86)"
	fi
	emu_vs_qemu "untraced dec;jnz loop" "ns/iteration" emu_loop qemu_loop \
		100000 10000000 "<= 1.00x" "<=" 1
	emu_vs_qemu "mixed C app on lecture32: strings, arithmetic, memory" \
		"ns/round, ~120k insns" emu_mix qemu_mix 10 100 "<= 1.20x" "<=" 1.2
	emu_vs_qemu "untraced out loop" "ns/out" emu_out qemu_out 10000 1000000 "-"
	# traced out (a record per out, written to a trace file) vs untraced
	progress "emu: traced vs untraced out loop"
	if en=$(calibrate emu_out_traced 10000) && per_iter emu_out "$en" emu_out_traced "$en"; then
		ratio=$(calc "$PER_NS2 / $PER_NS")
		row "emu: traced vs untraced out loop (ns/out, a record each)" \
		    "$(fmt "$PER_NS2" 2)" "$(fmt "$PER_NS" 2)" "$(fmt "$ratio" 2)x" "<= 1.10x" \
		    "$(met "$ratio" "<=" 1.1)"
	else
		note "emu traced out bench failed"
	fi
	q=
	emu_vs_qemu "untraced ring-3 int+iret" "ns/round trip" emu_int_plain qemu_int_plain \
		10000 100000 "-"
	QEMU_INT_NS=${q:-}

	# The traced ring-3 int+iret round trip: emu in us, and QEMU -d int.
	progress "emu vs QEMU -d int: traced ring-3 int+iret"
	if ! en=$(calibrate emu_int 10000); then
		note "emu int+iret bench failed"
	elif [ $have_qemu = 0 ]; then
		if per_iter emu_int "$en"; then
			int_rows
			row "emu vs QEMU -d int: traced int+iret (us/round trip)" \
			    "$(fmt "$e" 3) us" "skipped" "-" ">= 40x faster" "-"
		else
			note "emu int+iret bench failed"
		fi
	elif measure qemu_int 10 && base=$T && qn=$(calibrate qemu_int 20000 "$base") &&
	     per_iter emu_int "$en" qemu_int "$qn"; then
		int_rows
		q=$(calc "$PER_NS2 / 1000")
		ratio=$(calc "$q / $e")
		row "emu vs QEMU -d int: traced int+iret (us/round trip)" \
		    "$(fmt "$e" 3) us" "$(fmt "$q" 3) us" "$(fmt "$ratio" 1)x faster" \
		    ">= 40x faster" "$(met "$ratio" ">=" 40)"
		row "trace bytes/trap: int+iret loop, QEMU -d int log (per interrupt)" \
		    "-" "$(fmt "$(calc "$(get log_bytes "$LINE2") / $qn")" 0) B" "-" "-" "-"
	else
		note "emu vs QEMU -d int bench failed"
	fi
	rm -f "$W/int32-qemu.log"

	# Step mode: dec;jnz (2 instructions an iteration, no records; it
	# takes the counting-loop path as a plain run does), and the traced
	# int+iret loop (int, iret, dec, jnz: 2 records every 4).
	progress "emu: step mode"
	if en=$(calibrate emu_step 100000) && per_iter emu_step "$en"; then
		rate=$(calc "2 / $PER_NS * 1000")
		row "emu: step mode (records privileged insns, no stop per insn), dec;jnz loop (M insns/s; $(get insns "$LINE"))" \
		    "$(fmt "$rate" 2) M/s" "-" "-" ">= 5 M/s" "$(met "$rate" ">=" 5)"
	else
		note "emu step bench failed"
	fi
	if en=$(calibrate emu_step_int 10000) && per_iter emu_step_int "$en"; then
		rate=$(calc "4 / $PER_NS * 1000")
		row "emu: step mode, traced int+iret loop (M insns/s; $(get insns "$LINE"))" \
		    "$(fmt "$rate" 2) M/s" "-" "-" ">= 5 M/s" "$(met "$rate" ">=" 5)"
	else
		note "emu step int+iret bench failed"
	fi

	# The debugger's single step: `stepi N` (one command, N steps), and
	# one `stepi` per command (each prints the next instruction).
	progress "emu: the debugger's stepi"
	if en=$(calibrate prog_stepi_n 100000) && per_iter prog_stepi_n "$en"; then
		rate=$(calc "2 / $PER_NS * 1000")
		row "emu: debugger 'stepi N', dec;jnz loop (M steps/s)" \
		    "$(fmt "$rate" 2) M/s" "-" "-" "-" "-"
	else
		note "emu stepi N bench failed"
	fi
	if en=$(calibrate prog_stepi_1 10000) && per_iter prog_stepi_1 "$en"; then
		row "emu: debugger, one 'stepi' per command (us/command)" \
		    "$(fmt "$(calc "$PER_NS / 1000")" 2) us" "-" "-" "-" "-"
	else
		note "emu stepi-per-command bench failed"
	fi

	# -t: the vmdbg program's CPU time per out with and without it, the
	# lines written to a file.
	progress "emu: -t cost per trap"
	if en=$(calibrate prog_out_t 100000) && per_iter prog_out "$en" prog_out_t "$en"; then
		each=$(calc "$(wc -l <"$W/traps.txt") / $en")
		t=$(calc "($PER_NS2 - $PER_NS) / $each")
		row "vmdbg run -t: cost per trap printed, out loop (ns/trap, to a file)" \
		    "$(fmt "$t" 1) ns" "-" "-" "<= 100 ns" "$(met "$t" "<=" 100)"
	else
		note "-t bench failed"
	fi
	rm -f "$W/traps.txt" "$W"/*-n.img "$W/stepi.x"
}

# ---- issue 5: the trace viewer ---------------------------------------------
section_view() {
	progress "trace viewer: index a 10M-trap trace, jump"
	if ! line=$("$B/bench_view" -k -o "$W/view.vtr" 2>"$W/view.err"); then
		[ -n "$line" ] || { note "viewer bench failed: $(tail -n 1 "$W/view.err")"; return; }
	fi
	n=$(get traps "$line")
	row "view: open a $n-trap trace ($(get chunks "$line") chunks, from the chunk directory; wall-clock)" \
	    "$(fmt "$(get open_ms "$line")" 1) ms" "-" "-" "<= 100 ms" \
	    "$(met "$(get open_ms "$line")" "<=" 100)"
	row "view: jump to a random trap (wall-clock, max of 100; avg $(fmt "$(get jump_avg_ms "$line")" 2) ms)" \
	    "$(fmt "$(get jump_max_ms "$line")" 1) ms" "-" "-" "<= 100 ms" \
	    "$(met "$(get jump_max_ms "$line")" "<=" 100)"
	row "view: next record of a class (max of 20)" \
	    "$(fmt "$(get find_max_ms "$line")" 1) ms" "-" "-" "-" "-"
	row "view: a search that matches nothing (the chunk summaries rule the chunks out; decoding every chunk: $(fmt "$(get decode_ms "$line")" 0) ms)" \
	    "$(fmt "$(get scan_ms "$line")" 1) ms" "-" "-" "<= 100 ms" \
	    "$(met "$(get scan_ms "$line")" "<=" 100)"
	row "view: peak memory of the viewer (max RSS)" \
	    "$(fmt "$(get rss_mb "$line")" 1) MB" "-" "-" "<= 100 MB" \
	    "$(met "$(get rss_mb "$line")" "<=" 100)"
}

# ---- issue 16: trace files and their text paths ---------------------------------
# cpu_ms_of CMD...: CPU time (user + system) of CMD in ms, its stdout dropped.
cpu_ms_of() {
	/usr/bin/time -f '%U %S' -o "$W/time" "$@" >/dev/null 2>"$W/cmd.err" || return 1
	awk '{ printf "%.3f", ($1 + $2) * 1000 }' "$W/time"
}

# wall_of CMD...: wall-clock time of CMD in ms (finer than time(1)'s 10 ms
# of CPU time, for the commands that take a few), its stdout dropped.
wall_of() {
	t0=$(date +%s%N)
	"$@" >/dev/null 2>"$W/cmd.err" || return 1
	awk "BEGIN { printf \"%.3f\", ($(date +%s%N) - $t0) / 1e6 }"
}

section_tracefile() {
	progress "trace files: show, stats, a 100M-trap open, polling"
	[ -f "$W/view.vtr" ] || "$B/bench_view" -k -o "$W/view.vtr" >/dev/null 2>"$W/view.err" ||
		{ note "trace file bench: no trace: $(tail -n 1 "$W/view.err")"; return; }
	n=$("$BUILD/vmdbg" trace stats "$W/view.vtr" | sed -n 's/^  records *\([0-9]*\) .*/\1/p')
	best='' best_s='' best_d=''
	for r in $(seq "$REPS"); do
		t=$(cpu_ms_of "$BUILD/vmdbg" trace show "$W/view.vtr") || { note "trace show failed"; return; }
		best=$(min "$best" "$t")
		t=$(wall_of "$BUILD/vmdbg" trace stats "$W/view.vtr") || { note "trace stats failed"; return; }
		best_s=$(min "$best_s" "$t")
	done
	best_d=$(wall_of "$BUILD/vmdbg" trace stats --decode "$W/view.vtr") || { note "trace stats --decode failed"; return; }
	ns=$(calc "$best * 1e6 / $n")
	row "trace show: ns per record ($n records, CPU time, output to /dev/null)" \
	    "$(fmt "$ns" 1) ns" "-" "-" "<= 60 ns" "$(met "$ns" "<=" 60)"
	row "trace stats: $n records from the chunk summaries (--decode: $(fmt "$best_d" 0) ms; wall-clock, the whole command)" \
	    "$(fmt "$best_s" 1) ms" "-" "-" "<= 20 ms" "$(met "$best_s" "<=" 20)"
	# 100 million traps, about 390 MB; only the open is timed
	if line=$("$B/bench_view" -O -n 100000000 -o "$W/view100m.vtr" 2>"$W/view.err"); then
		row "view: open a $(get traps "$line")-trap trace ($(get chunks "$line") chunks, from the chunk directory; wall-clock)" \
		    "$(fmt "$(get open_ms "$line")" 2) ms" "-" "-" "<= 10 ms" "$(met "$(get open_ms "$line")" "<=" 10)"
	else
		note "100M-trap open: $(tail -n 1 "$W/view.err")"
	fi
	rm -f "$W/view100m.vtr"
	# mov $0x3f4,%edx; 1: in (%dx),%al; test $0x80,%al; jnz 1b: 1M polls
	printf '\272\364\003\000\000\354\250\200\165\373' >"$W/poll.bin"
	"$BUILD/vmdbg" record --backend emu --load 0x10000 --mode 32 --max-steps 3000000 -q \
		"$W/poll.bin" -o "$W/poll.vtr" 2>/dev/null
	polls=$("$BUILD/vmdbg" trace stats "$W/poll.vtr" | sed -n 's/^  records *[0-9]*  (\([0-9]*\) traps.*/\1/p')
	if [ -n "$polls" ] && [ "$polls" -gt 0 ]; then
		b=$(calc "$(wc -c <"$W/poll.vtr") / $polls")
		row "record: bytes per polling iteration ($polls \`in\` polls of an absent port, the whole file)" \
		    "$(fmt "$b" 5) B" "-" "-" "<= 0.1 B" "$(met "$b" "<=" 0.1)"
	else
		note "polling trace: no traps"
	fi
	rm -f "$W/poll.vtr" "$W/poll.bin"
}

# ---- issue 13: the Perfetto export streams --------------------------------------
# Peak memory: the export's max RSS (wait4), against a budget far below
# the trace's size (about 4 MB for any length here).
section_perfetto() {
	progress "perfetto: export a 10M-trap trace"
	[ -f "$W/view.vtr" ] || "$B/bench_view" -k -o "$W/view.vtr" >/dev/null 2>"$W/view.err" ||
		{ note "perfetto bench: no trace: $(tail -n 1 "$W/view.err")"; return; }
	# GNU time (Debian "time"); not python: its spawn hands python's own
	# peak RSS to the child through exec
	t0=$(date +%s.%N)
	if ! rss=$(/usr/bin/time -f %M "$BUILD/vmdbg" trace export "$W/view.vtr" --format perfetto \
			-o "$W/view.json" 2>&1 >/dev/null); then
		note "perfetto export bench failed: $rss"
		rm -f "$W/view.json"
		return
	fi
	line="export_s=$(calc "$(date +%s.%N) - $t0") rss_mb=$(calc "$rss / 1024")"
	line="$line json_mb=$(calc "$(wc -c <"$W/view.json") / 1000000")"
	rm -f "$W/view.json"
	row "perfetto: export a 10M-trap trace, streamed ($(fmt "$(get json_mb "$line")" 0) MB of JSON; wall-clock)" \
	    "$(fmt "$(get export_s "$line")" 1) s" "-" "-" "-" "-"
	row "perfetto: peak memory of the export (max RSS)" \
	    "$(fmt "$(get rss_mb "$line")" 1) MB" "-" "-" "<= 8 MB" \
	    "$(met "$(get rss_mb "$line")" "<=" 8)"
}

# ---- issue 4: guest symbols ---------------------------------------------------
section_symbols() {
	progress "symbols: a 100,000-symbol ELF with DWARF"
	if ! line=$("$B/bench_symbols" 2>"$W/sym.err"); then
		[ -n "$line" ] || { note "symbols bench failed: $(tail -n 1 "$W/sym.err")"; return; }
	fi
	row "symbols: load ELF + DWARF ($(get symbols "$line") symbols, $(get line_rows "$line") line rows)" \
	    "$(fmt "$(get load_elf_ms "$line")" 1) ms" "-" "-" "< 1000 ms" \
	    "$(met "$(get load_elf_ms "$line")" "<" 1000)"
	row "symbols: lookup by address (random)" \
	    "$(get random_lookup_addr_ns "$line") ns" "-" "-" "<= 1000 ns" \
	    "$(met "$(get random_lookup_addr_ns "$line")" "<=" 1000)"
	row "symbols: lookup by name (random)" \
	    "$(get random_lookup_name_ns "$line") ns" "-" "-" "<= 1000 ns" \
	    "$(met "$(get random_lookup_name_ns "$line")" "<=" 1000)"
}

start=$(date +%s)
# vmdbg replay vs vmdbg record of the same run (issue 11): CPU time of each
# process on a 2-million-record trace (bench/replay_bench.sh).
section_replay() {
	line=$(sh bench/replay_bench.sh "$BUILD/vmdbg" "$G/int32.img" "$W" 1000000 "$REPS") || {
		note "replay: bench/replay_bench.sh failed"; return; }
	rec=$(calc "$(get record_ns "$line") / 1e6")
	rep=$(calc "$(get replay_ns "$line") / 1e6")
	ratio=$(calc "$rec / $rep")
	row "replay vs record: traced int+iret loop (ms CPU; $(get records "$line") records)" \
	    "$(fmt "$rep" 0) ms" "$(fmt "$rec" 0) ms" "$(fmt "$ratio" 2)x" ">= 0.80x" "$(met "$ratio" ">=" 0.8)"
}

# Time travel (issue 11): int32 for 10^8 instructions; CPU time of the run
# recording vs not (best of REPS each), then the worst of 20 reverse-stepi
# and of 20 goto record N at random points (bench/tt_bench.c).
section_timetravel() {
	n=25000000 on='' offt=''
	progress "time travel: int32, $((4 * n)) instructions"
	for _ in $(seq "$REPS"); do
		l=$("$B/tt_bench" --off --count $n "$G/int32.img") || { note "timetravel: tt_bench --off failed"; return; }
		offt=$(min "$offt" "$(get cpu_ns "$l")")
		l=$("$B/tt_bench" --points 1 --count $n "$G/int32.img") || { note "timetravel: tt_bench failed"; return; }
		on=$(min "$on" "$(get cpu_ns "$l")")
	done
	line=$("$B/tt_bench" --points 20 --count $n "$G/int32.img") || { note "timetravel: tt_bench failed"; return; }
	ratio=$(calc "$offt / $on")
	row "time travel: live emu run recording vs not (int32, ms CPU)" \
	    "$(fmt "$(calc "$on / 1e6")" 0) ms" "$(fmt "$(calc "$offt / 1e6")" 0) ms" \
	    "$(fmt "$ratio" 2)x" ">= 0.50x" "$(met "$ratio" ">=" 0.5)"
	ms=$(calc "$(get rsi_max_ns "$line") / 1e6")
	row "time travel: reverse-stepi anywhere in $(get insns "$line") insns (worst of 20)" \
	    "$(fmt "$ms" 1) ms" "-" "-" "<= 100 ms" "$(met "$ms" "<=" 100)"
	ms=$(calc "$(get goto_max_ns "$line") / 1e6")
	row "time travel: goto record N of $(get records "$line") (worst of 20)" \
	    "$(fmt "$ms" 1) ms" "-" "-" "<= 1000 ms" "$(met "$ms" "<=" 1000)"
	note "time travel: $(get snapshots "$line") snapshots, $(($(get bytes "$line") >> 20)) MiB (64 MiB of it the base copy of RAM)"
}

# ---- issue 17: several CPUs ------------------------------------------------
smp_1()	{ "$B/vmdbg_bench" --backend emu --cpus 1 --count "$1" "$G/smp32.img"; }
smp_4()	{ "$B/vmdbg_bench" --backend emu --cpus 4 --count "$1" "$G/smp32.img"; }
section_smp() {
	progress "emu: 4 CPUs vs 1, per retired instruction"
	# the same count per CPU: 4 CPUs retire 4 times the instructions
	pair smp_1 smp_4 100000 || { note "smp: vmdbg_bench failed"; return; }
	i4=$(get insns "$VMDBG_LINE")
	measure smp_1 "$N" || return
	i1=$(get insns "$LAST")
	one=$(calc "$PEER_NS / $i1") four=$(calc "$VMDBG_NS / $i4")
	ratio=$(calc "$four / $one")
	row "emu --cpus 4 vs --cpus 1: ns per retired instruction (dec;jnz on every CPU)" \
	    "$(fmt "$four" 2) ns" "$(fmt "$one" 2) ns" "$(fmt "$ratio" 2)x" "<= 1.10x" \
	    "$(met "$ratio" "<=" 1.1)"
}

want kvm && section_kvm
want trace && section_trace
want emu && section_emu
want smp && section_smp
want view && section_view
want tracefile && section_tracefile
want perfetto && section_perfetto
want symbols && section_symbols
want replay && section_replay
want timetravel && section_timetravel
rm -f "$W"/*.vtr "$W/line"

# ---- the table ---------------------------------------------------------------
{
	echo "vmdbg bench, $(date -u '+%Y-%m-%d %H:%M UTC'): $CLOCK_NAME, best of $REPS," \
	     "about ${SECS}s per measurement, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)," \
	     "$(($(date +%s) - start))s in all"
	echo
	awk -F'|' '
		{ for (i = 1; i <= 6; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
		END {
			split("measurement|vmdbg|peer|ratio|goal|met", h, "|")
			for (i = 1; i <= 6; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
			line = sprintf("%-*s", w[1], h[1])
			for (i = 2; i <= 6; i++) line = line sprintf("  %*s", w[i], h[i])
			print line
			line = ""
			for (i = 1; i <= 6; i++) {
				s = ""
				for (j = 0; j < w[i]; j++) s = s "-"
				line = line (i > 1 ? "  " : "") s
			}
			print line
			for (r = 1; r <= NR; r++) {
				line = sprintf("%-*s", w[1], c[r, 1])
				for (i = 2; i <= 6; i++) line = line sprintf("  %*s", w[i], c[r, i])
				print line
			}
		}' "$ROWS"
	echo
	echo "peers: raw KVM = bench/kvm_raw.c (a bare KVM_RUN loop, same boot sector);" \
	     "QEMU = $QEMU -accel tcg, same multiboot images"
	[ -s "$NOTES" ] && sed 's/^/note: /' "$NOTES"
} | tee "$OUT"
exit 0
