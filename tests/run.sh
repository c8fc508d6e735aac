#!/bin/sh
# The one test runner: unit tests (cmocka) and integration tests
# (tests/integration/*.sh).  `sh tests/run.sh` runs everything;
# `sh tests/run.sh NAME...` runs the tests whose name contains NAME.
# Ends with "N passed, N failed" and exits non-zero on any failure.
# A test that needs /dev/kvm skips with a reason on a user's machine; under
# CI=true a skip counts as a failure, and so does a unit test in which any
# cmocka case skipped ("[  SKIPPED ]" in its log).
# Every test runs under a time limit, TEST_TIMEOUT seconds (default 120):
# a test still running then is killed and fails by name, so an engine hang
# cannot stall the suite.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
case "$BUILD" in /*) VMDBG="$BUILD/vmdbg" ;; *) VMDBG="$PWD/$BUILD/vmdbg" ;; esac
export VMDBG BUILD
pass=0 fail=0 skip=0 failed=""
log_dir=$BUILD/test-logs
mkdir -p "$log_dir/unit" "$log_dir/integration"

want() {
	[ -z "$FILTER" ] && return 0
	for p in $FILTER; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}
FILTER="$*"
# EXCLUDE: tests not to run at all (names as above, space-separated); the
# sanitizer run (tests/san.sh) leaves out the ones it cannot run yet and
# says which
excluded() {
	for x in ${EXCLUDE:-}; do
		[ "$1" = "$x" ] && return 0
	done
	return 1
}

# run_limited LOG CMD...: CMD with its output in LOG, killed (and its
# process group with it) after TEST_TIMEOUT s, KILLed 5 s later.
# A test script may ask for more in a "# time limit: N" line of its own
# (the Linux boot); TEST_TIMEOUT, when set, caps nothing below it.
run_limited() {
	log=$1; shift
	started=$(date +%s)
	limit=$TEST_TIMEOUT
	own=$(sed -n 's/^# time limit: \([0-9][0-9]*\)$/\1/p' "$2" 2>/dev/null | head -n 1)
	[ -n "$own" ] && [ "$own" -gt "${limit%.*}" ] && limit=$own
	timeout -k 5 "$limit" "$@" >"$log" 2>&1 </dev/null
}

result() { # name status(0 pass, 77 skip, else fail) log
	name=$1 st=$2 log=$3
	# A cmocka case that called skip(): the program still exits 0.
	cases=$(grep -c '^\[  SKIPPED \]' "$log" 2>/dev/null)
	if [ "$st" -eq 0 ] && [ "${cases:-0}" -gt 0 ] && [ "${CI:-}" = "true" ]; then
		echo "      ($cases cmocka case(s) skipped; under CI=true that counts as a failure)"
		grep -i -e '^\[  SKIPPED \]' -e 'skip' "$log" | grep -v '^\[  PASSED' | sed 's/^/      | /'
		st=1
	fi
	if [ "$st" -eq 0 ]; then
		pass=$((pass + 1))
		if [ "${cases:-0}" -gt 0 ]; then
			echo "PASS  $name ($cases case(s) skipped: see $log)"
		else
			echo "PASS  $name"
		fi
	elif [ "$st" -eq 77 ] && [ "${CI:-}" != "true" ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		[ "$st" -eq 77 ] && echo "      (skipped under CI=true counts as a failure)"
		# 124 (TERM) or 137 (KILL) from timeout, after the whole limit
		if { [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; } &&
		   [ $(($(date +%s) - started)) -ge "${limit%.*}" ]; then
			echo "      (timed out: still running after $( [ "$limit" = "$TEST_TIMEOUT" ] && echo "TEST_TIMEOUT=" )${limit}s, killed)"
		fi
		fail=$((fail + 1)); failed="$failed $name"; echo "FAIL  $name (log: $log)"
		tail -n 25 "$log" | sed 's/^/      | /'
	fi
}

for t in $BUILD/tests/unit/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	want "$name" || continue
	excluded "$name" && continue
	log=$log_dir/$name.log
	run_limited "$log" "$t"
	result "$name" $? "$log"
done

for t in tests/integration/test_*.sh; do
	[ -f "$t" ] || continue
	name=integration/$(basename "$t" .sh)
	want "$name" || continue
	excluded "$name" && continue
	log=$log_dir/$name.log
	run_limited "$log" sh "$t"
	result "$name" $? "$log"
done

[ -n "$failed" ] && echo "failed:$failed"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
