# Hostile guests (tests/guests/hostile/, issue 9) on emu: each tries one
# thing a buggy or malicious guest does; each has its exact outcome (exit
# status, message, trap records).  Nothing may crash vmdbg, run past its
# --timeout, or leave a trace `trace stats` cannot read.  The kvm side is
# test_hostile_kvm.sh.
. tests/integration/lib.sh
. tests/integration/hostile.sh

# rep insb with ECX = 0x10000000, forever: --timeout and --max-steps stop it
# (a rep runs 4096 elements per step: 3 movs + 7 steps of the rep = 10; each
# step of it is one io record that says its count, x4096)
hostile emu rep_insb 1
want_status 124
grep -Eq "^vmdbg: timeout: the guest ran past --timeout 1 s; last trap record #[0-9]+ [0-9]+i os io ins 0x0080 -> 0x0/1 x4096 emulated:post vmm-emulates rip=0x10000e$" \
	"$TMP/rep_insb.err" || fail "rep_insb timeout message: $(cat "$TMP/rep_insb.err")"
hostile emu rep_insb 5 --max-steps 10
want_status 124
want_err "vmdbg: limit: step limit reached: 10 instructions; last trap record #6 9i os io ins 0x0080 -> 0x0/1 x4096 emulated:post vmm-emulates rip=0x10000e"
want_class io 7

# Ctrl-C in the middle of that rep (no limits: the run loop without
# per-instruction checks; coreutils' timeout is this run's limit)
timeout 20 "$VMDBG" run "$H/rep_insb.bin" --backend emu --load 0x100000 --mode 32 -q \
	>/dev/null 2>"$TMP/int.err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || { cat "$TMP/int.err"; fail "rep_insb: Ctrl-C gave status $st, wanted 130"; }
grep -Eq "^vmdbg: user: stopped by the user; last trap record #[0-9]+ [0-9]+i os io ins 0x0080 -> 0x0/1 x4096 emulated:post vmm-emulates rip=0x10000e$" \
	"$TMP/int.err" || fail "rep_insb Ctrl-C message: $(cat "$TMP/int.err")"

# rep outs and rep ins of 0x4000 elements on every device's port: one
# record per 4096-element step of each rep, with its count (11 byte ports,
# then the hypercall port with outsl (hypercall records) and insl), and the exit
hostile emu rep_devices 5 -q
want_status 1
want_err ""
want_class io $((11 * 2 * 4 + 4 + 1))
want_class hypercall 4
contains "$TMP/rep_devices.stats" "159 instructions"

# rep movsb and rep stosb running 0xf00 bytes past RAM's end: unclaimed MMIO
hostile emu rep_ram_end 5
want_status 5
want_class mmio $((2 * 0xf00))

# a jump outside RAM: the guest is dead (status 4), one clear line
hostile emu jump_outside 5
want_status 4
want_err "vmdbg: shutdown: executing outside RAM at 0018:10000000 (physical 0x10000000; RAM ends at 0x4000000)"
want_traps 0
# an instruction that starts in RAM's last byte and runs past it
hostile emu fetch_ram_end 5
want_status 4
want_err "vmdbg: shutdown: executing outside RAM at 0018:3ffffff (physical 0x4000000; RAM ends at 0x4000000)"

# an IDT with limit 0: ud2 cannot be delivered, nor #GP, nor #DF
hostile emu idt_limit0 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #UD at 0x10001a, then #GP while delivering #DF"
want_class shutdown 1

# a #DF handler that faults again (ud2; #UD and #GP gates zero): each ud2
# escalates to #DF, which the guest takes, until --max-steps; the #UD and
# the #GP raised delivering it are records too (escalated)
hostile emu df_fault 5 --max-steps 20
want_status 124
want_class exception 33
"$VMDBG" trace show "$TMP/df_fault.vtr" --class exception | awk '$4 == "exception" { print $5, $7, $NF }' |
	sort | uniq -c | tr -s ' ' >"$TMP/df.txt"
printf ' 1 #DF reflected->0x100042 rip=0x100040\n 10 #DF reflected->0x100042 rip=0x100042\n 1 #GP escalated rip=0x100040\n 10 #GP escalated rip=0x100042\n 1 #UD vmm-emulates rip=0x100040\n 10 #UD vmm-emulates rip=0x100042\n' >"$TMP/df.want"
same "$TMP/df.want" "$TMP/df.txt"

# page tables outside RAM read as not present: #PF, then #DF, triple fault
hostile emu pt_outside 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #PF (cr2=0x100083) at 0x100083, then #PF while delivering #DF"

# #PF and #DF gates not present: each step of the escalation is a record
# (the #PF with its CR2, never delivered; #DF; the shutdown), the message
# names the chain, and `catch trap 14` stops at the #PF, before the #DF
hostile emu pf_nohandler 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #PF (cr2=0x7ffffc00) at 0x100040, then #GP while delivering #DF"
"$VMDBG" trace show "$TMP/pf_nohandler.vtr" 2>/dev/null | grep '^ *[0-9]' >"$TMP/pf.txt"
cat >"$TMP/pf.want" <<'EOF'
     0         12i os   exception      #PF err=0x2 cr2=0x7ffffc00           escalated                vmm-emulates rip=0x100040
     1         12i os   exception      #DF err=0x0                          escalated                vmm-emulates rip=0x100040
     2         12i os   shutdown       triple fault                         emulated:cpu             none         rip=0x100040
EOF
same "$TMP/pf.want" "$TMP/pf.txt"
printf 'catch trap 14\nrun\np $_trap.cr2 == $cr2\nx/i $pc\ncontinue\n' >"$TMP/pf.gdb"
"$VMDBG" --backend emu --batch --timeout 10 --load 0x100000 --mode 32 -x "$TMP/pf.gdb" \
	"$H/pf_nohandler.bin" >"$TMP/pf.out" 2>&1
cat >"$TMP/pf.want" <<EOF
Catchpoint 1 (trap 14)
Starting guest $H/pf_nohandler.bin on emu.

Catchpoint 1 (trap 14): 0         12i os   exception      #PF err=0x2 cr2=0x7ffffc00           escalated                vmm-emulates rip=0x100040
=> 0x100040:	movl \$0x1, 0x7ffffc00
\$1 = 1
=> 0x100040:	movl \$0x1, 0x7ffffc00
Continuing.
[Guest stopped: shutdown: triple fault: #PF (cr2=0x7ffffc00) at 0x100040, then #GP while delivering #DF]
EOF
same "$TMP/pf.want" "$TMP/pf.out"

# zeroing vmdbg's boot GDT and page tables, then a TLB flush: triple fault
hostile emu structs64 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #PF (cr2=0x3000) at 0x10000c, then #GP while delivering #DF"

# mov cr3 of an address outside RAM: the next fetch finds no tables
hostile emu cr3_garbage64 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #PF (cr2=0x10000d) at 0x10000d, then #GP while delivering #DF"

# code that writes over itself after running once runs the new bytes
hostile emu smc 5
want_status 11

# one million bytes of serial output in one rep outsb: all reach stdout
hostile emu serial_flood 10
want_status 1
[ "$(wc -c <"$TMP/serial_flood.out")" -eq 1000000 ] || fail "serial_flood: $(wc -c <"$TMP/serial_flood.out") bytes on stdout"
[ "$(tr -d A <"$TMP/serial_flood.out" | wc -c)" -eq 0 ] || fail "serial_flood: not all 'A'"
want_class io $(((1000000 + 4095) / 4096 + 1))

# every port 0-0xFFFF but 0xF4 read and written: 2 records each, and the
# exit (the byte out to the hypercall port is a hypercall record)
hostile emu all_ports 10 -q
want_status 1
want_traps $((2 * 0xffff + 1))
want_class hypercall 1

# 4-byte reads and writes every MiB from RAM's end to 4 GiB: unclaimed MMIO
hostile emu mmio_sweep 10
want_status 1
want_class mmio $((2 * (4096 - 64)))

# hlt with IF=0: halted forever
hostile emu boot_hlt 5
want_status 4
want_err "vmdbg: halted: guest halted forever: hlt at 0000:7c01 with interrupts disabled"
want_class hlt 1

# protected mode (CR0.PE) with a 16-bit CS and the real-mode IVT as IDT
hostile emu boot_pm16 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #UD at 0x7c0b, then #GP while delivering #DF"

# emu follows the architecture where kvm here does not (README, Backends):
# a 4-byte load at 0xfffffffe is past the 4 GiB limit (#GP), a push with
# ESP=2 wraps past 0 (#SS), both fatal without an IDT
hostile emu straddle4g 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #GP at 0x100000, then #GP while delivering #DF"
hostile emu push_wrap 5
want_status 4
want_err "vmdbg: shutdown: triple fault: #SS at 0x100005, then #GP while delivering #DF"
# a GDT beyond RAM reads as all ones (unclaimed memory, as a PC's open
# bus): a present, readable, conforming code descriptor, which DS may hold
hostile emu gdt_outside 5
want_status 7
want_class mmio 2
echo ok
