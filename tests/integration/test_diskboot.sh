# diskboot: a boot sector that loads its 32-bit kernel from its own disk by
# ATA PIO, and a kernel that reads a file from a second disk (primary
# slave) with IRQ14.  On emu: the serial output equals QEMU's
# (tests/guests/expected/diskboot.serial, and QEMU live when installed), the
# exact sequence of IDE port accesses and IRQ14 interrupts
# (expected/diskboot.ide: each `rep insw` is one record, "x256"), the disks
# in the trace header, snapshot while recording, writes to the file
# otherwise.  On kvm: the real-mode part (the boot sector's PIO load).
. tests/integration/lib.sh

img=$BUILD/guests/diskboot.img
fs=$BUILD/guests/diskboot-fs.img
# (with a selection every trap has its line: unselected, a run of repeated
# sector reads would be one "(repeated N times)" line)
ide() { "$VMDBG" trace show "$1" --class io,interrupt | grep -E "emulated:ide|interrupt " |
	awk '{ $1 = $2 = ""; sub(/^  /, ""); print }'; }

sha_img=$(sha256sum "$img" | cut -c1-64)
sha_fs=$(sha256sum "$fs" | cut -c1-64)
"$VMDBG" record --timeout 30 --backend emu "$img" --disk "$fs" -o "$TMP/d.vtr" >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/err"; fail "emu: exit status $st, wanted 1"; }
same tests/guests/expected/diskboot.serial "$TMP/serial"
ide "$TMP/d.vtr" >"$TMP/ide"
same tests/integration/expected/diskboot.ide "$TMP/ide"
grep -c ' ins 0x01f0 -> .*/2 x256 ' "$TMP/ide" | grep -qx 21 || fail "rep insw records"
grep -c ' outs 0x01f0 <- .*/2 x256 ' "$TMP/ide" | grep -qx 1 || fail "rep outsw record"
# recording keeps disk writes in memory: the files are unchanged, and the
# header names both disks with their hashes
[ "$(sha256sum "$fs" | cut -c1-64)" = "$sha_fs" ] || fail "record changed $fs"
[ "$(sha256sum "$img" | cut -c1-64)" = "$sha_img" ] || fail "record changed $img"
"$VMDBG" trace show "$TMP/d.vtr" | sed -n 3,4p >"$TMP/disks"
printf '  disk 0: %s (8704 bytes, sha256 %s...), snapshot\n  disk 1: %s (32768 bytes, sha256 %s...), snapshot\n' \
	"$img" "$(echo "$sha_img" | cut -c1-16)" "$fs" "$(echo "$sha_fs" | cut -c1-16)" >"$TMP/want"
same "$TMP/want" "$TMP/disks"
"$VMDBG" trace export "$TMP/d.vtr" --format csv | head -1 | grep -q ',count,' || fail "csv count column"

# the debugger takes the same disk options; its --trace is a snapshot too
"$VMDBG" --batch --timeout 30 --backend emu "$img" --disk "$fs" --trace "$TMP/dbg.vtr" -ex run \
	-ex "info devices" -q >"$TMP/out" 2>&1
[ $? -eq 1 ] || { cat "$TMP/out"; fail "debugger: wrong status"; }
contains "$TMP/out" "[Guest exited with status 1 (debug-exit value 0)]"
# info devices: the drives, the status each shows (the slave's last command
# aborted), the IRQ lines
grep -qxF "ide: 0 diskboot.img 17 sectors (snapshot) status 0x50, 1 diskboot-fs.img 64 sectors (snapshot) status 0x41, 2 -, 3 -, IRQ14 low, IRQ15 low" \
	"$TMP/out" || { cat "$TMP/out"; fail "info devices: the ide line"; }
"$VMDBG" trace show "$TMP/dbg.vtr" | sed -n 3,4p >"$TMP/disks"
same "$TMP/want" "$TMP/disks"

# `run` writes to the file unless --snapshot; --disk FILE,index=N places it
cp "$fs" "$TMP/fs.img"
"$VMDBG" run --timeout 30 --backend emu "$img" --disk "$TMP/fs.img,index=1" -q 2>"$TMP/err"
[ $? -eq 1 ] || { cat "$TMP/err"; fail "run with a writable disk"; }
dd if="$TMP/fs.img" bs=512 skip=7 count=1 2>/dev/null | head -c 29 >"$TMP/sector7"
printf 'written and read back by PIO\n' >"$TMP/want7"
same "$TMP/want7" "$TMP/sector7"
cp "$fs" "$TMP/fs2.img"
"$VMDBG" run --timeout 30 --backend emu --snapshot "$img" --disk "$TMP/fs2.img" -q 2>/dev/null
cmp -s "$fs" "$TMP/fs2.img" || fail "--snapshot changed the disk file"
# -v says what the image is and where the disks are
"$VMDBG" run -v --timeout 30 --backend emu "$img" --disk "$fs" --snapshot -q 2>"$TMP/err"
contains "$TMP/err" "vmdbg: $img: boot sector (0x55AA at offset 510): a disk image, also the primary master, entry 0x7c00 in 16-bit mode"
contains "$TMP/err" "vmdbg: disk 1 (primary slave): $fs, 32768 bytes, snapshot (writes stay in memory)"

# the same kernel as a multiboot ELF that loads at 0x8000: vmdbg's boot
# structures move out of its way (below the EBDA) and it runs the same
"$VMDBG" run -v --timeout 30 --backend emu "$BUILD/guests/diskboot/kernel.elf" --disk "$img" --disk "$fs" \
	--snapshot >"$TMP/mb.serial" 2>"$TMP/err"
[ $? -eq 1 ] || { cat "$TMP/err"; fail "multiboot at 0x8000: wrong status"; }
same tests/guests/expected/diskboot.serial "$TMP/mb.serial"
contains "$TMP/err" "multiboot kernel (ELF32), boot structures at 0x97000, entry 0x8000 in 32-bit mode"

# bad disks and images: one line, status 2
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$img" --disk /tmp
contains "$TMP/err" "vmdbg: disk /tmp: not a regular file (a disk must be an image file)"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$img" --disk "$fs,index=7"
contains "$TMP/err" "index=7, expected 0-3"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$img" --disk "$fs,index=1" --disk "$fs,index=1"
contains "$TMP/err" "index=1 is given twice"
head -c 512 "$img" >"$TMP/bz.img"
printf 'HdrS' | dd of="$TMP/bz.img" bs=1 seek=514 conv=notrunc 2>/dev/null
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$TMP/bz.img"
contains "$TMP/err" "bzImage is 518 bytes: too short for its setup header (0x264 bytes)"

# QEMU, the reference, live when it is installed
if command -v qemu-system-i386 >/dev/null 2>&1; then
	timeout 30 qemu-system-i386 -drive file="$img",format=raw,index=0,snapshot=on \
		-drive file="$fs",format=raw,index=1,snapshot=on \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
	[ $? -eq 1 ] || fail "QEMU: exit status, wanted 1"
	same "$TMP/qemu.serial" "$TMP/serial"
fi

# kvm: the boot sector's PIO load is the same trap sequence as on emu
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	"$VMDBG" record --timeout 30 --backend kvm "$img" --disk "$fs" -o "$TMP/k.vtr" >"$TMP/kserial" 2>"$TMP/kerr"
	st=$?
	ide "$TMP/k.vtr" | head -39 >"$TMP/kide"
	head -39 tests/integration/expected/diskboot.ide >"$TMP/want"
	same "$TMP/want" "$TMP/kide"
	head -1 tests/guests/expected/diskboot.serial >"$TMP/want"
	head -1 "$TMP/kserial" >"$TMP/got"
	same "$TMP/want" "$TMP/got"
	if [ $st -eq 6 ]; then	# this host's KVM gaps (see --probe): named, status 6
		contains "$TMP/kerr" "kvm: this host's KVM cannot run"
	else
		[ $st -eq 1 ] || { cat "$TMP/kerr"; fail "kvm: exit status $st"; }
		same tests/guests/expected/diskboot.serial "$TMP/kserial"
	fi
elif [ "${CI:-}" = true ]; then
	fail "/dev/kvm is not usable: the kvm part cannot run"
fi
echo ok
