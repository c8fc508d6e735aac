# Keyboard input from stdin: kbd16 reads a line through int 0x16, then one
# keystroke through the i8042 (scan code set 1, polled).  What is piped
# into `vmdbg run` becomes those keys; each key the guest takes is an input
# record in the trace; with no input left, int 0x16 ends the run as
# "halted forever".  On kvm where real-mode int n works, the same.
. tests/integration/lib.sh
img=$BUILD/guests/kbd16.img
printf 'bios: hi\ni8042: 1e 9e\n' >"$TMP/want"

printf 'hi\na' | "$VMDBG" record --backend emu "$img" -o "$TMP/k.vtr" >"$TMP/out" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "emu: status $st, wanted 1"; }
same "$TMP/want" "$TMP/out"
"$VMDBG" trace show "$TMP/k.vtr" >"$TMP/show"
for want in "int 0x16 ah=0x00 -> 'h' .*emulated:bios" "int 0x16 ah=0x00 -> 0x0d .*emulated:bios" \
	'out 0x0064 <- 0xae/1 +emulated:kbd' 'in  0x0060 -> 0x1e/1 +emulated:kbd' \
	'in  0x0060 -> 0x9e/1 +emulated:kbd'; do
	grep -Eq -- "$want" "$TMP/show" || { cat "$TMP/show"; fail "no record like '$want'"; }
done
# three keys through the BIOS, two scan code bytes through port 0x60, and
# the four characters' arrivals in the keyboard queue
"$VMDBG" trace stats "$TMP/k.vtr" | grep -q ' 9 inputs,' || fail "not 9 input records"

expect_status 4 "$VMDBG" run --backend emu "$img" </dev/null
contains "$TMP/err" "halted: halted forever: int 0x16 waits for a key and no input is left"

need_kvm_real_int
printf 'hi\na' | "$VMDBG" run --backend kvm "$img" >"$TMP/kout" 2>"$TMP/kerr"
st=$?
[ $st -eq 1 ] || { cat "$TMP/kout" "$TMP/kerr"; fail "kvm: status $st, wanted 1"; }
same "$TMP/want" "$TMP/kout"
echo ok
