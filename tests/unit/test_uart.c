/*
 * test_uart.c - the 8250 register model and the device table.
 *
 * Runs on a hand-built struct vmdbg (RAM, no backend) and calls the port
 * handlers through devices__find_io(), exactly as vmm__io() does.
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

#define COM1 PORT_UART0
#define THR (COM1 + 0)
#define RBR (COM1 + 0)
#define DLL (COM1 + 0)
#define IER (COM1 + 1)
#define DLM (COM1 + 1)
#define IIR (COM1 + 2)
#define LCR (COM1 + 3)
#define MCR (COM1 + 4)
#define LSR (COM1 + 5)
#define MSR (COM1 + 6)
#define SCR (COM1 + 7)

struct seen {
	uint8_t serial[256];
	size_t nserial;
	uint64_t input[64];
	size_t ninput;
	uint64_t arrived[8];	/* VMDBG_INPUT_SERIAL_ARRIVAL values */
	size_t narrived;
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct seen *s = ctx;

	if (ev->kind == VMDBG_EV_SERIAL) {
		assert_true(s->nserial + ev->u.serial.len <= sizeof(s->serial));
		memcpy(s->serial + s->nserial, ev->u.serial.data, ev->u.serial.len);
		s->nserial += ev->u.serial.len;
	} else if (ev->kind == VMDBG_EV_INPUT && ev->u.input.kind == VMDBG_INPUT_SERIAL_ARRIVAL) {
		s->arrived[s->narrived++ % 8] = ev->u.input.value;
	} else if (ev->kind == VMDBG_EV_INPUT) {
		assert_int_equal(ev->u.input.kind, VMDBG_INPUT_SERIAL);
		if (s->ninput < 64)
			s->input[s->ninput] = ev->u.input.value;
		s->ninput++;
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
	vm->ram_size = 4 << 20;
	vm->ram = calloc(1, vm->ram_size);
	vm->cb = on_event;
	vm->cb_ctx = s;
	if (!vm->ram || devices__init(vm) < 0)
		return -1;
	*state = vm;
	return 0;
}

static int teardown(void **state)
{
	struct vmdbg *vm = *state;

	devices__exit(vm);
	free(vm->cb_ctx);
	free(vm->ram);
	free(vm);
	return 0;
}

static struct seen *seen(struct vmdbg *vm)
{
	return vm->cb_ctx;
}

static uint32_t inb(struct vmdbg *vm, uint16_t port)
{
	const struct io_range *r = devices__find_io(vm, port);
	uint32_t v = 0xffffffff;

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, port, 1, false, &v), 0);
	return v & 0xff;
}

static void outb(struct vmdbg *vm, uint16_t port, uint8_t val)
{
	const struct io_range *r = devices__find_io(vm, port);
	uint32_t v = val;

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, port, 1, true, &v), 0);
}

static void test_output(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(inb(vm, LSR), 0x60);		/* THRE | TEMT, no data */
	outb(vm, THR, 'H');
	outb(vm, THR, 'i');
	outb(vm, THR, '\n');
	assert_int_equal(seen(vm)->nserial, 3);
	assert_memory_equal(seen(vm)->serial, "Hi\n", 3);
	assert_int_equal(inb(vm, LSR), 0x60);		/* sent at once */
}

static void test_dlab(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, IER, 0x05);
	outb(vm, LCR, 0x83);				/* DLAB, 8N1 */
	assert_int_equal(inb(vm, LCR), 0x83);
	outb(vm, DLL, 0x0c);				/* 9600 baud */
	outb(vm, DLM, 0x00);
	assert_int_equal(inb(vm, DLL), 0x0c);
	assert_int_equal(inb(vm, DLM), 0x00);
	assert_int_equal(seen(vm)->nserial, 0);		/* DLL write is not output */
	outb(vm, LCR, 0x03);
	assert_int_equal(inb(vm, IER), 0x05);		/* IER untouched by DLM */
	outb(vm, IER, 0xff);
	assert_int_equal(inb(vm, IER), 0x0f);		/* four bits */
	outb(vm, LCR, 0x83);
	assert_int_equal(inb(vm, DLL), 0x0c);		/* latch kept */
	outb(vm, LCR, 0x03);
}

static void test_scratch(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, SCR, 0x5a);
	assert_int_equal(inb(vm, SCR), 0x5a);
	outb(vm, SCR, 0xa5);
	assert_int_equal(inb(vm, SCR), 0xa5);
}

static void test_input_queue(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(uart__push_input(vm->uart, (const uint8_t *)"ok", 2), 0);
	assert_int_equal(inb(vm, LSR), 0x61);		/* DR */
	assert_int_equal(inb(vm, RBR), 'o');
	assert_int_equal(inb(vm, LSR) & 1, 1);
	assert_int_equal(inb(vm, RBR), 'k');
	assert_int_equal(inb(vm, LSR), 0x60);		/* empty again */
	assert_int_equal(inb(vm, RBR), 0);		/* empty RBR reads 0 */
	/* each byte consumed is a nondeterministic input */
	assert_int_equal(seen(vm)->ninput, 2);
	assert_int_equal(seen(vm)->input[0], 'o');
	assert_int_equal(seen(vm)->input[1], 'k');
	assert_int_equal(seen(vm)->narrived, 0);	/* queued behind its back */
	/* through the public entry point too, which reports the arrival */
	assert_int_equal(vmdbg__serial_input(vm, "z", 1), 0);
	assert_int_equal(seen(vm)->narrived, 1);
	assert_int_equal(seen(vm)->arrived[0], 'z');
	assert_int_equal(inb(vm, RBR), 'z');
}

static void test_input_full(void **state)
{
	struct vmdbg *vm = *state;
	static uint8_t big[5000];
	size_t i;

	memset(big, 'a', sizeof(big));
	/* all or nothing */
	assert_int_equal(uart__push_input(vm->uart, big, sizeof(big)), -ENOSPC);
	assert_int_equal(inb(vm, LSR) & 1, 0);
	assert_int_equal(uart__push_input(vm->uart, big, 4096), 0);
	assert_int_equal(uart__push_input(vm->uart, big, 1), -ENOSPC);
	for (i = 0; i < 4096; i++)
		assert_int_equal(inb(vm, RBR), 'a');
	assert_int_equal(inb(vm, LSR) & 1, 0);
	assert_int_equal(uart__push_input(vm->uart, big, 1), 0);
}

static void test_loopback(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(inb(vm, MSR), 0xb0);		/* DCD DSR CTS */
	outb(vm, MCR, 0x10);				/* loop, all outputs off */
	assert_int_equal(inb(vm, MCR), 0x10);
	assert_int_equal(inb(vm, MSR), 0x0b);		/* DDCD DDSR DCTS: they fell */
	assert_int_equal(inb(vm, MSR), 0x00);		/* deltas clear on read */
	outb(vm, MCR, 0x1f);
	assert_int_equal(inb(vm, MSR), 0xfb);		/* RI rising is no delta */
	outb(vm, MCR, 0x12);				/* RTS -> CTS */
	assert_int_equal(inb(vm, MSR), 0x1e);		/* TERI: RI's trailing edge */
	outb(vm, MCR, 0x19);				/* DTR -> DSR, OUT2 -> DCD */
	assert_int_equal(inb(vm, MSR), 0xab);
	outb(vm, MCR, 0x14);				/* OUT1 -> RI */
	assert_int_equal(inb(vm, MSR), 0x4a);

	outb(vm, THR, 'x');
	assert_int_equal(seen(vm)->nserial, 0);		/* not sent */
	assert_int_equal(inb(vm, LSR), 0x61);
	assert_int_equal(inb(vm, RBR), 'x');
	assert_int_equal(seen(vm)->ninput, 0);		/* the guest's own byte */
	outb(vm, MCR, 0x0b);
	outb(vm, THR, 'y');
	assert_int_equal(seen(vm)->nserial, 1);
	assert_int_equal(inb(vm, LSR), 0x60);
}

static void test_iir(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(inb(vm, IIR), 0x01);		/* nothing pending */
	outb(vm, IER, 0x02);				/* THRE interrupt */
	assert_int_equal(inb(vm, IIR), 0x02);
	assert_int_equal(inb(vm, IIR), 0x01);		/* acknowledged by the read */
	outb(vm, THR, '.');
	assert_int_equal(inb(vm, IIR), 0x02);
	outb(vm, IER, 0x03);
	assert_int_equal(uart__push_input(vm->uart, (const uint8_t *)"q", 1), 0);
	assert_int_equal(inb(vm, IIR), 0x04);		/* data beats THRE */
	assert_int_equal(inb(vm, RBR), 'q');
	assert_int_equal(inb(vm, IIR), 0x01);
	outb(vm, IER, 0x00);
	assert_int_equal(inb(vm, IIR), 0x01);
}

static int dummy_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		    bool is_write, uint32_t *val)
{
	(void)vm; (void)opaque; (void)port; (void)size; (void)is_write;
	*val = 0x42;
	return 0;
}

static int dummy_mmio(struct vmdbg *vm, void *opaque, uint64_t addr, int size,
		      bool is_write, uint64_t *val)
{
	(void)vm; (void)opaque; (void)addr; (void)size; (void)is_write;
	*val = 0x42;
	return 0;
}

static void test_table(void **state)
{
	struct vmdbg *vm = *state;
	const struct io_range *r;
	int n = vm->nr_io;

	r = devices__find_io(vm, COM1 + 5);
	assert_non_null(r);
	assert_int_equal(r->dev, VMDBG_DEV_UART);
	assert_int_equal(r->base, COM1);
	assert_null(devices__find_io(vm, COM1 + 8));
	assert_null(devices__find_io(vm, COM1 - 1));
	assert_int_equal(devices__find_io(vm, PORT_DEBUG_EXIT)->dev, VMDBG_DEV_DEBUG_EXIT);
	assert_int_equal(devices__find_io(vm, PORT_CMOS_DATA)->dev, VMDBG_DEV_CMOS);
	assert_int_equal(devices__find_io(vm, PORT_HYPERCALL)->dev, VMDBG_DEV_HYPERCALL);

	/* overlaps are refused with -EBUSY and a message naming both */
	assert_int_equal(devices__register_io(vm, COM1 + 7, 2, VMDBG_DEV_PIT, dummy_io, NULL),
			 -EBUSY);
	assert_non_null(strstr(vm->err, "uart"));
	assert_int_equal(devices__register_io(vm, COM1 - 1, 1, VMDBG_DEV_PIT, dummy_io, NULL), 0);
	assert_int_equal(devices__register_io(vm, COM1 - 1, 1, VMDBG_DEV_PIT, dummy_io, NULL),
			 -EBUSY);
	assert_int_equal(devices__register_io(vm, 0xffff, 2, VMDBG_DEV_PIT, dummy_io, NULL),
			 -EINVAL);
	assert_int_equal(devices__register_io(vm, 0x100, 0, VMDBG_DEV_PIT, dummy_io, NULL),
			 -EINVAL);
	assert_int_equal(vm->nr_io, n + 1);
	while (vm->nr_io < MAX_IO_RANGES)
		assert_int_equal(devices__register_io(vm, (uint16_t)(0x1000 + vm->nr_io), 1,
						      VMDBG_DEV_PIT, dummy_io, NULL), 0);
	assert_int_equal(devices__register_io(vm, 0x2000, 1, VMDBG_DEV_PIT, dummy_io, NULL),
			 -ENOSPC);

	/* the APICs claim their pages */
	assert_int_equal(devices__find_mmio(vm, 0xfee00000)->dev, VMDBG_DEV_LAPIC);
	assert_int_equal(devices__find_mmio(vm, 0xfec00010)->dev, VMDBG_DEV_IOAPIC);
	assert_int_equal(devices__register_mmio(vm, 0xfee00800, 0x1000, VMDBG_DEV_PIC,
						dummy_mmio, NULL), -EBUSY);
	assert_null(devices__find_mmio(vm, 0xfed00000));
	assert_int_equal(devices__register_mmio(vm, 0xfed00000, 0x1000, VMDBG_DEV_PIC,
						dummy_mmio, NULL), 0);
	assert_int_equal(devices__register_mmio(vm, 0xfed00800, 0x1000, VMDBG_DEV_PIC,
						dummy_mmio, NULL), -EBUSY);
	assert_int_equal(devices__find_mmio(vm, 0xfed00fff)->dev, VMDBG_DEV_PIC);
	assert_null(devices__find_mmio(vm, 0xfed01000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dlab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
