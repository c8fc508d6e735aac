#!/bin/sh
# run.sh - run the libFuzzer harnesses built by `make fuzz` (build-fuzz/).
#
#   sh tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [HARNESS...]
#
# Each HARNESS (trace, loader, symbols, eval, commands; default all) runs
# for SECONDS (default 30) from its seed corpus tests/fuzz/corpus/HARNESS/.
# New interesting inputs go to build-fuzz/corpus/HARNESS/ (kept between
# runs, so a longer session goes on where the last one stopped), the
# fuzzer's output to build-fuzz/logs/HARNESS.log, and a crashing, leaking
# or timing-out input to build-fuzz/crashes/HARNESS-crash-<sha1> (or
# -leak-, -timeout-, -oom-).  Reproduce one with
#   build-fuzz/fuzz_HARNESS build-fuzz/crashes/HARNESS-crash-...
# fuzz_commands debugs build/guests/lecture32-O0.img when it exists (set
# VMDBG_FUZZ_IMAGE to choose another guest, or to "" for its built-in boot
# sector); replay its inputs with the same VMDBG_FUZZ_IMAGE.  Extra
# libFuzzer options can come in FUZZ_OPTS.  Exits 1 when any harness
# failed (its log's tail is printed), else 0.  `make fuzz-smoke` runs this
# with -t 30 in CI.
cd "$(dirname "$0")/../.." || exit 2
B=build-fuzz
secs=30 jobs=1
while getopts t:j: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-j JOBS] [HARNESS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- trace loader symbols eval commands

# Leaks count as findings, except libdwarf's own (tests/fuzz/lsan.supp);
# every other sanitizer report aborts.
asan=${ASAN_OPTIONS:-detect_leaks=1}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS UBSAN_OPTIONS

failed="" par=""
# -jobs N runs N fuzzers side by side, each logging to fuzz-JOB.log.
[ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
for h in "$@"; do
	bin=$B/fuzz_$h seeds=tests/fuzz/corpus/$h
	[ -x "$bin" ] || { echo "fuzz: $bin is missing (make fuzz)"; exit 2; }
	[ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds"; exit 2; }
	mkdir -p "$B/corpus/$h" "$B/crashes" "$B/logs"
	log=$B/logs/$h.log
	dict=""
	[ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
	# fuzz_commands debugs a guest with C data when the normal build has one.
	if [ "$h" = commands ] && [ -z "${VMDBG_FUZZ_IMAGE+set}" ] &&
	   [ -f build/guests/lecture32-O0.img ]; then
		VMDBG_FUZZ_IMAGE=$PWD/build/guests/lecture32-O0.img
		export VMDBG_FUZZ_IMAGE
	fi
	# The libdwarf suppression matches inside libdwarf, which has no frame
	# pointers: the symbols harness needs the slow, full malloc stacks.
	ASAN_OPTIONS=$asan
	[ "$h" = symbols ] && ASAN_OPTIONS=$asan:fast_unwind_on_malloc=0
	export ASAN_OPTIONS
	start=$(date +%s)
	# -timeout: one input taking longer is a hang; -rss_limit_mb: a
	# runaway allocation is a finding too.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 $par $dict \
		-artifact_prefix="$B/crashes/$h-" $FUZZ_OPTS \
		"$B/corpus/$h" "$seeds" >"$log" 2>&1
	st=$?
	[ "$jobs" -gt 1 ] && cat fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz-*.log
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 |
		sed 's/.*: *//')
	if [ $st -eq 0 ]; then
		echo "PASS  fuzz_$h: ${runs:-?} inputs in $(($(date +%s) - start)) s"
	else
		echo "FAIL  fuzz_$h: status $st (log: $log; inputs in $B/crashes/)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10 |
			sed 's/^/      | /'
		failed="$failed $h"
	fi
done
[ -z "$failed" ] || { echo "fuzz: failed:$failed"; exit 1; }
