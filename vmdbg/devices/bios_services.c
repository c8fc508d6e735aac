/*
 * bios_services.c - the BIOS's system services: int 0x11 equipment, int
 * 0x12 base memory, int 0x15 (E820 and the other memory sizes, A20, the
 * configuration table), int 0x16 keyboard, int 0x1A time.
 */
#include "vmdbg/devices/bios.h"

#include <errno.h>
#include <string.h>

/* ---- int 0x11, 0x12: equipment and base memory (BIOS data area) ------- */

uint16_t bios__bda16(struct vmdbg *vm, unsigned off)
{
	uint8_t *p = vmm__gpa_ptr(vm, 0x400 + off, 2);

	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

void bios__int11(struct bios_call *c)
{
	set16(c, VMDBG_RAX, bios__bda16(c->vm, 0x10));
	c->detail = reg16(c, VMDBG_RAX);
}

void bios__int12(struct bios_call *c)
{
	set16(c, VMDBG_RAX, bios__bda16(c->vm, 0x13));
	c->detail = reg16(c, VMDBG_RAX);
}

/* ---- int 0x15: system services ---------------------------------------- */

/* Entry i of the PC memory map, boot__e820()'s (vmdbg/e820.c): the one
 * table the multiboot information and fw_cfg's etc/e820 list too. */
int bios__e820(const struct vmdbg *vm, unsigned i, uint64_t *base, uint64_t *len,
	       uint32_t *type)
{
	struct e820_entry map[16];
	int n = boot__e820(vm, map, 16);

	if (i >= (unsigned)n || i >= 16 || !map[i].len)
		return -ENOENT;
	*base = map[i].addr;
	*len = map[i].len;
	*type = map[i].type;
	return 0;
}

static void e820(struct bios_call *c)
{
	uint32_t idx = (uint32_t)c->r.gpr[VMDBG_RBX], type;
	uint64_t base, len, next_base, next_len;
	uint8_t *p;

	c->detail = idx;
	if ((uint32_t)c->r.gpr[VMDBG_RDX] != SMAP || (uint32_t)c->r.gpr[VMDBG_RCX] < 20 ||
	    bios__e820(c->vm, idx, &base, &len, &type) < 0) {
		fail(c, 0x86);
		return;
	}
	p = guest(c, c->r.es.base + reg16(c, VMDBG_RDI), 20);
	if (!p) {
		fail(c, 0x86);
		return;
	}
	memcpy(p, &base, 8);
	memcpy(p + 8, &len, 8);
	memcpy(p + 16, &type, 4);
	c->r.gpr[VMDBG_RAX] = SMAP;
	c->r.gpr[VMDBG_RCX] = 20;
	c->r.gpr[VMDBG_RBX] = bios__e820(c->vm, idx + 1, &next_base, &next_len, &type) == 0 ?
			      idx + 1 : 0;
	set_cf(c, false);
}

void bios__int15(struct bios_call *c)
{
	uint64_t ext = c->vm->ram_size > 0x100000 ? (c->vm->ram_size - 0x100000) >> 10 : 0;
	uint64_t above16 = c->vm->ram_size > (16 << 20) ? (c->vm->ram_size - (16 << 20)) >> 16 : 0;
	uint16_t ax = reg16(c, VMDBG_RAX);

	c->detail = reg16(c, VMDBG_RBX);
	set_cf(c, false);
	if ((uint32_t)c->r.gpr[VMDBG_RAX] == 0xe820) {
		e820(c);
	} else if (ax == 0xe801) {
		uint16_t lo = (uint16_t)(ext > 0x3c00 ? 0x3c00 : ext);
		uint16_t hi = (uint16_t)(above16 > 0xffff ? 0xffff : above16);

		set16(c, VMDBG_RAX, lo);
		set16(c, VMDBG_RCX, lo);
		set16(c, VMDBG_RBX, hi);
		set16(c, VMDBG_RDX, hi);
	} else if (ah(c) == 0x88) {
		/* SeaBIOS caps it below 64 MiB, as old callers expect. */
		set16(c, VMDBG_RAX, (uint16_t)(ext > 0xfc00 ? 0xfc00 : ext));
	} else if (ax >= 0x2400 && ax <= 0x2403) {
		/* A20: vmdbg's memory never wraps; it is always on. */
		set8(c, VMDBG_RAX, true, 0);
		if (ax == 0x2402)
			set8(c, VMDBG_RAX, false, 1);
		if (ax == 0x2403)
			set16(c, VMDBG_RBX, 3);		/* keyboard controller and port 0x92 */
	} else if (ah(c) == 0xc0) {
		c->r.es.sel = 0xf000;
		c->r.es.base = 0xf0000;
		set16(c, VMDBG_RBX, (uint16_t)(CONFIG_TABLE - 0xf0000));
		set8(c, VMDBG_RAX, true, 0);
	} else if (ah(c) == 0x86) {
		/* wait CX:DX microseconds: nothing waits in virtual time */
	} else {
		fail(c, 0x86);
	}
}

/* ---- int 0x16: keyboard --------------------------------------------------- */

void bios__int16(struct bios_call *c)
{
	struct kbd *k = c->vm->kbd;
	bool peek = ah(c) == 0x01 || ah(c) == 0x11;
	int key = -1;

	c->detail = 0;
	if (!k)
		return;
	switch (ah(c)) {
	case 0x00:
	case 0x10:
	case 0x01:
	case 0x11:
		key = kbd__bios_key(k, peek);
		if (key < 0) {
			/* Ask the frontend; it may queue typed keys now. */
			vmm__want_input(c->vm, VMDBG_DEV_BIOS, !peek);
			key = kbd__bios_key(k, peek);
		}
		if (key < 0 && !peek && c->vm->stop_requested) {
			/* Ctrl-C while waiting: the call runs again when the
			 * guest is resumed. */
			c->again = true;
			break;
		}
		if (key < 0 && !peek) {
			vmm__stop(c->vm, VMDBG_STOP_HALTED, 0,
				  "halted forever: int 0x16 waits for a key and no input is left");
			break;
		}
		c->flags = (uint16_t)(key < 0 ? c->flags | F_ZF : c->flags & ~F_ZF);
		if (key >= 0) {
			set16(c, VMDBG_RAX, (uint16_t)key);
			c->detail = 0x10000u | (unsigned)key;
		}
		break;
	case 0x02:
		set8(c, VMDBG_RAX, false, 0);	/* no shift key held */
		break;
	case 0x12:
		/* AH is the extended flags (Ctrl, Alt, the locks pressed):
		 * none either.  SYSLINUX reads it, and a stale AH=12h there
		 * meant "Alt and Scroll Lock held": it stopped at boot:. */
		set16(c, VMDBG_RAX, 0);
		break;
	default:
		break;
	}
}

/* ---- int 0x1A: time ---------------------------------------------------- */

static uint8_t cmos(struct vmdbg *vm, uint8_t idx)
{
	const struct io_range *r = devices__find_io(vm, PORT_CMOS_INDEX);
	uint32_t v = idx;

	if (!r)
		return 0;
	r->fn(vm, r->opaque, PORT_CMOS_INDEX, 1, true, &v);
	v = 0;
	r->fn(vm, r->opaque, PORT_CMOS_DATA, 1, false, &v);
	return (uint8_t)v;
}

void bios__int1a(struct bios_call *c)
{
	uint64_t ticks;

	set_cf(c, false);
	switch (ah(c)) {
	case 0x00:
		/* 18.2 Hz (1193182 / 65536) since midnight, from virtual time:
		 * the RTC starts at midnight. */
		ticks = (uint64_t)((unsigned __int128)vmm__vtime(c->vm) * 1193182 /
				   (65536ULL * 1000000000ULL)) % 0x1800b0;
		set16(c, VMDBG_RCX, (uint16_t)(ticks >> 16));
		set16(c, VMDBG_RDX, (uint16_t)ticks);
		set8(c, VMDBG_RAX, false, 0);
		vmm__input(c->vm, VMDBG_INPUT_TSC, ticks);
		c->detail = ticks;
		break;
	case 0x02:
		set16(c, VMDBG_RCX, (uint16_t)(cmos(c->vm, 4) << 8 | cmos(c->vm, 2)));
		set16(c, VMDBG_RDX, (uint16_t)(cmos(c->vm, 0) << 8));
		c->detail = (uint64_t)reg16(c, VMDBG_RCX) << 16 | reg16(c, VMDBG_RDX);
		break;
	case 0x04:
		set16(c, VMDBG_RCX, (uint16_t)(cmos(c->vm, 0x32) << 8 | cmos(c->vm, 9)));
		set16(c, VMDBG_RDX, (uint16_t)(cmos(c->vm, 8) << 8 | cmos(c->vm, 7)));
		c->detail = (uint64_t)reg16(c, VMDBG_RCX) << 16 | reg16(c, VMDBG_RDX);
		break;
	default:
		set_cf(c, true);
		break;
	}
}
