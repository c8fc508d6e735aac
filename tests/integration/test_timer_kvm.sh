# External interrupts on kvm: the real-mode timer16 guest (PIC + PIT, five
# IRQ0 ticks through its IVT) runs on kvm, where vmdbg injects each vector
# with KVM_INTERRUPT and a hlt idles to the next PIT event.  In run mode its
# trap records (class, origin, detail, disposition, RIP) must equal emu's
# one for one; in step mode (vmdbg emulates the hlt there and drops the
# sti shadow KVM still holds) the five interrupts and EOIs must come too.
# Needs /dev/kvm (a skip is a failure under CI=true).
. tests/integration/lib.sh
need_kvm

img="$BUILD/guests/timer16.img"
[ -f "$img" ] || fail "$img is missing (make guests)"

# trap lines without the sequence number and time, without the end line
lines() {
	"$VMDBG" trace show "$1" | tail -n +3 | grep -v '^end:' | sed 's/^ *[0-9]* *[0-9]*[ix] //'
}

for b in emu kvm; do
	timeout 60 "$VMDBG" record --timeout 30 --backend $b "$img" -o "$TMP/$b.vtr" -q 2>"$TMP/err"
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/err"; fail "$b run: exit status $st, wanted 1"; }
	lines "$TMP/$b.vtr" >"$TMP/$b.txt"
done
same "$TMP/emu.txt" "$TMP/kvm.txt"
n=$(grep -c 'interrupt      irq vector 0x20 *reflected->' "$TMP/kvm.txt")
[ "$n" -eq 5 ] || { cat "$TMP/kvm.txt"; fail "kvm: $n interrupt records, wanted 5"; }

timeout 60 "$VMDBG" record --timeout 30 --step --backend kvm "$img" -o "$TMP/step.vtr" -q 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/err"; fail "kvm step: exit status $st, wanted 1"; }
lines "$TMP/step.vtr" >"$TMP/step.txt"
n=$(grep -c 'interrupt      irq vector 0x20 *reflected->' "$TMP/step.txt")
[ "$n" -eq 5 ] || { cat "$TMP/step.txt"; fail "kvm step: $n interrupt records, wanted 5"; }
n=$(grep -c 'out 0x0020 <- 0x20/1 *emulated:pic' "$TMP/step.txt")
[ "$n" -eq 5 ] || { cat "$TMP/step.txt"; fail "kvm step: $n EOIs, wanted 5"; }
echo ok
