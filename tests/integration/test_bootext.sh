# bootext: a boot sector that reads its own disk through int 0x13 (41h,
# 42h, 02h, and 42h past the end): vmdbg's BIOS on the IDE disk the image
# is.  The serial output equals QEMU's with SeaBIOS
# (tests/guests/expected/bootext.serial, and QEMU live when installed), on
# emu and on kvm (real-mode int n); each disk call is one bios record.
. tests/integration/lib.sh

img=$BUILD/guests/bootext.img
"$VMDBG" record --timeout 30 --backend emu "$img" -o "$TMP/e.vtr" >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/err"; fail "emu: exit status $st, wanted 1"; }
same tests/guests/expected/bootext.serial "$TMP/serial"
"$VMDBG" trace show "$TMP/e.vtr" 2>/dev/null | grep "int 0x13" |
	awk '{ $1 = $2 = ""; sub(/^  /, ""); print }' >"$TMP/calls"
cat >"$TMP/want" <<'EOT'
os soft-interrupt int 0x13 ah=0x41 extensions check emulated:bios vmm-emulates rip=0x7c20
os soft-interrupt int 0x13 ah=0x42 read 1 sectors lba 1 emulated:bios vmm-emulates rip=0x7c39
os soft-interrupt int 0x13 ah=0x02 read 1 sectors lba 2 emulated:bios vmm-emulates rip=0x7c52
os soft-interrupt int 0x13 ah=0x42 read 1 sectors lba 16384 emulated:bios vmm-emulates rip=0x7c6b
EOT
same "$TMP/want" "$TMP/calls"

if command -v qemu-system-i386 >/dev/null 2>&1; then
	timeout 30 qemu-system-i386 -drive file="$img",format=raw,snapshot=on \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
	[ $? -eq 1 ] || fail "QEMU: exit status, wanted 1"
	same "$TMP/qemu.serial" "$TMP/serial"
elif [ "${CI:-}" = true ]; then
	fail "qemu-system-i386 is not installed"
fi

# kvm, where the probe says real-mode int n works (else a skip, as the
# other BIOS tests)
need_kvm_real_int
"$VMDBG" run --timeout 30 --backend kvm "$img" >"$TMP/kserial" 2>"$TMP/kerr"
st=$?
[ $st -eq 1 ] || { cat "$TMP/kerr"; fail "kvm: exit status $st, wanted 1"; }
same tests/guests/expected/bootext.serial "$TMP/kserial"
echo ok
