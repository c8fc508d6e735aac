# GRUB 2.06 for BIOS (Debian's grub-pc-bin) boots from a raw disk on emu
# through vmdbg's BIOS services, as grub-install lays it out: boot.img in
# the MBR, core.img (grub-mkimage -O i386-pc, with an embedded grub.cfg)
# from sector 1, lecture32.img (a multiboot kernel) at sector 1024.  The
# config turns on the serial terminal, echoes a line and boots the kernel
# from the block list (hd0)1024+N; the kernel runs to its exit(0)
# (status 1).  GRUB reads its disk by int 0x13 AH=42h, asks the e820 map
# and VBE 4F00h/4F03h for the multiboot information, and calibrates its
# TSC on PIT counter 2 (port 0x61).  The serial output equals QEMU's with
# SeaBIOS (qemu-system-i386 -drive file=...,format=raw).
. tests/integration/lib.sh

command -v grub-mkimage >/dev/null 2>&1 && [ -f /usr/lib/grub/i386-pc/boot.img ] ||
	skip "grub-mkimage or /usr/lib/grub/i386-pc is missing: apt-get install grub-pc-bin (make deps)"
kernel=$BUILD/guests/lecture32.img
img=$TMP/grub-lecture32.img
ks=$(( ($(stat -c %s "$kernel") + 511) / 512 ))
cat >"$TMP/early.cfg" <<EOT
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
echo "grub: booting lecture32 from (hd0)1024+$ks"
multiboot (hd0)1024+$ks
boot
EOT
grub-mkimage -O i386-pc -o "$TMP/core.img" -c "$TMP/early.cfg" -p '(hd0)' \
	biosdisk serial terminal echo multiboot boot || fail "grub-mkimage failed"
[ $(stat -c %s "$TMP/core.img") -le $((1023 * 512)) ] || fail "core.img overlaps the kernel"
dd if=/dev/zero of="$img" bs=512 count=$((1024 + ks)) 2>/dev/null
dd if=/usr/lib/grub/i386-pc/boot.img of="$img" conv=notrunc 2>/dev/null
dd if="$TMP/core.img" of="$img" bs=512 seek=1 conv=notrunc 2>/dev/null
dd if="$kernel" of="$img" bs=512 seek=1024 conv=notrunc 2>/dev/null

"$VMDBG" record --backend emu --timeout 60 --display none "$img" -o "$TMP/grub.vtr" \
	>"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/serial" "$TMP/err"; fail "emu: exit status $st, wanted 1"; }
printf '\033[H\033[J\033[1;1Hgrub: booting lecture32 from (hd0)1024+%s\n\r' $ks >"$TMP/want"
"$VMDBG" run --backend emu "$kernel" >>"$TMP/want" 2>/dev/null
same "$TMP/want" "$TMP/serial"
# the firmware GRUB used: one record per call, in this order at first
"$VMDBG" trace show "$TMP/grub.vtr" 2>/dev/null | grep -o 'int 0x[0-9a-f]* a[hx]=0x[0-9a-f]*' |
	awk '!seen[$0]++' >"$TMP/calls"
cat >"$TMP/want" <<'EOT'
int 0x10 ah=0x0e
int 0x13 ah=0x41
int 0x13 ah=0x42
int 0x13 ah=0x00
int 0x15 ax=0xe820
int 0x10 ah=0x03
int 0x10 ah=0x09
int 0x10 ah=0x02
int 0x13 ah=0x4b
int 0x13 ah=0x48
int 0x13 ah=0x08
int 0x15 ax=0x5300
int 0x10 ax=0x4f00
int 0x10 ax=0x4f03
int 0x10 ax=0x4f0a
EOT
same "$TMP/want" "$TMP/calls"

if command -v qemu-system-i386 >/dev/null 2>&1; then
	timeout 60 qemu-system-i386 -drive file="$img",format=raw,snapshot=on \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
	[ $? -eq 1 ] || fail "QEMU: exit status, wanted 1"
	same "$TMP/qemu.serial" "$TMP/serial"
elif [ "${CI:-}" = true ]; then
	fail "qemu-system-i386 is not installed"
fi
echo ok
