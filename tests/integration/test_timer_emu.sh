# External interrupts on emu: the timer guest programs the 8259A PIC
# (vector base 0x20) and the 8254 PIT (1000 Hz), idles with `sti; hlt` and
# counts five IRQ0 ticks.  Checks the exit status, the exact serial output,
# that the trace holds exactly five hlt -> interrupt -> EOI rounds (each
# interrupt vector 0x20, taken right after the hlt, reflected to the
# guest's irq0_entry: classic vmm-reflects; each EOI an `out` to 0x20
# emulated by the PIC), and that the trace is byte-identical run after run
# (virtual time is the instruction count, so the ticks land on the same
# instruction every time), in run mode and in step mode.
. tests/integration/lib.sh

img="$BUILD/guests/timer.img"
[ -f "$img" ] || fail "$img is missing (make guests)"

for i in 1 2; do
	"$VMDBG" record --timeout 30 --backend emu "$img" -o "$TMP/t$i.vtr" >"$TMP/t$i.serial" 2>"$TMP/err"
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/err"; fail "run $i: exit status $st, wanted 1"; }
	same tests/guests/expected/timer.serial "$TMP/t$i.serial"
done
cmp "$TMP/t1.vtr" "$TMP/t2.vtr" || fail "the traces of two runs differ"

for i in 1 2; do
	"$VMDBG" record --timeout 30 --step --backend emu "$img" -o "$TMP/s$i.vtr" -q 2>/dev/null
	[ $? -eq 1 ] || fail "step mode run $i: wrong exit status"
done
cmp "$TMP/s1.vtr" "$TMP/s2.vtr" || fail "the step-mode traces of two runs differ"

handler=$(nm "$img" | awk '$3 == "irq0_entry" { sub(/^0+/, "", $1); print $1 }')
[ -n "$handler" ] || fail "no irq0_entry symbol in $img"

"$VMDBG" trace show "$TMP/t1.vtr" >"$TMP/all.txt" || fail "trace show"

# Exactly five of each.
n=$(grep -c ' interrupt  ' "$TMP/all.txt")
[ "$n" -eq 5 ] || { cat "$TMP/all.txt"; fail "$n interrupt records, wanted 5"; }
n=$(grep -c "os   interrupt      irq vector 0x20 *reflected->0x$handler *vmm-reflects " "$TMP/all.txt")
[ "$n" -eq 5 ] || { grep interrupt "$TMP/all.txt"; fail "interrupts not vector 0x20 reflected to irq0_entry (0x$handler)"; }
n=$(grep -c 'os   hlt            hlt .*emulated:cpu *vmm-emulates' "$TMP/all.txt")
[ "$n" -eq 5 ] || { grep hlt "$TMP/all.txt"; fail "$n hlt records, wanted 5"; }
n=$(grep -c 'out 0x0020 <- 0x20/1 *emulated:pic *vmm-emulates' "$TMP/all.txt")
[ "$n" -eq 5 ] || { grep 'out 0x0020' "$TMP/all.txt"; fail "$n EOIs, wanted 5"; }
grep -q 'out 0x0043 <- 0x34/1 *emulated:pit' "$TMP/all.txt" || fail "PIT control word"
grep -q 'halted forever' "$TMP/all.txt" && fail "a hlt stopped the guest"

# In order: hlt, the interrupt at the instruction after it, the EOI.
gawk '
	function rip() { match($0, /rip=0x[0-9a-f]+/); return strtonum("0x" substr($0, RSTART + 6, RLENGTH - 6)) }
	/ hlt            hlt / { hlt = rip(); printf "hlt "; next }
	/ interrupt      / { printf "%s ", rip() == hlt + 1 ? "irq" : "irq-elsewhere"; next }
	/out 0x0020 <- 0x20\/1/ { printf "eoi " }
	END { print "" }' "$TMP/all.txt" >"$TMP/seq"
echo "hlt irq eoi hlt irq eoi hlt irq eoi hlt irq eoi hlt irq eoi " >"$TMP/seq.want"
same "$TMP/seq.want" "$TMP/seq"

# The real-mode variant (through the IVT; test_timer_kvm.sh runs it on kvm).
for i in 1 2; do
	"$VMDBG" record --timeout 30 --backend emu "$BUILD/guests/timer16.img" -o "$TMP/r$i.vtr" -q 2>/dev/null
	[ $? -eq 1 ] || fail "timer16 run $i: wrong exit status"
done
cmp "$TMP/r1.vtr" "$TMP/r2.vtr" || fail "timer16: the traces of two runs differ"
irq0=$(nm "$BUILD/guests/timer16.elf" | awk '$3 == "irq0" { sub(/^0+/, "", $1); print $1 }')
n=$("$VMDBG" trace show "$TMP/r1.vtr" | grep -c "os   interrupt      irq vector 0x20 *reflected->0x$irq0 *vmm-reflects ")
[ "$n" -eq 5 ] || fail "timer16: $n interrupts reflected to irq0, wanted 5"
echo ok
