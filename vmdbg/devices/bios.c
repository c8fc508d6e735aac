/*
 * bios.c - BIOS services for real-mode boot code, provided by the VMM.
 *
 * vmdbg has no firmware in the guest.  For a boot sector, bios__install()
 * points every real-mode IVT entry at a 4-byte stub in the BIOS area,
 * F000:F000 + 4 * vector:
 *
 *	out  $PORT_BIOS, %al	; exit to vmdbg: the stub's address names the vector
 *	iret
 *
 * The `out` reaches bios_io() (device `bios`), which runs the service on
 * the caller's registers (the `int` left FLAGS, CS and IP on the stack; CF
 * and ZF results go into that FLAGS image, which `iret` restores) and
 * reports the call as ONE trap record: class soft-interrupt, disposition
 * emulated:bios, rip at the caller's `int`, addr = EAX at the call, value
 * = what the detail shows (bios__detail()).  The `int` itself is not a
 * second record (emu's sys__int and kvm's catcher skip vectors whose IVT
 * entry is a stub) and neither is the `out`.  The design needs nothing
 * but real-mode `int n` and a port exit, so it runs on kvm where the probe
 * says real-mode `int n` works.
 *
 * Services are a table by vector (services[]): adding int 0x13 or int
 * 0x19 is one function and one line.  A vector without a service returns
 * at once, except the CPU faults a real-mode guest cannot survive without
 * its own handler (#DE, #DB, #UD, #NM: the `iret` would run the faulting
 * instruction again forever), which stop the guest, and the hardware IRQ
 * vectors (0x08-0x0F, 0x70-0x77), whose default handler sends the PIC its
 * EOI as a BIOS's does.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <string.h>

#define F_CF	0x0001
#define F_ZF	0x0040
#define SMAP	0x534d4150u		/* "SMAP" */
#define CONFIG_TABLE	(BIOS_STUB_END)	/* int 0x15 AH=C0h: F000:F400 */

struct bios_call {
	struct vmdbg *vm;
	struct vmdbg_regs r;
	uint64_t frame;		/* linear address of the iret frame (IP, CS, FLAGS) */
	uint16_t flags;		/* the FLAGS image there */
	uint64_t detail;	/* the record's value */
	int vector;
};

typedef void (*bios_fn)(struct bios_call *c);

static uint8_t ah(const struct bios_call *c) { return (uint8_t)(c->r.gpr[VMDBG_RAX] >> 8); }
static uint8_t al(const struct bios_call *c) { return (uint8_t)c->r.gpr[VMDBG_RAX]; }
static uint16_t reg16(const struct bios_call *c, int i) { return (uint16_t)c->r.gpr[i]; }
static uint8_t hi8(const struct bios_call *c, int i) { return (uint8_t)(c->r.gpr[i] >> 8); }
static uint8_t lo8(const struct bios_call *c, int i) { return (uint8_t)c->r.gpr[i]; }

static void set16(struct bios_call *c, int i, uint16_t v)
{
	c->r.gpr[i] = (c->r.gpr[i] & ~0xffffULL) | v;
}

static void set8(struct bios_call *c, int i, bool high, uint8_t v)
{
	int sh = high ? 8 : 0;

	c->r.gpr[i] = (c->r.gpr[i] & ~(0xffULL << sh)) | (uint64_t)v << sh;
}

static void set_cf(struct bios_call *c, bool on)
{
	c->flags = (uint16_t)(on ? c->flags | F_CF : c->flags & ~F_CF);
}

/* A failed call: CF set, AH = status (0x86: function not supported). */
static void fail(struct bios_call *c, uint8_t status)
{
	set8(c, VMDBG_RAX, true, status);
	set_cf(c, true);
}

/* Guest RAM for a service to write: checked, and the backend told. */
static uint8_t *guest(struct bios_call *c, uint64_t pa, uint64_t len)
{
	uint8_t *p = vmm__gpa_ptr(c->vm, pa, len);

	if (p && c->vm->be && c->vm->be->mem_written)
		c->vm->be->mem_written(c->vm, pa, len);
	return p;
}

/* ---- int 0x10: video ------------------------------------------------- */

static void write_string(struct bios_call *c, struct vga *v)
{
	uint64_t pa = c->r.es.base + reg16(c, VMDBG_RBP);
	unsigned n = reg16(c, VMDBG_RCX), row, col, i;
	bool attrs = al(c) & 2;
	uint8_t *s = vmm__gpa_ptr(c->vm, pa, (uint64_t)n * (attrs ? 2 : 1));

	if (!s)
		return;
	vga__get_cursor(v, &row, &col);
	vga__set_cursor(v, hi8(c, VMDBG_RDX), lo8(c, VMDBG_RDX));
	for (i = 0; i < n; i++) {
		uint8_t ch = s[attrs ? 2 * i : i];
		uint8_t at = attrs ? s[2 * i + 1] : lo8(c, VMDBG_RBX);

		if (ch == '\r' || ch == '\n' || ch == 8 || ch == 7) {
			vga__teletype(v, ch);
			continue;
		}
		vga__write_at_cursor(v, ch, at, false, 1);
		vga__advance(v);
	}
	if (!(al(c) & 1))
		vga__set_cursor(v, row, col);
}

static void int10(struct bios_call *c)
{
	struct vga *v = c->vm->vga;
	unsigned row, col;
	uint8_t s, e;

	if (!v)
		return;
	c->detail = reg16(c, VMDBG_RDX) | (uint64_t)reg16(c, VMDBG_RCX) << 16 |
		    (uint64_t)reg16(c, VMDBG_RBX) << 32;
	switch (ah(c)) {
	case 0x00:		/* set mode: every mode is 80x25 text here */
		if (!(al(c) & 0x80))
			vga__reset_text(v);
		set8(c, VMDBG_RAX, false, 0x30);
		break;
	case 0x01:
		vga__set_cursor_shape(v, hi8(c, VMDBG_RCX), lo8(c, VMDBG_RCX));
		break;
	case 0x02:
		vga__set_cursor(v, hi8(c, VMDBG_RDX), lo8(c, VMDBG_RDX));
		break;
	case 0x03:
		vga__get_cursor(v, &row, &col);
		vga__cursor_shape(v, &s, &e);
		set16(c, VMDBG_RDX, (uint16_t)(row << 8 | col));
		set16(c, VMDBG_RCX, (uint16_t)(s << 8 | e));
		break;
	case 0x06:
	case 0x07:
		vga__scroll(v, ah(c) == 6 ? al(c) : -(int)al(c), hi8(c, VMDBG_RBX),
			    hi8(c, VMDBG_RCX), lo8(c, VMDBG_RCX), hi8(c, VMDBG_RDX),
			    lo8(c, VMDBG_RDX));
		break;
	case 0x08: {
		struct vmdbg_screen sc;

		vmdbg__screen(c->vm, &sc);
		vga__get_cursor(v, &row, &col);
		if (row < VMDBG_SCREEN_ROWS)
			set16(c, VMDBG_RAX, sc.cell[row][col]);
		break;
	}
	case 0x09:
	case 0x0a:
		vga__write_at_cursor(v, al(c), lo8(c, VMDBG_RBX), ah(c) == 0x0a,
				     reg16(c, VMDBG_RCX));
		break;
	case 0x0e:
		vga__teletype(v, al(c));
		break;
	case 0x0f:
		set16(c, VMDBG_RAX, 80 << 8 | 0x03);
		set8(c, VMDBG_RBX, true, 0);
		break;
	case 0x13:
		write_string(c, v);
		break;
	case 0x1a:		/* display combination: VGA with colour display */
		if (al(c) == 0) {
			set8(c, VMDBG_RAX, false, 0x1a);
			set16(c, VMDBG_RBX, 0x0008);
		}
		break;
	default:
		break;		/* palettes, pages, fonts: nothing to do */
	}
}

/* ---- int 0x11, 0x12: equipment and base memory (BIOS data area) ------- */

static uint16_t bda16(struct vmdbg *vm, unsigned off)
{
	uint8_t *p = vmm__gpa_ptr(vm, 0x400 + off, 2);

	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static void int11(struct bios_call *c)
{
	set16(c, VMDBG_RAX, bda16(c->vm, 0x10));
	c->detail = reg16(c, VMDBG_RAX);
}

static void int12(struct bios_call *c)
{
	set16(c, VMDBG_RAX, bda16(c->vm, 0x13));
	c->detail = reg16(c, VMDBG_RAX);
}

/* ---- int 0x15: system services ---------------------------------------- */

/*
 * The PC memory map: conventional memory below the EBDA, the EBDA, the BIOS
 * area, extended memory.  (The video window and option ROMs between
 * 0xA0000 and 0xF0000 are holes, as SeaBIOS reports them.)
 */
int bios__e820(const struct vmdbg *vm, unsigned i, uint64_t *base, uint64_t *len,
	       uint32_t *type)
{
	const uint64_t map[4][3] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, vm->ram_size > 0x100000 ? vm->ram_size - 0x100000 : 0, 1 },
	};

	if (i >= 4 || !map[i][1])
		return -ENOENT;
	*base = map[i][0];
	*len = map[i][1];
	*type = (uint32_t)map[i][2];
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

static void int15(struct bios_call *c)
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

static void int16(struct bios_call *c)
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
			vmm__want_input(c->vm, !peek);
			key = kbd__bios_key(k, peek);
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
	case 0x12:
		set8(c, VMDBG_RAX, false, 0);	/* no shift key held */
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

static void int1a(struct bios_call *c)
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

/* ---- the table ----------------------------------------------------------- */

static const bios_fn services[256] = {
	[0x10] = int10,
	[0x11] = int11,
	[0x12] = int12,
	[0x15] = int15,
	[0x16] = int16,
	[0x1a] = int1a,
};

/* The default handler of a hardware IRQ vector: EOI, as a BIOS's does. */
static void irq_eoi(struct vmdbg *vm, int vector)
{
	const struct io_range *r;
	uint32_t eoi = 0x20;

	if (vector >= 0x70 && (r = devices__find_io(vm, PORT_PIC_SLAVE)))
		r->fn(vm, r->opaque, PORT_PIC_SLAVE, 1, true, &eoi);
	eoi = 0x20;
	if ((r = devices__find_io(vm, PORT_PIC_MASTER)))
		r->fn(vm, r->opaque, PORT_PIC_MASTER, 1, true, &eoi);
}

static bool is_irq_vector(int v)
{
	return (v >= 0x08 && v <= 0x0f) || (v >= 0x70 && v <= 0x77);
}

/* Read the iret frame; true when it is in RAM. */
static bool read_frame(struct bios_call *c, uint16_t *ip, uint16_t *cs)
{
	uint8_t *p = vmm__gpa_ptr(c->vm, c->frame, 6);

	if (!p)
		return false;
	*ip = (uint16_t)(p[0] | p[1] << 8);
	*cs = (uint16_t)(p[2] | p[3] << 8);
	c->flags = (uint16_t)(p[4] | p[5] << 8);
	return true;
}

static void run_call(struct bios_call *c, struct vmdbg_trap *t)
{
	uint16_t ip, cs;
	uint8_t *code;
	bool soft;

	if (!read_frame(c, &ip, &cs))
		return;
	code = vmm__gpa_ptr(c->vm, ((uint64_t)cs << 4) + (uint16_t)(ip - 2), 2);
	soft = code && code[0] == 0xcd && code[1] == c->vector;
	t->rip = soft ? (uint16_t)(ip - 2) : ip;
	t->insn = soft ? VMDBG_INSN_INT : VMDBG_INSN_NONE;
	if (services[c->vector]) {
		services[c->vector](c);
	} else if (!soft && is_irq_vector(c->vector)) {
		irq_eoi(c->vm, c->vector);
	} else if (!soft && (c->vector == 0 || c->vector == 1 || c->vector == 6 ||
			     c->vector == 7)) {
		vmm__stop(c->vm, VMDBG_STOP_SHUTDOWN, 0,
			  "real-mode %s at %04x:%04x has no handler of the guest's "
			  "(the IVT entry is vmdbg's BIOS default)",
			  vmdbg__exception_name((unsigned)c->vector), cs, ip);
	}
}

/*
 * Port handler for PORT_BIOS.  An `out` from a stub in real mode is a BIOS
 * call: it is run and recorded here, and IO_RECORDED keeps vmm__io() from
 * adding an io record.  Anything else is an ordinary (ignored) port write.
 */
static int bios_io(struct vmdbg *vm, void *opaque, uint16_t port, int size, bool is_write,
		   uint32_t *val)
{
	struct bios_call c = { .vm = vm };
	struct vmdbg_trap t = { 0 };
	uint64_t la;
	uint8_t *p;

	(void)opaque;
	(void)port;
	(void)size;
	if (!is_write || !vm->bios || !vm->be || vm->be->get_regs(vm, &c.r) < 0)
		return 0;
	la = c.r.cs.base + (c.r.rip & 0xffff);
	if ((c.r.cr0 & 1) || !bios__is_stub(vm, la))
		return 0;
	c.vector = (int)((la - BIOS_STUB_BASE) / 4);
	c.frame = c.r.ss.base + (c.r.gpr[VMDBG_RSP] & 0xffff);
	t.addr = (uint32_t)c.r.gpr[VMDBG_RAX];
	run_call(&c, &t);
	p = guest(&c, c.frame + 4, 2);
	if (p) {
		p[0] = (uint8_t)c.flags;
		p[1] = (uint8_t)(c.flags >> 8);
	}
	vm->be->set_regs(vm, &c.r);

	t.cls = VMDBG_TC_SOFTINT;
	t.vector = (uint16_t)c.vector;
	t.value = c.detail;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_BIOS;
	t.mode = VMDBG_MODE_REAL;
	t.dir = VMDBG_DIR_NONE;
	vmm__trap(vm, &t);
	(void)val;
	return IO_RECORDED;
}

int bios__register(struct vmdbg *vm)
{
	return devices__register_io(vm, PORT_BIOS, 1, VMDBG_DEV_BIOS, bios_io, NULL);
}

bool bios__is_stub(const struct vmdbg *vm, uint64_t la)
{
	return vm->bios && la >= BIOS_STUB_BASE && la < BIOS_STUB_END;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/*
 * Called by the loader for a boot sector, after it is in RAM: the IVT, the
 * stubs, int 0x15 AH=C0h's configuration table, and the BIOS data area
 * words the services read (left alone where something already wrote them).
 */
int bios__install(struct vmdbg *vm)
{
	static const uint8_t config[10] = { 8, 0, 0xfc, 0, 0, 0x70, 0, 0, 0, 0 };
	uint8_t *ivt = vmm__gpa_ptr(vm, 0, 0x400);
	uint8_t *stubs = vmm__gpa_ptr(vm, BIOS_STUB_BASE, 256 * 4 + sizeof(config));
	uint8_t *bda = vmm__gpa_ptr(vm, 0x400, 0x100);
	unsigned v;

	if (!ivt || !stubs || !bda)
		return vmm__error(vm, -ENOMEM, "BIOS: guest RAM too small for the BIOS area");
	for (v = 0; v < 256; v++) {
		uint8_t *s = stubs + v * 4;

		s[0] = 0xe6;		/* out imm8, al */
		s[1] = PORT_BIOS;
		s[2] = 0xcf;		/* iret */
		s[3] = 0x90;
		put16(ivt + v * 4, (uint16_t)(BIOS_STUB_BASE - 0xf0000 + v * 4));
		put16(ivt + v * 4 + 2, 0xf000);
	}
	memcpy(stubs + 256 * 4, config, sizeof(config));
	if (!bda16(vm, 0x10))
		put16(bda + 0x10, 0x0222);	/* FPU, 80x25 colour, one serial port */
	if (!bda16(vm, 0x13))
		put16(bda + 0x13, 639);		/* KiB below the EBDA at 0x9FC00 */
	bda[0x49] = 0x03;			/* video mode */
	put16(bda + 0x4a, 80);			/* columns */
	put16(bda + 0x63, 0x3d4);		/* CRTC base port */
	bda[0x84] = 24;				/* rows - 1 */
	vm->bios = true;
	if (vm->be && vm->be->mem_written) {
		vm->be->mem_written(vm, 0, 0x500);
		vm->be->mem_written(vm, BIOS_STUB_BASE, 256 * 4 + sizeof(config));
	}
	return 0;
}
