/*
 * firmware.c - what a PC BIOS leaves in RAM for the kernel, written at
 * load time for every image kind (vmdbg has no BIOS): the BIOS data area,
 * the EBDA and the MP and ACPI tables (tables.h says where).
 *
 * The BIOS data area: COM1 at 0x400 (0x3F8; COM2-4, LPT none), the EBDA
 * segment at 0x40E (0x9FC0), the equipment word at 0x410 (one serial
 * port, 80x25 colour; no x87, as CPUID says), base memory at 0x413 (639
 * KiB: RAM up to the EBDA).  The video fields belong to the BIOS services.
 *
 * An image that loads over one of these regions keeps its bytes: the part
 * it covers is not written, and a warning says what the guest will miss.
 */
#include "vmdbg/internal.h"
#include "vmdbg/tables/tables.h"

#include <string.h>

static bool overlaps(const struct vmdbg_image_info *img, uint64_t lo, uint64_t hi)
{
	return img->load_hi > img->load_lo && img->load_lo < hi && lo < img->load_hi;
}

static void bda(uint8_t *ram)
{
	memset(ram + 0x400, 0, 0x14);
	put16(ram + 0x400, PORT_UART0);
	put16(ram + 0x40e, EBDA_ADDR >> 4);
	put16(ram + 0x410, (1u << 9) | (2u << 4));
	put16(ram + 0x413, EBDA_ADDR >> 10);
}

int firmware__write(struct vmdbg *vm, const struct vmdbg_image_info *img)
{
	uint8_t *ram = vm->ram;

	if (vm->ram_size < 0x100000)
		return 0;
	if (overlaps(img, 0x400, 0x500))
		vmm__log(vm, VMDBG_LOG_WARN, "the image loads over the BIOS data area "
			 "(0x400-0x4ff): vmdbg does not write it");
	else
		bda(ram);
	if (overlaps(img, EBDA_ADDR, 0xa0000) ||
	    overlaps(img, FW_TABLES_ADDR, FW_TABLES_ADDR + FW_TABLES_SIZE)) {
		vmm__log(vm, VMDBG_LOG_WARN, "the image loads over the EBDA (0x9fc00) or "
			 "the firmware tables (0x%x): no MP or ACPI tables", FW_TABLES_ADDR);
		return 0;
	}
	memset(ram + EBDA_ADDR, 0, 0x400);
	ram[EBDA_ADDR] = EBDA_KIB;
	memset(ram + FW_TABLES_ADDR, 0, FW_TABLES_SIZE);
	mptable__write(ram, vm->ncpus);
	acpi_tables__write(ram, vm->ncpus);
	return 0;
}
