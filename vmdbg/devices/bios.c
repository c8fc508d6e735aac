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
 * Services are a table by vector (services[] below; the services are in
 * bios_video.c and bios_services.c, struct bios_call in bios.h): adding
 * int 0x19 is one function and one line of the table.  Until then int
 * 0x14 and 0x17 fail (CF set, AH=86h) and int 0x18/0x19 stop the guest.  Any other vector without
 * a service returns at once, except the CPU faults a real-mode guest
 * cannot survive without its own handler (#DE, #DB, #UD, #NM: the `iret`
 * would run the faulting instruction again forever), which stop the guest,
 * and the hardware IRQ vectors (0x08-0x0F, 0x70-0x77), whose default
 * handler sends the PIC its EOI as a BIOS's does.
 */
#include "vmdbg/devices/bios.h"

#include <errno.h>
#include <string.h>

/* ---- the table ----------------------------------------------------------- */

static const bios_fn services[256] = {
	[0x10] = bios__int10,		/* bios_video.c */
	[0x11] = bios__int11,		/* bios_services.c */
	[0x12] = bios__int12,
	[0x13] = bios__int13,		/* bios_disk.c */
	[0x15] = bios__int15,
	[0x16] = bios__int16,
	[0x1a] = bios__int1a,
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
	} else if (soft && (c->vector == 0x14 || c->vector == 0x17)) {
		/* serial and printer services not provided: say so, rather
		 * than let the caller think the call worked */
		fail(c, 0x86);
	} else if (soft && (c->vector == 0x18 || c->vector == 0x19)) {
		vmm__stop(c->vm, VMDBG_STOP_HALTED, 0,
			  "halted forever: int 0x%02x (%s) at %04x:%04x: vmdbg's BIOS has no "
			  "other device to boot", c->vector,
			  c->vector == 0x18 ? "no bootable device" : "bootstrap", cs, (unsigned)(t->rip & 0xffff));
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
	p = guest(&c, c.frame, 6);
	if (p) {
		if (c.again && t.insn == VMDBG_INSN_INT) {
			uint16_t ip = (uint16_t)(p[0] | p[1] << 8) - 2;

			p[0] = (uint8_t)ip;
			p[1] = (uint8_t)(ip >> 8);
		}
		p[4] = (uint8_t)c.flags;
		p[5] = (uint8_t)(c.flags >> 8);
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
	static const char oem[VBE_OEM_LEN] = "vmdbg VGA";
	const size_t rom = VBE_OEM_STRING + VBE_OEM_LEN - BIOS_STUB_BASE;
	uint8_t *ivt = vmm__gpa_ptr(vm, 0, 0x400);
	uint8_t *stubs = vmm__gpa_ptr(vm, BIOS_STUB_BASE, rom);
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
	memcpy(stubs + (VBE_OEM_STRING - BIOS_STUB_BASE), oem, sizeof(oem));
	if (!bios__bda16(vm, 0x10))
		put16(bda + 0x10, 0x0222);	/* FPU, 80x25 colour, one serial port */
	if (!bios__bda16(vm, 0x13))
		put16(bda + 0x13, 639);		/* KiB below the EBDA at 0x9FC00 */
	bda[0x49] = 0x03;			/* video mode */
	put16(bda + 0x4a, 80);			/* columns */
	put16(bda + 0x63, 0x3d4);		/* CRTC base port */
	bda[0x84] = 24;				/* rows - 1 */
	vm->bios = true;
	if (vm->be && vm->be->mem_written) {
		vm->be->mem_written(vm, 0, 0x500);
		vm->be->mem_written(vm, BIOS_STUB_BASE, rom);
	}
	return 0;
}
