# time limit: 600
# GRUB 2.06 boots Debian's kernel and the busybox initramfs of test_linux
# (tests/linux/) from an ext2 partition, on emu, through vmdbg's BIOS: the
# disk is laid out as grub-install does (test_grub.sh), grub.cfg says
# "linux /boot/vmlinuz console=ttyS0" and "initrd /boot/initrd.cpio.gz".
# GRUB reads both (15 MB) by int 0x13 AH=42h, enters the kernel by the
# Linux boot protocol with the e820 map it asked int 0x15 for; the kernel
# runs init to its markers and powers off through ACPI (status 0).  The
# trace is not replayed (it would double this test's time, as in
# test_linux.sh).
. tests/integration/lib.sh
. tests/integration/realguests.sh
NO_REPLAY="grub-linux.vtr"

lib=/usr/lib/grub/i386-pc
command -v grub-mkimage >/dev/null 2>&1 && [ -f $lib/boot.img ] ||
	skip "grub-mkimage or $lib is missing: apt-get install grub-pc-bin (make deps)"
dir=$BUILD/linux
if [ ! -f "$dir/initrd.cpio.gz" ] || [ ! -f "$dir/vmlinuz" ]; then
	sh tests/linux/fetch.sh "$dir" || fail "tests/linux/fetch.sh $dir"
fi
grub-mkimage -O i386-pc -o "$TMP/core.img" -p '(hd0,msdos1)/boot/grub' \
	biosdisk part_msdos ext2 || fail "grub-mkimage failed"
mkdir -p "$TMP/root/boot/grub/i386-pc"
cp $lib/*.mod $lib/*.lst "$TMP/root/boot/grub/i386-pc/"
cp "$dir/vmlinuz" "$dir/initrd.cpio.gz" "$TMP/root/boot/"
cat >"$TMP/root/boot/grub/grub.cfg" <<'EOT'
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "linux" {
	linux /boot/vmlinuz console=ttyS0 quiet
	initrd /boot/initrd.cpio.gz
	boot
}
EOT
mke2fs -q -t ext2 -d "$TMP/root" -E root_owner=0:0 "$TMP/fs.img" 32M >"$TMP/mke2fs.log" 2>&1 ||
	{ cat "$TMP/mke2fs.log"; fail "mke2fs failed"; }
img=$TMP/grub-linux.img
grub_disk_image "$img" "$TMP/core.img" "$TMP/fs.img" 65536

expect_status 0 "$VMDBG" record --backend emu --mem 256M --timeout 500 --display none \
	"$img" -o "$TMP/grub-linux.vtr" </dev/null
tr -d '\r' <"$TMP/out" >"$TMP/console"
has_line "$TMP/console" "VMDBG-LINUX-START"
has_line "$TMP/console" "vmdbg-file-content"
has_line "$TMP/console" "VMDBG-LINUX-DONE"
contains "$TMP/err" "vmdbg: poweroff: the guest powered off: ACPI S5"
"$VMDBG" trace show "$TMP/grub-linux.vtr" >"$TMP/show" 2>/dev/null || fail "trace show failed"
tail -1 "$TMP/show" | grep -q '^end: poweroff at ' || { tail -1 "$TMP/show"; fail "the trace does not end in poweroff"; }
# GRUB read the kernel and the initrd through int 0x13: at least their size
sectors=$(grep -o 'int 0x13 ah=0x42 read [0-9]* sectors' "$TMP/show" | awk '{ n += $5 } END { print n + 0 }')
want=$(( ($(stat -c %s "$dir/vmlinuz") + $(stat -c %s "$dir/initrd.cpio.gz")) / 512 ))
[ "$sectors" -ge "$want" ] || fail "GRUB read $sectors sectors by int 0x13, wanted at least $want"
grep -q 'int 0x15 ax=0xe820' "$TMP/show" || fail "GRUB asked no e820 map"
echo "ok: GRUB booted Linux to busybox and power-off ($sectors sectors read by int 0x13)"
