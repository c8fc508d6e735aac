/*
 * acpi.c - the ACPI tables a kernel finds through the RSDP, shaped like
 * QEMU's pc (hw/i386/acpi-build.c) but ACPI 2.0, so there is an XSDT too:
 *   RSDP   revision 2, in the EBDA and in the F segment (checksum over the
 *          first 20 bytes, extended checksum over all 36)
 *   RSDT   -> FADT, MADT;  XSDT the same with 64-bit pointers
 *   MADT   local APIC address 0xFEE00000, PCAT_COMPAT; a processor local
 *          APIC per CPU (ID = index, enabled); I/O APIC 0 at 0xFEC00000, GSI base 0; interrupt
 *          source overrides IRQ0 -> GSI2 (bus default flags) and IRQ9 (the
 *          SCI) -> GSI9 level, active high; local APIC NMI on LINT1
 *   FADT   revision 3: SCI on IRQ9, SMI_CMD 0xB2 (ACPI_ENABLE 0xF1,
 *          ACPI_DISABLE 0xF0), PM1a event block 0x600 (4 bytes), PM1a
 *          control 0x604 (2), PM timer 0x608 (4, 24-bit), no GPE blocks,
 *          the X_ fields as generic addresses, century 0x32
 *   FACS   64 bytes, no waking vector
 *   DSDT   AML of one object: Name (_S5, Package (4) {0, 0, 0, 0}), the
 *          values QEMU's DSDT gives, so SLP_TYP 0 with SLP_EN written to
 *          PM1a_CNT powers off (devices/acpi.c)
 * Not modelled: other sleep states' packages, processor objects, devices
 * in the DSDT (no _PRT, no PCI), HPET, SRAT, MCFG.
 */
#include "vmdbg/tables/tables.h"

#include <string.h>

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memset(t, 0, 36);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "VMDBG ", 6);
	memcpy(t + 16, "VMDBGPC ", 8);
	memcpy(t + 16 + 4, sig, 4);
	put32(t + 24, 1);		/* OEM revision */
	memcpy(t + 28, "VMDB", 4);	/* creator */
	put32(t + 32, 1);
}

static void finish(uint8_t *t)
{
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = checksum8(t, len);
}

/* A generic address structure in system I/O space. */
static void gas_io(uint8_t *p, uint8_t bits, uint16_t port)
{
	p[0] = 1;
	p[1] = bits;
	p[2] = 0;
	p[3] = bits == 8 ? 1 : bits == 16 ? 2 : 3;
	put64(p + 4, port);
}

static void rsdp(uint8_t *p)
{
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "VMDBG ", 6);
	p[15] = 2;
	put32(p + 16, FW_TABLES_ADDR + FW_RSDT);
	put32(p + 20, 36);
	put64(p + 24, FW_TABLES_ADDR + FW_XSDT);
	p[8] = checksum8(p, 20);
	p[32] = checksum8(p, 36);
}

static void madt(uint8_t *t, int ncpus)
{
	uint8_t *p = t + 44;

	header(t, "APIC", 0, 1);
	put32(t + 36, 0xfee00000);
	put32(t + 40, 1);		/* PCAT_COMPAT: there are 8259s */
	for (int i = 0; i < ncpus; i++) {
		/* processor i, APIC ID i, enabled */
		p[0] = 0; p[1] = 8; p[2] = (uint8_t)i; p[3] = (uint8_t)i;
		put32(p + 4, 1);
		p += 8;
	}
	p[0] = 1; p[1] = 12; p[2] = 0; p[3] = 0;	/* I/O APIC 0 */
	put32(p + 4, 0xfec00000);
	put32(p + 8, 0);		/* GSI base */
	p += 12;
	p[0] = 2; p[1] = 10; p[2] = 0; p[3] = 0;	/* ISA IRQ0 -> GSI2 */
	put32(p + 4, 2);
	put16(p + 8, 0);
	p += 10;
	p[0] = 2; p[1] = 10; p[2] = 0; p[3] = ACPI_SCI_IRQ;
	put32(p + 4, ACPI_SCI_IRQ);
	put16(p + 8, 0x0d);		/* active high, level */
	p += 10;
	p[0] = 4; p[1] = 6; p[2] = 0xff;	/* local APIC NMI: all, LINT1 */
	put16(p + 3, 0);
	p[5] = 1;
	p += 6;
	put32(t + 4, (uint32_t)(p - t));
	finish(t);
}

static void fadt(uint8_t *t)
{
	header(t, "FACP", 244, 3);
	put32(t + 36, FW_TABLES_ADDR + FW_FACS);
	put32(t + 40, FW_TABLES_ADDR + FW_DSDT);
	put16(t + 46, ACPI_SCI_IRQ);
	put32(t + 48, ACPI_SMI_CMD);
	t[52] = ACPI_ENABLE_CMD;
	t[53] = ACPI_DISABLE_CMD;
	put32(t + 56, ACPI_PM1A_EVT);
	put32(t + 64, ACPI_PM1A_CNT);
	put32(t + 76, ACPI_PM_TMR);
	t[88] = 4;			/* PM1_EVT_LEN */
	t[89] = 2;			/* PM1_CNT_LEN */
	t[91] = 4;			/* PM_TMR_LEN */
	put16(t + 96, 0xfff);		/* no C2 */
	put16(t + 98, 0xfff);		/* no C3 */
	t[108] = 0x32;			/* CMOS century */
	put16(t + 109, 3);		/* legacy devices, 8042 */
	/* WBINVD, PROC_C1, SLP_BUTTON, RTC_S4: QEMU's flags */
	put32(t + 112, (1u << 0) | (1u << 2) | (1u << 5) | (1u << 7));
	put64(t + 132, FW_TABLES_ADDR + FW_FACS);
	put64(t + 140, FW_TABLES_ADDR + FW_DSDT);
	gas_io(t + 148, 32, ACPI_PM1A_EVT);
	gas_io(t + 172, 16, ACPI_PM1A_CNT);
	gas_io(t + 208, 32, ACPI_PM_TMR);
	finish(t);
}

static void dsdt(uint8_t *t)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_',	/* NameOp "_S5_" */
		0x12, 0x06, 0x04,		/* PackageOp, PkgLength 6, 4 elements */
		0x00, 0x00, 0x00, 0x00,		/* ZeroOp x4: SLP_TYPa = SLP_TYPb = 0 */
	};

	header(t, "DSDT", 36 + sizeof(aml), 1);
	memcpy(t + 36, aml, sizeof(aml));
	finish(t);
}

void acpi_tables__write(uint8_t *ram, int ncpus)
{
	/* the MADT of more than 5 CPUs does not fit before the FACS: it goes
	 * after the DSDT (one CPU keeps SeaBIOS-like addresses) */
	uint32_t madt_at = ncpus > 5 ? FW_MADT_BIG : FW_MADT;
	uint8_t *fw = ram + FW_TABLES_ADDR, *t;

	memset(fw + FW_RSDT, 0, 0x300);
	t = fw + FW_RSDT;
	header(t, "RSDT", 36 + 8, 1);
	put32(t + 36, FW_TABLES_ADDR + FW_FADT);
	put32(t + 40, FW_TABLES_ADDR + madt_at);
	finish(t);
	t = fw + FW_XSDT;
	header(t, "XSDT", 36 + 16, 1);
	put64(t + 36, FW_TABLES_ADDR + FW_FADT);
	put64(t + 44, FW_TABLES_ADDR + madt_at);
	finish(t);
	madt(fw + madt_at, ncpus);
	t = fw + FW_FACS;
	memcpy(t, "FACS", 4);
	put32(t + 4, 64);
	t[32] = 1;			/* version */
	fadt(fw + FW_FADT);
	dsdt(fw + FW_DSDT);
	rsdp(fw + FW_RSDP);
	rsdp(ram + EBDA_ADDR + EBDA_RSDP);
}
