# The gdb stub against Debian's gdb in batch mode, on emu: lecture32
# (protected mode, -O0 for `p *f`), lecture64 (long mode) and boot16
# (real mode).  Registers, memory and trap records gdb shows are compared
# with vmdbg's own `info registers`, `x` and `info traps` at the same stop.
# Then the protocol's rough edges: stdio (gdbserver), a disconnect that
# leaves the guest stopped and the port listening, Ctrl-C, bad checksums
# and malformed packets.  Every guest run and gdb has a timeout.
. tests/integration/lib.sh

. tests/integration/gdblib.sh

# bad addresses are refused before the guest loads
expect_status 2 "$VMDBG" --backend emu --gdb 99999 "$G/boot16.img"
contains "$TMP/err" "vmdbg: --gdb 99999: expected [HOST:]PORT"
expect_status 2 "$VMDBG" --backend emu --gdb-no-wait "$G/boot16.img"
contains "$TMP/err" "vmdbg: --gdb-no-wait needs --gdb [HOST:]PORT"

# ---- lecture32 -O0, protected mode ------------------------------------------
IMG=$G/lecture32-O0.img
"$VMDBG" --backend emu -q --batch -ex 'break syscall_handler' -ex continue -ex 'info registers' \
	-ex 'x/4x $esp' -ex 'info traps 3' -ex stepi -ex 'info registers eip' "$IMG" >"$TMP/own32" 2>&1
start_stub emu "$IMG"
run_gdb "$TMP/gdb32" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" \
	-ex 'break syscall_handler' -ex continue -ex bt -ex 'p *f' -ex 'info registers' \
	-ex 'x/4x $esp' -ex 'monitor info traps 3' -ex stepi -ex 'info registers eip' \
	-ex 'delete' -ex 'finish' -ex 'monitor why' -ex kill
wait $SP; st=$?
[ $st -eq 0 ] || { cat "$TMP/gdb32" "$TMP/stub.err"; fail "stub status $st after kill"; }
contains "$TMP/gdb32" "Breakpoint 1, syscall_handler (f=0x106fbc) at tests/guests/lecture32/kernel.c:275"
contains "$TMP/gdb32" "#1  0x001015f8 in trap_dispatch (f=0x106fbc) at tests/guests/lecture32/kernel.c:244"
contains "$TMP/gdb32" '$1 = {es = 35, ds = 35, edi = 0, esi = 0, ebp = 4202248, esp_unused = 1077220, ebx = 1, edx = 18, ecx = 4195261, eax = 4, vector = 128'
same_regs "$TMP/own32" "$TMP/gdb32" eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs \
	cr0 cr2 cr3 cr4 efer tr ldtr
# the descriptor tables: vmdbg says gdtr/idtr, gdb gdtr_base/idtr_base
[ "$(regs "$TMP/own32" gdtr idtr | awk '{print $2}')" = \
  "$(regs "$TMP/gdb32" gdtr_base idtr_base | awk '{print $2}')" ] || fail "gdtr/idtr differ"
grep '^0x106f78' "$TMP/own32" | awk '{$2=""; print}' >"$TMP/want"
grep '^0x106f78' "$TMP/gdb32" | awk '{$1=$1; print}' | sed 's/^0x106f78:/0x106f78/' |
	awk '{print $1, "", $2, $3, $4, $5}' >"$TMP/got"
[ "$(awk '{print $2,$3,$4,$5}' "$TMP/want")" = "$(awk '{print $2,$3,$4,$5}' "$TMP/got")" ] ||
	{ cat "$TMP/want" "$TMP/got"; fail "x/4x \$esp differs"; }
grep -E '^ +15[789] ' "$TMP/own32" >"$TMP/want"
grep -E '^ +15[789] ' "$TMP/gdb32" >"$TMP/got"
[ "$(wc -l <"$TMP/want")" -eq 3 ] || fail "info traps 3"
same "$TMP/want" "$TMP/got"
[ "$(regs "$TMP/own32" eip | tail -n 1)" = "eip 0x1016d9" ] || fail "own eip"
grep -q '^eip  *0x1016dc ' "$TMP/gdb32" || fail "stepi: eip not 0x1016dc"
grep -q '^eip  *0x1016dc ' "$TMP/own32" || fail "own stepi: eip not 0x1016dc"
contains "$TMP/gdb32" "gdb's breakpoint at 0x1015f8 (Z0)"	# finish's, from monitor why
contains "$TMP/gdb32" "trap_dispatch (f=0x106fbc) at tests/guests/lecture32/kernel.c:245"

# watch a kernel variable; a catchpoint set through monitor stops gdb with
# SIGTRAP and the readable reason
start_stub emu "$IMG"
run_gdb "$TMP/gdbw" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" \
	-ex 'watch tss.esp0' -ex continue -ex delete -ex 'monitor catch syscall' -ex continue \
	-ex 'info registers eip' -ex 'monitor why' -ex kill
wait $SP
contains "$TMP/gdbw" "Hardware watchpoint 1: tss.esp0"
contains "$TMP/gdbw" "New value = 1077248"
contains "$TMP/gdbw" "setup_gdt () at tests/guests/lecture32/kernel.c:100"
contains "$TMP/gdbw" "Catchpoint 1 (syscall)"
contains "$TMP/gdbw" "Program received signal SIGTRAP, Trace/breakpoint trap."
contains "$TMP/gdbw" "vmdbg: Catchpoint 1 (syscall):"
grep -q "app_int80 -> isr_syscall" "$TMP/gdbw" || fail "catchpoint record"
grep -q '^eip  *0x1010f0 .*<isr_syscall>' "$TMP/gdbw" || fail "catchpoint: not at the handler"

# ---- lecture64, long mode ---------------------------------------------------
IMG=$G/lecture64.img
# gdb puts `break syscall_handler` on the entry of this -O1 function,
# vmdbg after the prologue: the same stop is `break *syscall_handler`
"$VMDBG" --backend emu -q --batch -ex 'break *syscall_handler' -ex continue -ex 'info registers' \
	-ex 'x/2xg $rsp' "$IMG" >"$TMP/own64" 2>&1
start_stub emu "$IMG"
run_gdb "$TMP/gdb64" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" \
	-ex 'watch tss.rsp0' -ex continue -ex delete \
	-ex 'break syscall_handler' -ex continue -ex bt -ex 'info registers' -ex 'x/2xg $rsp' \
	-ex stepi -ex 'info registers rip' -ex kill
wait $SP
contains "$TMP/gdb64" "New value = 1077248"
contains "$TMP/gdb64" "Breakpoint 2, syscall_handler (f=0x106f50) at tests/guests/lecture64/kernel.c:280"
contains "$TMP/gdb64" "#1  0x00000000001011a2 in syscall_entry () at tests/guests/lecture64/entry.S:192"
same_regs "$TMP/own64" "$TMP/gdb64" rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 \
	r15 rip eflags cs ss ds es fs gs cr0 cr3 cr4 efer
[ "$(grep '^0x106f48' "$TMP/own64" | awk '{print $(NF-1), $NF}')" = \
  "$(grep '^0x106f48' "$TMP/gdb64" | awk '{print $(NF-1), $NF}')" ] || fail "x/2xg \$rsp differs"
grep -q '^rip  *0x10124e ' "$TMP/gdb64" || fail "stepi in long mode"

# ---- boot16, real mode: the i8086 description --------------------------------
check_boot16 emu

# ---- gdbserver on stdio -------------------------------------------------------
run_gdb "$TMP/gdbio" -ex "file $G/lecture32.img" \
	-ex "target remote | timeout 20 $VMDBG gdbserver --backend emu $G/lecture32.img" \
	-ex 'break syscall_handler' -ex continue -ex 'monitor shell echo hi' -ex 'monitor continue' \
	-ex 'monitor phys on' -ex 'x/2x 0x101000' -ex kill
contains "$TMP/gdbio" "Breakpoint 1, syscall_handler"
contains "$TMP/gdbio" "monitor shell: not through the gdb port"
contains "$TMP/gdbio" "monitor continue: use gdb's own command"
contains "$TMP/gdbio" "0x101000 <_start>:	0x00bcfcfa	0x89001070"
contains "$TMP/gdbio" "[kernel] lecture32 (int 0x80)"	# the guest's serial output, on stderr

# ---- disconnect, reconnect, Ctrl-C, malformed packets ---------------------------
printf '\353\376' >"$TMP/spin.bin"	# jmp . : runs until stopped
start_stub emu --load 0x10000 --mode 32 "$TMP/spin.bin"
run_gdb "$TMP/gdbd1" -ex "target remote 127.0.0.1:$PORT" -ex 'stepi' -ex 'info registers eip' -ex disconnect
grep -q '^eip  *0x10000 ' "$TMP/gdbd1" || fail "stepi on jmp ."
# raw packets through bash's /dev/tcp: bad checksum -> '-', unknown -> empty,
# malformed -> E, huge length -> a short reply, then c and Ctrl-C -> T02
timeout 10 bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
	printf "\$g#00" >&3; sleep 0.2
	printf "\$qBogus#71" >&3; sleep 0.2
	printf "\$m1x#16" >&3; sleep 0.2
	printf "\$Z0,ffffffffffffffffff,1#3f" >&3; sleep 0.2
	printf "\$mffffffffffffffff,10#5a" >&3; sleep 0.2
	printf "\$m10000,ffffffff#ba" >&3; sleep 0.2
	printf "\$c#63" >&3; sleep 0.3; printf "\003" >&3; sleep 0.3
	printf "\$c#63\003" >&3; sleep 0.3	# Ctrl-C in the same read as c
	printf "\$?#3f" >&3; sleep 0.2
	printf "\$D#44" >&3; sleep 0.2
	timeout 1 cat <&3' >"$TMP/raw" 2>&1
tr -d '+' <"$TMP/raw" | sed 's/\$\([^#]*\)#../[\1]/g' >"$TMP/raw.txt"
case "$(cat "$TMP/raw.txt")" in
"-[][E16][E16][E0e][ebfe0*~0*~"*"][T02thread:01;][T02thread:01;][T02thread:01;][OK]") ;;
*)
	cat -v "$TMP/raw"; fail "raw protocol replies: $(cat -v "$TMP/raw.txt")" ;;
esac
# one client at a time: a second connection is closed at once
timeout 10 bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
	printf "\$?#3f" >&3; sleep 0.2
	exec 4<>/dev/tcp/127.0.0.1/'"$PORT"'
	printf "\$?#3f" >&4; sleep 0.2
	printf "[%s]" "$(timeout 1 cat <&4 2>/dev/null)"	# closed (EOF or reset)
	printf "\$D#44" >&3; sleep 0.2
	timeout 1 cat <&3' >"$TMP/two" 2>&1
[ "$(cat "$TMP/two")" = '[]+$T02thread:01;#04+$OK#9a' ] || fail "second client: $(cat -v "$TMP/two")"
contains "$TMP/stub.err" "vmdbg: refused another gdb: one is connected already"
# after D the guest is still stopped where Ctrl-C left it, and the port is open
run_gdb "$TMP/gdbd2" -ex "target remote 127.0.0.1:$PORT" -ex 'info registers eip' -ex kill
wait $SP
grep -q '^eip  *0x10000 ' "$TMP/gdbd2" || { cat "$TMP/gdbd2"; fail "reconnect: guest not where it stopped"; }
contains "$TMP/stub.err" "gdb left; the guest stays stopped"

# a flat binary entered in long mode (not an ELF64) gets the x86-64 layout
start_stub emu --load 0x10000 --mode 64 "$TMP/spin.bin"
run_gdb "$TMP/gdbflat64" -ex "target remote 127.0.0.1:$PORT" -ex 'info registers rip efer' -ex kill
wait $SP
grep -q '^rip  *0x10000 ' "$TMP/gdbflat64" || { cat "$TMP/gdbflat64"; fail "flat 64: rip"; }
grep -q '^efer  *0xd00 ' "$TMP/gdbflat64" || fail "flat 64: efer"

# --gdb-no-wait: the guest runs until gdb connects, then stops for it
start_stub emu --gdb-no-wait --load 0x10000 --mode 32 "$TMP/spin.bin"
sleep 0.3
run_gdb "$TMP/gdbnw" -ex "target remote 127.0.0.1:$PORT" -ex 'info registers eip' \
	-ex 'monitor info pagetable $eip' -ex 'monitor why' -ex kill
wait $SP
grep -q '^eip  *0x10000 ' "$TMP/gdbnw" || { cat "$TMP/gdbnw"; fail "no-wait: eip"; }
contains "$TMP/gdbnw" "Program received signal SIGINT"	# monitor why: stopped for gdb
contains "$TMP/gdbnw" "Linear address 0x10000: paging is off, physical address 0x10000"
echo ok
