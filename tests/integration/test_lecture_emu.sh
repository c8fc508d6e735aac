# The lecture guests on emu, compared event by event with QEMU: every port
# access (port, direction, value), exception (vector, error code, CR2),
# system call, MSR access, cpuid and return to the app, with its CPL and the
# guest symbol it came from, must equal tests/guests/expected/*.events, which
# were made from instruction-by-instruction QEMU runs.  Then the classic
# view: syscalls, #PF and #GP reflected with origin app, outs emulated.
. tests/integration/lib.sh
. tests/integration/events.sh

for g in boot16 lecture32 lecture32-sysenter lecture64; do
	"$VMDBG" record --timeout 30 --backend emu "$BUILD/guests/$g.img" -o "$TMP/$g.vtr" >"$TMP/$g.serial" 2>"$TMP/err"
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/err"; fail "$g: exit status $st, wanted 1"; }
	same tests/guests/expected/$g.serial "$TMP/$g.serial"
	elf="$BUILD/guests/$g.img"
	[ $g = boot16 ] && elf="$BUILD/guests/boot16.elf"
	events "$elf" "$TMP/$g.vtr" >"$TMP/$g.events"
	same tests/guests/expected/$g.events "$TMP/$g.events"
done

# The lecture's classic examples, as trap lines.
"$VMDBG" trace show "$TMP/lecture32.vtr" --class soft-interrupt,exception >"$TMP/l32.txt"
grep -q 'app  soft-interrupt int 0x80 eax=0x4 .*reflected->0x[0-9a-f]* *vmm-reflects' "$TMP/l32.txt" || { cat "$TMP/l32.txt"; fail "int 0x80 not reflected from the app"; }
grep -q 'app  exception      #PF err=0x6 cr2=0x800000 *reflected->' "$TMP/l32.txt" || fail "#PF"
grep -q 'app  exception      #GP err=0x0 *reflected->' "$TMP/l32.txt" || fail "#GP"
"$VMDBG" trace show "$TMP/lecture64.vtr" --class syscall | grep -q 'app  syscall        syscall nr=1 .*reflected->0x101161 *vmm-reflects' || fail "lecture64 syscall"
# 64-bit returns are named as written: iretq and sysretq (issue 12)
"$VMDBG" trace show "$TMP/lecture64.vtr" --class return >"$TMP/ret64.txt"
grep -q 'os   return         iretq -> 0x4000bf ' "$TMP/ret64.txt" || { cat "$TMP/ret64.txt"; fail "lecture64 iretq"; }
grep -q 'os   return         sysretq -> 0x40000e ' "$TMP/ret64.txt" || fail "lecture64 sysretq"
"$VMDBG" trace show "$TMP/lecture32.vtr" --class return | grep -q 'os   return         iret -> 0x4000d5 ' || fail "lecture32 iret"
"$VMDBG" trace show "$TMP/lecture32-sysenter.vtr" --class syscall | grep -q 'app  syscall        sysenter nr=4 .*reflected->' || fail "sysenter"
"$VMDBG" trace show "$TMP/lecture32.vtr" --class io | grep -c 'out 0x03f8 .*emulated:uart *vmm-emulates' | grep -qx 523 || fail "emulated outs"

# Step mode flags the holes the app runs at CPL 3: pushf, popf, sgdt, smsw.
"$VMDBG" record --timeout 30 --step --backend emu "$BUILD/guests/lecture32.img" -o "$TMP/s.vtr" -q 2>/dev/null
"$VMDBG" trace show "$TMP/s.vtr" --class priv --origin app >"$TMP/holes.txt"
for h in pushf popf sgdt smsw; do
	grep -q "app  priv-insn      $h .* hole " "$TMP/holes.txt" || { cat "$TMP/holes.txt"; fail "hole $h not flagged"; }
done
echo ok
