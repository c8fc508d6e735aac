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
