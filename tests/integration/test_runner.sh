# The runner itself (tests/run.sh) on stand-in unit tests in a scratch
# BUILD: a test that hangs is killed after TEST_TIMEOUT and fails by name; a
# cmocka program whose case skipped fails under CI=true with the reason and
# passes (saying so) otherwise; a test that exits 77 skips outside CI; unit
# and integration logs live apart.
. tests/integration/lib.sh

B=$TMP/build
mkdir -p "$B/tests/unit"
printf '#!/bin/sh\nsleep 600\n' >"$B/tests/unit/test_hang"
printf '#!/bin/sh\necho "skipped: this host lacks a frob"\necho "[  SKIPPED ] test_frob"\necho "[  PASSED  ] 1 test(s)."\n' \
	>"$B/tests/unit/test_skipcase"
printf '#!/bin/sh\necho "needs a frob"\nexit 77\n' >"$B/tests/unit/test_skip77"
printf '#!/bin/sh\necho fine\n' >"$B/tests/unit/test_ok"
chmod +x "$B/tests/unit/"*

start=$(date +%s)
BUILD=$B TEST_TIMEOUT=1 CI=true sh tests/run.sh unit/test_hang unit/test_skipcase unit/test_skip77 unit/test_ok \
	>"$TMP/ci.out" 2>&1; st=$?
took=$(($(date +%s) - start))
cat "$TMP/ci.out"
[ $st -ne 0 ] || fail "runner exited 0 with failing tests"
[ $took -lt 20 ] || fail "runner took ${took}s: the hanging test was not killed"
contains "$TMP/ci.out" "FAIL  unit/test_hang (log: $B/test-logs/unit/test_hang.log)"
contains "$TMP/ci.out" "(timed out: still running after TEST_TIMEOUT=1s, killed)"
contains "$TMP/ci.out" "FAIL  unit/test_skipcase"
contains "$TMP/ci.out" "| skipped: this host lacks a frob"
contains "$TMP/ci.out" "| [  SKIPPED ] test_frob"
contains "$TMP/ci.out" "FAIL  unit/test_skip77"
contains "$TMP/ci.out" "PASS  unit/test_ok"
contains "$TMP/ci.out" "failed: unit/test_hang unit/test_skip77 unit/test_skipcase"
contains "$TMP/ci.out" "1 passed, 3 failed"

# Outside CI: the skips are skips, the hang is still a failure.
BUILD=$B TEST_TIMEOUT=1 CI= sh tests/run.sh unit/test_hang unit/test_skipcase unit/test_skip77 \
	>"$TMP/user.out" 2>&1; st=$?
cat "$TMP/user.out"
[ $st -eq 1 ] || fail "runner outside CI: status $st, wanted 1"
contains "$TMP/user.out" "PASS  unit/test_skipcase (1 case(s) skipped: see $B/test-logs/unit/test_skipcase.log)"
contains "$TMP/user.out" "SKIP  unit/test_skip77: needs a frob"
contains "$TMP/user.out" "1 passed, 1 failed, 1 skipped"

# A test that itself exits 124 fails, but is not said to have timed out.
printf '#!/bin/sh\nexit 124\n' >"$B/tests/unit/test_st124"
chmod +x "$B/tests/unit/test_st124"
BUILD=$B TEST_TIMEOUT=30 sh tests/run.sh unit/test_st124 >"$TMP/124.out" 2>&1
cat "$TMP/124.out"
contains "$TMP/124.out" "FAIL  unit/test_st124"
grep -q "timed out" "$TMP/124.out" && fail "a quick exit 124 was called a timeout"

# Unit and integration tests of one name keep separate logs.
[ -f "$B/test-logs/unit/test_ok.log" ] || fail "no log under test-logs/unit"
[ -d "$B/test-logs/integration" ] || fail "no test-logs/integration directory"
echo ok
