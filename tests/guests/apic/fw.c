/*
 * fw.c - the APIC kernel finds its hardware the way a PC kernel does: the
 * MP floating pointer (EBDA, last KiB of base memory, 0xF0000-0xFFFFF) and
 * its configuration table, and the ACPI RSDP (EBDA, 0xE0000-0xFFFFF), the
 * RSDT, the MADT, the FADT and the DSDT's _S5 package.  Every checksum is
 * checked; a bad one is a panic.  Prints only what is the same on QEMU's
 * pc (SeaBIOS) and on vmdbg.
 */
#include "x86.h"
#include "kernel.h"
#include "fw.h"

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static int same(const void *a, const char *b, int n)
{
	const char *p = a;

	for (int i = 0; i < n; i++)
		if (p[i] != b[i])
			return 0;
	return 1;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static const uint8_t *scan(uint32_t lo, uint32_t hi, const char *sig, int siglen, int sumlen)
{
	for (uint32_t a = lo; a + 16 <= hi; a += 16) {
		const uint8_t *p = (const uint8_t *)a;

		if (same(p, sig, siglen) && sum(p, (uint32_t)sumlen) == 0)
			return p;
	}
	return 0;
}

static void print_field(const char *name, uint32_t v, int digits)
{
	uart_puts(name);
	uart_puthex(v, digits);
}

void mp_find(struct hw *hw)
{
	uint32_t ebda = (uint32_t)*(volatile uint16_t *)0x40e << 4;
	uint32_t basekb = *(volatile uint16_t *)0x413;
	const uint8_t *fp, *mpc, *p;
	int cpus = 0;

	fp = scan(ebda, ebda + 1024, "_MP_", 4, 16);
	if (!fp)
		fp = scan(basekb * 1024 - 1024, basekb * 1024, "_MP_", 4, 16);
	if (!fp)
		fp = scan(0xf0000, 0x100000, "_MP_", 4, 16);
	if (!fp)
		panic("no MP floating pointer");
	mpc = (const uint8_t *)rd32(fp + 4);
	if (!same(mpc, "PCMP", 4) || sum(mpc, rd16(mpc + 4)))
		panic("bad MP configuration table");
	hw->mp_lapic = rd32(mpc + 36);
	p = mpc + 44;
	for (int i = 0; i < rd16(mpc + 34); i++) {
		switch (p[0]) {
		case 0:		/* processor */
			if (p[3] & 1)
				cpus++;
			p += 20;
			break;
		case 2:		/* I/O APIC */
			hw->mp_ioapic = rd32(p + 4);
			hw->mp_ioapic_id = p[1];
			p += 8;
			break;
		case 3:		/* I/O interrupt: the ISA bus is the one named ISA */
			if (p[1] == 0 && p[5] == 0)
				hw->mp_irq0_pin = p[7];
			if (p[1] == 0 && p[5] == 1)
				hw->mp_irq1_pin = p[7];
			p += 8;
			break;
		default:	/* bus, local interrupt */
			p += 8;
			break;
		}
	}
#ifdef FW_COUNT_CPUS
	hw->mp_cpus = (uint32_t)cpus;
#endif
	uart_puts("[apic] mp: ");
	uart_putc((char)('0' + cpus));
	print_field(" cpu, local apic ", hw->mp_lapic, 8);
	print_field(", i/o apic ", hw->mp_ioapic, 8);
	print_field(" id ", hw->mp_ioapic_id, 2);
	print_field(", isa irq0 -> intin ", hw->mp_irq0_pin, 2);
	uart_putc('\n');
}

static void madt(struct hw *hw, const uint8_t *t)
{
	const uint8_t *p = t + 44, *end = t + rd32(t + 4);

	hw->lapic = rd32(t + 36);
	hw->irq0_gsi = 0;
#ifdef FW_COUNT_CPUS
	hw->cpus = 0;
#endif
	for (; p < end && p[1] >= 2; p += p[1]) {
#ifdef FW_COUNT_CPUS
		if (p[0] == 0 && (rd32(p + 4) & 1))	/* an enabled processor */
			hw->cpus++;
#endif
		if (p[0] == 1)
			hw->ioapic = rd32(p + 4);
		else if (p[0] == 2 && p[2] == 0 && p[3] == 0)
			hw->irq0_gsi = rd32(p + 4);
	}
}

/* Name (_S5_, Package () { SLP_TYPa, ... }) in the DSDT's AML. */
static void dsdt_s5(struct hw *hw, const uint8_t *t)
{
	uint32_t len = rd32(t + 4);

	for (uint32_t i = 36; i + 8 < len; i++) {
		const uint8_t *p = t + i;

		if (!same(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		p += 5;
		p += (*p >> 6) + 1;	/* PkgLength */
		p++;			/* NumElements */
		if (*p == 0x0a)		/* BytePrefix */
			p++;
		hw->slp_typa = *p & 7;	/* ZeroOp 0, OneOp 1, or the byte */
		return;
	}
	panic("no _S5_ in the DSDT");
}

static void fadt(struct hw *hw, const uint8_t *t)
{
	const uint8_t *dsdt = (const uint8_t *)rd32(t + 40);

	hw->smi_cmd = rd32(t + 48);
	hw->acpi_enable = t[52];
	hw->pm1a_cnt = rd32(t + 64);
	if (!same(dsdt, "DSDT", 4) || sum(dsdt, rd32(dsdt + 4)))
		panic("bad DSDT");
	dsdt_s5(hw, dsdt);
}

void acpi_find(struct hw *hw)
{
	uint32_t ebda = (uint32_t)*(volatile uint16_t *)0x40e << 4;
	const uint8_t *rsdp, *rsdt;

	rsdp = scan(ebda, ebda + 1024, "RSD PTR ", 8, 20);
	if (!rsdp)
		rsdp = scan(0xe0000, 0x100000, "RSD PTR ", 8, 20);
	if (!rsdp)
		panic("no RSDP");
	if (rsdp[15] >= 2 && sum(rsdp, rd32(rsdp + 20)))
		panic("bad RSDP extended checksum");
	rsdt = (const uint8_t *)rd32(rsdp + 16);
	if (!same(rsdt, "RSDT", 4) || sum(rsdt, rd32(rsdt + 4)))
		panic("bad RSDT");
	for (uint32_t i = 36; i < rd32(rsdt + 4); i += 4) {
		const uint8_t *t = (const uint8_t *)rd32(rsdt + i);

		if (sum(t, rd32(t + 4)))
			panic("bad ACPI table checksum");
		if (same(t, "APIC", 4))
			madt(hw, t);
		else if (same(t, "FACP", 4))
			fadt(hw, t);
	}
	if (!hw->ioapic || !hw->pm1a_cnt)
		panic("no MADT or FADT");
	print_field("[apic] acpi: local apic ", hw->lapic, 8);
	print_field(", i/o apic ", hw->ioapic, 8);
	print_field(", isa irq0 -> gsi ", hw->irq0_gsi, 2);
	print_field(", pm1a_cnt ", hw->pm1a_cnt, 4);
	print_field(", s5 slp_typ ", hw->slp_typa, 1);
	uart_putc('\n');
}
