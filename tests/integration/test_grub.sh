# GRUB 2.06 for BIOS (Debian's grub-pc-bin) boots from a raw disk on emu
# through vmdbg's BIOS services, laid out as grub-install does it: boot.img
# in the MBR (its first 440 bytes, the partition table kept), core.img
# (grub-mkimage -O i386-pc: biosdisk, part_msdos, ext2) from sector 1, and
# an ext2 partition from sector 2048 (mke2fs -d) holding /boot/grub with
# every module and a grub.cfg (serial terminal, a menu, timeout 0).  GRUB
# loads normal.mod and the rest from the file system, runs the menu entry
# and boots:
#   - lecture32.img by multiboot: it runs to its exit(0) (status 1); the
#     serial output is exact and equals QEMU's with SeaBIOS;
#   - memtest86+ by the Linux boot protocol ("linux"): its first screen
#     equals QEMU's, as in test_memtest.sh.
# On the way GRUB reads its disk by int 0x13 AH=42h, asks the e820 map and
# VBE 4F00h/4F03h (without which it prints "Can't get controller info")
# and calibrates its TSC on PIT counter 2 (port 0x61).
. tests/integration/lib.sh
. tests/integration/realguests.sh

lib=/usr/lib/grub/i386-pc
command -v grub-mkimage >/dev/null 2>&1 && [ -f $lib/boot.img ] ||
	skip "grub-mkimage or $lib is missing: apt-get install grub-pc-bin (make deps)"
command -v mke2fs >/dev/null 2>&1 || skip "mke2fs is missing (e2fsprogs)"
[ -f /boot/memtest86+x64.bin ] || skip "memtest86+ is missing (make deps)"
grub-mkimage -O i386-pc -o "$TMP/core.img" -p '(hd0,msdos1)/boot/grub' \
	biosdisk part_msdos ext2 || fail "grub-mkimage failed"
[ $(stat -c %s "$TMP/core.img") -le $((2047 * 512)) ] || fail "core.img is past sector 2047"
mkdir -p "$TMP/root/boot/grub/i386-pc"
cp $lib/*.mod $lib/*.lst "$TMP/root/boot/grub/i386-pc/"
cp "$BUILD/guests/lecture32.img" /boot/memtest86+x64.bin "$TMP/root/boot/"

# grub_disk NAME DEFAULT: $TMP/NAME.img, its menu's entry DEFAULT chosen
grub_disk() {
	cat >"$TMP/root/boot/grub/grub.cfg" <<EOT
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
set default=$2
menuentry "lecture32" {
	echo "grub: loading /boot/lecture32.img"
	multiboot /boot/lecture32.img
	boot
}
menuentry "memtest86+" {
	linux /boot/memtest86+x64.bin console=ttyS0 nopause
	boot
}
EOT
	rm -f "$TMP/fs.img"
	mke2fs -q -t ext2 -d "$TMP/root" -U 00000000-0000-0000-0000-000000000001 \
		-E root_owner=0:0 "$TMP/fs.img" 8M >"$TMP/mke2fs.log" 2>&1 ||
		{ cat "$TMP/mke2fs.log"; fail "mke2fs failed"; }
	grub_disk_image "$TMP/$1.img" "$TMP/core.img" "$TMP/fs.img" 16384
}
grub_disk grub-lecture32 0
grub_disk grub-memtest 1

"$VMDBG" record --backend emu --timeout 60 --display none "$TMP/grub-lecture32.img" \
	-o "$TMP/grub.vtr" </dev/null >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/serial" "$TMP/err"; fail "emu: exit status $st, wanted 1"; }
printf '\033[H\033[J\033[1;1H\033[H\033[J\033[1;1H  Booting `lecture32'"'"'\n\r\n\rgrub: loading /boot/lecture32.img\n\r' >"$TMP/want"
"$VMDBG" run --backend emu "$BUILD/guests/lecture32.img" >>"$TMP/want" 2>/dev/null
same "$TMP/want" "$TMP/serial"
# the firmware GRUB used, each service's first call in order
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

"$VMDBG" run --backend emu --max-steps 200000000 --display none "$TMP/grub-memtest.img" \
	</dev/null >"$TMP/mserial" 2>"$TMP/merr"
st=$?
[ $st -eq 124 ] || { cat "$TMP/mserial" "$TMP/merr"; fail "memtest: exit status $st, wanted 124"; }
memtest_screen "$TMP/mserial" >"$TMP/mscreen"
contains "$TMP/mscreen" "[8;1HCPU: 1 Cores 1 Threads    SMP: Disabled   | Time:           Status: Testing  -  "

if have_qemu; then
	timeout 60 qemu-system-i386 -drive file="$TMP/grub-lecture32.img",format=raw,snapshot=on \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
	[ $? -eq 1 ] || fail "QEMU: exit status, wanted 1"
	same "$TMP/qemu.serial" "$TMP/serial"
	qemu_serial "$TMP/qemu.mserial" -drive file="$TMP/grub-memtest.img",format=raw,snapshot=on
	memtest_screen "$TMP/qemu.mserial" >"$TMP/qmscreen"
	same "$TMP/qmscreen" "$TMP/mscreen"
fi
echo ok
