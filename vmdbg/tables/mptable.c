/*
 * mptable.c - the Intel MultiProcessor Specification 1.4 tables, as
 * SeaBIOS builds them for QEMU's pc (src/fw/mptable.c): a
 * floating pointer structure in the EBDA and another in the F segment,
 * both pointing at one configuration table with
 *   one processor entry per CPU (APIC ID = its index, enabled; 0 the BSP),
 *   the ISA bus (bus 0),
 *   the I/O APIC (ID 0, version 0x11, at 0xFEC00000),
 *   I/O interrupt entries for ISA IRQs 0, 1, 3-15: IRQ n to INTIN n except
 *   IRQ0 to INTIN2 (IRQ2, the cascade, has none); IRQ9, the ACPI SCI,
 *   level-triggered active high,
 *   local interrupt entries: ExtINT on LINT0, NMI on LINT1 of all APICs.
 * No extended table, no PCI bus (vmdbg has no PCI).
 */
#include "vmdbg/tables/tables.h"

#include <string.h>

#define MPC_HEADER	44
/* emu's CPUID.1 (vmdbg/emu/msr.c): signature and EDX features. */
#define CPU_SIGNATURE	0xf41
#define CPU_FEATURES	((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | \
			 (1u << 9) | (1u << 11) | (1u << 13) | (1u << 15) | (1u << 25) | \
			 (1u << 26))

static uint8_t *intsrc(uint8_t *p, uint8_t type, uint8_t irqtype, uint16_t flags,
		       uint8_t srcirq, uint8_t dstapic, uint8_t dstpin)
{
	p[0] = type;
	p[1] = irqtype;
	put16(p + 2, flags);
	p[4] = 0;		/* source bus: ISA */
	p[5] = srcirq;
	p[6] = dstapic;
	p[7] = dstpin;
	return p + 8;
}

static void floating(uint8_t *p, uint32_t mpc)
{
	memset(p, 0, 16);
	memcpy(p, "_MP_", 4);
	put32(p + 4, mpc);
	p[8] = 1;		/* length in 16-byte units */
	p[9] = 4;		/* spec 1.4 */
	/* feature bytes 0: a configuration table is present; no IMCR
	 * (virtual wire mode, as QEMU) */
	p[10] = checksum8(p, 16);
}

void mptable__write(uint8_t *ram, int ncpus)
{
	uint8_t *mpc = ram + FW_TABLES_ADDR + FW_MPC, *p = mpc + MPC_HEADER;
	uint16_t count = 0;

	memset(mpc, 0, 0x180);
	/* processors: 8 fit in the 0x180 bytes with the rest */
	for (int i = 0; i < ncpus; i++) {
		p[0] = 0;
		p[1] = (uint8_t)i;	/* local APIC ID */
		p[2] = 0x14;		/* local APIC version */
		p[3] = i ? 1 : 3;	/* enabled; CPU 0 the bootstrap processor */
		put32(p + 4, CPU_SIGNATURE);
		put32(p + 8, CPU_FEATURES);
		p += 20;
		count++;
	}
	/* bus */
	p[0] = 1;
	p[1] = 0;
	memcpy(p + 2, "ISA   ", 6);
	p += 8;
	count++;
	/* I/O APIC */
	p[0] = 2;
	p[1] = 0;		/* ID */
	p[2] = 0x11;
	p[3] = 1;		/* usable */
	put32(p + 4, 0xfec00000);
	p += 8;
	count++;
	for (int irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		/* flags: polarity bits 0-1, trigger bits 2-3; 0 = bus default */
		p = intsrc(p, 3, 0, irq == ACPI_SCI_IRQ ? 0x0d : 0, (uint8_t)irq, 0,
			   irq == 0 ? 2 : (uint8_t)irq);
		count++;
	}
	p = intsrc(p, 4, 3, 0, 0, 0, 0);	/* ExtINT -> LINT0 of the BSP */
	p = intsrc(p, 4, 1, 0, 0, 0xff, 1);	/* NMI -> LINT1 of every APIC */
	count += 2;

	memcpy(mpc, "PCMP", 4);
	put16(mpc + 4, (uint16_t)(p - mpc));
	mpc[6] = 4;
	memcpy(mpc + 8, "VMDBG   ", 8);
	memcpy(mpc + 16, "PC          ", 12);
	put16(mpc + 34, count);
	put32(mpc + 36, 0xfee00000);
	mpc[7] = checksum8(mpc, (size_t)(p - mpc));

	floating(ram + EBDA_ADDR + EBDA_MPFP, FW_TABLES_ADDR + FW_MPC);
	floating(ram + FW_TABLES_ADDR + FW_MPFP, FW_TABLES_ADDR + FW_MPC);
}
