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
# a --mem out of range is bad input (2), and 0 is no default (issue 9)
for m in 1M 0 4G 2049K; do
	expect_status 2 "$VMDBG" run --timeout 30 --backend emu --mem $m "$BUILD/guests/boot16.img"
	contains "$TMP/err" "vmdbg: --mem $m: guest memory must be a multiple of 4K from 2M to 3G"
done
expect_status 2 "$VMDBG" run --timeout 30 --backend emu --mem 99999999999G "$BUILD/guests/boot16.img"
contains "$TMP/err" "--mem 99999999999G: expected a size"
# a history number too big for any history must not overflow (issue 9)
expect_status 2 "$VMDBG" --backend emu --batch --timeout 30 -ex 'p $9999999999' "$BUILD/guests/boot16.img"
[ "$(cat "$TMP/err")" = 'History has not yet reached $9999999999.' ] || fail "p \$9999999999: $(cat "$TMP/err")"
expect_status 2 "$VMDBG" --backend emu --batch --timeout 30 -ex 'p $$99999999999999999999' "$BUILD/guests/boot16.img"
[ "$(cat "$TMP/err")" = 'History has not yet reached $$99999999999999999999.' ] || fail "p \$\$99999999999999999999: $(cat "$TMP/err")"
expect_status 2 "$VMDBG" trace show /nonexistent.vtr
contains "$TMP/err" "vmdbg: trace: /nonexistent.vtr: cannot open: No such file or directory"
expect_status 2 "$VMDBG" trace frob x
contains "$TMP/err" "vmdbg: trace: unknown subcommand 'frob' (known: show, stats, export, diagram, diff)"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "error is not one line"

# Limits: a guest that never exits is stopped, with status 124.
printf '\353\376' >"$TMP/spin.bin"	# jmp .
expect_status 124 "$VMDBG" run --timeout 30 --backend emu --load 0x10000 --mode 32 --max-steps 1000 "$TMP/spin.bin"
contains "$TMP/err" "step limit reached: 1000 instructions"
expect_status 124 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --timeout 0.2 "$TMP/spin.bin"
[ "$(cat "$TMP/err")" = "vmdbg: timeout: the guest ran past --timeout 0.2 s" ] ||
	fail "timeout message: $(cat "$TMP/err")"
echo ok
