# Reverse execution through the gdb stub (bs, bc, replaylog:begin) with
# Debian's gdb on emu: after forward stepi's, reverse-stepi gives gdb
# exactly the registers and stack it saw before; reverse-continue goes
# back to the previous breakpoint hit and a watchpoint's previous change,
# then stops at the start of the history as gdb expects.  With
# --no-record the stub offers no reverse packets and gdb says so.
. tests/integration/lib.sh

. tests/integration/gdblib.sh

IMG=$G/lecture32-O0.img
start_stub emu "$IMG"
run_gdb "$TMP/rev" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" \
	-ex 'break syscall_handler' -ex continue -ex continue \
	-ex 'stepi 3' -ex 'echo ==A\n' -ex 'info registers' -ex 'x/4xw $esp' \
	-ex 'stepi 4' -ex 'reverse-stepi' -ex 'reverse-stepi 3' \
	-ex 'echo ==B\n' -ex 'info registers' -ex 'x/4xw $esp' \
	-ex 'reverse-continue' -ex 'echo ==C\n' -ex 'info registers eip' \
	-ex 'reverse-continue' -ex 'echo ==D\n' -ex 'info registers eip' \
	-ex 'delete' -ex 'watch alloc_frame::next' -ex continue -ex continue -ex 'reverse-continue' \
	-ex 'echo ==E\n' -ex 'p/x alloc_frame::next' -ex 'delete' -ex 'reverse-continue' \
	-ex 'echo ==F\n' -ex 'info registers eip' -ex kill
wait $SP
# (the register and memory lines: the stop lines differ)
sed -n '/^==A/,/^==B/p' "$TMP/rev" | grep -E '^[a-z0-9_]+ +0x|^0x[0-9a-f]+:' >"$TMP/a"
sed -n '/^==B/,/^==C/p' "$TMP/rev" | grep -E '^[a-z0-9_]+ +0x|^0x[0-9a-f]+:' >"$TMP/b"
grep -q '^eip ' "$TMP/a" || { cat "$TMP/rev" "$TMP/stub.err"; fail "no registers from gdb"; }
same "$TMP/a" "$TMP/b"
# C: the second hit's breakpoint again, then the first; D is the first hit
# (the breakpoint at the current place does not count)
[ "$(sed -n '/^==C/,/^==D/p' "$TMP/rev" | awk '$1 == "eip" {print $2}')" = 0x1016d9 ] ||
	{ cat "$TMP/rev"; fail "reverse-continue did not go back to syscall_handler"; }
[ "$(grep -c '^Breakpoint 1, syscall_handler' "$TMP/rev")" -eq 4 ] ||
	{ cat "$TMP/rev"; fail "wanted 4 breakpoint stops (2 forward, 2 back)"; }
# E: the watchpoint's previous change (gdb shows the values swapped)
sed -n '/^==E/,/^==F/p' "$TMP/rev" | grep -q '^\$1 = 0x201000$' ||
	{ cat "$TMP/rev"; fail "reverse-continue to the watchpoint"; }
contains "$TMP/rev" "No more reverse-execution history."
[ "$(sed -n '/^==F/,$p' "$TMP/rev" | awk '$1 == "eip" {print $2}')" = 0x101000 ] ||
	{ cat "$TMP/rev"; fail "the start of the history is not _start"; }

# not recording: gdb is told the target cannot
start_stub emu --no-record "$IMG"
run_gdb "$TMP/norec" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" -ex 'stepi' \
	-ex 'reverse-stepi' -ex kill
wait $SP
contains "$TMP/norec" "Target remote does not support this command."
echo ok
