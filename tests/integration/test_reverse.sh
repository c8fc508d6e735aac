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

# without emu: one line
if [ -e /dev/kvm ]; then
	"$VMDBG" --timeout 30 --backend kvm --batch -ex 'stepi' -ex 'reverse-stepi' "$img" \
		>"$TMP/kvm" 2>&1
	grep -q 'reverse execution needs --backend emu' "$TMP/kvm" ||
		fail "kvm: $(cat "$TMP/kvm")"
fi
echo ok
