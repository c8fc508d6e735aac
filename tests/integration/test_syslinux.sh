# SYSLINUX 6.04 (Debian's syslinux, mtools, dosfstools) boots from a FAT
# disk on emu through vmdbg's BIOS services and loads memtest86+ by the
# Linux boot protocol ("console=ttyS0 nopause").  The disk is a whole-disk
# FAT file system (no partition table, as on a USB stick) that `syslinux
# --install` made bootable; SYSLINUX reads ldlinux.c32, syslinux.cfg and
# memtest.bin with int 0x13 AH=42h and asks int 0x16 AH=12h whether a
# shift key is held (no: it boots at once, no boot: prompt).  The first
# 150 million instructions' serial output is exact
# (expected/syslinux.serial), and its first screen equals QEMU's (same
# disk) except the fields that name the machine.
. tests/integration/lib.sh
. tests/integration/realguests.sh

for c in syslinux mkfs.fat mcopy; do
	command -v $c >/dev/null 2>&1 ||
		skip "$c is missing: apt-get install syslinux mtools dosfstools (make deps)"
done
[ -f /boot/memtest86+x64.bin ] || skip "memtest86+ is missing (make deps)"
img=$TMP/syslinux-memtest.img
mkfs.fat -C -i 0x5eed0001 -n VMDBG "$img" 2048 >/dev/null || fail "mkfs.fat failed"
syslinux --install "$img" || fail "syslinux --install failed"
printf 'SERIAL 0 115200\nDEFAULT mt\nPROMPT 0\nLABEL mt\n  LINUX memtest.bin\n  APPEND console=ttyS0 nopause\n' >"$TMP/syslinux.cfg"
mcopy -i "$img" "$TMP/syslinux.cfg" ::syslinux.cfg &&
	mcopy -i "$img" /boot/memtest86+x64.bin ::memtest.bin || fail "mcopy failed"

"$VMDBG" record --backend emu --max-steps 150000000 --display none "$img" \
	-o "$TMP/syslinux.vtr" </dev/null >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 124 ] || { cat "$TMP/serial" "$TMP/err"; fail "emu: exit status $st, wanted 124"; }
same tests/integration/expected/syslinux.serial "$TMP/serial"
"$VMDBG" trace show "$TMP/syslinux.vtr" 2>/dev/null | grep -c 'int 0x16 ah=0x12 -> none (far call)' >"$TMP/n"
[ "$(cat "$TMP/n")" -ge 1 ] || fail "SYSLINUX asked no int 0x16 AH=12h"
memtest_screen "$TMP/serial" >"$TMP/screen"
if have_qemu; then
	qemu_serial "$TMP/qemu.serial" -drive file="$img",format=raw,snapshot=on
	memtest_screen "$TMP/qemu.serial" >"$TMP/qscreen"
	same "$TMP/qscreen" "$TMP/screen"
fi
echo ok
