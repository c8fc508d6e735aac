# Polling detection: a guest spinning on an unclaimed port or MMIO address
# is named once on stderr (after 100,000 identical reads in a row), with
# the device that usually lives there and the value it reads, and kept as
# a NOTE record in the trace; the run goes on to --max-steps.  A loop with another record between its reads
# (here a POST write) is not polling one address and gets no message.
. tests/integration/lib.sh

# mov $0x3f4,%edx; 1: in (%dx),%al; test $0x80,%al; jnz 1b (a floppy
# controller's main status; the IDE ports are claimed since the disks came)
printf '\272\364\003\000\000\354\250\200\165\373' >"$TMP/port.bin"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --max-steps 400000 "$TMP/port.bin"
grep -c "polling" "$TMP/err" | grep -qx 1 || { cat "$TMP/err"; fail "want exactly one polling message"; }
contains "$TMP/err" "vmdbg: the guest is polling port 0x3f4 (floppy controller), which no device claims; it reads 0xff"

# The message is a NOTE record in the trace, in place, once.
expect_status 124 "$VMDBG" record --backend emu --load 0x10000 --mode 32 --max-steps 400000 "$TMP/port.bin" -o "$TMP/port.vtr"
"$VMDBG" trace show "$TMP/port.vtr" >"$TMP/show" || fail "trace show"
grep -c "^note: " "$TMP/show" | grep -qx 1 || fail "want exactly one note in the trace"
grep -n "^note: the guest is polling port 0x3f4 (floppy controller), which no device claims; it reads 0xff$" "$TMP/show" |
	grep -q "^100003:" || { grep -n "^note" "$TMP/show"; fail "the note is not right after the 100,000th read"; }

# 1: mov 0xfed000f0,%eax; test %eax,%eax; jnz 1b
printf '\241\360\000\320\376\205\300\165\367' >"$TMP/mmio.bin"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --max-steps 400000 "$TMP/mmio.bin"
contains "$TMP/err" "vmdbg: the guest is polling MMIO address 0xfed000f0 (HPET), which no device claims; it reads 0xffffffff"

# 1: in (%dx),%al; out %al,$0x80; test %al,%al; jnz 1b (0x3f4 in dx)
printf '\272\364\003\000\000\354\346\200\204\300\165\371' >"$TMP/mixed.bin"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --max-steps 600000 "$TMP/mixed.bin"
grep -q "polling" "$TMP/err" && { cat "$TMP/err"; fail "a message for a loop that is not a tight poll"; }
echo ok
