# biosboot: a boot sector that uses only BIOS services (int 0x10 teletype,
# mode set and cursor, int 0x15 E820, int 0x12, int 0x1A), then enters
# protected mode, writes the VGA text screen itself and copies it to the
# UART.  vmdbg's emulated BIOS must give the same serial output as QEMU
# with SeaBIOS, except the "# e820" lines (SeaBIOS's map is not vmdbg's:
# those are checked against vmdbg's own table); each BIOS call must be one
# `emulated:bios` record; --display text must print the screen the guest
# copied; kvm must match where the host runs real-mode int n.
. tests/integration/lib.sh
img=$BUILD/guests/biosboot.img
exp=tests/integration/expected

"$VMDBG" record --backend emu "$img" -o "$TMP/bb.vtr" --display text >"$TMP/out" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/err"; fail "emu: status $st, wanted 1"; }
sed '/^== VGA text screen ==$/,$d' "$TMP/out" >"$TMP/serial"
grep -v '^# ' "$TMP/serial" >"$TMP/serial.cmp"
same "$exp/biosboot.serial" "$TMP/serial.cmp"
printf '%s\n' "# e820 00000000 0009fc00 00000001" "# e820 0009fc00 00000400 00000002" \
	"# e820 000f0000 00010000 00000002" "# e820 00100000 03f00000 00000001" \
	"# e820 fec00000 00001000 00000002" "# e820 fee00000 00001000 00000002" >"$TMP/e820.want"
grep '^# e820' "$TMP/serial" >"$TMP/e820.got"
same "$TMP/e820.want" "$TMP/e820.got"

# The screen vmdbg prints is the screen the guest copied to its UART (its
# last 25 lines), without trailing blanks.
{ echo "== VGA text screen =="
  tail -n 25 "$TMP/serial" | sed 's/ *$//' | awk '{ l[NR] = $0; if ($0 != "") last = NR }
	END { for (i = 1; i <= last; i++) print l[i] }'; } >"$TMP/screen.want"
sed -n '/^== VGA text screen ==$/,$p' "$TMP/out" >"$TMP/screen.got"
same "$TMP/screen.want" "$TMP/screen.got"
contains "$TMP/screen.got" "                              protected mode"

# One record per BIOS call: 55 calls (six E820 entries), no io record for the stub's port,
# no reflected record for the int.
"$VMDBG" trace show "$TMP/bb.vtr" >"$TMP/show"
n=$(grep -c 'emulated:bios' "$TMP/show")
[ "$n" -eq 55 ] || fail "$n emulated:bios records, wanted 55"
grep -q 'reflected' "$TMP/show" && fail "a BIOS call was also a reflected record"
grep -q 'out 0x00e6' "$TMP/show" && fail "the BIOS stub's out was a record of its own"
for want in 'os   soft-interrupt int 0x10 ah=0x00 set mode 0x03 .*emulated:bios .*vmm-emulates rip=0x7c10' \
	'int 0x15 ax=0xe820 ebx=3 .*emulated:bios' \
	'int 0x12 base memory -> 639 KiB .*emulated:bios' \
	'int 0x10 ah=0x02 cursor row 9 col 20 .*emulated:bios' \
	"int 0x10 ah=0x0e 'b' .*emulated:bios .*rip=0x7ce9"; do
	grep -q -- "$want" "$TMP/show" || { cat "$TMP/show" | grep bios | head; fail "no record like '$want'"; }
done
"$VMDBG" trace stats "$TMP/bb.vtr" >"$TMP/stats"
grep -Eq '^  soft-interrupt +55 ' "$TMP/stats" || { cat "$TMP/stats"; fail "stats: soft-interrupt count"; }

# QEMU with SeaBIOS, the reference.
if command -v qemu-system-i386 >/dev/null 2>&1; then
	timeout 20 qemu-system-i386 -drive file="$img",format=raw -m 64 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
	[ $? -eq 1 ] || fail "qemu: wrong exit status"
	grep -v '^# ' "$TMP/qemu.serial" >"$TMP/qemu.cmp"
	same "$TMP/qemu.cmp" "$TMP/serial.cmp"
else
	[ "${CI:-}" = true ] && fail "qemu-system-i386 is not installed"
	echo "note: qemu-system-i386 not found; compared with the recorded QEMU output only"
fi

# kvm: real-mode int n works on this host (the probe), so all of it runs.
need_kvm_real_int
"$VMDBG" run --backend kvm "$img" --display none >"$TMP/kvm.serial" 2>"$TMP/kvm.err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/kvm.err"; fail "kvm: status $st, wanted 1"; }
same "$TMP/serial" "$TMP/kvm.serial"
echo ok
