# memtest86+ 6.10 (Debian's memtest86+ package, /boot/memtest86+x64.bin): a
# real third-party bare-metal program, booted on emu through the Linux boot
# protocol with "console=ttyS0 nopause".  It calibrates the TSC on PIT
# counter 2 through port 0x61, draws its screen on VGA and, as VT100, on
# the serial port, and starts test #0.  The first 100 million
# instructions' serial output is exact (expected/memtest.serial); the
# first screen equals QEMU's (-kernel, the same command line) except the
# fields that name the machine: CPU, clock, caches, memory size, SMBIOS.
# The 32-bit image boots by the 32-bit boot protocol, draws the same
# screen and runs test #0 as the 64-bit one does, with x87 arithmetic.
. tests/integration/lib.sh
. tests/integration/realguests.sh

for f in /boot/memtest86+x64.bin /boot/memtest86+ia32.bin; do
	[ -f "$f" ] || skip "$f is missing: apt-get install memtest86+ (make deps)"
done
cp /boot/memtest86+x64.bin /boot/memtest86+ia32.bin "$TMP/"
args="--backend emu --max-steps 100000000 --display none"

"$VMDBG" record $args "$TMP/memtest86+x64.bin" --append "console=ttyS0 nopause" \
	-o "$TMP/mt.vtr" >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 124 ] || { cat "$TMP/err"; fail "memtest86+x64: exit status $st, wanted 124"; }
same tests/integration/expected/memtest.serial "$TMP/serial"
# the calibration: counter 2 gated on, mode 0, 59659 clocks, then bit 5
"$VMDBG" trace show "$TMP/mt.vtr" 2>/dev/null | grep -E 'io +(in|out) +0x00(4[23]|61)' |
	awk '{ print $5, $6, $7, $8 }' | head -8 >"$TMP/pit"
cat >"$TMP/want" <<'EOT'
in 0x0061 -> 0x30/1
out 0x0061 <- 0x31/1
out 0x0043 <- 0xb0/1
out 0x0042 <- 0xb/1
out 0x0042 <- 0xe9/1
in 0x0061 -> 0x1/1
in 0x0061 -> 0x11/1
in 0x0061 -> 0x1/1
EOT
same "$TMP/want" "$TMP/pit"

memtest_screen "$TMP/serial" >"$TMP/screen"
contains "$TMP/screen" "[8;1HCPU: 1 Cores 1 Threads    SMP: Disabled   | Time:           Status: Testing  -  "
if have_qemu; then
	qemu_serial "$TMP/qemu.serial" -kernel "$TMP/memtest86+x64.bin" -append "console=ttyS0 nopause"
	memtest_screen "$TMP/qemu.serial" >"$TMP/qscreen"
	same "$TMP/qscreen" "$TMP/screen"
fi

# ia32: the same screen through the 32-bit entry, then test #0 as on
# x64: its first fild (the memory size shown, "63.6MB", is x87
# arithmetic here, SSE on x64) and the progress after the screen equal
# the 64-bit image's, less its wider patterns and the [LM] mark
"$VMDBG" record $args "$TMP/memtest86+ia32.bin" --append "console=ttyS0 nopause" \
	-o "$TMP/mt32.vtr" >"$TMP/serial32" 2>"$TMP/err32"
st=$?
[ $st -eq 124 ] || { cat "$TMP/err32"; fail "memtest86+ia32: exit status $st, wanted 124"; }
after_screen() {
	tr '\033' '\n' <"$1" | sed -n '/unknown\.x/,$p' | sed -e 's/x64$/x32/' \
		-e 's/\(63\.6MB\]\)      *\(\[LM\]\)*$/\1/' -e 's/0x\(ffffffff\|00000000\)\1/0x\1/' -e 's/ *$//'
}
after_screen tests/integration/expected/memtest.serial >"$TMP/tail64"
after_screen "$TMP/serial32" >"$TMP/tail32"
grep -q '63\.6MB' "$TMP/tail32" || fail "memtest86+ia32: no memory size in test #0"
same "$TMP/tail64" "$TMP/tail32"
memtest_screen "$TMP/serial32" >"$TMP/screen32"
contains "$TMP/screen32" "[8;1HCPU: 1 Cores 1 Threads    SMP: Disabled   | Time:           Status: Testing  -  "
contains "$TMP/screen32" "6.10.unknown.x32"
if have_qemu; then
	qemu_serial "$TMP/qemu32.serial" -kernel "$TMP/memtest86+ia32.bin" -append "console=ttyS0 nopause"
	memtest_screen "$TMP/qemu32.serial" >"$TMP/qscreen32"
	same "$TMP/qscreen32" "$TMP/screen32"
fi
echo ok
