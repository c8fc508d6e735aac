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

# The message is a NOTE record in the trace, in place, once; the reads
# around it are REPEAT records (format 1.3): the same `in` every 3
# instructions costs next to nothing, and `trace show` prints each run as
# one line (the note right after the 100,000th read, seq 99999).
expect_status 124 "$VMDBG" record --backend emu --load 0x10000 --mode 32 --max-steps 400000 "$TMP/port.bin" -o "$TMP/port.vtr"
"$VMDBG" trace show "$TMP/port.vtr" 2>/dev/null | tail -n +3 >"$TMP/show" || fail "trace show"
cat >"$TMP/want" <<'EOF'
     0          1i os   io             in  0x03f4 -> 0xff/1                 emulated:unclaimed       vmm-emulates rip=0x10005
     1          4i ... (repeated 99999 times) ... to #99999
note: the guest is polling port 0x3f4 (floppy controller), which no device claims; it reads 0xff
100000     300001i os   io             in  0x03f4 -> 0xff/1                 emulated:unclaimed       vmm-emulates rip=0x10005
100001     300004i ... (repeated 33332 times) ... to #133332
end: limit at rip 0x10005, 400000 instructions, 0 exits (step limit reached: 400000 instructions)
EOF
cmp -s "$TMP/want" "$TMP/show" || { diff "$TMP/want" "$TMP/show"; fail "trace show of the polling trace"; }
# 133,333 reads: at most 0.1 byte each, header and all
size=$(wc -c <"$TMP/port.vtr")
[ $((size * 10)) -le 133333 ] || fail "$size bytes for 133,333 polling reads"
# expanded, every read is there: a filtered listing has one line per read,
# and a replay matches them one by one
"$VMDBG" trace show "$TMP/port.vtr" --class io 2>/dev/null >"$TMP/all"
grep -c '^ *[0-9]* *[0-9]*i os   io             in  0x03f4 -> 0xff/1 ' "$TMP/all" | grep -qx 133333 ||
	fail "the expanded listing lacks reads"
"$VMDBG" replay "$TMP/port.vtr" --image "$TMP/port.bin" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/out" "$TMP/err"; fail "replay of the polling trace"; }
grep -Eq '^replay: 133335 records match \(133333 traps, 400000 instructions\) in [0-9.]+ s$' "$TMP/out" ||
	{ cat "$TMP/out"; fail "replay of the polling trace"; }

# 1: mov 0xfed000f0,%eax; test %eax,%eax; jnz 1b
printf '\241\360\000\320\376\205\300\165\367' >"$TMP/mmio.bin"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --max-steps 400000 "$TMP/mmio.bin"
contains "$TMP/err" "vmdbg: the guest is polling MMIO address 0xfed000f0 (HPET), which no device claims; it reads 0xffffffff"

# 1: in (%dx),%al; out %al,$0x80; test %al,%al; jnz 1b (0x3f4 in dx)
printf '\272\364\003\000\000\354\346\200\204\300\165\371' >"$TMP/mixed.bin"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --max-steps 600000 "$TMP/mixed.bin"
grep -q "polling" "$TMP/err" && { cat "$TMP/err"; fail "a message for a loop that is not a tight poll"; }
echo ok
