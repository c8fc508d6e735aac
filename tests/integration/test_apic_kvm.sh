# The local APIC and I/O APIC models on kvm: vmdbg makes no in-kernel
# irqchip, so KVM's MMIO exits reach the same user-space models as emu's
# accesses, with the same records.  Long-mode flat binaries (the identity
# map covers the APIC window): read the local APIC version; select and
# read the I/O APIC version; relocate the local APIC.  (Interrupt delivery in protected and long
# mode is a gap of this host's KVM: see --probe; emu runs the apic guest.)
. tests/integration/lib.sh
need_kvm

# mov $0xfee00030,%edi; mov (%rdi),%eax; out %al,$0xf4; hlt
printf '\277\060\000\340\376\213\007\346\364\364' >"$TMP/lapic.bin"
expect_status 41 "$VMDBG" run --backend kvm --load 0x100000 --mode 64 -t "$TMP/lapic.bin"
grep -q "^     0 .* os   mmio           read 0xfee00030 -> 0x50014/4 *emulated:lapic *vmm-emulates rip=0x100005" "$TMP/err" ||
	{ cat "$TMP/err"; fail "local APIC version record"; }

# mov $0xfec00000,%edi; movl $1,(%rdi); mov 0x10(%rdi),%eax; out %al,$0xf4; hlt
printf '\277\000\000\300\376\307\007\001\000\000\000\213\107\020\346\364\364' >"$TMP/ioapic.bin"
expect_status 35 "$VMDBG" run --backend kvm --load 0x100000 --mode 64 -t "$TMP/ioapic.bin"
grep -q "mmio           write 0xfec00000 <- 0x1/4 *emulated:ioapic" "$TMP/err" &&
grep -q "mmio           read 0xfec00010 -> 0x170011/4 *emulated:ioapic" "$TMP/err" ||
	{ cat "$TMP/err"; fail "I/O APIC version records"; }

# KVM answers wrmsr IA32_APIC_BASE; the model follows at the next MMIO
# access to an unclaimed address.  wrmsr 0x1b <- 0xfed00900, then read the
# version at the new base:
# mov $0x1b,%ecx; mov $0xfed00900,%eax; xor %edx,%edx; wrmsr;
# mov $0xfed00030,%edi; mov (%rdi),%eax; out %al,$0xf4; hlt
printf '\271\033\000\000\000\270\000\011\320\376\061\322\017\060\277\060\000\320\376\213\007\346\364\364' >"$TMP/reloc.bin"
expect_status 41 "$VMDBG" run --backend kvm --load 0x100000 --mode 64 -t "$TMP/reloc.bin"
grep -q "mmio           read 0xfed00030 -> 0x50014/4 *emulated:lapic" "$TMP/err" ||
	{ cat "$TMP/err"; fail "relocated local APIC on kvm"; }
echo ok
