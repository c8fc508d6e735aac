# The curses TUI (issue 5), driven under tmux on a private socket: start on
# lecture32, step (F11 and `si`), set a breakpoint from the command line
# and hit it, the trap log with a reflected system call, a filter, a record
# in full, the help overlay, resizes 120x40 -> 80x24 -> 120x40 with the
# state kept, the guest's exit status; a guest that runs until Ctrl-C, fed
# keys through the console pane; --cli; the VGA screen in the console
# pane (biosboot); :N in the trap log travels back in time; then `vmdbg
# view` on a recorded
# trace: jump with :500, the next record of a class, the stats table.
# Every check reads the screen text (capture-pane) and polls with a time
# limit rather than sleeping a fixed time.
. tests/integration/lib.sh
# A UTF-8 locale whatever the caller has (CI may have none): the pane
# borders are then line-drawing characters, as the patterns below expect.
export LC_ALL=C.UTF-8 LANG=C.UTF-8
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed (Debian: apt-get install tmux)"
IMG=$BUILD/guests/lecture32.img
[ -f "$IMG" ] || fail "$IMG is missing (make guests)"
SOCK=vmdbg-test-$$
# our own server configuration (no ~/.tmux.conf), on a terminal type that
# this host's terminfo knows
if infocmp tmux-256color >/dev/null 2>&1; then term=tmux-256color; else term=screen; fi
# exit-empty off: the server stays up between the test's sessions; with it
# on, killing the last session stops the server, and the next new-session
# can reach the server while it is going away ("server exited
# unexpectedly"), which happened under load
printf 'set -g default-terminal %s\nset -g escape-time 0\nset -s exit-empty off\n' "$term" >"$TMP/tmux.conf"
T() { tmux -L "$SOCK" -f "$TMP/tmux.conf" "$@"; }
# kill-server leaves the socket file behind
trap 'T kill-server >/dev/null 2>&1; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"; rm -rf "$TMP"' EXIT

WIN=tui
keys() { T send-keys -t "$WIN" "$@"; }
# line TEXT: type TEXT literally and press Enter
line() { T send-keys -t "$WIN" -l "$1" && T send-keys -t "$WIN" Enter; }
screen() { T capture-pane -p -t "$WIN" >"$TMP/screen" 2>/dev/null; }
# wait_for PATTERN [SECONDS]: poll the screen until an extended regular
# expression matches a line of it.
wait_for() {
	i=0
	while [ $i -lt $((${2:-15} * 20)) ]; do
		screen && grep -qE -- "$1" "$TMP/screen" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "---- screen ----"
	cat "$TMP/screen"
	fail "timed out waiting for /$1/ on the screen"
}
# wait_gone PATTERN: poll until no line matches (an overlay closed)
wait_gone() {
	i=0
	while [ $i -lt 300 ]; do
		screen && ! grep -qE -- "$1" "$TMP/screen" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	cat "$TMP/screen"
	fail "timed out waiting for /$1/ to leave the screen"
}
# on_screen PATTERN / not_on_screen PATTERN: the screen as it is now
on_screen() {
	screen
	grep -qE -- "$1" "$TMP/screen" || { cat "$TMP/screen"; fail "/$1/ is not on the screen"; }
}
not_on_screen() {
	screen
	! grep -qE -- "$1" "$TMP/screen" || { cat "$TMP/screen"; fail "/$1/ is on the screen"; }
}
# start NAME W H CMD...: a detached session running CMD, its exit status
# printed when it ends
start() {
	WIN=$1 w=$2 h=$3
	shift 3
	n=0
	until T new-session -d -s "$WIN" -x "$w" -y "$h" \
		"env HOME=$TMP $*; echo vmdbg-exited-\$?; sleep 600"; do
		n=$((n + 1))
		[ $n -lt 5 ] || fail "tmux new-session"
		sleep 0.2
	done
}

# ---- the debugger on lecture32 ---------------------------------------------------
start tui 120 40 "$VMDBG" --timeout 30 --backend emu "$IMG"
wait_for 'at the entry point'
on_screen '^ vmdbg  lecture32.img \(emu\)'
on_screen 'registers'
on_screen 'CPL 0 \(os\)  prot32'
on_screen '^ source  entry.S:22'
on_screen '=> +22 +cli'
on_screen '=> 0x00101000 <_start>  cli'
on_screen 'no trap records yet'
on_screen 'stack  esp=0x80000'
on_screen 'console \(serial\)'
on_screen '^\(vmdbg\)'

# step: F11 is `step` (a source line), `si` one instruction
keys F11
wait_for 'stopped: step'
wait_for '=> +23 +cld'
line si
wait_for '=> 0x00101002 <_start\+0x2>'
on_screen '^\(vmdbg\) si'

# a breakpoint from the command line, and hit it
line 'break syscall_handler'
wait_for 'Breakpoint 1 at 0x1011e9: file kernel.c, line 275\.'
line c
wait_for 'Breakpoint 1, syscall_handler \(f=<optimized out>\) at kernel.c:275'
wait_for 'stopped: breakpoint 1'
on_screen 'B=> +275 +switch \(f->eax\)'
on_screen 'B=> 0x001011e9 <syscall_handler\+0xc>'
on_screen 'CPL 0 \(os\)  prot32  paging'
# the trap log filled up: the app's system call, reflected to the kernel
on_screen '[0-9]+ app  soft-interrupt int 0x80 eax=0x4 +reflected +app_int80 -> isr_syscall'
on_screen '[0-9]+ os   io +out 0x03f8 <- 0x[0-9a-f]+/1 +emulated:uart'
on_screen '\[kernel\] lecture32 \(int 0x80\)'

# filter it: only soft interrupts from the app
line 'filter class soft-interrupt origin app'
wait_for '\[filter: class soft-interrupt; origin app\]'
on_screen 'app  soft-interrupt int 0x80 eax=0x4 +reflected'
not_on_screen '^ +[0-9]+ os   io '
# the record in full (Enter in the trap log), then the help overlay
line 'focus traps'
wait_for '^> traps'
keys Enter
wait_for 'trap record [0-9]+'
on_screen 'disposition  reflected: delivered to the guest OS.s handler at 0x1010f0'
on_screen 'classic VMM  reflects it'
# (an Escape waits 30 ms for the rest of a key sequence: let it pass)
keys Escape
wait_gone 'trap record [0-9]+'
keys '?'
wait_for "Keys \(as in gdb's TUI and cgdb\)"
on_screen 'F5 +continue'
keys Escape
wait_gone "Keys \(as in gdb"
on_screen '^> traps'

# typed text goes to the command line: right after a prefilled line (f, /
# and :) from the trap log, the next command runs exactly as typed (none
# of its letters eaten as the log's hotkeys), and focus comes back to the
# log each time
keys Escape
wait_for '^> commands'
line 'focus traps'
wait_for '^> traps'
keys f
wait_for '^\(vmdbg\) filter *$'
line 'class soft-interrupt origin app'
wait_for '^> traps'
# the title counts the records the filter lets through
on_screen '^> traps  \[filter: class soft-interrupt; origin app\] +1 of 160 records, following'
# Right and Left scroll the log's long lines sideways, 8 columns a key
keys Right Right
wait_for '^interrupt int 0x80 eax=0x4 '
keys Left Left
wait_for '^ +159 app  soft-interrupt'
line 'info registers eip'
wait_for '^eip +0x1011e9 +0x1011e9 <syscall_handler\+12>'
on_screen '^> traps'
keys /
wait_for '^\(vmdbg\) /$'
line 'int 0x80'
wait_for '^> traps'
# n on the last match wraps around, and says so
keys n
wait_for 'search wrapped to the top: found "int 0x80" at seq 159'
line 'print 6*7'
wait_for '^\$[0-9]+ = 42 '
keys :
wait_for '^\(vmdbg\) :$'
line 'goto start'
wait_for '^> traps'
line 'p 40+3'
wait_for '^\$[0-9]+ = 43 '
# a line wider than the command pane wraps: its end is on the screen
keys Escape
wait_for '^> commands'
line "echo $(printf 'w%.0s' $(seq 1 90)) wrapped-end\\n"
wait_for '^w+ wrapped-end'
line 'focus traps'
wait_for '^> traps'
on_screen '^> traps'
# winheight: the command pane 12 rows, then 3 fewer (the `-` key from a
# pane: one fewer), zoom cmd gives it the whole body
line 'winheight cmd 12'
wait_for '^\(vmdbg\) winheight cmd 12'
screen
rows=$(awk '/^ commands|^> commands/ { on = 1; next } on && /^\(vmdbg\) *$/ { exit } on { n++ } END { print n }' "$TMP/screen")
[ "$rows" -eq 11 ] || { cat "$TMP/screen"; fail "winheight cmd 12: $rows output rows, wanted 11"; }
line 'winheight cmd -3'
keys -
wait_for '^\(vmdbg\) winheight cmd -3'
sleep 0.2
screen
rows=$(awk '/^ commands|^> commands/ { on = 1; next } on && /^\(vmdbg\) *$/ { exit } on { n++ } END { print n }' "$TMP/screen")
[ "$rows" -eq 7 ] || { cat "$TMP/screen"; fail "winheight cmd -3 and -: $rows output rows, wanted 7"; }
line 'winheight cmd 0'
wait_for 'winheight: 0 rows for the command pane is outside 2\.\.34 here'
# (z in the trap log is its zoom key: Escape to the prompt first)
keys Escape
wait_for '^> commands'
line 'zoom cmd'
wait_gone '^> traps|^ traps'
not_on_screen 'CPL 0 \(os\)'
line 'zoom off'
wait_for 'CPL 0 \(os\)'
# run on a started guest asks first, as gdb does; n keeps it
line 'run'
wait_for 'has been started already\.  Start it from the beginning\? \(y or n\)'
keys n
wait_for '^Program not restarted\.'
on_screen 'stopped: breakpoint 1'
line 'focus traps'
wait_for '^> traps'

# resize to 80x24: registers, code, traps and the prompt stay; then back
T resize-window -t "$WIN" -x 80 -y 24
wait_for '^ code  syscall_handler\+0xc \(kernel.c:275\)'
on_screen 'registers'
# what a paging or system-call lecture needs stays in the registers pane
on_screen '│cr0 0x80010031 cr3 0x[0-9a-f]{8}'
on_screen '│cr2 0x[0-9a-f]{8} cr4 0x'
on_screen '│eip 0x001011e9 efl 0x'
on_screen '│cs 0008 ss 0010'
on_screen '^> traps  \[filter: class soft-interrupt; origin app\]'
on_screen 'app  soft-interrupt int 0x80'
on_screen '^ commands'
on_screen '^\(vmdbg\)'
not_on_screen 'console \(serial\)'
[ "$(wc -L <"$TMP/screen")" -le 80 ] || fail "the screen is wider than 80 columns"
T resize-window -t "$WIN" -x 120 -y 40
wait_for 'console \(serial\)'
on_screen 'stopped: breakpoint 1'
on_screen '^ source  kernel.c:275'
on_screen 'stack  esp=0x'
on_screen '\[filter: class soft-interrupt; origin app\]'

# time travel: :159 Enter puts the machine at record 159 (the app's int
# 0x80: the handler's first instruction), continue hits the breakpoint again
keys :
wait_for '^\(vmdbg\) :$'
line '159'
wait_for '=> 0x001010f0 <isr_syscall>'
on_screen 'stopped: step'
line c
wait_for 'stopped: breakpoint 1'
on_screen 'B=> 0x001011e9 <syscall_handler\+0xc>'
# Shift-F5 is reverse-continue: no hit before this one, so back to the
# start of the history; F11 steps forward from there, continue hits it again
keys S-F5
wait_for 'No more reverse-execution history\.'
wait_for '=> 0x00101000 <_start>'
keys F11
wait_for '=> +23 +cld'
line c
wait_for 'stopped: breakpoint 1'

# the rest of the run: no breakpoints, the guest exits, quit with its status
keys Escape
wait_for '^> commands'
line 'filter off'
line 'delete'
line c
wait_for 'Guest exited with status 1'
wait_for 'exited with status 1'
on_screen '\[kernel\] exit\(0\): writing it to port 0xf4'
line quit
wait_for 'vmdbg-exited-1'
T kill-session -t "$WIN"

# A guest that runs until stopped, echoing what it reads from its UART
# (poll LSR, read RBR, write THR): while it runs the screen and keys stay
# alive, keys typed in the console pane reach it, q asks first, Ctrl-C
# stops it.
#   0: mov $0x3fd,%dx; in (%dx),%al; test $1,%al; jz 0
#   9: mov $0x3f8,%dx; in (%dx),%al; out %al,(%dx); jmp 0
printf '\146\272\375\003\354\250\001\164\367\146\272\370\003\354\356\353\357' \
	>"$TMP/echo.bin"
start echo 100 30 "$VMDBG" --timeout 30 --backend emu --load 0x10000 --mode 32 "$TMP/echo.bin"
wait_for 'at the entry point'
line c
wait_for '^ vmdbg  echo.bin \(emu\)  running'
wait_for '^\(running: Ctrl-C stops the guest\)'
wait_for 'in  0x03fd -> 0x60/1 +emulated:uart'
keys BTab
wait_for 'console: typing goes to the guest'
T send-keys -t "$WIN" -l 'hello guest'
wait_for '^ hello guest|│hello guest'
keys Escape
wait_for '^ console \(serial\)|│ console \(serial\)'
keys q
wait_for 'Stop it and quit\? \(y or n\)'
keys n
wait_gone 'Stop it and quit'
on_screen 'running'
keys C-c
wait_for 'Program received signal SIGINT, Interrupt\.'
wait_for 'stopped: interrupted'
line 'p/x $eip'
wait_for '^\$1 = 0x1000[0-9a-f] '
line quit
wait_for 'vmdbg-exited-0'
T kill-session -t "$WIN"

# tui disable: the same session goes on at the line prompt (a step taken in
# the TUI is still there)
start tuioff 100 30 "$VMDBG" --timeout 30 --backend emu "$IMG"
wait_for 'at the entry point'
line si
wait_for '^=> 0x101001 <_start\+1>: +cld'
line 'tui disable'
wait_for '^The TUI is off: the line prompt \(vmdbg --cli\) from here on\.'
line 'p/x $eip'
wait_for '^\$1 = 0x101001'
not_on_screen 'registers'
line quit
wait_for 'vmdbg-exited-0'
T kill-session -t "$WIN"

# --cli keeps the line prompt at a terminal
start cli 100 30 "$VMDBG" --timeout 30 --cli --backend emu "$IMG"
wait_for '^Reading symbols from'
line 'info mode'
wait_for '^\(vmdbg\)'
not_on_screen 'registers'
line quit
wait_for 'vmdbg-exited-0'
T kill-session -t "$WIN"

# The VGA text screen in the console pane: biosboot writes it (through the
# BIOS, then directly); the pane shows it once the guest used it, and
# `console serial` / Ctrl-T switch.
start vga 120 40 "$VMDBG" --backend emu "$BUILD/guests/biosboot.img"
wait_for 'at the entry point'
on_screen 'console \(serial\)'
line c
wait_for 'Guest exited with status 1'
wait_for 'console \(VGA screen\)'
line 'zoom console'
wait_for 'console: typing goes to the guest'
keys Escape
wait_for '^ console \(VGA screen\)'
wait_for '^ +protected mode *$'
on_screen '^biosboot *$'
on_screen '^ +cur 0x0914 *$'
line 'console serial'
wait_for 'console \(serial\)'
wait_for '^# e820 fee00000 00001000 00000002'
line 'console auto'
wait_for 'console \(VGA screen\)'
line quit
wait_for 'vmdbg-exited-1'
T kill-session -t "$WIN"

# Keys typed in the console pane reach the keyboard: kbd16 waits in
# int 0x16 (the TUI waits with it) and then polls the i8042.
start kbd 100 30 "$VMDBG" --backend emu "$BUILD/guests/kbd16.img"
wait_for 'at the entry point'
line c
wait_for '^ vmdbg  kbd16.img \(emu\)  running'
keys BTab
wait_for 'console: typing goes to the guest'
T send-keys -t "$WIN" -l 'hi'
keys Enter
wait_for 'bios: hi'
T send-keys -t "$WIN" -l 'a'
wait_for 'i8042: 1e 9e'
wait_for 'exited with status 1'
keys Escape
wait_for '│ console \(serial\)'
line quit
wait_for 'vmdbg-exited-1'
T kill-session -t "$WIN"

# `run --display live` at a terminal: the screen while the guest runs (it
# writes "LIVE" at 0xB8000 and spins), then the final screen's text.
#   movl $0x1f491f4c, 0xb8000; movl $0x1f451f56, 0xb8004; jmp .
printf '\307\005\000\200\013\000\114\037\111\037\307\005\004\200\013\000\126\037\105\037\353\376' \
	>"$TMP/live.bin"
start live 100 30 "$VMDBG" run --backend emu --load 0x10000 --mode 32 --timeout 3 \
	--display live "$TMP/live.bin"
wait_for '^LIVE *$'
not_on_screen 'VGA text screen'
wait_for 'vmdbg-exited-124'
on_screen '^== VGA text screen ==$'
T kill-session -t "$WIN"

# ---- the trace viewer ---------------------------------------------------------------
"$VMDBG" record --timeout 30 --backend emu -q "$IMG" -o "$TMP/l32.vtr" >/dev/null 2>&1
st=$?
[ $st -eq 1 ] || fail "vmdbg record: status $st, wanted the guest's 1"
expect_status 2 "$VMDBG" view "$TMP/l32.vtr" </dev/null
contains "$TMP/err" "vmdbg: view needs a terminal; \`vmdbg trace show $TMP/l32.vtr\` prints the records"
start view 120 40 "$VMDBG" view "$TMP/l32.vtr" --symbols "$IMG"
wait_for 'traps in [0-9]+ records'
on_screen '^ vmdbg view  .*l32.vtr  [0-9]+ traps'
on_screen '^> traps'
on_screen '^ +0 os   io +out 0x03f9 <- 0x0/1 +emulated:uart +uart_init'
on_screen '^seq 0, time'
# :500 jumps to record 500; its detail below the log
keys :
wait_for '^\(view\) :'
T send-keys -t "$WIN" -l 500
keys Enter
wait_for '^seq 500, time [0-9]+'
on_screen '^ +500 os '
# the previous and the next record of a class (`:` starts a command line
# from the trap log; typing there moves in the log)
keys :
wait_for '^\(view\) :'
line 'goto prev exception'
wait_for '^class        exception: #GP err=0x0'
on_screen 'app  exception +#GP err=0x0 +reflected +app_cli'
keys :
wait_for '^\(view\) :'
line 'goto next soft-interrupt'
wait_for '^class        soft-interrupt: int 0x80 eax=0x4'
# the stats table
keys s
wait_for 'by disposition'
on_screen 'total traps'
keys Escape
wait_gone 'by disposition'
keys q
wait_for 'vmdbg-exited-0'
T kill-session -t "$WIN"

# ---- what a file or a guest can put on the screen (issue 9) ----------------------
# A trace whose header names a FIFO (no symbols, and it says why, instead
# of hanging in open) and whose stop message holds an escape sequence.
mkfifo "$TMP/fifo"
"$BUILD/tests/tools/retrace" "$TMP/l32.vtr" "$TMP/fifo.vtr" image=fifo \
	end="$(printf 'bye\033]0;pwned\007')" || fail "retrace"
start view2 120 40 "$VMDBG" view "$TMP/fifo.vtr"
wait_for 'traps in [0-9]+ records'
on_screen "no symbols: $TMP/fifo: not a regular file; --symbols ELF names the image"
on_screen 'end: exit: bye\\x1b\]0;pwned\\x07'
keys q
wait_for 'vmdbg-exited-0'
T kill-session -t "$WIN"
# A guest that writes an escape sequence to its serial port: the console
# pane shows it, the terminal does not get it.  mov dx,0x3f8; then mov al,C;
# out dx,al for each byte; hlt.
msg=$(printf '\033]0;pwned\007 hi' | od -An -v -tx1)
{ printf '\272\370\003'; for b in $msg; do printf "\\260\\$(printf %o 0x$b)\\356"; done
  printf '\364'; } >"$TMP/esc.bin"
# A FIFO as the history file is left alone instead of hanging the prompt.
rm -f "$TMP/.vmdbg_history" && mkfifo "$TMP/.vmdbg_history"
start esc 120 40 "$VMDBG" --timeout 30 --backend emu --load 0x7c00 --mode 16 "$TMP/esc.bin"
wait_for '^\(vmdbg\)'
line c
wait_for 'console \(serial\)'
wait_for '\\x1b\]0;pwned\\x07 hi'
line quit
wait_for 'vmdbg-exited-[0-9]+'
echo "ok: TUI and viewer"
