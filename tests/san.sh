#!/bin/sh
# san.sh - run the whole suite (tests/run.sh) against the ASan+UBSan build
# (`make test SAN=1`, build-san/).  Every program built there aborts on its
# first finding (-fno-sanitize-recover=all, abort_on_error: status 134, or
# a cmocka failure), which fails the test that ran it: the tests check
# exact exit statuses and output.  ASan reports also go to files in
# $BUILD/san-logs/, since a test's own temporary output is gone when it
# ends; the run fails when any test failed or any report was written, and
# prints the reports.  (GCC's UBSan ignores log_path: its reports stay on
# stderr, in the test's log or output diff.)
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build-san}
export BUILD
logs=$BUILD/san-logs
rm -rf "$logs"
mkdir -p "$logs"
logs_abs=$(cd "$logs" && pwd)

# log_path: one file per process (asan.PID).  Leaks are findings too.
ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$logs_abs/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

# Not under the sanitizers: the Linux boot (about 1.5 billion guest
# instructions), long enough without them; it runs in the normal suite.
EXCLUDE="${EXCLUDE-integration/test_linux}"
export EXCLUDE
[ -n "$EXCLUDE" ] && echo "san: not run under the sanitizers: $EXCLUDE"
start=$(date +%s)
sh tests/run.sh "$@"
st=$?
echo "sanitizer suite: $(($(date +%s) - start)) s"
reports=$(ls "$logs" 2>/dev/null)
if [ -n "$reports" ]; then
	echo "sanitizer reports in $logs:"
	for f in $reports; do
		echo "== $f"
		head -n 40 "$logs/$f"
	done
	exit 1
fi
exit $st
