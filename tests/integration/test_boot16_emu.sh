# boot16 on emu: the exact trap sequence in run mode and in step mode,
# the serial output and the exit status (debug-exit value 0 -> status 1).
. tests/integration/lib.sh

"$VMDBG" record --timeout 30 --backend emu "$BUILD/guests/boot16.img" -o "$TMP/run.vtr" >"$TMP/serial" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/err"; fail "status $st, wanted 1"; }
printf 'boot16\n' >"$TMP/want_serial"
same "$TMP/want_serial" "$TMP/serial"
"$VMDBG" trace show "$TMP/run.vtr" | tail -n +4 >"$TMP/run.txt"
same tests/integration/expected/boot16.emu.run "$TMP/run.txt"
# a boot-sector image is also the primary master disk; recording keeps the
# disk's writes in memory (snapshot) and names it with its hash
sha=$(sha256sum "$BUILD/guests/boot16.img" | cut -c1-16)
"$VMDBG" trace show "$TMP/run.vtr" | sed -n 3p >"$TMP/disk.txt"
printf '  disk 0: %s (512 bytes, sha256 %s...), snapshot\n' "$BUILD/guests/boot16.img" "$sha" >"$TMP/want_disk"
same "$TMP/want_disk" "$TMP/disk.txt"

"$VMDBG" record --timeout 30 --step --backend emu "$BUILD/guests/boot16.img" -o "$TMP/step.vtr" -q 2>/dev/null
[ $? -eq 1 ] || fail "step mode: wrong status"
"$VMDBG" trace show "$TMP/step.vtr" | tail -n +4 >"$TMP/step.txt"
same tests/integration/expected/boot16.emu.step "$TMP/step.txt"
echo ok
