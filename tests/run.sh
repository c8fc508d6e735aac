#!/bin/sh
# The one test runner: unit tests (cmocka) and integration tests
# (tests/integration/*.sh).  `sh tests/run.sh` runs everything;
# `sh tests/run.sh NAME...` runs the tests whose name contains NAME.
# Ends with "N passed, N failed" and exits non-zero on any failure.
# A test that needs /dev/kvm skips with a reason on a user's machine; under
# CI=true a skip counts as a failure.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) VMDBG="$BUILD/vmdbg" ;; *) VMDBG="$PWD/$BUILD/vmdbg" ;; esac
export VMDBG BUILD
pass=0 fail=0 skip=0 failed=""
log_dir=$BUILD/test-logs
mkdir -p "$log_dir"

want() {
	[ -z "$FILTER" ] && return 0
	for p in $FILTER; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}
FILTER="$*"

result() { # name status(0 pass, 77 skip, else fail) log
	name=$1 st=$2 log=$3
	if [ "$st" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS  $name"
	elif [ "$st" -eq 77 ] && [ "${CI:-}" != "true" ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		[ "$st" -eq 77 ] && echo "      (skipped under CI=true counts as a failure)"
		fail=$((fail + 1)); failed="$failed $name"; echo "FAIL  $name (log: $log)"
		tail -n 25 "$log" | sed 's/^/      | /'
	fi
}

for t in $BUILD/tests/unit/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	want "$name" || continue
	log=$log_dir/$(basename "$t").log
	"$t" >"$log" 2>&1
	result "$name" $? "$log"
done

for t in tests/integration/test_*.sh; do
	[ -f "$t" ] || continue
	name=integration/$(basename "$t" .sh)
	want "$name" || continue
	log=$log_dir/$(basename "$t" .sh).log
	sh "$t" >"$log" 2>&1
	result "$name" $? "$log"
done

[ -n "$failed" ] && echo "failed:$failed"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
