# Helpers for the tests that boot third-party guests (test_memtest.sh,
# test_grub.sh, test_grub_linux.sh,
# test_syslinux.sh; sourced after lib.sh, not a test itself).

# memtest_screen FILE: memtest86+'s first screen from its serial output (a
# VT100 stream): one "row;col text" line per cursor move, up to the footer,
# with the fields that name the machine blanked (CPU, clock, caches,
# memory size, the SMBIOS product line).  Anything before memtest's
# screen (a boot loader's lines) is kept.
memtest_screen() {
	tr '\033' '\n' <"$1" | sed -n '1,/6\.10\.unknown/p' | sed \
		-e 's/^\(\[0m| \).*/\1CPU/' \
		-e 's/^\(\[[2-6];1H[^:]*:\)[^|]*\(|.*\)/\1 X \2/' \
		-e 's/^\(\[24;1H\).*/\1SMBIOS/' -e 's/\(unknown\.x..\).*/\1/' | awk '{ print }'
}

# qemu_serial OUT QEMU-ARGS...: run QEMU with the serial port to OUT until
# memtest's first screen is complete there (its footer), at most 30 s.
qemu_serial() {
	out=$1; shift
	rm -f "$out"
	qemu-system-x86_64 -display none -m 64 -serial file:"$out" -monitor none \
		-no-reboot "$@" </dev/null >/dev/null 2>&1 &
	qpid=$!
	i=0
	while [ $i -lt 300 ] && ! grep -q 'unknown\.x[0-9][0-9]' "$out" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	kill $qpid 2>/dev/null; wait $qpid 2>/dev/null
	grep -q 'unknown\.x[0-9][0-9]' "$out" || fail "QEMU did not draw memtest's screen in 30 s"
}

# have_qemu: true when qemu-system-x86_64 is here (a failure under CI=true
# when not: make deps installs it).
have_qemu() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 && return 0
	[ "${CI:-}" != true ] || fail "qemu-system-x86_64 is not installed"
	return 1
}

# le32 N: N as 4 little-endian bytes
le32() {
	for s in 0 8 16 24; do
		printf "\\$(printf %03o $(( ($1 >> s) & 255 )))"
	done
}

# mbr_partition DISK TYPE SECTORS: partition 1 of DISK's MBR active, of
# TYPE (e.g. 0x83), from LBA 2048 for SECTORS sectors (CHS fields
# unused: LBA-only), and the 55 AA signature
mbr_partition() {
	{ printf '\200\376\377\377\'"$(printf %03o $(($2)))"'\376\377\377'; le32 2048; le32 $3; } |
		dd of="$1" bs=1 seek=446 conv=notrunc 2>/dev/null
	printf '\125\252' | dd of="$1" bs=1 seek=510 conv=notrunc 2>/dev/null
}

# grub_disk_image OUT CORE FS SECTORS: a disk as grub-install lays it out:
# GRUB's boot.img (its first 440 bytes) in the MBR, CORE (core.img) from
# sector 1, partition 1 (Linux, SECTORS sectors from LBA 2048) holding FS
grub_disk_image() {
	dd if=/dev/zero of="$1" bs=512 count=$((2048 + $4)) 2>/dev/null
	dd if=/usr/lib/grub/i386-pc/boot.img of="$1" bs=440 count=1 conv=notrunc 2>/dev/null
	mbr_partition "$1" 0x83 $4
	dd if="$2" of="$1" bs=512 seek=1 conv=notrunc 2>/dev/null
	dd if="$3" of="$1" bs=512 seek=2048 conv=notrunc 2>/dev/null
}
