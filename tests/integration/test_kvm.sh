# The kvm backend on this host: the probe names the gaps, boot16 runs with
# its exact trap sequence in run and step mode, and the lecture guests stop
# at their first gap with one clear line.  Needs /dev/kvm (a skip is a
# failure under CI=true).
. tests/integration/lib.sh
need_kvm

expect_status 0 "$VMDBG" --probe
contains "$TMP/out" "single-step"
# The summary line names every gap in plain words, or says there is none;
# the last line says which interrupt controllers kvm runs with.
tail -n 2 "$TMP/out" | head -n 1 | grep -Eq "^(this host's KVM cannot|this host's KVM has no gaps)" ||
	fail "probe summary line: $(tail -n 2 "$TMP/out" | head -n 1)"
tail -n 1 "$TMP/out" | grep -Eq "^interrupt controllers: vmdbg's user-space PIC, local APIC and I/O APIC over KVM's exits \(in-kernel irqchip (available|absent), not used\)$" ||
	fail "probe irqchip line: $(tail -n 1 "$TMP/out")"

"$VMDBG" record --timeout 30 --backend kvm "$BUILD/guests/boot16.img" -o "$TMP/run.vtr" -q 2>"$TMP/err"
[ $? -eq 1 ] || { cat "$TMP/err"; fail "boot16 run: wrong status"; }
"$VMDBG" trace show "$TMP/run.vtr" | tail -n +4 >"$TMP/run.txt"
same tests/integration/expected/boot16.kvm.run "$TMP/run.txt"

"$VMDBG" record --timeout 30 --backend kvm --step "$BUILD/guests/boot16.img" -o "$TMP/step.vtr" -q 2>"$TMP/err"
[ $? -eq 1 ] || { cat "$TMP/err"; fail "boot16 step: wrong status"; }
"$VMDBG" trace show "$TMP/step.vtr" | tail -n +4 >"$TMP/step.txt"
same tests/integration/expected/boot16.kvm.step "$TMP/step.txt"

# Gaps, where the probe found them: one line, status 6, never a hang.
if grep -q "32-bit paging .*GAP" "$TMP/out" 2>/dev/null || "$VMDBG" --probe | grep -q "^32-bit paging  *GAP"; then
	expect_status 6 timeout 60 "$VMDBG" run --timeout 30 --backend kvm --step -q "$BUILD/guests/lecture32.img"
	contains "$TMP/err" "this host's KVM cannot turn on 32-bit paging"
	contains "$TMP/err" "use --backend emu"
fi
if "$VMDBG" --probe | grep -q "^syscall from ring 3  *GAP"; then
	expect_status 6 timeout 60 "$VMDBG" run --timeout 30 --backend kvm -q "$BUILD/guests/lecture64.img"
	contains "$TMP/err" "cannot run 'syscall' from ring 3"
fi
# auto picks emu here when the probe finds gaps, and says why.
if "$VMDBG" --probe | grep -q GAP; then
	expect_status 1 "$VMDBG" run --timeout 30 --backend auto -q "$BUILD/guests/lecture32.img"
	contains "$TMP/err" "backend emu: this host's KVM cannot run"
fi
echo ok
