# vmdbg test SUITE: the example suite (tests/suite-example/course.suite)
# on the lecture guests: four cases pass (exact replays, one with serial
# input, one in step mode; a filtered expectation met by the -O2 build),
# and student-sysenter fails with the trace diff of its first divergence
# and the first serial line that differs (the exact output is checked).
# -j 1 and -j 2 print the same; JUnit XML and TAP parse (python3);
# --update re-records the expectations (lecture32's byte-identical); an exact case against
# another image names the record where the replay diverged; a bad manifest
# is status 2 with FILE:LINE.
. tests/integration/lib.sh
S=tests/suite-example/course.suite
strip() { sed -E 's/ \([0-9.]+ s\)$//' "$1"; }

sed "s|@BUILD@|$BUILD|" tests/integration/expected/suite-example.txt >"$TMP/want"
for j in "-j 1" -j2; do
	expect_status 1 "$VMDBG" test "$S" --root "$BUILD/guests" $j --junit "$TMP/j.xml"
	strip "$TMP/out" >"$TMP/got"
	same "$TMP/want" "$TMP/got"
	[ ! -s "$TMP/err" ] || { cat "$TMP/err"; fail "stderr not empty"; }
done
grep -Eq '^PASS   lecture32 \([0-9]+\.[0-9]{2} s\)$' "$TMP/out" || fail "no time on the case line"

python3 - "$TMP/j.xml" <<'PY' || fail "JUnit XML"
import sys, xml.etree.ElementTree as ET
ts = ET.parse(sys.argv[1]).getroot().find('testsuite')
assert ts.get('name') == 'course' and ts.get('tests') == '5' and ts.get('failures') == '1', ts.attrib
cases = ts.findall('testcase')
assert [c.get('name') for c in cases] == ['lecture32', 'uartirq16', 'timer16-step', 'student-O2', 'student-sysenter']
bad = [c for c in cases if c.find('failure') is not None]
assert [c.get('name') for c in bad] == ['student-sysenter']
f = bad[0].find('failure')
assert f.get('message').startswith('the selected trap records differ'), f.get('message')
assert 'syscall        sysenter nr=4' in f.text and '+[kernel] lecture32 (sysenter)' in f.text, f.text
for c in cases:
	float(c.get('time'))
PY

expect_status 1 "$VMDBG" test "$S" --root "$BUILD/guests" --tap
python3 - "$TMP/out" <<'PY' || fail "TAP"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == 'TAP version 13' and lines[1] == '1..5', lines[:2]
res = [l for l in lines if re.match(r'(not )?ok \d+ - ', l)]
assert res == ['ok 1 - lecture32', 'ok 2 - uartirq16', 'ok 3 - timer16-step',
	       'ok 4 - student-O2', 'not ok 5 - student-sysenter'], res
for l in lines[2:]:
	assert l in res or l.startswith('# '), 'not TAP: ' + l
assert lines[-1] == '# 4 passed, 1 failed'
PY

# --update on a copy: the same bytes again (emu is deterministic and a
# trace does not depend on where it was made; but a boot-sector image's
# trace names its disk by the path as typed, so only lecture32's are
# compared byte for byte), then the copy checks alike
mkdir "$TMP/s"
cp tests/suite-example/* "$TMP/s/"
rm "$TMP/s/lecture32.vtr" "$TMP/s/uartirq16.vtr"
echo wrong >"$TMP/s/lecture32.serial"
expect_status 0 "$VMDBG" test "$TMP/s/course.suite" --root "$BUILD/guests" --update
has_line "$TMP/out" "    $TMP/s/lecture32.vtr: recorded by case 'lecture32'"
has_line "$TMP/out" "5 passed, 0 failed"
for f in lecture32.vtr lecture32.serial; do
	cmp "tests/suite-example/$f" "$TMP/s/$f" || fail "--update: $f differs"
done
expect_status 1 "$VMDBG" test "$TMP/s/course.suite" --root "$BUILD/guests"
has_line "$TMP/out" "4 passed, 1 failed"

# an exact expectation against another build: the replay's divergence,
# then the trace diff under names of the case, not scratch files
printf 'case o2\nimage lecture32-O2.img\nexpect exact %s\n' "$PWD/tests/suite-example/lecture32.vtr" >"$TMP/m.suite"
expect_status 1 "$VMDBG" test "$TMP/m.suite" --root "$BUILD/guests"
has_line "$TMP/out" "    replay diverged at record 0 (instruction 24): the records differ"
has_line "$TMP/out" "    --- $PWD/tests/suite-example/lecture32.vtr"
has_line "$TMP/out" "    +++ o2 ($BUILD/guests/lecture32-O2.img)"
has_line "$TMP/out" "0 passed, 1 failed"

# a directory of *.case files; bad manifests
mkdir "$TMP/d"
printf 'image lecture32.img\nexpect exact %s\n' "$PWD/tests/suite-example/lecture32.vtr" >"$TMP/d/ref.case"
expect_status 0 "$VMDBG" test "$TMP/d" --root "$BUILD/guests"
has_line "$TMP/out" "1 passed, 0 failed"
printf 'image x.img\nexpect fuzzy y\n' >"$TMP/d/zz.case"
expect_status 2 "$VMDBG" test "$TMP/d"
has_line "$TMP/err" "vmdbg: test: $TMP/d/zz.case:2: expect exact FILE or expect filter FILE"
printf 'case a\nimage a.img\ncolour blue\n' >"$TMP/bad.suite"
expect_status 2 "$VMDBG" test "$TMP/bad.suite"
contains "$TMP/err" "bad.suite:3: unknown key 'colour'"
printf 'case a\nimage a.img\n' >"$TMP/bad.suite"
expect_status 2 "$VMDBG" test "$TMP/bad.suite"
contains "$TMP/err" "case 'a' has no expect line"
expect_status 2 "$VMDBG" test "$S" -j 0
contains "$TMP/err" "-j 0: a number from 1 to 64"
printf 'case a\nimage lecture32.img\ninput nothere.in\nexpect filter %s\n' "$PWD/tests/suite-example/lecture32.vtr" >"$TMP/in.suite"
expect_status 1 "$VMDBG" test "$TMP/in.suite" --root "$BUILD/guests"
has_line "$TMP/out" "    input $TMP/nothere.in: No such file or directory"
printf 'case a\nimage a.img\noptions %s\n' "$(seq -s ' ' 1 33)" >"$TMP/bad.suite"
expect_status 2 "$VMDBG" test "$TMP/bad.suite"
contains "$TMP/err" "bad.suite:3: more than 32 words"
# a missing image fails its case, it does not stop the suite
expect_status 1 "$VMDBG" test "$S" --root "$TMP/none"
has_line "$TMP/out" "0 passed, 5 failed"
exit 0
