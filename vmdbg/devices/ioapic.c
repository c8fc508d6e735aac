/*
 * ioapic.c - the 82093AA I/O APIC at 0xFEC00000 as QEMU's pc presents it:
 * IOREGSEL at +0x00, IOWIN at +0x10, ID 0, version 0x170011 (24
 * redirection entries), arbitration ID, and the redirection table.
 *
 * Wiring (QEMU's gsi_handler/ioapic_set_irq): ISA IRQ n drives pin n,
 * except IRQ0 (the PIT), which drives pin 2; the PIC sees the same lines,
 * so an IRQ unmasked in both controllers arrives twice, as on QEMU.
 *
 * Modelled: vector, delivery mode fixed (every CPU the destination names)
 * and lowest priority (the first of them), physical and logical destinations (lapic__match), mask, trigger
 * mode and remote IRR: a level-triggered pin is delivered once and then
 * waits for the EOI of its vector at the local APIC (ioapic__eoi), when it
 * is delivered again if its line is still high.  Edge requests on a masked
 * pin are dropped (82093AA manual).  As in QEMU the polarity bit is stored
 * but not applied: devices give the line's logical level.  Not modelled:
 * SMI, NMI, INIT and ExtINT delivery modes (logged), the delivery-status
 * bit (always idle).
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define IOAPIC_VERSION	0x170011
#define RTE_MASKED	(1ULL << 16)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_LOGICAL	(1ULL << 11)
#define RTE_RO_BITS	(RTE_REMOTE_IRR | (1ULL << 12))

struct ioapic {
	struct vmdbg *vm;
	uint8_t sel;
	uint8_t id;
	uint32_t irr;		/* pins with a request (edge) or a high line (level) */
	uint64_t rte[IOAPIC_PINS];
	bool warned;
};

static void service(struct ioapic *io)
{
	struct vmdbg *vm = io->vm;

	for (int pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		unsigned dm = (e >> 8) & 7;

		if (!(io->irr & (1u << pin)) || (e & RTE_MASKED))
			continue;
		if (e & RTE_LEVEL) {
			if (e & RTE_REMOTE_IRR)
				continue;
			io->rte[pin] |= RTE_REMOTE_IRR;
		} else {
			io->irr &= ~(1u << pin);
		}
		if (dm != 0 && dm != 1) {
			if (!io->warned)
				vmm__log(io->vm, VMDBG_LOG_WARN,
					 "ioapic: pin %d delivery mode %u is not modelled; "
					 "only fixed and lowest priority", pin, dm);
			io->warned = true;
			continue;
		}
		/* to every CPU the destination names (lowest priority: the
		 * first of them, a fixed choice that keeps runs repeatable) */
		for (int i = 0; i < vm->ncpus && vm->lapics[i]; i++) {
			struct lapic *a = vm->lapics[i];

			if (!lapic__match(a, (uint8_t)(e >> 56), e & RTE_LOGICAL))
				continue;
			lapic__accept(a, e & 0xff, e & RTE_LEVEL);
			if (dm == 1)
				break;
		}
	}
}

void ioapic__set_irq(struct ioapic *io, int pin, bool level)
{
	uint32_t bit = 1u << pin;
	uint64_t e = io->rte[pin];

	if (e & RTE_LEVEL) {
		if (level) {
			io->irr |= bit;
			service(io);
		} else {
			io->irr &= ~bit;
		}
	} else if (level && !(e & RTE_MASKED)) {
		io->irr |= bit;
		service(io);
	}
}

/* The local APIC took an EOI for a level-triggered vector. */
void ioapic__eoi(struct ioapic *io, int vector)
{
	for (int pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if ((e & 0xff) == (unsigned)vector && (e & RTE_REMOTE_IRR))
			io->rte[pin] &= ~RTE_REMOTE_IRR;
	}
	service(io);
}

static uint32_t reg_read(struct ioapic *io)
{
	unsigned r = io->sel, pin;

	switch (r) {
	case 0x00:
	case 0x02:
		return (uint32_t)io->id << 24;
	case 0x01:
		return IOAPIC_VERSION;
	default:
		pin = (r - 0x10) >> 1;
		if (r < 0x10 || pin >= IOAPIC_PINS)
			return 0xffffffffu;
		return (uint32_t)(io->rte[pin] >> ((r & 1) * 32));
	}
}

static void reg_write(struct ioapic *io, uint32_t v)
{
	unsigned r = io->sel, pin;
	uint64_t e;

	if (r == 0x00) {
		io->id = (v >> 24) & 0xf;
		return;
	}
	pin = (r - 0x10) >> 1;
	if (r < 0x10 || pin >= IOAPIC_PINS)
		return;		/* version, arbitration, reserved: read-only */
	e = io->rte[pin];
	if (r & 1)
		e = (e & 0xffffffffULL) | (uint64_t)v << 32;
	else
		e = (e & (0xffffffff00000000ULL | RTE_RO_BITS)) | (v & ~(uint32_t)RTE_RO_BITS);
	/* An edge-triggered entry has no remote IRR. */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->rte[pin] = e;
	service(io);
}

static int ioapic_mmio(struct vmdbg *vm, void *opaque, uint64_t addr, int size,
		       bool is_write, uint64_t *val)
{
	struct ioapic *io = opaque;
	unsigned off = (unsigned)(addr - IOAPIC_BASE);

	(void)vm;
	(void)size;
	if (off == 0x00) {
		if (is_write)
			io->sel = (uint8_t)*val;
		else
			*val = io->sel;
	} else if (off == 0x10) {
		if (is_write)
			reg_write(io, (uint32_t)*val);
		else
			*val = reg_read(io);
	} else if (!is_write) {
		*val = 0;
	}
	return 0;
}

uint64_t ioapic__entry(const struct ioapic *io, int pin)
{
	return pin >= 0 && pin < IOAPIC_PINS ? io->rte[pin] : 0;
}

int ioapic__describe(const void *opaque, char *buf, size_t len)
{
	const struct ioapic *io = opaque;
	int n = snprintf(buf, len, "ioapic: id %u, irr 0x%06x, unmasked:", io->id, io->irr);
	bool any = false;

	for (int pin = 0; pin < IOAPIC_PINS && n >= 0 && (size_t)n < len; pin++) {
		uint64_t e = io->rte[pin];

		if (e & RTE_MASKED)
			continue;
		any = true;
		n += snprintf(buf + n, len - (size_t)n, " pin %d->vec 0x%02x %s dest 0x%02x%s%s;",
			      pin, (unsigned)(e & 0xff), e & RTE_LEVEL ? "level" : "edge",
			      (unsigned)(e >> 56), e & RTE_LOGICAL ? " logical" : "",
			      e & RTE_REMOTE_IRR ? " remote-irr" : "");
	}
	if (!any && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " none");
	return n;
}

struct ioapic *ioapic__init(struct vmdbg *vm)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	devices__register_state(vm, io, sizeof(*io));	/* time travel */

	if (!io) {
		vmm__error(vm, -ENOMEM, "ioapic: out of memory");
		return NULL;
	}
	io->vm = vm;
	for (int i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;
	if (devices__register_mmio(vm, IOAPIC_BASE, 0x1000, VMDBG_DEV_IOAPIC,
				   ioapic_mmio, io) < 0) {
		free(io);
		return NULL;
	}
	vm->ioapic = io;
	return io;
}

void ioapic__exit(struct ioapic *io)
{
	if (!io)
		return;
	io->vm->ioapic = NULL;
	free(io);
}
