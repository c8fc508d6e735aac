/*
 * e820.c - the guest's physical memory map, as a PC BIOS reports it (int
 * 0x15 eax=0xE820) and as the multiboot information lists it.  One table
 * for both, so a kernel sees the same map whichever way it asks.
 *
 * The layout follows QEMU's pc machine with SeaBIOS: conventional memory
 * up to the EBDA, the EBDA and the BIOS ROM reserved (the VGA window and
 * option ROMs at 0xA0000-0xEFFFF are not listed at all), RAM from 1 MiB,
 * and the I/O APIC and local APIC pages reserved.
 */
#include "vmdbg/internal.h"

int boot__e820(const struct vmdbg *vm, struct e820_entry *out, int max)
{
	const struct e820_entry map[] = {
		{ 0, E820_EBDA, E820_RAM },
		{ E820_EBDA, 0xa0000 - E820_EBDA, E820_RESERVED },
		{ 0xf0000, 0x10000, E820_RESERVED },
		{ 0x100000, vm->ram_size > 0x100000 ? vm->ram_size - 0x100000 : 0, E820_RAM },
		{ 0xfec00000, 0x1000, E820_RESERVED },	/* I/O APIC */
		{ 0xfee00000, 0x1000, E820_RESERVED },	/* local APIC */
	};
	int n = (int)(sizeof(map) / sizeof(map[0]));

	for (int i = 0; i < n && i < max; i++)
		out[i] = map[i];
	return n;
}
