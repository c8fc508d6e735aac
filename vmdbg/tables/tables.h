/*
 * tables.h - the firmware tables vmdbg writes into guest RAM at load time,
 * as SeaBIOS leaves them on QEMU's pc: the BIOS data area, the MP tables
 * and the ACPI tables.  Private to vmdbg/tables/ and firmware.c.
 *
 * Where (the e820 map reports both regions reserved):
 *   0x00400-0x004ff  BIOS data area (COM1, EBDA segment, equipment, memory)
 *   0x9fc00-0x9ffff  EBDA (1 KiB): its size byte, the RSDP at +0x10, the MP
 *                    floating pointer at +0x40
 *   0xf4000-0xf4fff  FW_TABLES_ADDR: a second RSDP and MP floating pointer,
 *                    the MP configuration table, RSDT, XSDT, MADT, FACS,
 *                    FADT and DSDT
 */
#ifndef VMDBG_TABLES_H
#define VMDBG_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define EBDA_ADDR		0x9fc00
#define EBDA_KIB		1
#define FW_TABLES_ADDR		0xf4000
#define FW_TABLES_SIZE		0x1000

/* Offsets inside the EBDA and the FW_TABLES_ADDR block. */
#define EBDA_RSDP		0x10
#define EBDA_MPFP		0x40
#define FW_RSDP			0x000
#define FW_MPFP			0x040
#define FW_MPC			0x080
#define FW_RSDT			0x200
#define FW_XSDT			0x240
#define FW_MADT			0x280
#define FW_FACS			0x300	/* 64-byte aligned */
#define FW_FADT			0x340
#define FW_DSDT			0x440
#define FW_MADT_BIG		0x480	/* the MADT of 6-8 CPUs */

/* ACPI fixed hardware (devices/acpi.c), at QEMU piix4's addresses. */
#define ACPI_PM_BASE		0x600
#define ACPI_PM1A_EVT		(ACPI_PM_BASE + 0)	/* status, enable: 4 bytes */
#define ACPI_PM1A_CNT		(ACPI_PM_BASE + 4)	/* 2 bytes */
#define ACPI_PM_TMR		(ACPI_PM_BASE + 8)	/* 4 bytes, 24-bit timer */
#define ACPI_SMI_CMD		0xb2
#define ACPI_ENABLE_CMD		0xf1
#define ACPI_DISABLE_CMD	0xf0
#define ACPI_SCI_IRQ		9
#define ACPI_S5_SLP_TYP		0	/* the DSDT's _S5 package, as QEMU's */

/* Little-endian stores and the 8-bit checksum that makes a sum zero. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint8_t checksum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return (uint8_t)-s;
}

/* Each writes its tables into ram[] (all of guest RAM, checked by the
 * caller to hold every address above). */
void mptable__write(uint8_t *ram, int ncpus);
void acpi_tables__write(uint8_t *ram, int ncpus);

#endif
