# Time travel in the debugger (emu): a scripted session with exact output
# (cli/reverse.gdb: reverse-continue to breakpoint, watchpoint and
# catchpoint hits, reverse-stepi/nexti/step/next/finish, goto, the edges
# of the history), and states compared with the forward run: the
# registers and memory after reverse-stepi K from N are those the forward
# run printed at N-K, and goto record N gives the state a forward run has
# after the same number of instructions.  On kvm: the one-line error.
. tests/integration/lib.sh

img=$BUILD/guests/lecture32.img
"$VMDBG" --timeout 30 --backend emu --batch --keep-going -x tests/integration/cli/reverse.gdb \
	"$img" >"$TMP/reverse.raw" 2>&1
st=$?
sed "s|$BUILD/guests/|build/guests/|g" "$TMP/reverse.raw" >"$TMP/reverse.out"
same tests/integration/expected/cli-reverse.txt "$TMP/reverse.out"
[ $st -eq 2 ] || fail "reverse session: status $st, wanted 2 (errors on purpose)"

# state: the registers and the top of the kernel stack and the app's page
# (only the register and memory lines: the stop line says where a stepi
# began, which differs)
state() {
	"$@" -ex 'info registers' -ex 'x/16xw $esp' -ex 'x/8xw 0x800000' "$img" 2>&1 |
		grep -E '^[a-z0-9_]+ +0x|^0x[0-9a-f]+( <[^>]*>)?:'
}
for nk in "4000 1" "9000 777" "12500 3000" "14000 13999"; do
	set -- $nk
	n=$1 k=$2
	state "$VMDBG" --timeout 30 --backend emu --batch -q -ex "stepi $((n - k))" >"$TMP/fwd"
	state "$VMDBG" --timeout 30 --backend emu --batch -q -ex "stepi $n" \
		-ex "reverse-stepi $k" >"$TMP/back"
	grep -q '^eip ' "$TMP/fwd" || fail "no registers at $((n - k)): $(cat "$TMP/fwd")"
	same "$TMP/fwd" "$TMP/back"
done

# goto record N = the forward run after as many instructions
for rec in 3 200 376 600; do
	"$VMDBG" --timeout 30 --backend emu --batch -q -ex "stepi 14400" -ex "goto $rec" \
		-ex "info record" "$img" >"$TMP/goto" 2>&1
	at=$(sed -n 's/^Now at instruction \([0-9]*\),.*/\1/p' "$TMP/goto")
	[ -n "$at" ] || fail "goto $rec: $(cat "$TMP/goto")"
	state "$VMDBG" --timeout 30 --backend emu --batch -q --no-record -ex "stepi $at" >"$TMP/fwd"
	state "$VMDBG" --timeout 30 --backend emu --batch -q -ex "stepi 14400" -ex "goto $rec" \
		>"$TMP/back"
	same "$TMP/fwd" "$TMP/back"
done

# vmdbg --replay TRACE: the debugger on the run teach32 recorded with a
# line typed; it prints the same serial output without stdin, and going
# back then forward again prints nothing twice and ends the same way
cp "$BUILD/guests/teach32.img" "$BUILD/guests/teach32-fs.img" "$TMP/"
(cd "$TMP" && printf 'hi there\n' | "$VMDBG" record --timeout 30 --backend emu teach32.img \
	--disk teach32-fs.img --display none -o t32.vtr >t32.serial 2>/dev/null)
(cd "$TMP" && "$VMDBG" --replay t32.vtr --batch -ex continue -ex 'goto 100' -ex continue \
	-ex 'reverse-stepi 1000' -ex 'info record' </dev/null >replay.out 2>&1)
st=$?
[ $st -eq 1 ] || { cat "$TMP/replay.out"; fail "--replay: status $st, wanted the guest's 1"; }
grep -q 'you typed "hi there"' "$TMP/t32.serial" || fail "the recording did not take the line"
sed -n '2,/^teach32: done$/p' "$TMP/replay.out" >"$TMP/replay.serial"
same "$TMP/t32.serial" "$TMP/replay.serial"
[ "$(grep -c 'you typed' "$TMP/replay.out")" -eq 1 ] || fail "--replay printed the past twice"
[ "$(grep -c '^\[Guest exited with status 1' "$TMP/replay.out")" -eq 2 ] ||
	{ cat "$TMP/replay.out"; fail "--replay: wanted the exit twice (then again from the past)"; }
contains "$TMP/replay.out" "Now at instruction 70032397, record 1760 next."
grep -q ' 1 inputs logged\.$' "$TMP/replay.out" || { cat "$TMP/replay.out"; fail "the typed line"; }
# vmdbg view TRACE --replay: the same, in the TUI (here the prompt: no terminal)
(cd "$TMP" && printf 'continue\ninfo record\n' | "$VMDBG" view t32.vtr --replay >view.out 2>&1)
grep -q 'you typed "hi there"' "$TMP/view.out" || { cat "$TMP/view.out"; fail "view --replay"; }
contains "$TMP/view.out" "History: instructions 0 to 70033397, records 0 to 1814."
(cd "$TMP" && "$VMDBG" --replay nonexistent.vtr --batch -ex continue >replay.err 2>&1)
[ $? -eq 2 ] || fail "--replay of a missing trace: not status 2"
contains "$TMP/replay.err" "vmdbg: --replay: nonexistent.vtr"

# without emu: one line
if [ -e /dev/kvm ]; then
	"$VMDBG" --timeout 30 --backend kvm --batch -ex 'stepi' -ex 'reverse-stepi' "$img" \
		>"$TMP/kvm" 2>&1
	grep -q 'reverse execution needs --backend emu' "$TMP/kvm" ||
		fail "kvm: $(cat "$TMP/kvm")"
fi
echo ok
