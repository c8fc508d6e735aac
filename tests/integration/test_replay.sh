# vmdbg replay: every lecture and timer guest recorded on emu replays with
# every record equal (status 0, one summary line); recorded input (UART
# bytes, keys) is queued back at its recorded instruction, so the replay
# needs no stdin; one changed byte of the image is a hash error naming
# both hashes, and with --force the replay diverges at the exact record
# the change causes (status 10, the report).
. tests/integration/lib.sh
NO_REPLAY="a/x.vtr b/x.vtr cut.vtr dd/d.vtr l.vtr mb/m.vtr"	# images, disks and modules changed or removed, a trace cut short: on purpose

replays() {	# TRACE: the replay matches (the header names the image by its
		# base name: --image says where it is now)
	"$VMDBG" replay "$1" --image "$2" </dev/null >"$TMP/rout" 2>"$TMP/rerr"; st=$?
	[ $st -eq 0 ] || { cat "$TMP/rout" "$TMP/rerr"; fail "replay $1: status $st"; }
	grep -Eq '^replay: [0-9]+ records match \([0-9]+ traps, [0-9]+ instructions\) in [0-9.]+ s$' "$TMP/rout" ||
		{ cat "$TMP/rout"; fail "replay $1: no summary line"; }
	[ "$(wc -l <"$TMP/rout")" -eq 1 ] || { cat "$TMP/rout"; fail "replay $1: more than one line"; }
	[ ! -s "$TMP/rerr" ] || { cat "$TMP/rerr"; fail "replay $1: stderr not empty"; }
}

for g in lecture32 lecture32-O0 lecture32-O2 lecture32-sysenter lecture64 timer timer16 apic boot16 biosboot; do
	for m in "" --step; do
		"$VMDBG" record --backend emu $m "$BUILD/guests/$g.img" -o "$TMP/$g.vtr" -q 2>/dev/null
		replays "$TMP/$g.vtr" "$BUILD/guests/$g.img"
	done
done
# the syscall vector is a load option the replay needs (else int 0x40 is
# no system call and the classes differ)
"$VMDBG" record --backend emu --syscall-vector 0x40 "$BUILD/guests/lecture32-int40.img" -o "$TMP/i40.vtr" -q 2>/dev/null
replays "$TMP/i40.vtr" "$BUILD/guests/lecture32-int40.img"
# a run stopped by --max-steps replays up to the same instruction
"$VMDBG" record --backend emu --max-steps 5000 "$BUILD/guests/lecture32.img" -o "$TMP/max.vtr" -q 2>/dev/null
replays "$TMP/max.vtr" "$BUILD/guests/lecture32.img"
contains "$TMP/rout" "5000 instructions"

# input: the interrupt-driven UART console and the polled i8042, replayed
# with stdin at its end (without the recorded arrivals both would halt
# forever waiting for input)
printf 'abc\n' | "$VMDBG" record --backend emu "$BUILD/guests/uartirq16.img" -o "$TMP/u.vtr" -q 2>/dev/null
replays "$TMP/u.vtr" "$BUILD/guests/uartirq16.img"
printf 'hi\na' | "$VMDBG" record --backend emu "$BUILD/guests/kbd16.img" -o "$TMP/k.vtr" -q 2>/dev/null
replays "$TMP/k.vtr" "$BUILD/guests/kbd16.img"
# no input: the guest halts forever in int 0x16, in the replay too
"$VMDBG" record --backend emu "$BUILD/guests/kbd16.img" -o "$TMP/k0.vtr" -q </dev/null 2>/dev/null
expect_status 0 "$VMDBG" replay "$TMP/k0.vtr" --image "$BUILD/guests/kbd16.img"

# the header names the image by its base name: the same run recorded from
# two directories is the same file, and the image is found next to the trace
mkdir "$TMP/a" "$TMP/b"
case "$VMDBG" in /*) vm=$VMDBG ;; *) vm=$PWD/$VMDBG ;; esac
cp "$BUILD/guests/lecture32.img" "$TMP/l.img"
"$VMDBG" record --backend emu "$TMP/l.img" -o "$TMP/l.vtr" -q 2>/dev/null
(cd "$TMP/a" && "$vm" record --backend emu ../l.img -o x.vtr -q 2>/dev/null)
(cd "$TMP/b" && "$vm" record --backend emu "$TMP/l.img" -o x.vtr -q 2>/dev/null)
cmp "$TMP/l.vtr" "$TMP/a/x.vtr" || fail "the trace depends on the directory"
cmp "$TMP/l.vtr" "$TMP/b/x.vtr" || fail "the trace depends on the path as typed"
expect_status 0 "$VMDBG" replay "$TMP/l.vtr"
# the image moved: --image finds it; a changed byte is a hash error
mv "$TMP/l.img" "$TMP/m.img"
expect_status 2 "$VMDBG" replay "$TMP/l.vtr"
contains "$TMP/err" "--image FILE names the image"
expect_status 0 "$VMDBG" replay "$TMP/l.vtr" --image "$TMP/m.img"
good=$(sha256sum "$TMP/m.img" | cut -c1-64)
# 'k' of "[kernel] lecture32 ..." becomes 'K': the kernel's first line
python3 - "$TMP/m.img" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, 'rb').read())
i = d.find(b'[kernel] lecture32'); assert i > 0
d[i + 1] = ord('K'); open(p, 'wb').write(d)
PY
bad=$(sha256sum "$TMP/m.img" | cut -c1-64)
expect_status 2 "$VMDBG" replay "$TMP/l.vtr" --image "$TMP/m.img"
has_line "$TMP/err" "vmdbg: replay: $TMP/m.img is not the traced image: its sha256 is $bad, the trace's $good (--force replays it anyway)"
# where the header says: the same error, the same divergence
cp "$TMP/m.img" "$TMP/l.img"
expect_status 2 "$VMDBG" replay "$TMP/l.vtr"
has_line "$TMP/err" "vmdbg: replay: $TMP/l.img is not the traced image: its sha256 is $bad, the trace's $good (--force replays it anyway)"
expect_status 10 "$VMDBG" replay --force "$TMP/l.vtr"
has_line "$TMP/out" "replay diverged at record 10 (instruction 7682): the records differ"
expect_status 10 "$VMDBG" replay --force "$TMP/l.vtr" --image "$TMP/m.img"
# records 0-9: the UART set-up, '[' and its LSR polls; record 10 is the
# serial output of the 11th character, 'k' in the trace and 'K' now
has_line "$TMP/out" "replay diverged at record 10 (instruction 7682): the records differ"
has_line "$TMP/out" 'recorded: serial "k"'
has_line "$TMP/out" 'replay:   serial "K"'
contains "$TMP/out" "last matching records:"
grep -Eq '^ +9 +8 +7677i os +io +in  0x03fd -> 0x60/1 .*uart_putc\+0xc' "$TMP/out" ||
	{ cat "$TMP/out"; fail "no last matching record 9"; }
contains "$TMP/out" "  rcx 0x000000000000004b"
# --keep-going: both records that differ, the trap with its fields
expect_status 10 "$VMDBG" replay --force --keep-going "$TMP/l.vtr" --image "$TMP/m.img"
has_line "$TMP/out" "record 11: the records differ"
grep -Eq '^  replay: +9 +7682i os +io +out 0x03f8 <- 0x4b/1 ' "$TMP/out" || { cat "$TMP/out"; fail "no record 11"; }
has_line "$TMP/out" "replay: 2 divergences in 1595 records"
# a trap that differs: the side by side table marks the field
"$VMDBG" record --backend emu "$BUILD/guests/lecture32.img" -o "$TMP/q.vtr" -q 2>/dev/null
# uart_init's `mov $0x80, %al` before `out %al, (%dx)` to LCR (record 1)
python3 - "$BUILD/guests/lecture32.img" "$TMP/t.img" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
assert d[0x273c:0x273e] == b'\xb0\x80', d[0x273c:0x273e]
d[0x273d] = 0x81; open(sys.argv[2], 'wb').write(d)
PY
expect_status 10 "$VMDBG" replay --force "$TMP/q.vtr" --image "$TMP/t.img"
has_line "$TMP/out" "replay diverged at record 1 (instruction 33): the records differ"
has_line "$TMP/out" "  field          recorded               replay"
has_line "$TMP/out" "* value          0x80                   0x81"
has_line "$TMP/out" "  rip            0x101740               0x101740"
has_line "$TMP/out" "at 0x101740 uart_init+0x21 (x86.h:13)"

# disks: the header's, found as recorded (or next to the trace), hashes
# checked; the boot sector is its own primary master
"$VMDBG" record --backend emu "$BUILD/guests/diskboot.img" --disk "$BUILD/guests/diskboot-fs.img" \
	-o "$TMP/d.vtr" -q 2>/dev/null
replays "$TMP/d.vtr" "$BUILD/guests/diskboot.img"
grep -Eq '^replay: [0-9]+ records match \(2184 traps' "$TMP/rout" || { cat "$TMP/rout"; fail "diskboot traps"; }
mkdir "$TMP/dd"
cp "$BUILD/guests/diskboot-fs.img" "$TMP/dd/"
"$VMDBG" record --backend emu "$BUILD/guests/diskboot.img" --disk "$TMP/dd/diskboot-fs.img" \
	-o "$TMP/dd/d.vtr" -q 2>/dev/null
fsgood=$(sha256sum "$TMP/dd/diskboot-fs.img" | cut -c1-64)
printf 'X' | dd of="$TMP/dd/diskboot-fs.img" bs=1 seek=20000 conv=notrunc 2>/dev/null
fsbad=$(sha256sum "$TMP/dd/diskboot-fs.img" | cut -c1-64)
expect_status 2 "$VMDBG" replay "$TMP/dd/d.vtr" --image "$BUILD/guests/diskboot.img"
has_line "$TMP/err" "vmdbg: replay: disk 1: $TMP/dd/diskboot-fs.img is not the traced one: its sha256 is $fsbad, the trace's $fsgood (--force replays it anyway)"
rm "$TMP/dd/diskboot-fs.img"
expect_status 2 "$VMDBG" replay "$TMP/dd/d.vtr" --image "$BUILD/guests/diskboot.img"
has_line "$TMP/err" "vmdbg: replay: disk 1 (diskboot-fs.img): not found as recorded or next to the trace"

# the multiboot command line and modules (format 1.2): in the header, the
# module found as recorded or next to the trace, its hash checked
mkdir "$TMP/mb"
printf 'hello\n' >"$TMP/mb/mod.txt"
vm=$(realpath "$VMDBG") img=$(realpath "$BUILD/guests/lecture32.img")
(cd "$TMP/mb" && "$vm" record --backend emu --cmdline "root=x quiet" --module "mod.txt a b" \
	"$img" -o m.vtr -q 2>/dev/null)
"$VMDBG" trace show "$TMP/mb/m.vtr" --symbols "$BUILD/guests/lecture32.img" >"$TMP/out" 2>&1
has_line "$TMP/out" "  cmdline: root=x quiet"
has_line "$TMP/out" "  module: mod.txt a b (6 bytes, sha256 5891b5b522d5df08...)"
replays "$TMP/mb/m.vtr" "$BUILD/guests/lecture32.img"
printf 'changed\n' >"$TMP/mb/mod.txt"
expect_status 2 "$VMDBG" replay "$TMP/mb/m.vtr" --image "$BUILD/guests/lecture32.img"
contains "$TMP/err" "vmdbg: replay: module: $TMP/mb/mod.txt is not the traced one: its sha256 is"
rm "$TMP/mb/mod.txt"
expect_status 2 "$VMDBG" replay "$TMP/mb/m.vtr" --image "$BUILD/guests/lecture32.img"
has_line "$TMP/err" "vmdbg: replay: module (mod.txt): not found as recorded or next to the trace"

# a trace cut off inside its second chunk (a writer killed mid-run): the
# first chunk's 4096 records match, and the replay says the trace ends early
# (record 4097: the chunk's SUMMARY is a record too; the cut goes before
# the chunk directory at the end, whose offset its trailer gives)
"$VMDBG" record --backend emu "$BUILD/guests/biosboot.img" -o "$TMP/bb.vtr" -q 2>/dev/null
dir=$(od -An -t u8 -j $(($(wc -c <"$TMP/bb.vtr") - 24)) -N 8 "$TMP/bb.vtr" | tr -d ' ')
head -c $((dir - 100)) "$TMP/bb.vtr" >"$TMP/cut.vtr"
expect_status 2 "$VMDBG" replay "$TMP/cut.vtr" --image "$BUILD/guests/biosboot.img"
grep -Eq '^vmdbg: replay: truncated after chunk 1 \(record 4097\): .*; the 4096 records before its end match$' "$TMP/err" ||
	{ cat "$TMP/err"; fail "truncated trace"; }

# bad input
expect_status 2 "$VMDBG" replay
expect_status 2 "$VMDBG" replay "$TMP/nonexistent.vtr"
expect_status 2 "$VMDBG" replay "$TMP/l.vtr" --compare nonsense
contains "$TMP/err" "--compare nonsense: expected exact or classes"
echo ok
