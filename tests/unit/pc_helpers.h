/*
 * pc_helpers.h - a hand-built struct vmdbg with every PC device, RAM, and
 * a fake backend whose registers a test sets (for the BIOS services), for
 * test_pcdev and test_bios.  Port handlers are called through
 * devices__find_io(), as vmm__io() does.
 */
#ifndef VMDBG_TEST_PC_HELPERS_H
#define VMDBG_TEST_PC_HELPERS_H

#include "vmdbg/internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct pc_seen {
	struct vmdbg_trap trap[64];	/* the last traps */
	size_t ntraps;
	uint64_t input[64];		/* VMDBG_INPUT_KBD values */
	size_t ninput;
	size_t nwant, nwant_blocking;
	const char *feed;		/* typed at the next WANT_INPUT */
	struct vmdbg *vm;
};

static struct vmdbg_regs pc_regs;

static int pc_get_regs(struct vmdbg *vm, struct vmdbg_regs *r)
{
	(void)vm;
	*r = pc_regs;
	return 0;
}

static int pc_set_regs(struct vmdbg *vm, const struct vmdbg_regs *r)
{
	(void)vm;
	pc_regs = *r;
	return 0;
}

static const struct backend_ops pc_backend = {
	.name = "fake",
	.get_regs = pc_get_regs,
	.set_regs = pc_set_regs,
};

static void pc_event(void *ctx, const struct vmdbg_event *ev)
{
	struct pc_seen *s = ctx;

	switch (ev->kind) {
	case VMDBG_EV_TRAP:
		s->trap[s->ntraps++ % 64] = *ev->u.trap;
		break;
	case VMDBG_EV_INPUT:
		if (ev->u.input.kind == VMDBG_INPUT_KBD && s->ninput < 64)
			s->input[s->ninput++] = ev->u.input.value;
		break;
	case VMDBG_EV_WANT_INPUT:
		s->nwant++;
		s->nwant_blocking += ev->u.want.blocking != 0;
		if (s->feed) {
			assert_int_equal(vmdbg__console_input(s->vm, s->feed, strlen(s->feed)), 0);
			s->feed = NULL;
		}
		break;
	default:
		break;
	}
}

static int pc_setup(void **state)
{
	struct vmdbg *vm = calloc(1, sizeof(*vm));
	struct pc_seen *s = calloc(1, sizeof(*s));

	if (!vm || !s)
		return -1;
	vm->tt_at = UINT64_MAX;	/* not recording, as vmdbg__create() sets */
	vm->ram_size = 4 << 20;
	vm->ram = calloc(1, vm->ram_size);
	vm->be = &pc_backend;
	vm->time_is_insns = true;
	vm->cb = pc_event;
	vm->cb_ctx = s;
	s->vm = vm;
	memset(&pc_regs, 0, sizeof(pc_regs));
	if (!vm->ram || devices__init(vm) < 0)
		return -1;
	*state = vm;
	return 0;
}

static int pc_teardown(void **state)
{
	struct vmdbg *vm = *state;

	devices__exit(vm);
	assert_null(vm->vga);
	assert_null(vm->kbd);
	free(vm->cb_ctx);
	free(vm->ram);
	free(vm);
	return 0;
}

static struct pc_seen *pc_seen(struct vmdbg *vm)
{
	return vm->cb_ctx;
}

static uint32_t pc_in(struct vmdbg *vm, uint16_t port, int size)
{
	const struct io_range *r = devices__find_io(vm, port);
	uint32_t v = 0xffffffff;

	assert_non_null(r);
	assert_true(r->fn(vm, r->opaque, port, size, false, &v) >= 0);
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static int pc_out(struct vmdbg *vm, uint16_t port, int size, uint32_t val)
{
	const struct io_range *r = devices__find_io(vm, port);

	assert_non_null(r);
	return r->fn(vm, r->opaque, port, size, true, &val);
}

#define inb(vm, p)	pc_in(vm, p, 1)
#define outb(vm, p, v)	assert_true(pc_out(vm, p, 1, v) >= 0)

/* The PIC's IRR (OCW3 read IRR): bit n is a latched request on IRQ n. */
static unsigned pic_irr(struct vmdbg *vm)
{
	outb(vm, PORT_PIC_MASTER, 0x0a);
	return inb(vm, PORT_PIC_MASTER);
}

/* Acknowledge everything latched (INTA cycles, then EOIs), so the next
 * edge shows. */
static void pic_clear(struct vmdbg *vm)
{
	for (int i = 0; i < 16 && pic_irr(vm); i++) {
		pic__ack(vm->pic);
		outb(vm, PORT_PIC_MASTER, 0x20);
	}
	assert_int_equal(pic_irr(vm), 0);
}

#endif
