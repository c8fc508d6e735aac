# vmdbg replay of a kvm trace: refused without --compare classes (only emu
# replays exactly); with it, emu re-runs the guest and agrees with the
# host's KVM on every trap's class, origin, port, value and disposition
# (timer16: PIT and PIC set-up, IRQ0 in real mode).
. tests/integration/lib.sh
need_kvm
"$VMDBG" record --backend kvm "$BUILD/guests/timer16.img" -o "$TMP/t.vtr" -q </dev/null 2>"$TMP/rec"
st=$?
[ $st -eq 1 ] || { cat "$TMP/rec"; fail "record on kvm: status $st"; }
expect_status 2 "$VMDBG" replay "$TMP/t.vtr" --image "$BUILD/guests/timer16.img"
has_line "$TMP/err" "vmdbg: replay: $TMP/t.vtr was recorded on kvm: only an emu run replays exactly; --compare classes checks emu against it"
expect_status 0 "$VMDBG" replay --compare classes "$TMP/t.vtr" --image "$BUILD/guests/timer16.img"
grep -Eq '^replay: [0-9]+ records match \(25 traps, [0-9]+ instructions\)' "$TMP/out" || { cat "$TMP/out"; fail "no summary"; }
echo ok
