# The gdb stub on the kvm backend, the subset this host's probe allows:
# boot16 in real mode (a debug-register breakpoint, stepi into an int
# handler, registers against vmdbg's own on kvm) and lecture64's kernel in
# long mode before it enters ring 3 (breakpoint, bt, stepi, finish), and
# lecture64-qemu through its switch from 32-bit code to long mode; a
# watchpoint where the probe says data watchpoints do not fire is refused
# and `monitor why` says why.  Needs /dev/kvm (a skip is a failure under
# CI=true).
. tests/integration/lib.sh
need_kvm
"$VMDBG" --probe >"$TMP/probe" 2>&1
grep -q "^debug-register breakpoints  *ok" "$TMP/probe" ||
	skip "this host's KVM has no debug-register breakpoints (probe)"
grep -q "^single-step  *ok" "$TMP/probe" || skip "this host's KVM cannot single-step (probe)"

. tests/integration/gdblib.sh

# ---- boot16: real mode ----------------------------------------------------------
check_boot16 kvm

# ---- lecture64: the kernel in long mode, before ring 3 ----------------------------
IMG=$G/lecture64.img
start_stub kvm "$IMG"
run_gdb "$TMP/gdb64" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" \
	-ex 'watch tss.rsp0' -ex continue -ex 'monitor why' -ex delete \
	-ex 'break setup_idt' -ex continue -ex bt -ex stepi -ex 'info registers rip' -ex finish -ex kill
wait $SP
contains "$TMP/gdb64" "Breakpoint 2, setup_idt () at tests/guests/lecture64/kernel.c:120"
contains "$TMP/gdb64" "#2  0x0000000000101028 in _start () at tests/guests/lecture64/entry.S:25"
grep -q '^rip  *0x1015ac ' "$TMP/gdb64" || fail "stepi in long mode on kvm"
contains "$TMP/gdb64" "kernel_main () at tests/guests/lecture64/kernel.c:342"
if grep -q "^data watchpoints  *GAP" "$TMP/probe"; then
	contains "$TMP/gdb64" "Could not insert hardware watchpoint 1."
	contains "$TMP/gdb64" "gdb's Z2 at 0x"
	contains "$TMP/gdb64" "kvm: data watchpoints do not fire on this host's KVM"
else
	contains "$TMP/gdb64" "New value = 1077248"
fi
# lecture64-qemu: 32-bit code, stepi through the CR0 write and the far jump
# into long mode (modes.gdb re-reads the layout), registers against vmdbg's
# own on kvm, a breakpoint in the 64-bit kernel before ring 3
IMG=$G/lecture64-qemu.img
CR0W=$(nm "$IMG" | awk '$3 == "long64" { printf "0x%x", strtonum("0x" $1) - 10 }')
"$VMDBG" --backend kvm -q --batch -ex "break *$CR0W" -ex continue -ex stepi -ex stepi \
	-ex 'info registers' "$IMG" >"$TMP/ownm" 2>&1
start_stub kvm "$IMG"
run_gdb "$TMP/gdbm" -x frontends/gdbstub/modes.gdb -ex "file $IMG" \
	-ex "add-symbol-file $G/lecture64.img" -ex "target remote 127.0.0.1:$PORT" \
	-ex "break *$CR0W" -ex continue -ex 'info registers eip' -ex stepi -ex stepi \
	-ex 'info registers' -ex 'break setup_idt' -ex continue -ex bt -ex kill
wait $SP
grep -q "^eip  *$CR0W " "$TMP/gdbm" || { cat "$TMP/gdbm"; fail "kvm: 32-bit code before the switch"; }
contains "$TMP/gdbm" "vmdbg: the guest entered 64-bit long mode; gdb still has the i386 registers"
same_regs "$TMP/ownm" "$TMP/gdbm" rax rbx rcx rdx rsi rdi rbp rsp r8 r15 rip eflags cs ss cr0 cr3 \
	cr4 efer
contains "$TMP/gdbm" "#2  0x0000000000101028 in _start () at tests/guests/lecture64/entry.S:25"

# Ctrl-C stops a guest spinning in `jmp .` under KVM
printf '\353\376' >"$TMP/spin.bin"
start_stub kvm --load 0x10000 --mode 32 "$TMP/spin.bin"
timeout 10 bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
	printf "\$c#63" >&3; sleep 0.3; printf "\003" >&3; sleep 0.3
	printf "\$k#6b" >&3
	timeout 1 cat <&3' >"$TMP/raw" 2>&1
wait $SP
[ "$(cat "$TMP/raw")" = '+$T02thread:01;#04+' ] || fail "Ctrl-C on kvm: $(cat -v "$TMP/raw")"
echo ok
