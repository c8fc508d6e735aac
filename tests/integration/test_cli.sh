# The command line: help, version, and a clear one-line error with a
# non-zero status for every kind of bad input.
. tests/integration/lib.sh

expect_status 0 "$VMDBG" --help
contains "$TMP/out" "vmdbg record IMAGE -o FILE"
expect_status 0 "$VMDBG" --version
contains "$TMP/out" "vmdbg 0."

expect_status 2 "$VMDBG" frobnicate
contains "$TMP/err" "unknown command 'frobnicate'"
expect_status 2 "$VMDBG" --frob
contains "$TMP/err" "unknown option '--frob'"
expect_status 2 "$VMDBG" run
contains "$TMP/err" "missing IMAGE"
expect_status 2 "$VMDBG" record --timeout 30 "$BUILD/guests/boot16.img"
contains "$TMP/err" "record: missing -o FILE"
expect_status 2 "$VMDBG" run --timeout 30 --backend vmware "$BUILD/guests/boot16.img"
contains "$TMP/err" "--backend vmware: expected kvm, emu or auto"
expect_status 2 "$VMDBG" run --timeout 30 --mem lots "$BUILD/guests/boot16.img"
contains "$TMP/err" "--mem lots: expected a size"
expect_status 2 "$VMDBG" run --timeout 30 --mode 32 "$BUILD/guests/boot16.img"
contains "$TMP/err" "--entry and --mode need --load ADDR"
expect_status 2 "$VMDBG" run --timeout 30 --backend emu /nonexistent.img
contains "$TMP/err" "/nonexistent.img: No such file or directory"
expect_status 8 "$VMDBG" run --timeout 30 --backend emu --mem 1M "$BUILD/guests/boot16.img"
contains "$TMP/err" "must be a multiple of 4 KiB between 2 MiB and 3 GiB"
expect_status 2 "$VMDBG" trace show /nonexistent.vtr
contains "$TMP/err" "vmdbg: trace: /nonexistent.vtr: cannot open: No such file or directory"
expect_status 2 "$VMDBG" trace frob x
contains "$TMP/err" "vmdbg: trace: unknown subcommand 'frob' (known: show, stats, export)"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "error is not one line"

# Limits: a guest that never exits is stopped, with status 124.
printf '\353\376' >"$TMP/spin.bin"	# jmp .
expect_status 124 "$VMDBG" run --timeout 30 --backend emu --load 0x10000 --mode 32 --max-steps 1000 "$TMP/spin.bin"
contains "$TMP/err" "step limit reached: 1000 instructions"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --timeout 0.2 "$TMP/spin.bin"
contains "$TMP/err" "timeout"
echo ok
