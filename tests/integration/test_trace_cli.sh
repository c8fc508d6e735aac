# trace show / stats / export on a recorded boot16 trace, and the errors for
# a cut-off and a corrupted trace file.
. tests/integration/lib.sh
NO_REPLAY="bad.vtr cut.vtr"	# damaged on purpose

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

# A file cut off (as by kill -9) reads up to its last complete chunk with a
# warning; here the only chunk is cut, so no trap survives, and it says so.
size=$(wc -c <"$TMP/t.vtr")
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
