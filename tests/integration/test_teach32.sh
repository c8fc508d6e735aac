# teach32: a 32-bit teaching kernel on a disk image (tests/guests/teach32/).
# Its boot sector loads it by ATA PIO; it finds the I/O APIC through the MP
# tables, masks the PIC, preempts two ring-3 processes with the local APIC
# timer at 100 Hz, serves their int 0x80 system calls, prints on the VGA
# screen and COM1, reads motd.txt from a second disk and echoes a line
# typed on the keyboard (IRQ1 through the I/O APIC).  The line comes from
# stdin here, from the QEMU monitor's sendkey there.
# On emu: serial output equal to QEMU's (expected/teach32.serial, and QEMU
# live when installed), byte-identical traces run after run, the exact
# sequence of timer and keyboard interrupts, EOIs and system calls, the
# scan codes the kernel read, every IDE record (expected/teach32.ide), the
# screen, a replay of the trace without stdin.  On kvm: the boot sector's PIO
# load and the ring-0 part.
. tests/integration/lib.sh

img=$BUILD/guests/teach32.img
fs=$BUILD/guests/teach32-fs.img
serial=tests/guests/expected/teach32.serial
show() { "$VMDBG" trace show "$1" 2>/dev/null; }
# (with a selection every trap has its line: unselected, a run of repeated
# sector reads would be one "(repeated N times)" line)
ide() { "$VMDBG" trace show "$1" --class io 2>/dev/null | grep -E "emulated:ide" |
	awk '{ $1 = $2 = ""; sub(/^  /, ""); print }'; }

# (the line is in the pipe before vmdbg starts: a key that arrives after
# the kernel's first poll of an empty keyboard comes at a later
# instruction, and the two traces would differ by when the writer ran)
for i in 1 2; do
	printf 'hi there\n' | { sleep 0.3; "$VMDBG" record --timeout 30 --backend emu "$img" \
		--disk "$fs" --display none -o "$TMP/t$i.vtr" >"$TMP/t$i.serial" 2>"$TMP/err$i"; }
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/err$i"; fail "emu run $i: exit status $st, wanted 1"; }
	same "$serial" "$TMP/t$i.serial"
done
cmp -s "$TMP/t1.vtr" "$TMP/t2.vtr" || fail "the traces of two runs differ"
show "$TMP/t1.vtr" >"$TMP/all"

# The story, one letter per trap of interest, in order: the processes'
# system calls from ring 3 (g getpid, w write, y sched_yield, x exit),
# the timer's interrupts taken in ring 3 (T), the keyboard's taken in the
# kernel's hlt loop (K), each interrupt's EOI (e).  The processes take
# turns; each turn passes with a tick (T) but the one after the yield (y)
# and the ones after an exit (x): 7 ticks, 15 system calls.
timer=$(awk '/ app  interrupt      irq vector 0x40 / { print $8; exit }' "$TMP/all")
gawk -v timer="$timer" '
	/ app  soft-interrupt int 0x80 eax=0x14 / { printf "g"; next }
	/ app  soft-interrupt int 0x80 eax=0x4 / { printf "w"; next }
	/ app  soft-interrupt int 0x80 eax=0x9e / { printf "y"; next }
	/ app  soft-interrupt int 0x80 eax=0x1 / { printf "x"; next }
	/ soft-interrupt / { printf "?"; next }
	/ app  interrupt      irq vector 0x40 / { printf($8 == timer ? "T" : "?"); next }
	/ os   interrupt      irq vector 0x21 / { printf "K"; next }
	/ interrupt / { printf "?"; next }
	/ write 0xfee000b0 <- 0x0\/4 / { printf "e" }
	END { print "" }' "$TMP/all" >"$TMP/story"
echo "gwTegwTewTewTewywTewTewTewxwxKeKeKeKeKeKeKeKeKeKeKeKeKeKeKeKeKeKe" >"$TMP/want"
same "$TMP/want" "$TMP/story"
# every system call comes from the app and is reflected to syscall_entry;
# every return from the kernel is an iret at trap_return
n=$(grep -c ' app  soft-interrupt int 0x80 eax=0x[0-9a-f]* *reflected->0x[0-9a-f]* *vmm-reflects ' "$TMP/all")
[ "$n" -eq 15 ] || fail "$n system calls from the app, wanted 15"
grep -c ' os   return         iret -> ' "$TMP/all" | grep -qx 22 || fail "not 22 returns to ring 3"
# the timer: divide by 16, periodic vector 0x40, 624999 (100 Hz), masked
# after the processes; the keyboard: I/O APIC pin 1 -> vector 0x21
for want in 'mmio           write 0xfee003e0 <- 0x3/4 ' 'mmio           write 0xfee00320 <- 0x20040/4 ' \
	'mmio           write 0xfee00380 <- 0x98967/4 ' 'mmio           write 0xfee00320 <- 0x10000/4 ' \
	'mmio           write 0xfec00000 <- 0x12/4 ' 'mmio           write 0xfec00010 <- 0x21/4 ' \
	'io             out 0x00a1 <- 0xff/1 ' 'io             out 0x0021 <- 0xff/1 '; do
	grep -qF -- "$want" "$TMP/all" || fail "no record '$want'"
done
# the keys: what the kernel read from port 0x60, make and break codes of
# "hi there" and Enter in scan code set 1, each after its IRQ1; with the
# inputs: 25 IRQs (7 timer, 18 keyboard), 18 scan code bytes taken, 9
# key arrivals (FORMAT.md kinds 2, 5, 7): 52 input records
grep ' in  0x0060 -> ' "$TMP/all" | awk '{ sub(/\/1$/, "", $8); printf "%s ", $8 } END { print "" }' >"$TMP/keys"
echo "0x23 0xa3 0x17 0x97 0x39 0xb9 0x14 0x94 0x23 0xa3 0x12 0x92 0x13 0x93 0x12 0x92 0x1c 0x9c " >"$TMP/want"
same "$TMP/want" "$TMP/keys"
"$VMDBG" trace stats "$TMP/t1.vtr" 2>/dev/null | grep -q ' 52 inputs,' || fail "not 52 input records"
# the trace replays without stdin: the keys come from its input records
"$VMDBG" replay "$TMP/t1.vtr" --image "$img" </dev/null >"$TMP/replay" 2>&1 ||
	{ cat "$TMP/replay"; fail "replay"; }
grep -q '^replay: [0-9]* records match' "$TMP/replay" || { cat "$TMP/replay"; fail "replay line"; }
# the disks: the boot sector's load (24 sectors from LBA 1, 24 `rep insw`
# records) and the kernel's reads of the directory and of motd.txt
ide "$TMP/t1.vtr" >"$TMP/ide"
same tests/integration/expected/teach32.ide "$TMP/ide"
grep -c ' ins 0x01f0 -> .*/2 x256 ' "$TMP/ide" | grep -qx 26 || fail "not 26 rep insw records"

# The screen: the same lines as COM1 but the MP line (fw.c prints on COM1)
printf 'hi there\n' | "$VMDBG" run --timeout 30 --backend emu "$img" --disk "$fs" --display text \
	>"$TMP/screen" 2>"$TMP/err"
[ $? -eq 1 ] || { cat "$TMP/err"; fail "--display text: wrong status"; }
sed -n '/^== VGA text screen ==$/,$p' "$TMP/screen" | tail -n +2 >"$TMP/rows"
grep -v '^\[apic\] mp: ' "$serial" >"$TMP/want"
same "$TMP/want" "$TMP/rows"

# no line on stdin: the kernel waits in hlt with only IRQ1 left; halted forever
expect_status 4 "$VMDBG" run --timeout 30 --backend emu "$img" --disk "$fs" --display none </dev/null
contains "$TMP/err" "guest halted forever"

# QEMU, the reference, live: keys through its monitor once the prompt is out
if command -v qemu-system-i386 >/dev/null 2>&1; then
	mkfifo "$TMP/mon.in" "$TMP/mon.out"
	timeout 20 qemu-system-i386 -drive file="$img",format=raw,index=0,snapshot=on \
		-drive file="$fs",format=raw,index=1,snapshot=on \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor pipe:"$TMP/mon" </dev/null >/dev/null 2>&1 &
	qpid=$!
	# read-write opens never block, whether QEMU has opened its ends or
	# not; the monitor's few replies stay in the pipe's buffer
	exec 3<>"$TMP/mon.in" 4<>"$TMP/mon.out"
	i=0
	until grep -q 'type a line: ' "$TMP/qemu.serial" 2>/dev/null || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	for k in h i spc t h e r e ret; do echo "sendkey $k" >&3; done
	wait $qpid
	st=$?
	exec 3>&- 4>&-
	[ $st -eq 1 ] || fail "QEMU: exit status $st, wanted 1"
	same "$TMP/qemu.serial" "$TMP/t1.serial"
fi

# kvm: the boot sector's PIO load (real mode) and the kernel's ring-0 part
# (disk reads, MP tables) give the same IDE records and serial lines as on
# emu; the processes need iret to ring 3, which this host's KVM cannot
# (--probe): there the run stops at the gap or its --timeout
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	printf 'hi there\n' | "$VMDBG" record --timeout 2 --backend kvm "$img" --disk "$fs" --display none \
		-o "$TMP/k.vtr" >"$TMP/kserial" 2>"$TMP/kerr"
	st=$?
	ide "$TMP/k.vtr" >"$TMP/kide"
	same tests/integration/expected/teach32.ide "$TMP/kide"
	if [ $st -eq 1 ]; then
		same "$serial" "$TMP/kserial"
	else
		head -n 8 "$serial" >"$TMP/want"
		same "$TMP/want" "$TMP/kserial"
		"$VMDBG" --probe | grep -q '^iret in 32-bit protected mode  *GAP' ||
			{ cat "$TMP/kerr"; fail "kvm: status $st, but the probe finds no iret gap"; }
		[ $st -eq 6 ] || [ $st -eq 124 ] || { cat "$TMP/kerr"; fail "kvm: exit status $st"; }
	fi
elif [ "${CI:-}" = true ]; then
	fail "/dev/kvm is not usable: the kvm part cannot run"
fi
echo ok
