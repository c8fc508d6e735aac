# An interrupt-driven serial console (uartirq16, a boot sector working as
# xv6's uartintr does): IRQ4 with the UART's receive interrupt on, the
# guest halted until input comes.  What is piped into `vmdbg run` wakes it
# through IRQ4; the output equals QEMU's (-serial stdio), on emu and kvm.
. tests/integration/lib.sh
img=$BUILD/guests/uartirq16.img
printf 'uart irq: abc\n' >"$TMP/want"

printf 'abc\n' | "$VMDBG" record --backend emu "$img" -o "$TMP/u.vtr" >"$TMP/emu.out" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/emu.out" "$TMP/err"; fail "emu: status $st, wanted 1"; }
same "$TMP/want" "$TMP/emu.out"
"$VMDBG" trace show "$TMP/u.vtr" >"$TMP/show"
# one IRQ4 (vector 0x0C) after the hlt; the handler reads IIR: received data
grep -Eq 'os   hlt +hlt +emulated:cpu' "$TMP/show" || fail "no hlt"
[ "$(grep -c 'interrupt      irq vector 0x0c' "$TMP/show")" -eq 1 ] || { cat "$TMP/show"; fail "not one IRQ4"; }
grep -Eq 'in  0x03fa -> 0x4/1 +emulated:uart' "$TMP/show" || fail "IIR did not say received data"
# four bytes read from RBR and one interrupt are the run's inputs, and the
# four bytes' arrivals (queued by the host) with them
"$VMDBG" trace stats "$TMP/u.vtr" | grep -q ' 9 inputs,' || fail "not 9 input records"

# with no input, nothing can wake it: halted forever
expect_status 4 "$VMDBG" run --backend emu "$img" </dev/null
contains "$TMP/err" "halted"

if command -v qemu-system-i386 >/dev/null 2>&1; then
	printf 'abc\n' | timeout 20 qemu-system-i386 -drive file="$img",format=raw -m 64 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -display none \
		-no-reboot -monitor none >"$TMP/qemu.out" 2>/dev/null
	[ $? -eq 1 ] || fail "qemu: wrong exit status"
	same "$TMP/qemu.out" "$TMP/emu.out"
elif [ "${CI:-}" = true ]; then
	fail "qemu-system-i386 is not installed"
fi

need_kvm
printf 'abc\n' | "$VMDBG" run --backend kvm "$img" >"$TMP/kout" 2>"$TMP/kerr"
st=$?
[ $st -eq 1 ] || { cat "$TMP/kout" "$TMP/kerr"; fail "kvm: status $st, wanted 1"; }
same "$TMP/want" "$TMP/kout"
echo ok
