# gdb through the guest's mode switches, on emu, with Debian's gdb 13 in
# batch mode.  gdb reads the target description at `target remote` and
# again at `unset tdesc filename`; the stub serves the layout of the code
# the CPU runs at that moment (i8086, i386, x86-64).  The README's recipe,
# a hook-stop that re-reads it at every stop, is tested here:
#  - lecture64-qemu, a multiboot ELF32 loader that enters long mode and
#    runs lecture64 (its own ELF64 symbols): registers right before the
#    CR0 write, after it (compatibility mode), after the far jump (64-bit),
#    at a breakpoint in the 64-bit kernel (bt), and back through the switch
#    with reverse-continue; each compared with vmdbg's own `info registers`;
#  - the same without the hook: vmdbg's console line at the switch and
#    `unset tdesc filename` by hand; --gdb-arch x86-64 pins one layout;
#  - diskboot, a boot sector that enters protected mode: 16-bit code, then
#    32-bit code at pm32 and in the kernel it loaded from its disk.
. tests/integration/lib.sh

. tests/integration/gdblib.sh

# section FILE N: the lines after the marker @@N (up to the next marker).
section() {
	awk -v m="@@$2" '/^@@/ { on = ($0 == m); next } on' "$1"
}

# same_at N OWN GDB NAMES...: the registers at marker N agree.
same_at() {
	n=$1 own=$2 gdbout=$3; shift 3
	section "$own" "$n" >"$TMP/own.$n"
	section "$gdbout" "$n" >"$TMP/gdb.$n"
	same_regs "$TMP/own.$n" "$TMP/gdb.$n" "$@"
}

HOOK=frontends/gdbstub/modes.gdb	# the README's recipe
R32="eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs cr0 cr3 cr4 efer"
R64="rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags cs ss ds es fs gs
	cr0 cr3 cr4 efer"

expect_status 2 "$VMDBG" --backend emu --gdb 0 --gdb-arch x86 "$G/boot16.img"
contains "$TMP/err" "vmdbg: --gdb-arch x86: expected auto, i8086, i386 or x86-64"
expect_status 2 "$VMDBG" --backend emu --gdb-arch i386 "$G/boot16.img"
contains "$TMP/err" "vmdbg: --gdb-arch needs --gdb [HOST:]PORT"

# ---- 32-bit protected mode -> long mode ----------------------------------------
IMG=$G/lecture64-qemu.img K64=$G/lecture64.img
# the CR0 write that turns paging on (long mode, compatibility mode) is the
# 3-byte mov before the 7-byte far jump to long64
CR0W=$(nm "$IMG" | awk '$3 == "long64" { printf "0x%x", strtonum("0x" $1) - 10 }')
SYSH=$(nm "$K64" | awk '$3 == "syscall_handler" { printf "0x%x", strtonum("0x" $1) }')
[ -n "$CR0W" ] && [ -n "$SYSH" ] || fail "symbols of $IMG, $K64"
"$VMDBG" --backend emu -q --batch -ex "break *$CR0W" -ex continue -ex 'echo @@1\n' \
	-ex 'info registers' -ex stepi -ex 'echo @@2\n' -ex 'info registers' -ex stepi \
	-ex 'echo @@3\n' -ex 'info registers' -ex delete -ex "break *$SYSH" -ex continue \
	-ex 'echo @@4\n' -ex 'info registers' "$IMG" >"$TMP/own" 2>&1
start_stub emu "$IMG"
run_gdb "$TMP/gdb" -x "$HOOK" -ex "file $IMG" -ex "add-symbol-file $K64" \
	-ex "target remote 127.0.0.1:$PORT" -ex 'x/i $pc' -ex "break *$CR0W" -ex continue \
	-ex 'echo @@1\n' -ex 'info registers' -ex stepi -ex 'echo @@2\n' -ex 'info registers' \
	-ex 'x/i $pc' -ex stepi -ex 'echo @@3\n' -ex 'info registers' -ex 'x/i $pc' \
	-ex 'break syscall_handler' -ex continue -ex 'echo @@4\n' -ex 'info registers' \
	-ex 'echo @@5\n' -ex bt -ex 'x/2i $pc' -ex 'p *f' -ex 'reverse-continue' \
	-ex 'echo @@6\n' -ex 'info registers eip' -ex 'x/i $pc' -ex 'monitor arch' -ex kill
wait $SP
contains "$TMP/gdb" "=> 0x100000c <_start>:	cli"
same_at 1 "$TMP/own" "$TMP/gdb" $R32
same_at 2 "$TMP/own" "$TMP/gdb" $R32	# compatibility mode: still 32-bit code
contains "$TMP/gdb" "=> 0x1000049 <_start+61>:	ljmp   \$0x8,\$0x1000050"
contains "$TMP/gdb" "vmdbg: the guest entered 64-bit long mode; gdb still has the i386 registers: \`unset tdesc filename\` reads the x86-64 ones (README: Using gdb)"
same_at 3 "$TMP/own" "$TMP/gdb" $R64
contains "$TMP/gdb" "=> 0x1000050 <long64>:	mov    \$0x10,%eax"
contains "$TMP/gdb" "Breakpoint 2, syscall_handler (f=0x106f50) at tests/guests/lecture64/kernel.c:280"
same_at 4 "$TMP/own" "$TMP/gdb" $R64
section "$TMP/gdb" 5 >"$TMP/bt"
contains "$TMP/bt" "#1  0x00000000001011a2 in syscall_entry () at tests/guests/lecture64/entry.S:192"
contains "$TMP/bt" "   0x10124e <syscall_handler+1>:	mov    %rsp,%rbp"
contains "$TMP/bt" "rax = 1, vector = 256"	# the syscall pseudo-vector
# back through the switch to the CR0 write: 32-bit code, the i386 layout again
contains "$TMP/gdb" "vmdbg: the guest entered 32-bit protected mode; gdb still has the x86-64 registers"
section "$TMP/gdb" 6 >"$TMP/back"
grep -q "^eip  *$CR0W " "$TMP/back" || { cat "$TMP/gdb"; fail "reverse-continue to the CR0 write"; }
contains "$TMP/back" "mov    %eax,%cr0"
contains "$TMP/back" "gdb has the i386 registers (--gdb-arch auto); the guest is in 32-bit protected mode: the i386 layout"

# without the hook: gdb keeps the i386 layout (the upper halves cut off)
# until `unset tdesc filename`, and vmdbg says so once at the switch
start_stub emu "$IMG"
run_gdb "$TMP/gdbn" -ex "file $IMG" -ex "add-symbol-file $K64" \
	-ex "target remote 127.0.0.1:$PORT" -ex 'break syscall_handler' -ex continue \
	-ex 'monitor arch' -ex 'info registers eip' -ex stepi -ex 'unset tdesc filename' -ex bt \
	-ex 'info registers rip' -ex 'monitor arch' -ex kill
wait $SP
[ "$(grep -c 'vmdbg: the guest entered 64-bit long mode' "$TMP/gdbn")" -eq 1 ] ||
	{ cat "$TMP/gdbn"; fail "the switch is told once"; }
contains "$TMP/gdbn" "gdb has the i386 registers (--gdb-arch auto); the guest is in 64-bit long mode: the x86-64 layout"
grep -q '^eip  *0x10124d ' "$TMP/gdbn" || fail "the i386 layout in long mode"
contains "$TMP/gdbn" "#1  0x00000000001011a2 in syscall_entry () at tests/guests/lecture64/entry.S:192"
grep -q '^rip  *0x10124e ' "$TMP/gdbn" || fail "the x86-64 layout after unset tdesc filename"
contains "$TMP/gdbn" "gdb has the x86-64 registers (--gdb-arch auto)"

# --gdb-arch x86-64: one layout from the first instruction (gdb takes it
# with the ELF32 loaded: the description names i386 compatible); no note
start_stub emu --gdb-arch x86-64 "$IMG"
run_gdb "$TMP/gdbp" -ex "file $IMG" -ex "target remote 127.0.0.1:$PORT" \
	-ex 'info registers rip' -ex "break *$SYSH" -ex continue -ex 'info registers rip' \
	-ex 'monitor arch' -ex kill
wait $SP
grep -q '^rip  *0x100000c ' "$TMP/gdbp" || { cat "$TMP/gdbp"; fail "--gdb-arch x86-64 at entry"; }
grep -q "^rip  *$SYSH " "$TMP/gdbp" || fail "--gdb-arch x86-64 in long mode"
contains "$TMP/gdbp" "gdb has the x86-64 registers (--gdb-arch x86-64); the guest is in 64-bit long mode"
! grep -q "vmdbg: the guest entered" "$TMP/gdbp" || fail "a note with a pinned layout"

# ---- real mode -> protected mode: diskboot's boot sector ----------------------------
IMG=$G/diskboot.img B=$G/diskboot/boot.elf K=$G/diskboot/kernel.elf
PM32=$(nm "$B" | awk '$3 == "pm32" { print "0x" $1 }')
KMAIN=$(nm "$K" | awk '$3 == "kernel_main" { print "0x" $1 }')
"$VMDBG" --backend emu -q --batch --disk "$G/diskboot-fs.img" -ex "break *$PM32" -ex continue \
	-ex 'echo @@1\n' -ex 'info registers' -ex "break *$KMAIN" -ex continue -ex 'echo @@2\n' \
	-ex 'info registers' "$IMG" >"$TMP/ownd" 2>&1
start_stub emu --disk "$G/diskboot-fs.img" "$IMG"
run_gdb "$TMP/gdbd" -x "$HOOK" -ex "symbol-file $B" -ex "add-symbol-file $K" \
	-ex "target remote 127.0.0.1:$PORT" -ex 'x/2i $pc' -ex 'break pm32' -ex continue \
	-ex 'echo @@1\n' -ex 'info registers' -ex 'x/2i $pc' -ex 'break kernel_main' -ex continue \
	-ex 'echo @@2\n' -ex 'info registers' -ex bt -ex kill
wait $SP
contains "$TMP/gdbd" "=> 0x7c00 <_start>:	cli"
contains "$TMP/gdbd" "vmdbg: the guest entered 32-bit protected mode; gdb still has the i8086 registers"
contains "$TMP/gdbd" "Breakpoint 1, pm32 () at tests/guests/diskboot/boot.S:98"
same_at 1 "$TMP/ownd" "$TMP/gdbd" $R32
# 32-bit decoding (as 16-bit code, 66 b8 10 00 8e d8 would be one mov to %eax)
contains "$TMP/gdbd" "=> 0x7c75 <pm32>:	mov    \$0x10,%ax"
contains "$TMP/gdbd" "   0x7c79 <pm32+4>:	mov    %eax,%ds"
contains "$TMP/gdbd" "Breakpoint 2, kernel_main () at tests/guests/diskboot/kernel.c:187"
same_at 2 "$TMP/ownd" "$TMP/gdbd" $R32
exit 0
