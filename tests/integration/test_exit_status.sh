# Every exit status README.md documents for `vmdbg run`, each from tiny flat
# guests written here, with the exact message line: 2 bad input, 4 the guest
# died (triple fault, reset, halted forever), 6 cannot run, 8 internal error
# (a trace write that fails), 124 --timeout and --max-steps, 130 Ctrl-C, and
# the guest's debug-exit value * 2 + 1.
. tests/integration/lib.sh
NO_REPLAY="big.vtr"	# cut short by a file size limit on purpose

flat() { # NAME BYTES: a flat 32-bit guest (octal escapes for printf)
	printf "$2" >"$TMP/$1.bin"
}
run32() { # STATUS NAME [OPTIONS]: run guest NAME at 1 MiB in 32-bit mode
	want=$1 name=$2; shift 2
	expect_status "$want" "$VMDBG" run --backend emu --load 0x100000 --mode 32 --timeout 10 \
		"$@" "$TMP/$name.bin"
}

# 2: bad input.
expect_status 2 "$VMDBG" run --backend emu --timeout 10 --bogus "$TMP/x.bin"
has_line "$TMP/err" "run: unrecognized option '--bogus'"
has_line "$TMP/err" "vmdbg: try 'vmdbg --help'"
flat junk 'not an image'
expect_status 2 "$VMDBG" run --backend emu --timeout 10 "$TMP/junk.bin"
has_line "$TMP/err" "vmdbg: $TMP/junk.bin: not a recognised image: no ELF magic, no multiboot header, no 0x55AA boot signature at offset 510; use --load ADDR --entry ADDR --mode 16|32|64 for a flat binary"

# 4: the guest died.
flat ud2 '\017\013'				# ud2, no IDT: #UD, #GP, #DF, shutdown
run32 4 ud2
has_line "$TMP/err" "vmdbg: shutdown: triple fault: #UD at 0x100000, then #GP while delivering #DF"
flat reset '\260\376\346\144\353\376'		# mov al, 0xfe; out 0x64, al; jmp .
run32 4 reset
has_line "$TMP/err" "vmdbg: reset: guest reset through the i8042 (command 0xFE)"
flat halt '\372\364'				# cli; hlt
run32 4 halt
has_line "$TMP/err" "vmdbg: halted: guest halted forever: hlt at 0018:100001 with interrupts disabled"

# 6: the backend cannot run the guest (emu does no x87 BCD: fbld).
flat x87 '\333\343\337\040\353\376'		# fninit; fbld [eax]; jmp .
run32 6 x87
has_line "$TMP/err" "vmdbg: unsupported: unsupported instruction 'fbld' (bytes df 20) at 0018:100002"

# 8: internal error, reached from outside by a trace the host cannot
# write (a file size limit): 100000 port writes of changing values (the
# same value each time would be one REPEAT record), then debug-exit 0.
flat many '\271\240\206\001\000\346\200\100\342\373\260\000\346\364'
( trap '' XFSZ; ulimit -f 8; run32 8 many -o "$TMP/big.vtr" ) || exit 1
has_line "$TMP/err" "vmdbg: trace $TMP/big.vtr: write: File too large"

# 124: --max-steps and --timeout.
flat spin '\353\376'				# jmp .
run32 124 spin --max-steps 100
has_line "$TMP/err" "vmdbg: limit: step limit reached: 100 instructions"
expect_status 124 "$VMDBG" run --backend emu --load 0x100000 --mode 32 --timeout 0.2 "$TMP/spin.bin"
has_line "$TMP/err" "vmdbg: timeout: the guest ran past --timeout 0.2 s"

# 130: SIGINT while the guest runs.  The guest's first trap (printed by -t)
# says vmdbg is inside the run, with its handler installed.
flat io_spin '\346\200\353\376'			# out 0x80, al; jmp .
"$VMDBG" run --backend emu --load 0x100000 --mode 32 --timeout 20 -t "$TMP/io_spin.bin" \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
i=0
while ! grep -q 'io ' "$TMP/err" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
wait $pid; st=$?
[ $st -eq 130 ] || { cat "$TMP/err"; fail "Ctrl-C: status $st, wanted 130"; }
has_line "$TMP/err" "vmdbg: user: stopped by the user; last trap record #0 0i os io out 0x0080 <- 0x0/1 emulated:post vmm-emulates rip=0x100000"

# The guest's debug-exit status: value * 2 + 1, and no message.
flat exit5 '\260\005\346\364'			# mov al, 5; out 0xf4, al
run32 11 exit5
[ -s "$TMP/err" ] && { cat "$TMP/err"; fail "debug exit printed a message"; }
flat exit0 '\260\000\346\364'
run32 1 exit0
# --success-exit N: debug-exit value N is status 0, any other keeps its own
run32 0 exit5 --success-exit 5
run32 11 exit5 --success-exit 4
expect_status 0 "$VMDBG" run --backend emu --success-exit 0 "$BUILD/guests/lecture32.img" -q
expect_status 2 "$VMDBG" run --backend emu --success-exit -1 "$BUILD/guests/lecture32.img" -q
contains "$TMP/err" "--success-exit -1: expected a debug-exit value 0-0x7fffffff"
echo ok
