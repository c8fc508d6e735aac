# Helpers for the gdb stub tests (sourced after lib.sh, not a test itself).
command -v gdb >/dev/null || fail "gdb is not installed (make deps)"
G=$BUILD/guests

# start_stub BACKEND ARGS...: vmdbg --gdb on a free port; sets SP (pid)
# and PORT (the stub says which port the kernel gave it).
start_stub() {
	be=$1; shift
	: >"$TMP/stub.err"
	timeout 30 "$VMDBG" --backend "$be" -q --gdb 127.0.0.1:0 "$@" >"$TMP/stub.out" 2>"$TMP/stub.err" &
	SP=$!
	PORT=
	for _ in $(seq 50); do
		PORT=$(sed -n 's/^vmdbg: waiting for gdb on 127\.0\.0\.1:\([0-9]*\) (this host only).*/\1/p' "$TMP/stub.err")
		[ -n "$PORT" ] && return 0
		sleep 0.1
	done
	cat "$TMP/stub.err"
	fail "the stub did not say where it listens"
}

# run_gdb OUT GDB-ARGS...: gdb in batch mode (give it target remote).
run_gdb() {
	out=$1; shift
	timeout 20 gdb -batch -nx -ex 'set confirm off' -ex 'set pagination off' "$@" >"$out" 2>&1
}

# regs FILE NAMES...: "name value" lines of an `info registers` listing.
regs() {
	f=$1; shift
	for r in "$@"; do
		awk -v r="$r" '$1 == r { print $1, $2; exit }' "$f"
	done
}

# same_regs OWN GDB NAMES...: the registers vmdbg's own `info registers`
# (OWN) and gdb's (GDB) show are the same, and vmdbg showed them all.
same_regs() {
	own=$1 gdbout=$2; shift 2
	regs "$own" "$@" >"$TMP/want"
	regs "$gdbout" "$@" >"$TMP/got"
	[ "$(wc -l <"$TMP/want")" -eq $# ] || { cat "$own"; fail "vmdbg's own registers in $own"; }
	same "$TMP/want" "$TMP/got"
}

# check_boot16 BACKEND: boot16 in real mode under gdb (the i8086
# description): 16-bit disassembly, a breakpoint, registers against
# vmdbg's own on the same backend, stepi through the IVT into a handler.
check_boot16() {
	img=$G/boot16.img
	"$VMDBG" --backend "$1" -q --batch -ex "symbol-file $G/boot16.elf" -ex 'break boot16_int' \
		-ex continue -ex 'info registers' "$img" >"$TMP/own16" 2>&1
	start_stub "$1" "$img"
	run_gdb "$TMP/gdb16" -ex "symbol-file $G/boot16.elf" -ex "target remote 127.0.0.1:$PORT" \
		-ex 'x/3i $pc' -ex 'break boot16_int' -ex continue -ex 'info registers' -ex stepi \
		-ex 'info registers eip cs' -ex kill
	wait $SP
	contains "$TMP/gdb16" "xor    %ax,%ax"
	contains "$TMP/gdb16" "Breakpoint 1, boot16_int () at tests/guests/boot16/boot16.S:64"
	same_regs "$TMP/own16" "$TMP/gdb16" eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es \
		fs gs cr0
	grep -q '^eip  *0x7c47 .*<int30_handler>' "$TMP/gdb16" || fail "stepi into the int 0x30 handler"
}
