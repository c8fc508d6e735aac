/*
 * test_devices.c - the small PC devices: debug-exit, POST, i8042, CMOS,
 * the hypercall port, and the interrupt hardware: the 8259A PIC pair, the
 * 8254 PIT and the core's IRQ lines and idle (irq.c).
 *
 * A hand-built struct vmdbg with a fake backend whose only job is to hand
 * the hypercall port a register file; handlers are called through
 * devices__find_io() as vmm__io() does.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct seen {
	uint8_t serial[64];
	size_t nserial;
	uint64_t cmos[64];
	size_t ncmos;
	struct vmdbg_trap last;
	size_t ntraps;
};

static struct vmdbg_regs fake_regs;

static int fake_get_regs(struct vmdbg *vm, struct vmdbg_regs *r)
{
	(void)vm;
	*r = fake_regs;
	return 0;
}

static const struct backend_ops fake_backend = {
	.name = "fake",
	.get_regs = fake_get_regs,
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct seen *s = ctx;

	switch (ev->kind) {
	case VMDBG_EV_SERIAL:
		memcpy(s->serial + s->nserial, ev->u.serial.data, ev->u.serial.len);
		s->nserial += ev->u.serial.len;
		break;
	case VMDBG_EV_INPUT:
		assert_int_equal(ev->u.input.kind, VMDBG_INPUT_CMOS);
		if (s->ncmos < 64)
			s->cmos[s->ncmos++] = ev->u.input.value;
		break;
	case VMDBG_EV_TRAP:
		s->last = *ev->u.trap;
		s->ntraps++;
		break;
	default:
		break;
	}
}

static int setup(void **state)
{
	struct vmdbg *vm = calloc(1, sizeof(*vm));
	struct seen *s = calloc(1, sizeof(*s));

	if (!vm || !s)
		return -1;
	vm->tt_at = UINT64_MAX;	/* not recording, as vmdbg__create() sets */
	vm->slice_end = UINT64_MAX;	/* one CPU: no quantum (vmdbg__create) */
	vm->ram_size = 64 << 20;
	vm->ram = calloc(1, 1 << 20);	/* the devices never touch RAM */
	vm->be = &fake_backend;
	vm->cb = on_event;
	vm->cb_ctx = s;
	memset(&fake_regs, 0, sizeof(fake_regs));
	if (!vm->ram || devices__init(vm) < 0)
		return -1;
	*state = vm;
	return 0;
}

static int teardown(void **state)
{
	struct vmdbg *vm = *state;

	devices__exit(vm);
	assert_null(vm->misc);
	assert_null(vm->uart);
	assert_null(vm->pic);
	assert_null(vm->pit);
	free(vm->cb_ctx);
	free(vm->ram);
	free(vm);
	return 0;
}

static struct seen *seen(struct vmdbg *vm)
{
	return vm->cb_ctx;
}

static uint32_t in(struct vmdbg *vm, uint16_t port, int size)
{
	const struct io_range *r = devices__find_io(vm, port);
	uint32_t v = 0xffffffff;

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, port, size, false, &v), 0);
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void out(struct vmdbg *vm, uint16_t port, int size, uint32_t val)
{
	const struct io_range *r = devices__find_io(vm, port);

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, port, size, true, &val), 0);
}

static uint8_t inb(struct vmdbg *vm, uint16_t port)
{
	return (uint8_t)in(vm, port, 1);
}

static void outb(struct vmdbg *vm, uint16_t port, uint8_t v)
{
	out(vm, port, 1, v);
}

static void test_debug_exit(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
	outb(vm, PORT_DEBUG_EXIT, 0x21);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_EXIT);
	assert_int_equal(vm->pending_stop.exit_status, 0x43);
	assert_string_equal(vm->pending_stop.msg, "guest wrote 0x21 to the debug-exit port");
}

static void test_debug_exit_wide(void **state)
{
	struct vmdbg *vm = *state;

	out(vm, PORT_DEBUG_EXIT, 4, 0);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_EXIT);
	assert_int_equal(vm->pending_stop.exit_status, 1);
}

static void test_post(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(inb(vm, PORT_POST), 0);
	outb(vm, PORT_POST, 0x42);
	assert_int_equal(inb(vm, PORT_POST), 0x42);
	outb(vm, PORT_POST, 0xaa);
	assert_int_equal(inb(vm, PORT_POST), 0xaa);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
}

static void test_i8042_a20(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(inb(vm, PORT_I8042_CMD), 0x14);	/* unlocked, sysflag */
	assert_int_equal(inb(vm, 0x92), 0x02);			/* A20 on at boot */

	/* the classic sequence: 0xD1, then the output port with A20 off */
	outb(vm, PORT_I8042_CMD, 0xd1);
	assert_int_equal(inb(vm, PORT_I8042_CMD) & 0x08, 0x08);	/* last was a command */
	outb(vm, PORT_I8042_DATA, 0xdd);
	assert_int_equal(inb(vm, PORT_I8042_CMD) & 0x09, 0x00);
	assert_int_equal(inb(vm, 0x92), 0x00);
	outb(vm, PORT_I8042_CMD, 0xd0);				/* read it back */
	assert_int_equal(inb(vm, PORT_I8042_CMD) & 0x01, 0x01);	/* OBF */
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0xdd);
	assert_int_equal(inb(vm, PORT_I8042_CMD) & 0x01, 0x00);

	/* and on again */
	outb(vm, PORT_I8042_CMD, 0xd1);
	outb(vm, PORT_I8042_DATA, 0xdf);
	assert_int_equal(inb(vm, 0x92), 0x02);
	outb(vm, PORT_I8042_CMD, 0xd0);
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0xdf);

	/* 0xDD / 0xDF commands and the fast A20 port */
	outb(vm, PORT_I8042_CMD, 0xdd);
	assert_int_equal(inb(vm, 0x92), 0x00);
	outb(vm, 0x92, 0x02);
	outb(vm, PORT_I8042_CMD, 0xd0);
	assert_int_equal(inb(vm, PORT_I8042_DATA) & 0x02, 0x02);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
}

static void test_i8042_commands(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, PORT_I8042_CMD, 0xaa);				/* self test */
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0x55);
	outb(vm, PORT_I8042_CMD, 0xab);
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0x00);
	outb(vm, PORT_I8042_CMD, 0x20);				/* command byte */
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0x45);
	outb(vm, PORT_I8042_CMD, 0x60);
	outb(vm, PORT_I8042_DATA, 0x61);
	outb(vm, PORT_I8042_CMD, 0x20);
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0x61);
	outb(vm, PORT_I8042_DATA, 0xff);			/* keyboard reset */
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0xfa);
	assert_int_equal(inb(vm, PORT_I8042_DATA), 0xaa);
	assert_int_equal(inb(vm, PORT_I8042_CMD) & 0x01, 0);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
}

static void test_i8042_reset(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, PORT_I8042_CMD, 0xfe);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_RESET);
	assert_string_equal(vm->pending_stop.msg, "guest reset through the i8042 (command 0xFE)");
}

static void test_i8042_outport_reset(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, PORT_I8042_CMD, 0xd1);
	outb(vm, PORT_I8042_DATA, 0x02);			/* reset line low */
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_RESET);
	assert_non_null(strstr(vm->pending_stop.msg, "i8042"));
}

static void test_fast_reset(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, 0x92, 0x03);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_RESET);
	assert_non_null(strstr(vm->pending_stop.msg, "port 0x92"));
}

static uint8_t cmos(struct vmdbg *vm, uint8_t idx)
{
	outb(vm, PORT_CMOS_INDEX, idx);
	return inb(vm, PORT_CMOS_DATA);
}

static void test_cmos_epoch(void **state)
{
	struct vmdbg *vm = *state;

	vm->time_is_insns = true;
	assert_int_equal(cmos(vm, 0x00), 0x00);
	assert_int_equal(cmos(vm, 0x02), 0x00);
	assert_int_equal(cmos(vm, 0x04), 0x00);
	assert_int_equal(cmos(vm, 0x06), 5);			/* Thursday */
	assert_int_equal(cmos(vm, 0x07), 0x01);
	assert_int_equal(cmos(vm, 0x08), 0x01);
	assert_int_equal(cmos(vm, 0x09), 0x26);
	assert_int_equal(cmos(vm, 0x32), 0x20);
	assert_int_equal(cmos(vm, 0x0a), 0x26);			/* no update in progress */
	assert_int_equal(cmos(vm, 0x0b), 0x02);			/* BCD, 24 hour */
	assert_int_equal(cmos(vm, 0x0d), 0x80);
	/* every clock read is a recorded input: index << 8 | value */
	assert_int_equal(seen(vm)->ncmos, 8);
	assert_int_equal(seen(vm)->cmos[0], 0x0000);
	assert_int_equal(seen(vm)->cmos[6], 0x0926);
	assert_int_equal(seen(vm)->cmos[7], 0x3220);
	/* NMI-disable bit in the index is ignored */
	assert_int_equal(cmos(vm, 0x80 | 0x09), 0x26);
	assert_int_equal(inb(vm, PORT_CMOS_INDEX), 0xff);
}

static void test_cmos_clock_advances(void **state)
{
	struct vmdbg *vm = *state;
	uint64_t secs = 31 * 86400ULL + 13 * 3600 + 45 * 60 + 7;

	/* 2026-02-01 13:45:07, a Sunday */
	vm->time_is_insns = true;
	vm->insns = secs * 100000000ULL;
	assert_int_equal(cmos(vm, 0x00), 0x07);
	assert_int_equal(cmos(vm, 0x02), 0x45);
	assert_int_equal(cmos(vm, 0x04), 0x13);
	assert_int_equal(cmos(vm, 0x06), 1);
	assert_int_equal(cmos(vm, 0x07), 0x01);
	assert_int_equal(cmos(vm, 0x08), 0x02);
	/* 12-hour mode: 1 PM */
	outb(vm, PORT_CMOS_INDEX, 0x0b);
	outb(vm, PORT_CMOS_DATA, 0x00);
	assert_int_equal(cmos(vm, 0x04), 0x81);
	/* binary mode */
	outb(vm, PORT_CMOS_INDEX, 0x0b);
	outb(vm, PORT_CMOS_DATA, 0x06);
	assert_int_equal(cmos(vm, 0x04), 13);
	assert_int_equal(cmos(vm, 0x02), 45);
	assert_int_equal(cmos(vm, 0x09), 26);
	/* on kvm the clock runs on exits */
	vm->time_is_insns = false;
	vm->exits = 2000000;
	assert_int_equal(cmos(vm, 0x00), 2);
	assert_int_equal(cmos(vm, 0x07), 1);
	assert_int_equal(cmos(vm, 0x08), 1);
	/* the clock cannot be set */
	outb(vm, PORT_CMOS_INDEX, 0x00);
	outb(vm, PORT_CMOS_DATA, 0x30);
	assert_int_equal(cmos(vm, 0x00), 2);
}

static void test_cmos_memory(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(cmos(vm, 0x15) | cmos(vm, 0x16) << 8, 640);
	assert_int_equal(cmos(vm, 0x17) | cmos(vm, 0x18) << 8, 63 * 1024);
	assert_int_equal(cmos(vm, 0x30) | cmos(vm, 0x31) << 8, 63 * 1024);
	assert_int_equal(cmos(vm, 0x34) | cmos(vm, 0x35) << 8, 48 * 16);
	/* plain storage */
	outb(vm, PORT_CMOS_INDEX, 0x40);
	outb(vm, PORT_CMOS_DATA, 0x5a);
	assert_int_equal(cmos(vm, 0x40), 0x5a);
	/* status D is read-only */
	outb(vm, PORT_CMOS_INDEX, 0x0d);
	outb(vm, PORT_CMOS_DATA, 0x00);
	assert_int_equal(cmos(vm, 0x0d), 0x80);
	assert_int_equal(seen(vm)->ncmos, 0);
}

static void test_hypercall(void **state)
{
	struct vmdbg *vm = *state;

	fake_regs.gpr[VMDBG_RBX] = 'A';
	out(vm, PORT_HYPERCALL, 4, HC_PUTCHAR);
	assert_int_equal(seen(vm)->nserial, 1);
	assert_int_equal(seen(vm)->serial[0], 'A');
	assert_int_equal(in(vm, PORT_HYPERCALL, 4), 0);

	out(vm, PORT_HYPERCALL, 4, 0x1234);			/* unknown */
	assert_int_equal(in(vm, PORT_HYPERCALL, 4), 0xffffffff);
	out(vm, PORT_HYPERCALL, 4, HC_NOP);
	assert_int_equal(in(vm, PORT_HYPERCALL, 4), 0);
	fake_regs.gpr[VMDBG_RBX] = 99;
	out(vm, PORT_HYPERCALL, 4, HC_MARK);
	assert_int_equal(in(vm, PORT_HYPERCALL, 4), 0);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);

	fake_regs.gpr[VMDBG_RBX] = 3;
	out(vm, PORT_HYPERCALL, 4, HC_EXIT);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_EXIT);
	assert_int_equal(vm->pending_stop.exit_status, 7);
}

/* Through vmm__io(): the trap names the device and the class. */
static void test_vmm_io_records(void **state)
{
	struct vmdbg *vm = *state;
	struct trap_origin o = { .rip = 0x7c10, .cpl = 0, .mode = 16 };
	uint32_t v = 0x12;

	assert_int_equal(vmm__io(vm, &o, PORT_POST, 1, true, &v), 0);
	assert_int_equal(seen(vm)->last.cls, VMDBG_TC_IO);
	assert_int_equal(seen(vm)->last.device, VMDBG_DEV_POST);
	assert_int_equal(seen(vm)->last.addr, PORT_POST);
	assert_int_equal(seen(vm)->last.value, 0x12);

	fake_regs.gpr[VMDBG_RBX] = 'x';
	v = HC_PUTCHAR;
	assert_int_equal(vmm__io(vm, &o, PORT_HYPERCALL, 4, true, &v), 0);
	assert_int_equal(seen(vm)->last.cls, VMDBG_TC_HYPERCALL);
	assert_int_equal(seen(vm)->last.device, VMDBG_DEV_HYPERCALL);
	assert_int_equal(seen(vm)->last.addr, HC_PUTCHAR);
	assert_int_equal(seen(vm)->last.value, 'x');

	assert_int_equal(vmm__io(vm, &o, 0x2f8, 1, false, &v), 0);
	assert_int_equal(seen(vm)->last.device, VMDBG_DEV_UNCLAIMED);
	assert_int_equal(v, 0xff);
	assert_int_equal(seen(vm)->ntraps, 3);
}

/* ---- PIC and PIT --------------------------------------------------------- */

/* The PC sequence: master at base, slave at base + 8 on IR2, 8086 mode. */
static void pic_setup(struct vmdbg *vm, uint8_t base, uint8_t icw4, uint8_t mask)
{
	outb(vm, 0x20, 0x11);
	outb(vm, 0xa0, 0x11);
	outb(vm, 0x21, base);
	outb(vm, 0xa1, base + 8);
	outb(vm, 0x21, 0x04);
	outb(vm, 0xa1, 0x02);
	outb(vm, 0x21, icw4);
	outb(vm, 0xa1, icw4);
	outb(vm, 0x21, mask);
	outb(vm, 0xa1, 0x00);
}

static uint8_t pic_irr(struct vmdbg *vm, uint16_t port)
{
	outb(vm, port, 0x0a);		/* OCW3: read IRR */
	return inb(vm, port);
}

static uint8_t pic_isr(struct vmdbg *vm, uint16_t port)
{
	outb(vm, port, 0x0b);		/* OCW3: read ISR */
	return inb(vm, port);
}

static void pulse(struct vmdbg *vm, int irq)
{
	assert_int_equal(vmm__lower_irq(vm, irq), 0);
	assert_int_equal(vmm__raise_irq(vm, irq), 0);
}

static void test_pic_priority_and_eoi(void **state)
{
	struct vmdbg *vm = *state;

	/* power-on: everything masked, nothing arrives */
	assert_int_equal(inb(vm, 0x21), 0xff);
	pulse(vm, 0);
	assert_false(vm->intr);
	assert_int_equal(vmm__raise_irq(vm, 16), -EINVAL);

	pic_setup(vm, 0x20, 0x01, 0xfe);
	assert_int_equal(inb(vm, 0x21), 0xfe);
	/* ICW1 cleared the request latched before: a new edge is needed */
	assert_false(vm->intr);
	assert_int_equal(pic_irr(vm, 0x20), 0);
	pulse(vm, 1);			/* masked: latched, not requested */
	assert_int_equal(pic_irr(vm, 0x20), 0x02);
	assert_false(vm->intr);
	pulse(vm, 0);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	assert_false(vm->intr);
	assert_int_equal(pic_isr(vm, 0x20), 0x01);
	assert_int_equal(pic_irr(vm, 0x20), 0x02);
	/* a new IRQ0 edge waits while IRQ0 is in service */
	pulse(vm, 0);
	outb(vm, 0x21, 0xfc);		/* unmask IRQ1: lower priority, waits too */
	assert_false(vm->intr);
	outb(vm, 0x20, 0x20);		/* non-specific EOI */
	assert_int_equal(pic_isr(vm, 0x20), 0);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x20);	/* IRQ0 first */
	assert_false(vm->intr);
	outb(vm, 0x20, 0x60);		/* specific EOI, IRQ0 */
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x21);
	assert_int_equal(pic_isr(vm, 0x20), 0x02);
	outb(vm, 0x20, 0x61);
	assert_int_equal(pic_isr(vm, 0x20), 0);
	assert_false(vm->intr);
	/* rotate on non-specific EOI: IRQ0 becomes the lowest */
	pulse(vm, 0);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	outb(vm, 0x20, 0xa0);
	pulse(vm, 0);
	pulse(vm, 1);
	assert_int_equal(vmm__irq_ack(vm), 0x21);
	outb(vm, 0x20, 0x20);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	outb(vm, 0x20, 0x20);
	/* the poll command acknowledges through a read */
	pulse(vm, 1);
	outb(vm, 0x20, 0x0c);
	assert_int_equal(inb(vm, 0x20), 0x81);
	assert_int_equal(pic_isr(vm, 0x20), 0x02);
	outb(vm, 0x20, 0x20);
	outb(vm, 0x20, 0x0c);
	assert_int_equal(inb(vm, 0x20), 0x00);
}

static void test_pic_cascade_and_aeoi(void **state)
{
	struct vmdbg *vm = *state;

	pic_setup(vm, 0x20, 0x01, 0xfb);	/* only the cascade */
	pulse(vm, 10);
	assert_true(vm->intr);
	assert_int_equal(pic_irr(vm, 0x20), 0x04);	/* IR2 follows the slave */
	assert_int_equal(vmm__irq_ack(vm), 0x2a);
	assert_int_equal(pic_isr(vm, 0x20), 0x04);
	assert_int_equal(pic_isr(vm, 0xa0), 0x04);
	outb(vm, 0xa0, 0x20);
	outb(vm, 0x20, 0x20);
	assert_int_equal(pic_isr(vm, 0x20), 0);
	assert_int_equal(pic_isr(vm, 0xa0), 0);
	/* masked on the slave: nothing */
	outb(vm, 0xa1, 0x04);
	pulse(vm, 10);
	assert_false(vm->intr);
	/* automatic EOI: no ISR bit, the next request comes at once */
	pic_setup(vm, 0x50, 0x03, 0xfe);
	pulse(vm, 0);
	assert_int_equal(vmm__irq_ack(vm), 0x50);
	assert_int_equal(pic_isr(vm, 0x20), 0);
	pulse(vm, 0);
	assert_true(vm->intr);
}

static uint16_t pit_read16(struct vmdbg *vm, uint16_t port)
{
	uint8_t lo = inb(vm, port);

	return (uint16_t)(lo | inb(vm, port) << 8);
}

static void test_pit_rate_generator(void **state)
{
	struct vmdbg *vm = *state;

	vm->time_is_insns = true;
	pic_setup(vm, 0x20, 0x01, 0xfe);
	assert_int_equal(vm->poll_at, UINT64_MAX);	/* nothing programmed */
	outb(vm, 0x43, 0x34);		/* counter 0, lobyte/hibyte, mode 2 */
	outb(vm, 0x40, 1193 & 0xff);
	outb(vm, 0x40, 1193 >> 8);
	/* 1193 input clocks of 1.193182 MHz, one instruction per ns */
	assert_int_equal(vm->poll_at, 999848);
	vm->insns = 500000;
	outb(vm, 0x43, 0x00);		/* counter latch */
	vm->insns = 600000;		/* the latch holds the old count */
	assert_int_equal(pit_read16(vm, 0x40), 1193 - 596);
	assert_int_equal(pit_read16(vm, 0x40), 1193 - 715);	/* live again */
	vmm__poll(vm);
	assert_false(vm->intr);
	vm->insns = 999848;
	vmm__poll(vm);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	assert_int_equal(vm->poll_at, 1999695);
	/* read-back: status of counter 0 (output high, mode 2, lobyte/hibyte) */
	outb(vm, 0x43, 0xe2);
	assert_int_equal(inb(vm, 0x40), 0xb4);
	/* periods that pass while IRQ0 is in service merge into one */
	vm->insns = 5000000;
	vmm__poll(vm);
	assert_false(vm->intr);
	outb(vm, 0x20, 0x20);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	outb(vm, 0x20, 0x20);
	assert_false(vm->intr);
	assert_int_equal(vm->poll_at, 5999085);	/* the end of the 6th period */
}

static void test_pit_one_shot_and_idle(void **state)
{
	struct vmdbg *vm = *state;

	vm->time_is_insns = true;
	pic_setup(vm, 0x20, 0x01, 0xfe);
	/* no timer: idling cannot end */
	assert_false(vmm__idle(vm));
	/* mode 0, lobyte only: 100 clocks */
	outb(vm, 0x43, 0x10);
	outb(vm, 0x40, 100);
	outb(vm, 0x43, 0xe2);
	assert_int_equal(inb(vm, 0x40), 0x10);		/* output low, mode 0 */
	vm->insns = 1000;
	assert_int_equal(inb(vm, 0x40), 99);
	/* hlt: the virtual time jumps to the terminal count, IRQ0 fires */
	assert_true(vmm__idle(vm));
	assert_int_equal(vmm__vtime(vm), 83810);	/* 100 / 1.193182 MHz */
	assert_int_equal(vm->idle_ns, 83810 - 1000);
	assert_int_equal(vmm__irq_ack(vm), 0x20);
	outb(vm, 0x20, 0x20);
	/* one shot: no second interrupt */
	assert_false(vmm__idle(vm));
	/* a periodic timer whose IRQ is masked cannot wake the CPU either */
	outb(vm, 0x43, 0x36);		/* mode 3 */
	outb(vm, 0x40, 0x00);
	outb(vm, 0x40, 0x00);		/* 65536 */
	outb(vm, 0x21, 0xff);
	assert_false(vmm__idle(vm));
	outb(vm, 0x21, 0xfe);
	assert_true(vm->intr);
	/* BCD: 0x1000 is 1000 clocks */
	outb(vm, 0x43, 0x35);
	outb(vm, 0x40, 0x00);
	outb(vm, 0x40, 0x10);
	outb(vm, 0x43, 0x00);
	assert_int_equal(pit_read16(vm, 0x40), 0x1000);
}

/*
 * Port 0x61: counter 2's gate (bit 0) and output (bit 5), the speaker
 * enable (bit 1) and the refresh toggle (bit 4, flips on each read, as in
 * QEMU's pcspk).  memtest86+ and Linux time the TSC this way.
 */
static void test_port_61_counter2(void **state)
{
	struct vmdbg *vm = *state;

	vm->time_is_insns = true;
	/* reset: gate and speaker off; counter 2's output high (no count) */
	assert_int_equal(inb(vm, 0x61), 0x30);
	assert_int_equal(inb(vm, 0x61), 0x20);
	/* memtest86+'s calibration: gate high, mode 0, 59659 clocks (50 ms) */
	outb(vm, 0x61, (uint8_t)((inb(vm, 0x61) & ~0x02) | 0x01));
	outb(vm, 0x43, 0xb0);
	outb(vm, 0x42, 59659 & 0xff);
	outb(vm, 0x42, 59659 >> 8);
	assert_int_equal(inb(vm, 0x61) & 0x23, 0x01);	/* counting, output low */
	vm->insns = 49999916;
	assert_int_equal(inb(vm, 0x61) & 0x20, 0);
	vm->insns = 49999917;				/* the terminal count */
	assert_int_equal(inb(vm, 0x61) & 0x23, 0x21);
	/* speaker data bit is kept; bits 2-3 and 6-7 are not */
	outb(vm, 0x61, 0xff);
	assert_int_equal(inb(vm, 0x61) & 0xcf, 0x03);
	/* a low gate holds a mode 0 count; a rising one resumes it */
	vm->insns = 0;
	outb(vm, 0x61, 0x00);
	outb(vm, 0x43, 0xb0);
	outb(vm, 0x42, 1000 & 0xff);
	outb(vm, 0x42, 1000 >> 8);
	vm->insns = 100000;
	outb(vm, 0x43, 0x80);
	assert_int_equal(pit_read16(vm, 0x42), 1000);	/* not started */
	outb(vm, 0x61, 0x01);
	vm->insns = 200000;
	outb(vm, 0x43, 0x80);
	assert_int_equal(pit_read16(vm, 0x42), 1000 - (238 - 119));
	outb(vm, 0x61, 0x00);
	vm->insns = 900000;
	outb(vm, 0x43, 0x80);
	assert_int_equal(pit_read16(vm, 0x42), 1000 - 119);	/* held */
	assert_int_equal(inb(vm, 0x61) & 0x20, 0);
	/* mode 2 (rate generator): a low gate drives the output high */
	outb(vm, 0x43, 0xb4);
	outb(vm, 0x42, 10);
	outb(vm, 0x42, 0);
	assert_int_equal(inb(vm, 0x61) & 0x20, 0x20);
	/* counter 0 has its gate tied high: it counts whatever 0x61 says */
	outb(vm, 0x43, 0x30);
	outb(vm, 0x40, 0x10);
	outb(vm, 0x40, 0x00);
	vm->insns = 1000000;
	outb(vm, 0x43, 0x00);
	assert_int_equal(pit_read16(vm, 0x40), 0xff98);	/* 16 - 120 clocks, wrapped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debug_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_exit_wide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i8042_a20, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i8042_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i8042_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i8042_outport_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmos_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmos_clock_advances, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmos_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmm_io_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pic_priority_and_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pic_cascade_and_aeoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pit_rate_generator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pit_one_shot_and_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_61_counter2, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
