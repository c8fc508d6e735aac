# System calls by any vector: lecture32-int40 makes its system calls with
# `int 0x40` through a DPL-3 gate.  `catch syscall` stops there and
# `trace stats` counts them; --syscall-vector 0x80 makes only int 0x80 a
# system call, so neither sees them.
. tests/integration/lib.sh
img=$BUILD/guests/lecture32-int40.img
printf 'catch syscall 4\nrun\ninfo registers eax\n' >"$TMP/sc.gdb"

"$VMDBG" --backend emu --batch -x "$TMP/sc.gdb" "$img" >"$TMP/out" 2>&1
grep -Eq "^Catchpoint 1 \(syscall ('write' \[4\]|4)\): +159 +[0-9]+i app  soft-interrupt int 0x40 eax=0x4 +reflected->0x[0-9a-f]+ +vmm-reflects rip=0x400011" "$TMP/out" ||
	{ cat "$TMP/out"; fail "catch syscall did not stop at int 0x40"; }
grep -Eq '^eax +0x4 ' "$TMP/out" || { cat "$TMP/out"; fail "eax at the stop"; }

"$VMDBG" --backend emu --syscall-vector 0x80 --batch -x "$TMP/sc.gdb" "$img" >"$TMP/out2" 2>&1
grep -q '^Catchpoint 1 (syscall .*):' "$TMP/out2" && { cat "$TMP/out2"; fail "--syscall-vector 0x80 still stopped at int 0x40"; }
contains "$TMP/out2" "[app] back after cli"

"$VMDBG" record --backend emu "$img" -o "$TMP/t.vtr" -q 2>/dev/null
[ $? -eq 1 ] || fail "record: wrong status"
"$VMDBG" trace stats "$TMP/t.vtr" >"$TMP/stats"
grep -Eq '^  int 0x40 +8 ' "$TMP/stats" || { cat "$TMP/stats"; fail "stats: int 0x40 system calls"; }
grep -Eq '^  all system calls +8 ' "$TMP/stats" || fail "stats: all system calls"
"$VMDBG" trace stats "$TMP/t.vtr" --syscall-vector 0x80 >"$TMP/stats2"
grep -q 'system calls' "$TMP/stats2" && fail "stats --syscall-vector 0x80 counted int 0x40"
"$VMDBG" trace stats "$TMP/t.vtr" --syscall-vector 0x40 | grep -Eq '^  int 0x40 +8 ' ||
	fail "stats --syscall-vector 0x40"
expect_status 2 "$VMDBG" run --syscall-vector 300 "$img"
contains "$TMP/err" "--syscall-vector 300: expected a vector 0-255"
echo ok
