# SYSLINUX 6.04 (Debian's syslinux, mtools, dosfstools) boots from a FAT
# disk on emu through vmdbg's BIOS services and loads memtest86+ by the
# Linux boot protocol ("console=ttyS0 nopause").  The disk is a whole-disk
# FAT file system (no partition table, as on a USB stick) that `syslinux
# --install` made bootable; SYSLINUX reads ldlinux.c32, syslinux.cfg and
# memtest.bin with int 0x13 AH=42h and asks int 0x16 AH=12h whether a
# shift key is held (no: it boots at once, no boot: prompt).  The first
# 150 million instructions' serial output is exact
# (expected/syslinux.serial), and its first screen equals QEMU's (same
# disk) except the fields that name the machine.  The same file system as
# partition 1 of a disk with SYSLINUX's mbr.bin in the MBR (which loads
# the active partition's boot sector) gives the same output.
. tests/integration/lib.sh
. tests/integration/realguests.sh

for c in syslinux mkfs.fat mcopy; do
	command -v $c >/dev/null 2>&1 ||
		skip "$c is missing: apt-get install syslinux mtools dosfstools (make deps)"
done
[ -f /boot/memtest86+x64.bin ] || skip "memtest86+ is missing (make deps)"
mbr=/usr/lib/syslinux/mbr/mbr.bin
[ -f $mbr ] || skip "$mbr is missing: apt-get install syslinux-common (make deps)"
printf 'SERIAL 0 115200\nDEFAULT mt\nPROMPT 0\nLABEL mt\n  LINUX memtest.bin\n  APPEND console=ttyS0 nopause\n' >"$TMP/syslinux.cfg"
# fat_disk IMG HIDDEN: a 1 MiB FAT file system HIDDEN sectors into its
# disk, with SYSLINUX, its config and memtest86+
fat_disk() {
	mkfs.fat -C -h $2 -i 0x5eed0001 -n VMDBG "$1" 2048 >/dev/null || fail "mkfs.fat failed"
	syslinux --install "$1" || fail "syslinux --install failed"
	mcopy -i "$1" "$TMP/syslinux.cfg" ::syslinux.cfg &&
		mcopy -i "$1" /boot/memtest86+x64.bin ::memtest.bin || fail "mcopy failed"
}
img=$TMP/syslinux-memtest.img
fat_disk "$img" 0
# partitioned: mbr.bin, partition 1 active, FAT16 (0x0E), LBA 2048, 4096 sectors
pimg=$TMP/syslinux-mbr.img
fat_disk "$TMP/part.img" 2048
dd if=/dev/zero of="$pimg" bs=512 count=$((2048 + 4096)) 2>/dev/null
dd if=$mbr of="$pimg" conv=notrunc 2>/dev/null
mbr_partition "$pimg" 0x0e 4096
dd if="$TMP/part.img" of="$pimg" bs=512 seek=2048 conv=notrunc 2>/dev/null

"$VMDBG" record --backend emu --max-steps 150000000 --display none "$img" \
	-o "$TMP/syslinux.vtr" </dev/null >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 124 ] || { cat "$TMP/serial" "$TMP/err"; fail "emu: exit status $st, wanted 124"; }
same tests/integration/expected/syslinux.serial "$TMP/serial"
"$VMDBG" trace show "$TMP/syslinux.vtr" 2>/dev/null | grep -c 'int 0x16 ah=0x12 -> none (far call)' >"$TMP/n"
[ "$(cat "$TMP/n")" -ge 1 ] || fail "SYSLINUX asked no int 0x16 AH=12h"
memtest_screen "$TMP/serial" >"$TMP/screen"
"$VMDBG" run --backend emu --max-steps 150000000 --display none "$pimg" \
	</dev/null >"$TMP/pserial" 2>"$TMP/perr"
st=$?
[ $st -eq 124 ] || { cat "$TMP/pserial" "$TMP/perr"; fail "mbr.bin: exit status $st, wanted 124"; }
same tests/integration/expected/syslinux.serial "$TMP/pserial"
if have_qemu; then
	qemu_serial "$TMP/qemu.serial" -drive file="$img",format=raw,snapshot=on
	memtest_screen "$TMP/qemu.serial" >"$TMP/qscreen"
	same "$TMP/qscreen" "$TMP/screen"
fi
echo ok
