#!/bin/sh
# bench/linux.sh - `make bench-linux`: Debian's kernel with the busybox
# initramfs of tests/linux/ booted to its power-off on vmdbg emu (untraced,
# and recording the full trace) and on QEMU TCG, in one run; prints the
# ratios (CPU time of the whole process: user + system, all threads).
# QEMU gets the same kernel, initrd, command line and memory; its
# `-no-reboot` ends it when busybox's `poweroff -f` resets or powers off.
BUILD=${BUILD:-build}
DIR=$BUILD/linux
VMDBG=$BUILD/vmdbg
QEMU=${QEMU:-qemu-system-x86_64}
OUT=$BUILD/bench/linux.txt
[ -f "$DIR/vmlinuz" ] && [ -f "$DIR/initrd.cpio.gz" ] || sh tests/linux/fetch.sh "$DIR" || exit 1
mkdir -p "$BUILD/bench"

# cpu CMD...: run CMD, print its CPU seconds (user + sys, children included)
cpu() {
	/usr/bin/time -f '%U %S' -o "$BUILD/bench/linux.time" "$@" >/dev/null 2>&1 </dev/null
	awk '{ printf "%.2f", $1 + $2 }' "$BUILD/bench/linux.time"
}
APPEND="console=ttyS0 quiet"
emu=$(cpu "$VMDBG" run --backend emu -q --mem 256M "$DIR/vmlinuz" --initrd "$DIR/initrd.cpio.gz" \
	--append "$APPEND" --timeout 900)
rec=$(cpu "$VMDBG" record --backend emu -q --mem 256M "$DIR/vmlinuz" --initrd "$DIR/initrd.cpio.gz" \
	--append "$APPEND" --timeout 900 -o "$BUILD/bench/linux.vtr")
qemu=$(cpu "$QEMU" -accel tcg -m 256M -nographic -no-reboot -kernel "$DIR/vmlinuz" \
	-initrd "$DIR/initrd.cpio.gz" -append "$APPEND panic=-1")
{
	echo "Linux boot to power-off (Debian's cloud kernel + busybox initramfs), CPU seconds:"
	echo "  vmdbg emu untraced   $emu s"
	echo "  vmdbg emu recording  $rec s ($(du -h "$BUILD/bench/linux.vtr" | cut -f1) of trace)"
	echo "  QEMU TCG             $qemu s"
	awk -v e="$emu" -v r="$rec" -v q="$qemu" 'BEGIN {
		printf "  emu / QEMU TCG       %.2fx  (goal 2x)\n", e / q
		printf "  recording / untraced %.2fx  (goal 1.3x)\n", r / e }'
} | tee "$OUT"
