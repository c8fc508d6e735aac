# trace show / stats / export on a recorded boot16 trace, and the errors for
# a cut-off and a corrupted trace file.
. tests/integration/lib.sh
NO_REPLAY="bad.vtr cut.vtr obad.vtr"	# damaged on purpose

"$VMDBG" record --timeout 30 --backend emu "$BUILD/guests/boot16.img" -o "$TMP/t.vtr" -q 2>/dev/null
[ $? -eq 1 ] || fail "record: wrong status"

# Filters.
"$VMDBG" trace show "$TMP/t.vtr" --class soft-interrupt,cpuid >"$TMP/f.txt" || fail "show --class"
grep -c 'soft-interrupt int 0x30' "$TMP/f.txt" | grep -qx 1 || fail "softint missing"
grep -q 'emulated:uart' "$TMP/f.txt" && fail "--class let io through"
"$VMDBG" trace show "$TMP/t.vtr" --disposition reflected | grep -c 'reflected->' | grep -qx 1 || fail "--disposition"
expect_status 2 "$VMDBG" trace show "$TMP/t.vtr" --class bogus
contains "$TMP/err" "bogus"

# Stats: counts by class, origin, disposition, classic view.
"$VMDBG" trace stats "$TMP/t.vtr" >"$TMP/s.txt" || fail "stats"
grep -Eq '^  io +17 ' "$TMP/s.txt" || { cat "$TMP/s.txt"; fail "io count"; }
grep -Eq '^  soft-interrupt +1 ' "$TMP/s.txt" || fail "softint count"
grep -Eq '^  reflected +1 ' "$TMP/s.txt" || fail "reflected count"
grep -Eq '^  vmm-emulates +18 ' "$TMP/s.txt" || { cat "$TMP/s.txt"; fail "vmm-emulates count"; }
grep -Eq '^  total traps +19' "$TMP/s.txt" || fail "total"

# Export: one JSON object per trap, CSV with a header row.
"$VMDBG" trace export "$TMP/t.vtr" --format jsonl -o "$TMP/t.jsonl" || fail "export jsonl"
[ "$(grep -c '^{"type":"trap"' "$TMP/t.jsonl")" -eq 19 ] || fail "jsonl lines"
[ "$(grep -c '^{"type":"end"' "$TMP/t.jsonl")" -eq 1 ] || fail "jsonl end record"
grep -q '"class":"soft-interrupt"' "$TMP/t.jsonl" || { head -3 "$TMP/t.jsonl"; fail "jsonl class"; }
"$VMDBG" trace export "$TMP/t.vtr" --format csv >"$TMP/t.csv" || fail "export csv"
[ "$(grep -c '^trap,' "$TMP/t.csv")" -eq 19 ] || fail "csv lines"
head -1 "$TMP/t.csv" | grep -q '^type,seq,time,' || fail "csv header"
expect_status 2 "$VMDBG" trace export "$TMP/t.vtr" --format xml
contains "$TMP/err" "unknown export format 'xml' (known: jsonl, csv, perfetto)"

# Stats from the chunk summaries (format 1.3) are the stats from decoding
# every record (--decode), with and without filters, on two guests.
"$VMDBG" record --timeout 30 --backend emu "$BUILD/guests/lecture32.img" -o "$TMP/l.vtr" -q >/dev/null 2>&1
for f in t l; do
	for sel in "" "--origin app --syscall-vector 0x80" "--class io,exception --holes"; do
		"$VMDBG" trace stats "$TMP/$f.vtr" $sel >"$TMP/fast" || fail "stats $f $sel"
		"$VMDBG" trace stats --decode "$TMP/$f.vtr" $sel >"$TMP/slow" || fail "stats --decode $f $sel"
		cmp -s "$TMP/fast" "$TMP/slow" || { diff "$TMP/fast" "$TMP/slow"; fail "stats $f $sel: counts differ from decoding"; }
	done
done
"$VMDBG" trace stats "$TMP/l.vtr" >"$TMP/slow" || fail "stats"
grep -Eq '^  records +1595  \(1072 traps, 0 inputs, 522 serial with 522 bytes, 1 end\)$' "$TMP/slow" ||
	{ cat "$TMP/slow"; fail "lecture32 records"; }
# A chunk of more kinds of trap than a summary lists (255): int 0x80 with
# eax 0 .. 299 in ring 0 (its own IDT, a handler that irets), so 300
# system-call numbers; stats reads that chunk's traps and agrees.
# lidt idtr; xor %ecx,%ecx; 1: mov %ecx,%eax; int $0x80; inc %ecx;
# cmp $300,%ecx; jne 1b; mov $0,%al; out %al,$0xf4; jmp .; handler: iret;
# the gate for vector 0x80 and the idtr
printf '\017\001\035\050\000\001\000\061\311\211\310\315\200\101\201\371\054\001\000\000\165\363\260\000\346\364\353\376\317\215\166\000\034\000\030\000\000\216\001\000\007\004\040\374\000\000' >"$TMP/kinds.bin"
expect_status 1 "$VMDBG" record --backend emu --load 0x10000 --mode 32 "$TMP/kinds.bin" -o "$TMP/k.vtr" -q
for sel in "" "--syscall-vector 0x80"; do
	"$VMDBG" trace stats "$TMP/k.vtr" $sel >"$TMP/fast" || fail "stats k $sel"
	"$VMDBG" trace stats --decode "$TMP/k.vtr" $sel >"$TMP/slow" || fail "stats --decode k $sel"
	cmp -s "$TMP/fast" "$TMP/slow" || { diff "$TMP/fast" "$TMP/slow"; fail "stats k $sel: counts differ from decoding"; }
done
grep -Eq '^  soft-interrupt +300 ' "$TMP/fast" || { cat "$TMP/fast"; fail "300 int 0x80"; }
grep -Eq '^  vfork \(i386 190\) +1$' "$TMP/fast" || { cat "$TMP/fast"; fail "system calls by name"; }

# ... and they come from the summaries: a damaged record in chunk 1 of 5
# (20,002 `out` traps, then hlt) goes unseen; --decode finds it.
# mov $20000,%ecx; 1: out %al,$0x80; inc %eax; loop 1b; hlt
printf '\271\040\116\000\000\346\200\100\342\373\364' >"$TMP/outs.bin"
expect_status 4 "$VMDBG" record --backend emu --load 0x10000 --mode 32 "$TMP/outs.bin" -o "$TMP/o.vtr" -q
"$VMDBG" trace stats "$TMP/o.vtr" >"$TMP/fast" || fail "stats of outs"
grep -Eq '^  records +20003  \(20002 traps,' "$TMP/fast" || { cat "$TMP/fast"; fail "outs records"; }

# --max-trace-size: the run stops before the file passes the limit, as
# --max-steps stops it (status 124, one line), and the file is whole: END,
# the chunk directory, and a replay that matches it to the instruction.
expect_status 124 "$VMDBG" record --backend emu --load 0x10000 --mode 32 --max-trace-size 64K "$TMP/outs.bin" -o "$TMP/lim.vtr" -q
grep -Eq "^vmdbg: limit: trace size limit reached: $TMP/lim.vtr would pass 65536 bytes \(--max-trace-size\); last trap record #[0-9]+ " "$TMP/err" ||
	{ cat "$TMP/err"; fail "--max-trace-size message"; }
size=$(wc -c <"$TMP/lim.vtr")
[ "$size" -le 65536 ] && [ "$size" -gt 32768 ] || fail "--max-trace-size 64K: $size bytes"
"$VMDBG" trace stats "$TMP/lim.vtr" >"$TMP/out" 2>"$TMP/err" || fail "stats of a size-limited trace"
[ ! -s "$TMP/err" ] || { cat "$TMP/err"; fail "a size-limited trace warns"; }
grep -Eq '^  records +[0-9]+  \([0-9]+ traps, 0 inputs, 0 serial with 0 bytes, 1 end\)$' "$TMP/out" || fail "no END"
"$VMDBG" replay "$TMP/lim.vtr" --image "$TMP/outs.bin" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "replay of a size-limited trace"; }
expect_status 2 "$VMDBG" record --backend emu --load 0x10000 --mode 32 --max-trace-size 1K "$TMP/outs.bin" -o "$TMP/lim.vtr"
[ "$(cat "$TMP/err")" = "vmdbg: --max-trace-size 1K: expected a size of at least 64K" ] || { cat "$TMP/err"; fail "--max-trace-size 1K"; }
cp "$TMP/o.vtr" "$TMP/obad.vtr"
printf '\377' | dd of="$TMP/obad.vtr" bs=1 seek=5000 conv=notrunc 2>/dev/null
"$VMDBG" trace stats "$TMP/obad.vtr" | sed 1d >"$TMP/slow" || fail "stats from summaries read a damaged payload"
sed 1d "$TMP/fast" | cmp -s - "$TMP/slow" || fail "stats from summaries differ for a damaged payload"
expect_status 2 "$VMDBG" trace stats --decode "$TMP/obad.vtr"
contains "$TMP/err" "chunk 1 at offset 0x"
contains "$TMP/err" "CRC mismatch"

# Old versions still read (the slow way: they have no summaries): a 1.1
# and a 1.0 file, kept in tests/traces/.
"$VMDBG" trace stats tests/traces/lecture32-v1.1.vtr >"$TMP/old" || fail "stats of a 1.1 trace"
grep -Eq '^  records +1595  \(1072 traps, 0 inputs, 522 serial with 522 bytes, 1 end\)$' "$TMP/old" ||
	{ cat "$TMP/old"; fail "1.1 records"; }
grep -Eq '^  int 0x80 +8 ' "$TMP/old" || fail "1.1 system calls"
"$VMDBG" trace stats tests/traces/boot16-v1.0.vtr >"$TMP/old" || fail "stats of a 1.0 trace"
grep -Eq '^  records +27  \(19 traps, 0 inputs, 7 serial with 7 bytes, 1 end\)$' "$TMP/old" ||
	{ cat "$TMP/old"; fail "1.0 records"; }
"$VMDBG" trace show tests/traces/lecture32-v1.1.vtr >"$TMP/old" 2>"$TMP/err" || fail "show of a 1.1 trace"
grep -v '^vmdbg: trace: no symbols: ' "$TMP/err" && fail "show of a 1.1 trace warns"
[ "$(grep -c ' io ' "$TMP/old")" -eq 1051 ] || fail "1.1 trace: io lines"

# A file cut off (as by kill -9) reads up to its last complete chunk with a
# warning; here the only chunk is cut, so no trap survives, and it says so.
# (The chunk directory after the END chunk goes first: cut before it.)
size=$(od -An -t u8 -j $(($(wc -c <"$TMP/t.vtr") - 24)) -N 8 "$TMP/t.vtr" | tr -d ' ')
head -c $((size - 5)) "$TMP/t.vtr" >"$TMP/cut.vtr"
"$VMDBG" trace show "$TMP/cut.vtr" >"$TMP/out" 2>"$TMP/err"; st=$?
[ $st -eq 0 ] || fail "truncated trace: status $st"
contains "$TMP/err" "truncated"

# A corrupted byte inside the chunk: an error naming the chunk.
cp "$TMP/t.vtr" "$TMP/bad.vtr"
printf '\377' | dd of="$TMP/bad.vtr" bs=1 seek=$((size - 20)) conv=notrunc 2>/dev/null
expect_status 2 "$VMDBG" trace show "$TMP/bad.vtr"
contains "$TMP/err" "chunk 1"
contains "$TMP/err" "CRC mismatch"

# Not a trace at all.
expect_status 2 "$VMDBG" trace stats "$BUILD/guests/boot16.img"
contains "$TMP/err" "magic"
echo ok
