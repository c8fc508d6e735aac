/*
 * kvm_trap.c - reflected traps on the kvm backend: reading the guest's IDT
 * and exception frames, and turning a trap the guest OS got (found by a
 * handler breakpoint, kvm_bp.c, or by a step, kvm_step.c) into a record.
 * Some traps are the host's fault, not the guest's (a syscall that never
 * reached ring 0, 32-bit paging that faults): those stop with a gap.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>


/* ---- decoding and the guest's tables ----------------------------------- */

int kvm_trap__decode(struct kvm_backend *kb, uint64_t rip, struct kvm_insn *x)
{
	struct kvm_vm *k = &kb->k;

	memset(x, 0, sizeof(*x));
	x->valid = true;
	x->rip = rip;
	x->la = kvm_vm__linear(k, &k->sregs->cs, rip);
	x->cpl = (uint8_t)kvm_vm__cpl(k);
	x->mode = (uint8_t)kvm_vm__mode(k);
	x->rsp = k->regs->rsp;
	x->rax = k->regs->rax;
	x->rcx = k->regs->rcx;
	x->rdx = k->regs->rdx;
	x->cr2 = k->sregs->cr2;
	x->cs = k->sregs->cs.selector;
	x->nbytes = kvm_vm__read_linear(k, x->la, x->bytes, sizeof(x->bytes));
	if (x->nbytes) {
		/* classify__bytes() is a pure function of the bytes, their
		 * count and the mode: an entry holding all three is the
		 * answer, whatever ran or was written there meanwhile. */
		struct kvm_decoded *d = &kb->dcache[(x->la ^ x->la >> 6) % KVM_DCACHE_SIZE];

		if (!d->valid || d->mode != x->mode || d->nbytes != x->nbytes ||
		    memcmp(d->bytes, x->bytes, sizeof(d->bytes))) {
			memcpy(d->bytes, x->bytes, sizeof(d->bytes));
			d->nbytes = (uint8_t)x->nbytes;
			d->mode = x->mode;
			d->decoded = classify__bytes(x->bytes, x->nbytes, x->mode, &d->c) == 0;
			d->valid = true;
		}
		x->decoded = d->decoded;
		x->c = d->c;
	}
	return x->decoded ? 0 : -EINVAL;
}

bool kvm_trap__is_branch(const struct kvm_insn *x)
{
	if (!x->decoded)
		return true;	/* unknown: do not guess an exception */
	return x->c.branch;
}

bool kvm_trap__vector_has_error(int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static bool read_desc(struct kvm_backend *kb, uint16_t sel, uint8_t d[8])
{
	const struct kvm_sregs *s = kb->k.sregs;

	if ((sel & 4) || (uint32_t)(sel & ~7) + 7 > s->gdt.limit)
		return false;	/* LDT selectors: assume flat */
	return kvm_vm__read_linear(&kb->k, s->gdt.base + (sel & ~7), d, 8) == 8;
}

static uint64_t seg_base(struct kvm_backend *kb, uint16_t sel)
{
	uint8_t d[8];

	if (!read_desc(kb, sel, d))
		return 0;
	return d[2] | d[3] << 8 | (uint32_t)d[4] << 16 | (uint32_t)d[7] << 24;
}

/* Mode of code running with CS = sel (an app seen from its handler). */
static uint8_t sel_mode(struct kvm_backend *kb, uint16_t sel)
{
	uint8_t d[8];

	if (!read_desc(kb, sel, d))
		return (uint8_t)kvm_vm__mode(&kb->k);
	if ((kb->k.sregs->efer & EFER_LMA) && (d[6] & 0x20))
		return VMDBG_MODE_LONG64;
	return (d[6] & 0x40) ? VMDBG_MODE_PROT32 : VMDBG_MODE_REAL;
}

bool kvm_trap__gate(struct kvm_backend *kb, int v, uint64_t *la, int *dpl)
{
	const struct kvm_sregs *s = kb->k.sregs;
	uint8_t g[16];
	uint32_t hi;
	int type;

	if (!(s->cr0 & CR0_PE)) {
		/* Real mode: the IVT, offset then segment. */
		if ((uint32_t)v * 4 + 3 > s->idt.limit ||
		    kvm_vm__read_linear(&kb->k, s->idt.base + v * 4, g, 4) != 4)
			return false;
		if (!(g[0] | g[1] | g[2] | g[3]))
			return false;
		*la = ((uint64_t)(g[2] | g[3] << 8) << 4) + (g[0] | g[1] << 8);
		*dpl = 3;
		/* vmdbg's BIOS stubs (bios.c) record their calls themselves. */
		if (*la >= BIOS_STUB_BASE && *la < BIOS_STUB_END &&
		    kvm_vm__read_linear(&kb->k, *la, g, 3) == 3 &&
		    g[0] == 0xe6 && g[1] == PORT_BIOS && g[2] == 0xcf)
			return false;
		return true;
	}
	if (s->efer & EFER_LMA) {
		if ((uint32_t)v * 16 + 15 > s->idt.limit ||
		    kvm_vm__read_linear(&kb->k, s->idt.base + v * 16, g, 16) != 16)
			return false;
		type = g[5] & 0xf;
		if (!(g[5] & 0x80) || (type != 0xe && type != 0xf))
			return false;
		memcpy(&hi, g + 8, 4);
		*la = (g[0] | g[1] << 8 | (uint64_t)g[6] << 16 | (uint64_t)g[7] << 24) |
		      (uint64_t)hi << 32;
		*dpl = (g[5] >> 5) & 3;
		return true;
	}
	if ((uint32_t)v * 8 + 7 > s->idt.limit ||
	    kvm_vm__read_linear(&kb->k, s->idt.base + v * 8, g, 8) != 8)
		return false;
	type = g[5] & 0xf;
	/* 16/32-bit interrupt and trap gates; task gates are not followed. */
	if (!(g[5] & 0x80) || (type != 0x6 && type != 0x7 && type != 0xe && type != 0xf))
		return false;
	*la = (seg_base(kb, (uint16_t)(g[2] | g[3] << 8)) +
	       (g[0] | g[1] << 8 | (uint32_t)g[6] << 16 | (uint32_t)g[7] << 24)) & 0xffffffffULL;
	*dpl = (g[5] >> 5) & 3;
	return true;
}

/* Slot i of the stack (width w) at linear la. */
static bool slot(struct kvm_backend *kb, uint64_t la, int w, int i, uint64_t *v)
{
	*v = 0;
	return kvm_vm__read_linear(&kb->k, la + (uint64_t)i * w, v, w) == (size_t)w;
}

static int stack_width(struct kvm_backend *kb)
{
	enum vmdbg_mode m = kvm_vm__mode(&kb->k);

	return m == VMDBG_MODE_LONG64 ? 8 : (m == VMDBG_MODE_PROT32 ? 4 : 2);
}

bool kvm_trap__frame_error(struct kvm_backend *kb, uint64_t saved_rip, uint16_t cs,
			   uint32_t *error)
{
	struct kvm_vm *k = &kb->k;
	uint64_t sp = kvm_vm__linear(k, &k->sregs->ss, k->regs->rsp), a, b;
	int w = stack_width(kb);

	/* The handler may have run an instruction (a push) already. */
	for (int i = 1; i < 8; i++) {
		if (!slot(kb, sp, w, i, &a) || !slot(kb, sp, w, i + 1, &b))
			return false;
		if (a == saved_rip && (uint16_t)b == cs) {
			slot(kb, sp, w, i - 1, &a);
			*error = (uint32_t)a;
			return true;
		}
	}
	return false;
}

/* ---- records ----------------------------------------------------------- */

static const char *mode_words(int mode)
{
	return mode == 64 ? "long mode" : mode == 32 ? "32-bit protected mode" : "real mode";
}

void kvm_trap__report(struct vmdbg *vm, struct kvm_backend *kb, const struct kvm_reflect *r)
{
	struct vmdbg_trap t = { 0 };
	struct kvm_insn x;
	const struct kvm_sregs *s = kb->k.sregs;

	t.cls = r->cls;
	t.vector = r->vector;
	t.rip = r->rip;
	t.cpl = r->cpl;
	t.mode = r->mode;
	t.handler = r->handler;
	t.has_error = r->has_error;
	t.error_code = r->error;
	t.addr = r->addr;
	if (r->cls == VMDBG_TC_EXCEPTION && r->vector == 14)
		t.cr2 = s->cr2;
	t.disposition = VMDBG_DISP_REFLECTED;
	/* A de-privileged guest OS cannot take its own traps: the classic
	 * VMM gets each one and passes it on. */
	t.classic = VMDBG_CLASSIC_REFLECTS;

	/* What the origin instruction was (decoded in the origin's mode). */
	memset(&x, 0, sizeof(x));
	x.nbytes = kvm_vm__read_linear(&kb->k, r->la, x.bytes, sizeof(x.bytes));
	x.decoded = x.nbytes && classify__bytes(x.bytes, x.nbytes, r->mode, &x.c) == 0;
	if (x.decoded)
		t.insn = (uint16_t)x.c.insn;
	vmm__trap(vm, &t);

	if (r->cls != VMDBG_TC_EXCEPTION)
		return;
	/* A fault from ring 3 on the syscall entry itself: syscall jumped
	 * to LSTAR without entering ring 0. */
	if (r->cpl == 3 && kb->sync_lstar && r->rip == kb->sync_lstar &&
	    (r->vector == 14 || r->vector == 13)) {
		/* syscall left its return address in RCX. */
		probe__item(VMDBG_PROBE_SYSCALL_R3);
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: this host's KVM cannot run 'syscall' from ring 3 at 0x%llx: it "
			  "reached 0x%llx still in ring 3 (%s there; probe: %s); use --backend emu",
			  (unsigned long long)kb->k.regs->rcx - 2, (unsigned long long)r->rip,
			  r->vector == 14 ? "#PF" : "#GP", probe__detail(VMDBG_PROBE_SYSCALL_R3));
		return;
	}
	if (!x.decoded)
		return;
	/* syscall raises #UD when disabled, never #GP: the host failed it. */
	if (x.c.insn == VMDBG_INSN_SYSCALL && r->vector == 13) {
		if (probe__item(VMDBG_PROBE_SYSCALL_R3) == VMDBG_PROBE_GAP)
			vmm__stop(vm, VMDBG_STOP_GAP, 0,
				  "kvm: this host's KVM cannot run 'syscall' from ring %d at 0x%llx "
				  "(the guest got #GP; probe: %s); use --backend emu", r->cpl,
				  (unsigned long long)r->rip, probe__detail(VMDBG_PROBE_SYSCALL_R3));
		else
			vmm__stop(vm, VMDBG_STOP_GAP, 0,
				  "kvm: 'syscall' from ring %d at 0x%llx raised #GP, which real "
				  "hardware never does (the probe's syscall guest ran); use "
				  "--backend emu", r->cpl, (unsigned long long)r->rip);
		return;
	}
	/* Turning on 32-bit paging faults on some hosts (PVM). */
	if (x.c.insn == VMDBG_INSN_MOV_CR && !(s->efer & EFER_LMA) && r->mode != 64 &&
	    (r->vector == 13 || r->vector == 14) &&
	    probe__item(VMDBG_PROBE_PAGING32) == VMDBG_PROBE_GAP)
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: this host's KVM cannot turn on 32-bit paging: the guest got %s "
			  "at 'mov cr' at 0x%llx in %s (probe: %s); use --backend emu",
			  r->vector == 13 ? "#GP" : "#PF", (unsigned long long)r->rip,
			  mode_words(r->mode), probe__detail(VMDBG_PROBE_PAGING32));
}

/* ---- handler breakpoint hits ------------------------------------------- */

void kvm_trap__handler_hit(struct vmdbg *vm, struct kvm_backend *kb, const struct handler_bp *bp)
{
	struct kvm_vm *k = &kb->k;
	struct kvm_reflect r = { 0 };
	uint64_t sp, s0 = 0, s1 = 0, s2 = 0, cs;
	uint8_t code[2] = { 0 };
	int w = stack_width(kb), v = bp->vector;

	r.handler = bp->la;
	r.vector = v == KVM_BP_SYSCALL ? 0 : (uint16_t)v;
	if (v == KVM_BP_SYSCALL) {
		/* syscall left the return RIP in RCX; the app is in ring 3. */
		r.cls = VMDBG_TC_SYSCALL;
		r.rip = k->regs->rcx - 2;
		r.cpl = 3;
		r.mode = VMDBG_MODE_LONG64;
		r.addr = k->regs->rax;
		r.la = r.rip;
		kvm_trap__report(vm, kb, &r);
		return;
	}
	sp = kvm_vm__linear(k, &k->sregs->ss, k->regs->rsp);
	slot(kb, sp, w, 0, &s0);
	slot(kb, sp, w, 1, &s1);
	slot(kb, sp, w, 2, &s2);

	/* int n pushes the RIP after it: look for "cd v" just before. */
	cs = (uint16_t)s1;
	if (kvm_vm__read_linear(k, (w == 2 ? cs << 4 : seg_base(kb, (uint16_t)cs)) + s0 - 2,
				code, 2) == 2 &&
	    ((code[0] == 0xcd && code[1] == v) || (v == 3 && code[1] == 0xcc) ||
	     (v == 4 && code[1] == 0xce))) {
		r.cls = VMDBG_TC_SOFTINT;
		r.rip = s0 - (code[0] == 0xcd && code[1] == v ? 2 : 1);
	} else if (w != 2 && kvm_trap__vector_has_error(v)) {
		r.cls = VMDBG_TC_EXCEPTION;
		r.has_error = true;
		r.error = (uint32_t)s0;
		r.rip = s1;
		cs = (uint16_t)s2;
	} else {
		r.cls = v < 32 ? VMDBG_TC_EXCEPTION : VMDBG_TC_INTERRUPT;
		r.rip = s0;
	}
	if (w == 2) {
		r.cpl = 0;
		r.mode = VMDBG_MODE_REAL;
		r.la = (cs << 4) + r.rip;
	} else {
		r.cpl = cs & 3;
		r.mode = sel_mode(kb, (uint16_t)cs);
		r.la = r.mode == VMDBG_MODE_LONG64 ? r.rip :
		       (seg_base(kb, (uint16_t)cs) + r.rip) & 0xffffffffULL;
	}
	/* Like emu: a software interrupt's record holds eax (the system
	 * call number of an int 0x80). */
	if (r.cls == VMDBG_TC_SOFTINT)
		r.addr = r.mode == VMDBG_MODE_LONG64 ? k->regs->rax : (uint32_t)k->regs->rax;
	kvm_trap__report(vm, kb, &r);
}
