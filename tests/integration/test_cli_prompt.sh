# The debugger's command line (vmdbg [OPTIONS] IMAGE): scripted sessions on
# the lecture guests on emu with exact expected output (commands in
# tests/integration/cli/*.gdb, output in expected/cli-*.txt, stdout and
# stderr together), bad input, script errors and their exit status, commands
# on stdin (the prompt without a terminal), Ctrl-C, and --trace.
. tests/integration/lib.sh

# unbuild RAW OUT: the expected output names the images build/guests/...;
# BUILD may be another build dir (build-san for `make test SAN=1`).
unbuild() {
	sed "s|$BUILD/guests/|build/guests/|g" "$1" >"$2"
}

# session NAME IMAGE [OPTIONS]: run cli/NAME.gdb in batch mode, compare the
# output with expected/cli-NAME.txt; the exit status is left in $st.
session() {
	name=$1 img=$2; shift 2
	script=tests/integration/cli/$name.gdb
	# A script that names a file in build/guests/ (symbol-file) gets $BUILD's.
	if grep -q 'build/guests/' "$script"; then
		sed "s|build/guests/|$BUILD/guests/|g" "$script" >"$TMP/$name.gdb"
		script=$TMP/$name.gdb
	fi
	"$VMDBG" --timeout 30 --backend emu --batch "$@" -x "$script" \
		"$BUILD/guests/$img" >"$TMP/$name.raw" 2>&1
	st=$?
	unbuild "$TMP/$name.raw" "$TMP/$name.out"
	same tests/integration/expected/cli-$name.txt "$TMP/$name.out"
}

# A breakpoint on FILE:LINE and on a symbol, bt from the system-call handler
# back into the app, info pagetable for 0x800000 before and after the fault,
# x/4xw, info registers, disassemble, finish.  Status: the guest's exit.
session lecture32 lecture32.img
[ $st -eq 1 ] || fail "lecture32 session: status $st, wanted 1"
# break priv io at the kernel's out, catch syscall with origin app, a
# watchpoint on a kernel variable, catch trap #GP, info idt/gdt/tss/mode.
session priv lecture32.img
[ $st -eq 1 ] || fail "priv session: status $st, wanted 1"
# step, next (over the #PF), finish, list, until, print and set.
session step lecture32.img
[ $st -eq 0 ] || fail "step session: status $st, wanted 0 (the guest did not exit)"
# Long mode: bt through syscall_entry, the 4-level walk.
session lecture64 lecture64.img
[ $st -eq 0 ] || fail "lecture64 session: status $st, wanted 0"
# A boot sector: no symbols until symbol-file; real-mode IVT; catch io.
session boot16 boot16.img
[ $st -eq 1 ] || fail "boot16 session: status $st, wanted 1"

# Real mode with CS = 0x07C0: CS:IP (linear) in stop lines, x/i $pc and
# disassemble read linear CS*16+IP, SEG:OFF addresses.  Status 2: one bad
# SEG:OFF on purpose (--keep-going).
session boot16cs boot16cs.img --keep-going
[ $st -eq 2 ] || fail "boot16cs session: status $st, wanted 2"

# C data from DWARF at -O0: p *f, f->eax, ptype, info args/locals, frames
# down into the app below the trap frame.  Status 2: the script ends with
# errors on purpose (--keep-going).
session cdata lecture32-O0.img --keep-going
[ $st -eq 2 ] || fail "cdata session: status $st, wanted 2"
# A C condition on a recursive function, finish from each level with the
# value returned, lines without code, catch syscall write by name.
session frames lecture32-O0.img --keep-going
[ $st -eq 2 ] || fail "frames session: status $st, wanted 2 (one bad break line)"
# until/advance LOC also stop when the current frame returns; until skips
# LOC in deeper recursive calls of the current function.
session until lecture32-O0.img
[ $st -eq 0 ] || fail "until session: status $st, wanted 0"
# -O2 without frame pointers: bt through call-frame information,
# <optimized out>.
session cdata_o2 lecture32-O2.img --keep-going
[ $st -eq 0 ] || fail "cdata_o2 session: status $st, wanted 0"
# gdb habits: displays, convenience variables and $_trap, define/document,
# set logging (the file holds exactly what the logged commands printed),
# show, !, start, jump.  LOGFILE is the test's temporary file.
sed "s|LOGFILE|$TMP/habits.log|" tests/integration/cli/habits.gdb >"$TMP/habits.gdb"
"$VMDBG" --backend emu --batch --keep-going --timeout 30 -x "$TMP/habits.gdb" \
	"$BUILD/guests/lecture32-O0.img" 2>&1 | sed "s|$TMP/|TMP/|g" >"$TMP/habits.raw"
unbuild "$TMP/habits.raw" "$TMP/habits.out"
same tests/integration/expected/cli-habits.txt "$TMP/habits.out"
printf 'Copying output to %s.\n4\nDone logging to %s.\n' "$TMP/habits.log" "$TMP/habits.log" \
	>"$TMP/habits.log.want"
same "$TMP/habits.log.want" "$TMP/habits.log"

# Types, sizes and static data exactly as gdb prints them from the same
# ELF (gdb is the reference; its script-error line is folded like ours).
"$VMDBG" --timeout 30 --backend emu --batch --keep-going -x tests/integration/cli/cdata_static.gdb \
	"$BUILD/guests/lecture32-O0.img" >"$TMP/cdata_static.out" 2>&1
gdb -nx -batch -x tests/integration/cli/cdata_static.gdb "$BUILD/guests/lecture32-O0.img" 2>&1 |
	awk '/: Error in sourced command file:$/ { sub(/Error in sourced command file:$/, ""); printf "%s", $0; next } { print }' \
	>"$TMP/cdata_static.gdb.out"
[ -s "$TMP/cdata_static.gdb.out" ] || fail "gdb printed nothing for cdata_static.gdb"
same "$TMP/cdata_static.gdb.out" "$TMP/cdata_static.out"

# Bad input: one clear message each, naming SCRIPT:LINE; --keep-going runs
# every line, the status still says the script failed.
session errors lecture32.img --keep-going
[ $st -eq 2 ] || fail "errors session: status $st, wanted 2"
# Without --keep-going the first error stops the script (status 2).
session error_stop lecture32.img
[ $st -eq 2 ] || fail "error_stop session: status $st, wanted 2"
expect_status 2 "$VMDBG" --timeout 30 --backend emu --batch -x "$TMP/nonexistent.gdb" "$BUILD/guests/boot16.img"
contains "$TMP/err" "nonexistent.gdb: No such file or directory."
expect_status 2 "$VMDBG" --timeout 30 --backend emu --frob "$BUILD/guests/boot16.img"
contains "$TMP/err" "unknown option '--frob'"
expect_status 2 "$VMDBG" --timeout 30 --backend emu -x
contains "$TMP/err" "option '-x' needs an argument"
expect_status 2 "$VMDBG" --timeout 30 --backend emu --batch "$TMP/nonexistent.img"
contains "$TMP/err" "nonexistent.img: No such file or directory"

# Commands on stdin (not a terminal): the prompt, gdb abbreviations, an
# empty line, a missing symbol, quit with the guest's status.
printf 'b uart_putc\ni b\nr\n\np/x $eax\nfoo\nc 3\ninfo b\ndel\nc\nq\n' |
	"$VMDBG" --timeout 30 --backend emu "$BUILD/guests/lecture32.img" >"$TMP/stdin.raw" 2>&1
st=$?
unbuild "$TMP/stdin.raw" "$TMP/stdin.out"
same tests/integration/expected/cli-stdin.txt "$TMP/stdin.out"
[ $st -eq 1 ] || fail "stdin session: status $st, wanted 1"
# -ex commands and `quit N`.
expect_status 5 "$VMDBG" --timeout 30 --backend emu --batch -ex 'p 2+3' -ex 'quit $1' "$BUILD/guests/boot16.img"
contains "$TMP/out" '$1 = 5'
# disassemble stops after 100000 instructions, as x/ takes at most 100000
# items (a 4 GiB range printed for minutes and Ctrl-C did not stop it).
expect_status 2 timeout 60 "$VMDBG" --timeout 30 --backend emu --batch -ex 'disassemble 0x8000,0xffffffff' \
	"$BUILD/guests/boot16.img"
contains "$TMP/err" 'Stopped after 100000 instructions at 0x38d40; give a smaller range or a count.'
[ "$(grep -c '^\(=> \|   \)0x' "$TMP/out")" -eq 100000 ] || fail "disassemble: not 100000 lines"
# help for every command.
"$VMDBG" --timeout 30 --backend emu --batch -ex help "$BUILD/guests/boot16.img" >"$TMP/help.out" 2>&1 || fail "help"
for c in $(awk '/^  [a-z]/ { print $1 }' "$TMP/help.out"); do
	"$VMDBG" --timeout 30 --backend emu --batch -ex "help $c" "$BUILD/guests/boot16.img" >"$TMP/h" 2>&1 ||
		{ cat "$TMP/h"; fail "help $c"; }
	grep -q "^Usage: " "$TMP/h" || { cat "$TMP/h"; fail "help $c has no usage line"; }
done
[ "$(grep -c ' -- ' "$TMP/help.out")" -ge 30 ] || fail "help lists too few commands"

# Ctrl-C stops a running guest and the prompt comes back.
printf '\353\376' >"$TMP/spin.bin"	# jmp .
mkfifo "$TMP/in"
"$VMDBG" --timeout 30 --backend emu --load 0x10000 --mode 32 "$TMP/spin.bin" <"$TMP/in" >"$TMP/int.out" 2>&1 &
pid=$!
( sleep 30; kill -9 $pid 2>/dev/null ) &
dog=$!
exec 3>"$TMP/in"
echo continue >&3
for i in $(seq 50); do grep -q Continuing "$TMP/int.out" && break; sleep 0.1; done
sleep 0.2
kill -INT $pid
printf 'p/x $eip\nquit\n' >&3
exec 3>&-
wait $pid
st=$?
kill $dog 2>/dev/null
[ $st -eq 0 ] || { cat "$TMP/int.out"; fail "Ctrl-C session: status $st, wanted 0"; }
contains "$TMP/int.out" "Program received signal SIGINT, Interrupt."
contains "$TMP/int.out" '$1 = 0x10000'

# --trace records while debugging: the same records as `vmdbg record`.
"$VMDBG" --timeout 30 --backend emu --batch -q --trace "$TMP/dbg.vtr" -ex 'break kernel_main' -ex run -ex continue \
	"$BUILD/guests/lecture32.img" >"$TMP/out" 2>&1
st=$?
[ $st -eq 1 ] || { cat "$TMP/out"; fail "--trace: status $st, wanted 1"; }
"$VMDBG" record --timeout 30 --backend emu -q "$BUILD/guests/lecture32.img" -o "$TMP/rec.vtr" 2>/dev/null
"$VMDBG" trace show "$TMP/dbg.vtr" | tail -n +2 >"$TMP/dbg.txt" || fail "trace show of the debugger's trace"
"$VMDBG" trace show "$TMP/rec.vtr" | tail -n +2 >"$TMP/rec.txt"
same "$TMP/rec.txt" "$TMP/dbg.txt"
echo ok
