/*
 * pic.c - the PC's pair of 8259A interrupt controllers: the master at ports
 * 0x20/0x21 takes IRQ 0-7, the slave at 0xA0/0xA1 IRQ 8-15 and reports to
 * the master's IR2 (cascade).  The master's request drives vm->intr.
 *
 * Modelled: the ICW1-ICW4 initialisation sequence (vector base from ICW2,
 * single or cascaded from ICW1, automatic EOI from ICW4, edge or level
 * triggering from ICW1.LTIM), the interrupt mask (OCW1), non-specific and
 * specific EOI, rotation and set-priority commands (OCW2), IRR/ISR reads,
 * the poll command and special mask mode (OCW3).  Edge-triggered lines latch
 * a request on a rising edge, and it stays until acknowledged, as in QEMU's
 * i8259 (the 8259A wants the line held until INTA; vmdbg's devices pulse).
 * Not modelled: buffered mode, 8080/8085 mode (ICW4.uPM=0 is logged), the
 * ELCR registers (0x4D0/0x4D1) and the special fully nested mode beyond
 * letting the slave interrupt its own service routine.
 *
 * vmdbg has no BIOS: at power-on both chips are set up as a PC BIOS leaves
 * them (vector bases 0x08 and 0x70, cascade on IRQ2) but with every IRQ
 * masked, so nothing arrives before the guest programs the PIC.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t line;		/* input levels, for edge detection */
	uint8_t prio_add;	/* rotation: the IRQ that has the highest priority */
	uint8_t base;		/* ICW2: vector of IR0 */
	uint8_t icw3;
	uint8_t init;		/* 0 ready, else the ICW (2, 3, 4) expected next */
	bool icw4, single, level, aeoi, rotate_aeoi, sfnm;
	bool read_isr, poll, special_mask;
};

struct pic {
	struct vmdbg *vm;
	struct pic_chip c[2];	/* [0] master, [1] slave; last: indexed by
				 * port and IRQ, ends at a guard page */
};

static bool cascaded(const struct pic *p)
{
	return !p->c[0].single;
}

/* Priority 0 (highest) to 7 of the best request in mask, 8 when empty. */
static int priority(const struct pic_chip *s, uint8_t mask)
{
	int prio = 0;

	if (!mask)
		return 8;
	while (!(mask & (1u << ((prio + s->prio_add) & 7))))
		prio++;
	return prio;
}

static int chip_irq(const struct pic *p, int n);

/* The master's IRR with IR2 following the slave's INT output. */
static uint8_t chip_irr(const struct pic *p, int n)
{
	uint8_t irr = p->c[n].irr;

	if (n == 0 && cascaded(p)) {
		irr &= ~(1u << IRQ_CASCADE);
		if (chip_irq(p, 1) >= 0)
			irr |= 1u << IRQ_CASCADE;
	}
	return irr;
}

/* The IR line chip n requests the CPU (or its master) for, or -1. */
static int chip_irq(const struct pic *p, int n)
{
	const struct pic_chip *s = &p->c[n];
	uint8_t isr = s->isr;
	int prio = priority(s, chip_irr(p, n) & ~s->imr);

	if (prio == 8)
		return -1;
	if (s->special_mask)
		isr &= ~s->imr;
	/* Special fully nested: the slave may interrupt its own routine. */
	if (n == 0 && s->sfnm && cascaded(p))
		isr &= ~(1u << IRQ_CASCADE);
	if (prio < priority(s, isr))
		return (prio + s->prio_add) & 7;
	return -1;
}

static void update(struct pic *p)
{
	vmm__set_intr(p->vm, chip_irq(p, 0) >= 0);
}

void pic__set_irq(struct pic *p, int irq, bool level)
{
	struct pic_chip *s = &p->c[irq >> 3];
	uint8_t bit = 1u << (irq & 7);

	if (level) {
		if (s->level || !(s->line & bit))
			s->irr |= bit;
		s->line |= bit;
	} else {
		if (s->level)
			s->irr &= ~bit;
		s->line &= ~bit;
	}
	update(p);
}

static void chip_ack(struct pic_chip *s, int irq)
{
	/* A level request stays as long as its line is high. */
	if (!s->level)
		s->irr &= ~(1u << irq);
	if (!s->aeoi)
		s->isr |= 1u << irq;
	else if (s->rotate_aeoi)
		s->prio_add = (irq + 1) & 7;
}

int pic__ack(struct pic *p)
{
	int irq = chip_irq(p, 0), irq2, vec;

	if (irq < 0) {
		vec = p->c[0].base + 7;		/* spurious IRQ7 */
	} else {
		chip_ack(&p->c[0], irq);
		if (irq == IRQ_CASCADE && cascaded(p)) {
			irq2 = chip_irq(p, 1);
			if (irq2 < 0) {
				vec = p->c[1].base + 7;	/* spurious IRQ15 */
			} else {
				chip_ack(&p->c[1], irq2);
				vec = p->c[1].base + irq2;
			}
		} else {
			vec = p->c[0].base + irq;
		}
	}
	update(p);
	return vec & 0xff;
}

/* OCW2: end of interrupt, rotation, priority. */
static void ocw2(struct pic_chip *s, uint8_t v)
{
	int irq = v & 7, prio;

	switch (v >> 5) {
	case 0:			/* rotate in automatic EOI mode: clear */
		s->rotate_aeoi = false;
		break;
	case 4:			/* rotate in automatic EOI mode: set */
		s->rotate_aeoi = true;
		break;
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		prio = priority(s, s->isr);
		if (prio == 8)
			break;
		irq = (prio + s->prio_add) & 7;
		s->isr &= ~(1u << irq);
		if (v >> 5 == 5)
			s->prio_add = (irq + 1) & 7;
		break;
	case 3:			/* specific EOI */
		s->isr &= ~(1u << irq);
		break;
	case 7:			/* rotate on specific EOI */
		s->isr &= ~(1u << irq);
		s->prio_add = (irq + 1) & 7;
		break;
	case 6:			/* set priority: irq becomes the lowest */
		s->prio_add = (irq + 1) & 7;
		break;
	default:		/* 2: no operation */
		break;
	}
}

static void chip_write(struct pic *p, int n, bool a0, uint8_t v)
{
	struct pic_chip *s = &p->c[n];

	if (!a0 && (v & 0x10)) {
		/* ICW1 starts the sequence: mask, ISR, IRR and priorities
		 * reset; a line already high needs a new rising edge. */
		s->irr = s->isr = s->imr = 0;
		s->prio_add = 0;
		s->icw4 = v & 1;
		s->single = v & 2;
		s->level = v & 8;
		s->aeoi = s->rotate_aeoi = s->sfnm = false;
		s->read_isr = s->poll = s->special_mask = false;
		s->init = 2;
	} else if (!a0 && (v & 0x08)) {
		/* OCW3 */
		if (v & 0x04)
			s->poll = true;
		if (v & 0x02)
			s->read_isr = v & 1;
		if (v & 0x40)
			s->special_mask = (v >> 5) & 1;
	} else if (!a0) {
		ocw2(s, v);
	} else if (s->init == 2) {
		s->base = v & 0xf8;
		s->init = !s->single ? 3 : s->icw4 ? 4 : 0;
	} else if (s->init == 3) {
		s->icw3 = v;
		s->init = s->icw4 ? 4 : 0;
	} else if (s->init == 4) {
		s->aeoi = (v >> 1) & 1;
		s->sfnm = (v >> 4) & 1;
		s->init = 0;
		if (!(v & 1))
			vmm__log(p->vm, VMDBG_LOG_WARN,
				 "pic: ICW4 0x%02x selects 8080/8085 mode; vmdbg's PIC "
				 "always works in 8086 mode", v);
	} else {
		s->imr = v;		/* OCW1 */
	}
}

static uint8_t chip_read(struct pic *p, int n, bool a0)
{
	struct pic_chip *s = &p->c[n];
	int irq;

	if (a0)
		return s->imr;
	if (s->poll) {
		/* The poll command: this read is the acknowledge. */
		s->poll = false;
		irq = chip_irq(p, n);
		if (irq < 0)
			return 0;
		chip_ack(s, irq);
		return 0x80 | irq;
	}
	return s->read_isr ? s->isr : chip_irr(p, n);
}

static int pic_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		  bool is_write, uint32_t *val)
{
	struct pic *p = opaque;
	int n = port >= PORT_PIC_SLAVE;
	bool a0 = port & 1;

	(void)vm;
	(void)size;	/* an 8-bit device: wider accesses use the low byte */
	if (is_write)
		chip_write(p, n, a0, (uint8_t)*val);
	else
		*val = chip_read(p, n, a0);
	update(p);
	return 0;
}

struct pic *pic__init(struct vmdbg *vm)
{
	struct pic *p = guard__alloc(sizeof(*p));
	int nr_io = vm->nr_io;
	devices__register_state(vm, p, sizeof(*p));	/* time travel */

	if (!p) {
		vmm__error(vm, -ENOMEM, "pic: out of memory");
		return NULL;
	}
	p->vm = vm;
	p->c[0].base = 0x08;
	p->c[1].base = 0x70;
	p->c[0].icw3 = 1u << IRQ_CASCADE;
	p->c[1].icw3 = IRQ_CASCADE;
	p->c[0].imr = p->c[1].imr = 0xff;
	if (devices__register_io(vm, PORT_PIC_MASTER, 2, VMDBG_DEV_PIC, pic_io, p) < 0 ||
	    devices__register_io(vm, PORT_PIC_SLAVE, 2, VMDBG_DEV_PIC, pic_io, p) < 0) {
		vm->nr_io = nr_io;
		guard__free(p, sizeof(*p));
		return NULL;
	}
	vm->pic = p;
	update(p);
	return p;
}

void pic__exit(struct pic *p)
{
	if (!p)
		return;
	p->vm->pic = NULL;
	vmm__set_intr(p->vm, false);
	guard__free(p, sizeof(*p));
}

int pic__describe(const void *opaque, char *buf, size_t len)
{
	const struct pic *p = opaque;
	const struct pic_chip *m = &p->c[0], *s = &p->c[1];

	return snprintf(buf, len,
			"pic: master base 0x%02x imr 0x%02x irr 0x%02x isr 0x%02x, slave base "
			"0x%02x imr 0x%02x irr 0x%02x isr 0x%02x%s, INTR %s",
			m->base, m->imr, chip_irr(p, 0), m->isr, s->base, s->imr, s->irr, s->isr,
			m->init || s->init ? " (initialising)" : "",
			p->vm->pic_intr ? "high" : "low");
}
