# Bad images through the command line: one line naming the problem and the
# offset, status 2, and no crash.
. tests/integration/lib.sh

head -c 20 "$BUILD/guests/lecture32.img" >"$TMP/short.elf"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$TMP/short.elf"
contains "$TMP/err" "truncated ELF header: file is 20 bytes, header needs 52"

head -c 3000 "$BUILD/guests/lecture64.img" >"$TMP/cut64.elf"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$TMP/cut64.elf"
contains "$TMP/err" "lies beyond the end of the file (0xbb8 bytes)"

dd if=/dev/zero bs=1000 count=1 2>/dev/null | tr '\0' 'x' >"$TMP/junk"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$TMP/junk"
contains "$TMP/err" "not a recognised image: no ELF magic, no multiboot header, no 0x55AA boot signature at offset 510"

: >"$TMP/empty"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu "$TMP/empty"
contains "$TMP/err" "empty image: the file is 0 bytes"

expect_status 2 "$VMDBG" run --timeout 30 --backend emu --mem 4M "$BUILD/guests/lecture64.img"
contains "$TMP/err" "but guest RAM ends at 0x400000"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "more than one error line"

# A flat binary that does not fit.
expect_status 2 "$VMDBG" run --timeout 30 --backend emu --mem 2M --load 0x1ff000 --mode 32 "$BUILD/guests/lecture32.img"
contains "$TMP/err" "lecture32.img: the flat image loads at 0x1ff000..0x209f9c but guest RAM ends at 0x200000 (--load 0x1ff000, 0xaf9c bytes)"
echo ok
