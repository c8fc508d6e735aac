# The APIC guest on emu: it finds the I/O APIC through the MP tables and
# the MADT through the RSDP, masks the PIC, counts 10 local APIC timer
# ticks (vector 0x40, 100 Hz), then 5 PIT ticks routed through the I/O
# APIC (vector 0x30), and powers off through ACPI PM1a_CNT.  Checks: exit
# status 0 and the poweroff stop line; serial output equal to QEMU's
# (tests/guests/expected/apic.serial, and QEMU itself when installed);
# the exact sequence of interrupts, EOIs and the power-off write in the
# trace; byte-identical traces run after run.
. tests/integration/lib.sh

img="$BUILD/guests/apic.img"
[ -f "$img" ] || fail "$img is missing (make guests)"

for i in 1 2; do
	"$VMDBG" record --backend emu "$img" -o "$TMP/t$i.vtr" >"$TMP/t$i.serial" 2>"$TMP/err$i"
	st=$?
	[ $st -eq 0 ] || { cat "$TMP/err$i"; fail "run $i: exit status $st, wanted 0 (poweroff)"; }
	same tests/guests/expected/apic.serial "$TMP/t$i.serial"
done
cmp "$TMP/t1.vtr" "$TMP/t2.vtr" || fail "the traces of two runs differ"
grep -qx "vmdbg: poweroff: the guest powered off: ACPI S5 (SLP_TYP 0 with SLP_EN, 0x2000 written to PM1a_CNT 0x604)" "$TMP/err1" ||
	{ cat "$TMP/err1"; fail "no poweroff line"; }

if command -v qemu-system-i386 >/dev/null 2>&1; then
	timeout 20 qemu-system-i386 -kernel "$img" -serial file:"$TMP/qemu.serial" \
		-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
	st=$?
	[ $st -eq 0 ] || fail "QEMU: exit status $st, wanted 0 (ACPI power-off)"
	same "$TMP/qemu.serial" "$TMP/t1.serial"
fi

lt=$(nm "$img" | awk '$3 == "lapic_timer_entry" { sub(/^0+/, "", $1); print $1 }')
pt=$(nm "$img" | awk '$3 == "ioapic_pit_entry" { sub(/^0+/, "", $1); print $1 }')
[ -n "$lt" ] && [ -n "$pt" ] || fail "handler symbols missing in $img"

"$VMDBG" trace show "$TMP/t1.vtr" >"$TMP/all.txt" || fail "trace show"
n=$(grep -c "os   interrupt      irq vector 0x40 *reflected->0x$lt *vmm-reflects " "$TMP/all.txt")
[ "$n" -eq 10 ] || { grep interrupt "$TMP/all.txt"; fail "$n local APIC timer interrupts, wanted 10"; }
n=$(grep -c "os   interrupt      irq vector 0x30 *reflected->0x$pt *vmm-reflects " "$TMP/all.txt")
[ "$n" -eq 5 ] || { grep interrupt "$TMP/all.txt"; fail "$n I/O APIC interrupts, wanted 5"; }
n=$(grep -c 'mmio           write 0xfee000b0 <- 0x0/4 *emulated:lapic *vmm-emulates' "$TMP/all.txt")
[ "$n" -eq 15 ] || fail "$n EOIs to the local APIC, wanted 15"
grep -q 'mmio           write 0xfee00380 <- 0x98967/4 *emulated:lapic' "$TMP/all.txt" ||
	fail "the initial count write"
grep -q 'mmio           write 0xfec00010 <- 0x30/4 *emulated:ioapic' "$TMP/all.txt" ||
	fail "the redirection entry write"
grep -q 'msr            rdmsr 0x1b -> 0xfee00900' "$TMP/all.txt" || fail "IA32_APIC_BASE"

# In order: ten rounds of hlt, timer interrupt, EOI; then five with the
# PIT's vector; the last record is the power-off write.
gawk '
	/ hlt            hlt / { printf "h"; next }
	/ interrupt      irq vector 0x40/ { printf "T"; next }
	/ interrupt      irq vector 0x30/ { printf "P"; next }
	/ interrupt      / { printf "?"; next }
	/write 0xfee000b0/ { printf "e" }
	END { print "" }' "$TMP/all.txt" >"$TMP/seq"
echo "hTehTehTehTehTehTehTehTehTehTehPehPehPehPehPe" >"$TMP/seq.want"
same "$TMP/seq.want" "$TMP/seq"
grep -v "^end: " "$TMP/all.txt" | tail -n 1 | grep -q 'io             out 0x0604 <- 0x2000/2 *emulated:acpi *vmm-emulates' ||
	{ tail -n 2 "$TMP/all.txt"; fail "the last record is not the power-off write"; }
"$VMDBG" trace stats "$TMP/t1.vtr" | grep -q "^end: poweroff at" || fail "trace end reason"

# The debugger: `info devices` at the first PIT tick through the I/O APIC,
# and `catch mmio lapic` / `catch io acpi` by device name.
"$VMDBG" --backend emu --batch -q -ex "break ioapic_pit_irq" -ex run -ex "info devices" \
	-ex "delete 1" -ex "catch mmio lapic" -ex continue -ex "delete 2" -ex "catch io acpi" \
	-ex continue "$img" >"$TMP/dbg.out" 2>&1 || { cat "$TMP/dbg.out"; fail "debugger session"; }
for want in \
	"pic: master base 0x20 imr 0xff irr 0x01 isr 0x00, slave base 0x28 imr 0xff irr 0x00 isr 0x00, INTR low" \
	"lapic: base 0xfee00000 enabled, software-enabled (spurious 0xff), id 0, tpr 0x00 ppr 0x30, highest irr none isr 0x30, lint0 0x00700 lint1 0x10000, timer lvt 0x10000 initial 0 current 0 divide 16" \
	"ioapic: id 0, irr 0x000000, unmasked: pin 2->vec 0x30 edge dest 0x00;" \
	"pit: counter 0 mode 2 count 1193 (1000.2 Hz), IRQ0 high, next edge at 102011261 ns" \
	"uart: 0x3f8 ier 0x00 lcr 0x03 mcr 0x03 divisor 1, 0 input bytes queued" \
	"acpi: PM1a 0x600 sts 0x0000 en 0x0000 cnt 0x0000 (SCI disabled)"; do
	grep -qxF "$want" "$TMP/dbg.out" || { cat "$TMP/dbg.out"; fail "info devices: no line '$want'"; }
done
grep -q "^Catchpoint 2 (mmio lapic): .*write 0xfee000b0 <- 0x0/4 *emulated:lapic" "$TMP/dbg.out" ||
	{ cat "$TMP/dbg.out"; fail "catch mmio lapic"; }
grep -q "^Catchpoint 3 (io acpi): .*in  0x0604 -> 0x0/2 *emulated:acpi" "$TMP/dbg.out" ||
	{ cat "$TMP/dbg.out"; fail "catch io acpi"; }

# IA32_APIC_BASE relocation on emu: wrmsr 0x1b <- 0xfed00900, then the
# version register at the new base.
# mov $0x1b,%ecx; mov $0xfed00900,%eax; xor %edx,%edx; wrmsr;
# mov 0xfed00030,%eax; out %al,$0xf4; hlt
printf '\271\033\000\000\000\270\000\011\320\376\061\322\017\060\241\060\000\320\376\346\364\364' >"$TMP/reloc.bin"
expect_status 41 "$VMDBG" run --backend emu --load 0x10000 --mode 32 -t "$TMP/reloc.bin"
grep -q "msr            wrmsr 0x1b <- 0xfed00900 *emulated:cpu" "$TMP/err" &&
grep -q "mmio           read 0xfed00030 -> 0x50014/4 *emulated:lapic" "$TMP/err" ||
	{ cat "$TMP/err"; fail "relocated local APIC"; }
echo ok
