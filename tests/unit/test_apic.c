/*
 * test_apic.c - the local APIC (timer, priorities, EOI, IPIs), the I/O
 * APIC (redirection, remote IRR) and how irq.c combines them with the PIC.
 *
 * A hand-built struct vmdbg with the standard devices; virtual time is the
 * instruction count (vm->insns), set by the test.
 */
#include "vmdbg/internal.h"
#include "tests/unit/device_vm.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/device_mmio.h"

#define LAPIC	0xfee00000ULL

static int setup(void **state)
{
	*state = device_vm__new(64 << 20);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	device_vm__free(*state);
	return 0;
}

static void out8(struct vmdbg *vm, uint16_t port, uint8_t val)
{
	const struct io_range *r = devices__find_io(vm, port);
	uint32_t v = val;

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, port, 1, true, &v), 0);
}

static void ioapic_wr(struct vmdbg *vm, unsigned reg, uint32_t val)
{
	wr(vm, IOAPIC_BASE, reg);
	wr(vm, IOAPIC_BASE + 0x10, val);
}

static uint32_t ioapic_rd(struct vmdbg *vm, unsigned reg)
{
	wr(vm, IOAPIC_BASE, reg);
	return rd(vm, IOAPIC_BASE + 0x10);
}

static void enable_apic(struct vmdbg *vm)
{
	wr(vm, LAPIC + 0xf0, 0x1ff);		/* software enable, spurious 0xff */
}

static void test_registers(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(rd(vm, LAPIC + 0x20), 0);		/* ID 0 */
	assert_int_equal(rd(vm, LAPIC + 0x30), 0x50014);	/* version */
	assert_int_equal(rd(vm, LAPIC + 0xf0), 0xff);		/* software disabled */
	assert_int_equal(rd(vm, LAPIC + 0x350), 0x700);		/* LINT0 ExtINT */
	assert_int_equal(rd(vm, LAPIC + 0x360), 0x10000);	/* LINT1 masked */
	assert_int_equal(rd(vm, LAPIC + 0x320), 0x10000);	/* timer masked */
	assert_int_equal(rd(vm, LAPIC + 0xe0), 0xffffffff);	/* DFR flat */
	wr(vm, LAPIC + 0xd0, 0x01000000);
	assert_int_equal(rd(vm, LAPIC + 0xd0), 0x01000000);
	wr(vm, LAPIC + 0x80, 0x30);
	assert_int_equal(rd(vm, LAPIC + 0x80), 0x30);
	assert_int_equal(rd(vm, LAPIC + 0xa0), 0x30);		/* PPR = TPR */
	assert_int_equal(lapic__get_base(vm->lapic), 0xfee00900);
	assert_int_equal(ioapic_rd(vm, 0x01), 0x170011);
	assert_int_equal(ioapic_rd(vm, 0x00), 0);
	assert_int_equal(ioapic_rd(vm, 0x10), 0x10000);		/* masked */
	assert_int_equal(ioapic_rd(vm, 0x10 + 2 * 24), 0xffffffff);	/* past the table */

	/* relocation moves the MMIO range; reserved bits are refused */
	assert_int_equal(lapic__set_base(vm->lapic, 0xfed00800), 0);
	assert_null(devices__find_mmio(vm, LAPIC));
	assert_int_equal(rd(vm, 0xfed00030), 0x50014);
	assert_int_equal(lapic__set_base(vm->lapic, 0xfee00800 | 1), -EINVAL);
	assert_int_equal(lapic__set_base(vm->lapic, 0xfee00800), 0);
	assert_int_equal(rd(vm, LAPIC + 0x30), 0x50014);
}

static void test_timer_oneshot(void **state)
{
	struct vmdbg *vm = *state;

	enable_apic(vm);
	vm->insns = 1000;
	wr(vm, LAPIC + 0x3e0, 0xb);		/* divide by 1 */
	wr(vm, LAPIC + 0x320, 0x40);		/* one-shot, vector 0x40 */
	wr(vm, LAPIC + 0x380, 500);
	assert_int_equal(lapic__next_event(vm->lapic), 1000 + 501);
	vm->insns = 1100;
	assert_int_equal(rd(vm, LAPIC + 0x390), 400);
	vm->insns = 1500;
	assert_int_equal(rd(vm, LAPIC + 0x390), 0);
	vmm__poll(vm);
	assert_false(vm->intr);
	vm->insns = 1501;
	vmm__poll(vm);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x40);
	assert_false(vm->intr);
	assert_int_equal(rd(vm, LAPIC + 0x100 + 0x20), 1);	/* ISR bit 0x40 */
	assert_int_equal(lapic__next_event(vm->lapic), UINT64_MAX);
	wr(vm, LAPIC + 0xb0, 0);				/* EOI */
	assert_int_equal(rd(vm, LAPIC + 0x100 + 0x20), 0);
	/* divide by 16: a count every 16 ns */
	wr(vm, LAPIC + 0x3e0, 0x3);
	wr(vm, LAPIC + 0x380, 10);
	vm->insns = 1501 + 16 * 4 + 3;
	assert_int_equal(rd(vm, LAPIC + 0x390), 6);
	assert_int_equal(lapic__next_event(vm->lapic), 1501 + 16 * 11);
	/* a masked timer counts but gives no event */
	wr(vm, LAPIC + 0x320, 0x10040);
	assert_int_equal(lapic__next_event(vm->lapic), UINT64_MAX);
	assert_int_equal(rd(vm, LAPIC + 0x390), 6);
}

static void test_timer_periodic(void **state)
{
	struct vmdbg *vm = *state;
	int n = 0;

	enable_apic(vm);
	wr(vm, LAPIC + 0x3e0, 0x0);		/* divide by 2 */
	wr(vm, LAPIC + 0x320, 0x20050);		/* periodic, vector 0x50 */
	wr(vm, LAPIC + 0x380, 99);		/* period 100 counts: 200 ns */
	assert_int_equal(lapic__next_event(vm->lapic), 200);
	vm->insns = 150;
	assert_int_equal(rd(vm, LAPIC + 0x390), 99 - 75);
	vm->insns = 250;
	assert_int_equal(rd(vm, LAPIC + 0x390), 99 - 25);
	assert_true(vm->intr);			/* the event at 200 */
	assert_int_equal(vmm__irq_ack(vm), 0x50);
	wr(vm, LAPIC + 0xb0, 0);
	/* halted: idle jumps to each period; the handler EOIs each time */
	while (n < 5) {
		assert_true(vmm__idle(vm));
		assert_int_equal(vmm__vtime(vm), 200 * (n + 2));
		assert_int_equal(vmm__irq_ack(vm), 0x50);
		wr(vm, LAPIC + 0xb0, 0);
		n++;
	}
	/* in service and not EOI'd: the next periods merge into IRR, and a
	 * halted CPU can never take them */
	assert_true(vmm__idle(vm));
	assert_int_equal(vmm__irq_ack(vm), 0x50);
	assert_false(vmm__idle(vm));
	assert_false(vm->intr);
	wr(vm, LAPIC + 0xb0, 0);
	assert_true(vm->intr);		/* the merged request */
}

static void test_priority(void **state)
{
	struct vmdbg *vm = *state;

	/* software-disabled: requests wait in IRR */
	lapic__accept(vm->lapic, 0x61, false);
	assert_false(vm->intr);
	enable_apic(vm);
	assert_true(vm->intr);
	wr(vm, LAPIC + 0x80, 0x60);		/* TPR blocks class 6 */
	assert_false(vm->intr);
	lapic__accept(vm->lapic, 0x75, false);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x75);
	wr(vm, LAPIC + 0x80, 0);
	assert_int_equal(rd(vm, LAPIC + 0xa0), 0x70);	/* PPR from the ISR */
	assert_false(vm->intr);			/* 0x61 below 0x75 in service */
	wr(vm, LAPIC + 0xb0, 0);
	assert_int_equal(vmm__irq_ack(vm), 0x61);
	wr(vm, LAPIC + 0xb0, 0);
	/* self-IPI through the ICR; an INIT to another CPU reaches nobody */
	wr(vm, LAPIC + 0x300, 0x40000 | 0x33);
	assert_int_equal(vmm__irq_ack(vm), 0x33);
	wr(vm, LAPIC + 0xb0, 0);
	wr(vm, LAPIC + 0x310, 0x01000000);
	wr(vm, LAPIC + 0x300, 0x4500);
	assert_false(vm->intr);
	/* an illegal vector sets the error status */
	lapic__accept(vm->lapic, 5, false);
	assert_int_equal(rd(vm, LAPIC + 0x280), 0x40);
	wr(vm, LAPIC + 0x280, 0);
	assert_int_equal(rd(vm, LAPIC + 0x280), 0);
}

/* The PIC reaches the CPU through LINT0; masking LINT0 cuts it off. */
static void test_pic_through_lint0(void **state)
{
	struct vmdbg *vm = *state;

	out8(vm, 0x20, 0x11);	/* ICW1 */
	out8(vm, 0x21, 0x20);	/* base 0x20 */
	out8(vm, 0x21, 0x04);
	out8(vm, 0x21, 0x01);
	out8(vm, 0x21, 0xfe);	/* IRQ0 only */
	vmm__raise_irq(vm, 0);
	assert_true(vm->intr);
	wr(vm, LAPIC + 0x350, 0x10700);		/* mask LINT0 */
	assert_false(vm->intr);
	wr(vm, LAPIC + 0x350, 0x700);
	assert_true(vm->intr);
	/* ExtINT goes before an APIC vector */
	enable_apic(vm);
	lapic__accept(vm->lapic, 0x90, false);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	assert_int_equal(vmm__irq_ack(vm), 0x90);
}

static void test_ioapic(void **state)
{
	struct vmdbg *vm = *state;

	enable_apic(vm);
	/* masked: an edge is dropped */
	vmm__raise_irq(vm, 4);
	vmm__lower_irq(vm, 4);
	assert_false(vm->intr);
	/* IRQ0 is pin 2 */
	ioapic_wr(vm, 0x10 + 2 * 2, 0x30);
	ioapic_wr(vm, 0x11 + 2 * 2, 0);
	assert_int_equal(ioapic__entry(vm->ioapic, 2), 0x30);
	vmm__raise_irq(vm, 0);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x30);
	assert_int_equal(rd(vm, LAPIC + 0x180 + 0x10), 0);	/* TMR: edge */
	wr(vm, LAPIC + 0xb0, 0);
	vmm__lower_irq(vm, 0);
	/* a destination that is not this CPU: nobody */
	ioapic_wr(vm, 0x11 + 2 * 2, 0x05000000);
	vmm__raise_irq(vm, 0);
	assert_false(vm->intr);
	vmm__lower_irq(vm, 0);
	/* logical flat destination matching the LDR */
	wr(vm, LAPIC + 0xd0, 0x04000000);
	ioapic_wr(vm, 0x10 + 2 * 2, 0x830);
	ioapic_wr(vm, 0x11 + 2 * 2, 0x04000000);
	vmm__raise_irq(vm, 0);
	assert_int_equal(vmm__irq_ack(vm), 0x30);
	wr(vm, LAPIC + 0xb0, 0);
	vmm__lower_irq(vm, 0);

	/* level-triggered pin 9: remote IRR until the EOI */
	ioapic_wr(vm, 0x10 + 2 * 9, 0x8000 | 0x49);
	ioapic_wr(vm, 0x11 + 2 * 9, 0);
	vmm__raise_irq(vm, 9);
	assert_int_equal(ioapic_rd(vm, 0x10 + 2 * 9), 0xc049);	/* remote IRR */
	assert_int_equal(vmm__irq_ack(vm), 0x49);
	assert_int_equal(rd(vm, LAPIC + 0x180 + 0x20), 1u << 9);	/* TMR */
	/* the guest cannot clear remote IRR by writing */
	ioapic_wr(vm, 0x10 + 2 * 9, 0x8000 | 0x49);
	assert_int_equal(ioapic_rd(vm, 0x10 + 2 * 9), 0xc049);
	wr(vm, LAPIC + 0xb0, 0);
	/* line still high after the EOI: delivered again */
	assert_int_equal(ioapic_rd(vm, 0x10 + 2 * 9), 0xc049);
	assert_int_equal(vmm__irq_ack(vm), 0x49);
	vmm__lower_irq(vm, 9);
	wr(vm, LAPIC + 0xb0, 0);
	assert_int_equal(ioapic_rd(vm, 0x10 + 2 * 9), 0x8049);
	assert_false(vm->intr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_oneshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pic_through_lint0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
