# Files vmdbg reads and what a trace file can make it do (issue 9): every
# file must be a regular file within its size limit (/dev/zero, a FIFO, a
# directory and a sparse 3.2 GiB file get one exact line and status 2, at
# once); the image a trace header names gives symbols only when its SHA-256
# matches and its name has no '..' (a FIFO, another ELF, a '..' path); and
# strings from a file or a guest reach the terminal only through the
# sanitizer (escape sequences in header strings, the stop message, symbol
# names, source lines, x/s).  `timeout` turns a hang into a failure.
. tests/integration/lib.sh
NO_REPLAY="esc.vtr dotdot.vtr fifo.vtr other.vtr"	# hostile headers and a changed image, on purpose
case $VMDBG in /*) ;; *) VMDBG=$PWD/$VMDBG ;; esac
case $BUILD in /*) B=$BUILD ;; *) B=$PWD/$BUILD ;; esac
RETRACE=$B/tests/tools/retrace
[ -x "$RETRACE" ] || fail "$RETRACE is missing (make all)"
BOOT=$B/guests/boot16.img
IMG=$B/guests/lecture32.img

# only_line FILE TEXT: FILE is exactly the one line TEXT
only_line() {
	printf '%s\n' "$2" | diff -u - "$1" || fail "$1 is not the one line '$2'"
}
# no_raw_controls FILE: no ESC, BEL, CSI (0x9b) or other C1 byte in FILE
no_raw_controls() {
	! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\200-\237]')" "$1" ||
		{ cat -A "$1"; fail "raw control characters in $1"; }
}
# refused LINE CMD...: CMD exits with status 2 at once, stderr exactly LINE
refused() {
	line=$1; shift
	expect_status 2 timeout 20 "$@"
	only_line "$TMP/err" "$line"
}
# dbg_refused CMD LINE: the same for CMD in a debugger session on boot16
dbg_refused() {
	refused "$2" "$VMDBG" --timeout 10 --backend emu --batch -ex "$1" "$BOOT"
}

mkfifo "$TMP/fifo"
mkdir "$TMP/dir"
truncate -s 3435973837 "$TMP/big"	# sparse, 3.2 GiB
truncate -s 65G "$TMP/huge.vtr"

# ---- scripts, symbol files, images, traces: refused at once ----------------------
for f in /dev/zero "$TMP/fifo" "$TMP/dir"; do
	dbg_refused "source $f" "$f: not a regular file."
	dbg_refused "symbol-file $f" "$f: not a regular file."
	refused "$f: not a regular file." "$VMDBG" --timeout 10 --backend emu --batch -x "$f" "$BOOT"
	refused "vmdbg: $f: not a regular file" "$VMDBG" run --timeout 10 --backend emu "$f"
	refused "vmdbg: $f: not a regular file" "$VMDBG" --timeout 10 --backend emu --batch "$f"
	refused "vmdbg: trace: $f: not a regular file" "$VMDBG" trace show "$f"
done
dbg_refused "source $TMP/big" "$TMP/big: 3.2 GiB is larger than the 16 MiB limit for a script."
dbg_refused "symbol-file $TMP/big" \
	"$TMP/big: 3.2 GiB is larger than the 256 MiB limit for a symbol file."
dbg_refused "add-symbol-file /dev/zero 0x1000" "/dev/zero: not a regular file"
refused "vmdbg: $TMP/big: 3.2 GiB is larger than the 256 MiB limit for a guest image" \
	"$VMDBG" run --timeout 30 --backend emu "$TMP/big"
refused "vmdbg: trace: $TMP/huge.vtr: 65 GiB is larger than the 64 GiB limit for a trace" \
	"$VMDBG" trace stats "$TMP/huge.vtr"
rm -f "$TMP/big" "$TMP/huge.vtr"

# ---- the image a trace header names --------------------------------------------
cp "$IMG" "$TMP/img.elf"
cp "$B/guests/lecture64.img" "$TMP/other.elf"
mkdir "$TMP/sub"
cd "$TMP" || fail "cd $TMP"
"$VMDBG" record --timeout 30 --backend emu -q img.elf -o t.vtr 2>/dev/null
[ $? -eq 1 ] || fail "record: status, wanted the guest's 1"
# show T [OPTIONS]: the app's system calls; status in $st
show() {
	t=$1; shift
	timeout 20 "$VMDBG" trace show "$t" --class soft-interrupt "$@" >out 2>err
	st=$?
	[ $st -eq 0 ] || { cat out err; fail "trace show $t: status $st, wanted 0"; }
}
sym='app_int80+0x0 -> isr_syscall+0x0 (entry.S:98)'
show t.vtr
[ "$(grep -cF "$sym" out)" -eq 8 ] || { cat out; fail "trace show: no symbols"; }
[ -s err ] && { cat err; fail "trace show: stderr is not empty"; }

"$RETRACE" t.vtr fifo.vtr image=fifo || fail "retrace"
show fifo.vtr
only_line err "vmdbg: trace: no symbols: fifo: not a regular file; --symbols ELF names the image"
grep -qF 'app_int80' out && fail "symbols from a FIFO"
[ "$(grep -c 'soft-interrupt int 0x80' out)" -eq 8 ] || { cat out; fail "traps missing"; }
# --symbols overrides the header
show fifo.vtr --symbols img.elf
[ "$(grep -cF "$sym" out)" -eq 8 ] || { cat out; fail "--symbols: no symbols"; }
[ -s err ] && { cat err; fail "--symbols: stderr is not empty"; }

"$RETRACE" t.vtr other.vtr image=other.elf || fail "retrace"
show other.vtr
have=$(sha256sum other.elf | cut -c1-16) want=$(sha256sum img.elf | cut -c1-16)
only_line err "vmdbg: trace: no symbols: other.elf is not the traced image (its sha256 is $have..., the trace's $want...); --symbols ELF names the image"
grep -q '+0x' out && { cat out; fail "symbols from another image"; }

"$RETRACE" t.vtr dotdot.vtr image=sub/../img.elf || fail "retrace"
show dotdot.vtr
only_line err "vmdbg: trace: no symbols: the image name in the trace, sub/../img.elf, has a '..' component; --symbols ELF names the image"
grep -q '+0x' out && { cat out; fail "symbols through '..'"; }

# A trace next to its image, read from elsewhere: found beside the trace.
cd "$TMP/dir" || fail "cd"
show ../t.vtr
[ "$(grep -cF "$sym" out)" -eq 8 ] || { cat out err; fail "image next to the trace"; }
cd "$TMP" || fail "cd"

# ---- escape sequences in header strings and the stop message -------------------
"$RETRACE" t.vtr esc.vtr image="$(printf 'x\033]0;pwned\007')" \
	backend="$(printf 'emu\033[2J')" load="$(printf -- '--mem 1\033[A')" \
	creator="$(printf 'vmdbg\233''31m\302\233')" end="$(printf 'bye\033[31m\nred')" ||
	fail "retrace"
show esc.vtr
no_raw_controls out
no_raw_controls err
head -2 out >head.txt
cat >want.txt <<EOF
trace esc.vtr: image x\\x1b]0;pwned\\x07 (sha256 $want...), backend emu\\x1b[2J, 64 MiB, run mode
  load options: --mem 1\\x1b[A; by vmdbg\\x9b31m\\xc2\\x9b; format 1.3
EOF
same want.txt head.txt
grep -q '^end: exit, status 1 at rip 0x[0-9a-f]*, [0-9]* instructions, 0 exits (bye\\x1b\[31m\\x0ared)$' out ||
	{ cat out; fail "stop message"; }
only_line err 'vmdbg: trace: no symbols: x\x1b]0;pwned\x07: No such file or directory; --symbols ELF names the image'
timeout 20 "$VMDBG" trace stats esc.vtr >out 2>err || fail "trace stats"
no_raw_controls out
grep -qF 'trace esc.vtr: x\x1b]0;pwned\x07, backend emu\x1b[2J, 64 MiB, run mode' out ||
	{ cat out; fail "stats header"; }

# ---- symbol names, source lines and guest memory -------------------------------
printf '00101000 T evil\033]0;x\007name\n00102000 T next\n' >evil.map
timeout 20 "$VMDBG" --timeout 10 --backend emu --batch -ex "symbol-file evil.map" -ex 'info symbol 0x101004' \
	"$IMG" >out 2>&1 || { cat out; fail "evil.map"; }
no_raw_controls out
grep -qxF 'evil\x1b]0;x\x07name + 4' out || { cat out; fail "info symbol"; }
mkdir src
awk 'BEGIN { for (i = 1; i <= 280; i++)
	if (i == 275) printf "\tevil \033[2J\033]0;pwned\007 line\n"; else print "line " i }' >src/kernel.c
timeout 20 "$VMDBG" --timeout 10 --backend emu --batch -ex "directory $TMP/src" -ex 'list kernel.c:275' \
	"$IMG" >out 2>&1 || { cat out; fail "list"; }
no_raw_controls out
grep -qxF "$(printf '275\t\tevil \\x1b[2J\\x1b]0;pwned\\x07 line')" out || { cat -A out; fail "list"; }
# x/s on guest bytes ESC [ 2 J BEL 0x9b: C escapes, as gdb prints them
timeout 20 "$VMDBG" --timeout 10 --backend emu --batch -ex 'set {int}0x200000 = 0x4a325b1b' \
	-ex 'set {int}0x200004 = 0x9b07' -ex 'x/s 0x200000' "$IMG" >out 2>&1 ||
	{ cat out; fail "x/s"; }
no_raw_controls out
grep -qF "$(printf '>:\t"\\033[2J\\007\\233"')" out || { cat -A out; fail "x/s"; }
echo ok
