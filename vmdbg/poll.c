/*
 * poll.c - noticing a guest that waits for hardware that is not there.
 *
 * A driver for a device vmdbg does not model (a disk controller, an HPET)
 * spins reading its status register; each read is an `emulated:unclaimed`
 * record, so the guest runs until --timeout writing millions of identical
 * records.  vmm__trap() hands every record here: POLL_LIMIT reads of the
 * same unclaimed port or MMIO address with no other record between them
 * make one log message (the frontend prints it on stderr), once per
 * address:
 *   the guest is polling port 0x3f4 (floppy controller), which no device claims; it reads 0xff
 */
#include "vmdbg/internal.h"

#include <stdio.h>

#define POLL_LIMIT	100000

struct port_name {
	uint16_t lo, hi;
	const char *name;
};

/* What a PC has at the ports kernels poll most. */
static const struct port_name port_names[] = {
	{ 0x1f0, 0x1f0, "IDE data" }, { 0x1f1, 0x1f1, "IDE error" },
	{ 0x1f2, 0x1f6, "IDE task file" }, { 0x1f7, 0x1f7, "IDE status" },
	{ 0x3f6, 0x3f6, "IDE alternate status" },
	{ 0x170, 0x176, "secondary IDE" }, { 0x177, 0x177, "secondary IDE status" },
	{ 0x376, 0x376, "secondary IDE alternate status" },
	{ 0x3f0, 0x3f5, "floppy controller" }, { 0x3f7, 0x3f7, "floppy controller" },
	{ 0x2f8, 0x2ff, "COM2" }, { 0x3e8, 0x3ef, "COM3" }, { 0x2e8, 0x2ef, "COM4" },
	{ 0x378, 0x37f, "LPT1" }, { 0x3da, 0x3da, "VGA input status" },
	{ 0x3b0, 0x3df, "VGA" }, { 0x61, 0x61, "system control port B" },
	{ 0xcf8, 0xcff, "PCI configuration" }, { 0x1ce, 0x1cf, "Bochs VBE" },
};

static const char *port_name(uint16_t port)
{
	for (size_t i = 0; i < sizeof(port_names) / sizeof(port_names[0]); i++)
		if (port >= port_names[i].lo && port <= port_names[i].hi)
			return port_names[i].name;
	return NULL;
}

static const char *mmio_name(uint64_t addr)
{
	if (addr >= 0xfed00000 && addr < 0xfed00400)
		return "HPET";
	if (addr >= 0xfee00000 && addr < 0xfee01000)
		return "local APIC";
	if (addr >= 0xfec00000 && addr < 0xfec01000)
		return "I/O APIC";
	return NULL;
}

void poll__note(struct vmdbg *vm, const struct vmdbg_trap *t)
{
	struct poll_state *p = &vm->poll;
	const char *name;
	char where[64];

	if ((t->cls != VMDBG_TC_IO && t->cls != VMDBG_TC_MMIO) ||
	    t->device != VMDBG_DEV_UNCLAIMED || t->dir != VMDBG_DIR_IN) {
		p->count = 0;
		return;
	}
	if (p->count && t->cls == p->cls && t->addr == p->addr && t->size == p->size) {
		if (++p->count != POLL_LIMIT)
			return;
	} else {
		p->cls = t->cls;
		p->addr = t->addr;
		p->size = t->size;
		p->count = 1;
		return;
	}
	for (int i = 0; i < p->nwarned; i++)
		if (p->warned_cls[i] == t->cls && p->warned[i] == t->addr)
			return;
	if (p->nwarned < POLL_WARN_MAX) {
		p->warned_cls[p->nwarned] = t->cls;
		p->warned[p->nwarned++] = t->addr;
	}
	if (t->cls == VMDBG_TC_IO) {
		name = port_name((uint16_t)t->addr);
		snprintf(where, sizeof(where), "port 0x%llx", (unsigned long long)t->addr);
	} else {
		name = mmio_name(t->addr);
		snprintf(where, sizeof(where), "MMIO address 0x%llx", (unsigned long long)t->addr);
	}
	vmm__log(vm, VMDBG_LOG_WARN,
		 "the guest is polling %s%s%s%s, which no device claims; it reads 0x%llx",
		 where, name ? " (" : "", name ? name : "", name ? ")" : "",
		 (unsigned long long)t->value);
}
