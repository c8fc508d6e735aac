/*
 * probe_guests.c - the tiny guests of the KVM start-up probe: their VM
 * set-up, the runner that turns what KVM did into a verdict and a detail
 * line, and the quirks the backend needs on every run.  Each guest runs in
 * its own throw-away VM (1 MiB of RAM) under a timeout.  The items
 * themselves are in probe_items.c; the memory map in probe_guest.h.
 */
#include "vmdbg/kvm/probe_guest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const uint64_t probe_gdt[10] = {
	0,
	0x00cf9a000000ffffULL,	/* 0x08 code32, DPL 0 */
	0x00cf92000000ffffULL,	/* 0x10 data, DPL 0 */
	0x00af9a000000ffffULL,	/* 0x18 code64, DPL 0: syscall CS (STAR[47:32]) */
	0x00cf92000000ffffULL,	/* 0x20 data, DPL 0: syscall SS */
	0x00cff2000000ffffULL,	/* 0x28 data, DPL 3: 0x2b, sysret SS (STAR[63:48]+8) */
	0x00affa000000ffffULL,	/* 0x30 code64, DPL 3: 0x33, sysret CS (+16) */
	0x0000890008000067ULL,	/* 0x38 64-bit TSS at 0x800, limit 0x67 */
	0,
	0,
};

void probe_guest__put(struct kvm_vm *k, uint32_t addr, const void *p, size_t n)
{
	memcpy(k->ram + addr, p, n);
}

void probe_guest__put64(struct kvm_vm *k, uint32_t addr, uint64_t v)
{
	memcpy(k->ram + addr, &v, 8);
}

/* Exception stubs for vectors 0-31: "mov al, v; out 0xF5, al; hlt" decodes
 * the same in 16, 32 and 64-bit code. */
static void write_stubs(struct kvm_vm *k)
{
	for (int v = 0; v < 32; v++) {
		uint8_t stub[5] = { 0xb0, (uint8_t)v, 0xe6, PORT_EXC, 0xf4 };

		probe_guest__put(k, A_STUBS + v * 8, stub, sizeof(stub));
	}
}

/* Interrupt gate (type 0xE, DPL dpl) to handler through code selector sel. */
void probe_guest__idt_gate(struct kvm_vm *k, int mode, int vec, uint32_t handler,
		     uint16_t sel, int dpl)
{
	uint64_t lo = (handler & 0xffff) | ((uint64_t)sel << 16) |
		      ((uint64_t)(0x8e | dpl << 5) << 40) |
		      ((uint64_t)(handler >> 16) << 48);

	if (mode == PM_PROT32) {
		probe_guest__put64(k, A_IDT + vec * 8, lo);
	} else {
		probe_guest__put64(k, A_IDT + vec * 16, lo);
		probe_guest__put64(k, A_IDT + vec * 16 + 8, 0);
	}
}

static void segment(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t dpl,
		    uint8_t db, uint8_t l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->dpl = dpl;
	s->db = db;
	s->l = l;
	s->g = 1;
}

/*
 * Put the vCPU at A_CODE in the given mode with GDT, IDT (stubs for 0-31)
 * and, for long mode, identity page tables for the first 2 MiB (user
 * accessible) and a TSS whose RSP0 is A_RSP0.
 */
void probe_guest__setup(struct kvm_vm *k, enum pmode mode)
{
	struct kvm_sregs *s;
	int gate = mode == PM_PROT32 ? 8 : 16;

	probe_guest__put(k, A_GDT, probe_gdt, sizeof(probe_gdt));
	probe_guest__put64(k, A_TSS + 4, A_RSP0);
	write_stubs(k);
	if (mode == PM_REAL) {
		kvm_vm__setup_real(k, A_CODE);
		return;
	}
	if (mode == PM_PROT32) {
		kvm_vm__setup_prot32(k, A_CODE, A_GDT);
		for (int v = 0; v < 32; v++)
			probe_guest__idt_gate(k, mode, v, A_STUBS + v * 8, 0x08, 0);
	} else {
		/* PML4 -> PDPT -> PD with one 2 MiB page; P|RW|US (and PS). */
		probe_guest__put64(k, A_PT, (A_PT + 0x1000) | 7);
		probe_guest__put64(k, A_PT + 0x1000, (A_PT + 0x2000) | 7);
		probe_guest__put64(k, A_PT + 0x2000, 0x87);
		kvm_vm__setup_long64(k, A_CODE, A_GDT, A_PT);
		for (int v = 0; v < 32; v++)
			probe_guest__idt_gate(k, mode, v, A_STUBS + v * 8, 0x18, 0);
	}
	s = k->sregs;
	s->gdt.limit = sizeof(probe_gdt) - 1;
	s->idt.base = A_IDT;
	s->idt.limit = 256 * gate - 1;
	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.selector = 0x38;
	s->tr.base = A_TSS;
	s->tr.limit = 0x67;
	s->tr.type = mode == PM_PROT32 ? 3 : 11;	/* busy TSS */
	s->tr.present = 1;
	if (mode == PM_USER64) {
		segment(&s->cs, 0x33, 0xb, 3, 0, 1);
		segment(&s->ss, 0x2b, 0x3, 3, 1, 0);
		s->ds = s->es = s->fs = s->gs = s->ss;
		/* IOPL 3, so the app can report through OUT itself. */
		k->regs->rflags = 0x3002;
	}
}

/* ---- running a probe guest --------------------------------------------- */

/* The saved RIP of the exception frame a stub was entered with: the stubs
 * leave the stack alone.  Error codes come first for 8, 10-14 and 17. */
static uint64_t frame_rip(struct kvm_vm *k, unsigned vec)
{
	bool err = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17;
	size_t w = kvm_vm__mode(k) == VMDBG_MODE_LONG64 ? 8 : 4;
	uint64_t rip = 0;

	kvm_vm__read_linear(k, k->regs->rsp + (err ? w : 0), &rip, w);
	return rip;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Run until the guest reports, stops or hangs.  The periodic tick makes
 * sure a guest that never exits still returns -EINTR. */
void probe_guest__wait_exit(struct kvm_vm *k, struct outcome *o)
{
	uint64_t deadline = now_ns() + PROBE_TIMEOUT_NS;
	struct kvm_run *run = k->run;
	int rc;

	memset(o, 0, sizeof(*o));
	if (kvm_vm__start_timer(k, PROBE_TICK_NS, PROBE_TICK_NS) < 0) {
		o->kind = OC_ERROR;
		o->err = -EIO;
		return;
	}
	for (;;) {
		rc = kvm_vm__run(k);
		o->rip = k->regs->rip;
		o->exit_reason = run->exit_reason;
		if (rc == -EINTR) {
			if (now_ns() >= deadline) {
				o->kind = OC_HUNG;
				break;
			}
			continue;
		}
		if (rc < 0) {
			o->kind = OC_ERROR;
			o->err = rc;
			break;
		}
		if (run->exit_reason == KVM_EXIT_IO) {
			uint8_t *data = (uint8_t *)run + run->io.data_offset;

			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    (run->io.port == PORT_OK || run->io.port == PORT_EXC)) {
				o->kind = run->io.port == PORT_OK ? OC_DONE : OC_EXC;
				o->value = data[0];
				if (o->kind == OC_EXC)
					o->fault_rip = frame_rip(k, o->value);
				break;
			}
			continue;	/* other ports: ignore, reads see 0 */
		}
		switch (run->exit_reason) {
		case KVM_EXIT_DEBUG:
			o->kind = OC_DEBUG;
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			o->kind = OC_INTERNAL;
			o->value = run->internal.suberror;
			break;
		case KVM_EXIT_SHUTDOWN:
			o->kind = OC_SHUTDOWN;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			o->kind = OC_FAIL_ENTRY;
			break;
		case KVM_EXIT_HLT:
			o->kind = OC_HLT;
			break;
		default:
			o->kind = OC_OTHER;
			break;
		}
		break;
	}
	kvm_vm__stop_timer(k);
}

/*
 * The detail line for an outcome that is not the expected one.  what: the
 * instruction or feature, for "#GP instead of syscall".
 */
enum vmdbg_probe_verdict probe_guest__describe(const struct outcome *o, const char *what,
					 char *d, size_t n)
{
	static const char *const exc[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
		"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
	};

	switch (o->kind) {
	case OC_DONE:
		snprintf(d, n, "%s: wrong result %u", what, o->value);
		break;
	case OC_EXC:
		snprintf(d, n, "%s at 0x%llx instead of %s",
			 o->value < 20 ? exc[o->value] : "exception",
			 (unsigned long long)o->fault_rip, what);
		break;
	case OC_DEBUG:
		snprintf(d, n, "unexpected debug exit at 0x%llx", (unsigned long long)o->rip);
		break;
	case OC_HUNG:
		snprintf(d, n, "hung: no exit in %llu s", PROBE_TIMEOUT_NS / 1000000000ULL);
		break;
	case OC_INTERNAL:
		snprintf(d, n, "KVM_EXIT_INTERNAL_ERROR (suberror %u)", o->value);
		break;
	case OC_SHUTDOWN:
		snprintf(d, n, "triple fault (KVM_EXIT_SHUTDOWN)");
		break;
	case OC_FAIL_ENTRY:
		snprintf(d, n, "KVM_EXIT_FAIL_ENTRY");
		break;
	case OC_HLT:
		snprintf(d, n, "stopped at hlt at 0x%llx", (unsigned long long)o->rip);
		break;
	case OC_OTHER:
		snprintf(d, n, "unexpected exit %u at 0x%llx", o->exit_reason,
			 (unsigned long long)o->rip);
		break;
	case OC_ERROR:
		snprintf(d, n, "KVM_RUN: %s", strerror(-o->err));
		break;
	}
	return VMDBG_PROBE_GAP;
}

/* Did the guest reach OUT 0xF4 with AL=1? */
enum vmdbg_probe_verdict probe_guest__expect_done(struct kvm_vm *k, const char *what,
					    const char *ok, char *d, size_t n)
{
	struct outcome o;

	probe_guest__wait_exit(k, &o);
	if (o.kind == OC_DONE && o.value == 1) {
		snprintf(d, n, "%s", ok);
		return VMDBG_PROBE_OK;
	}
	return probe_guest__describe(&o, what, d, n);
}

/* The handler every "did we get there" probe jumps to: report success. */
const uint8_t probe_guest__handler_ok[] = {
	0xb0, 0x01,		/* mov al, 1 */
	0xe6, PORT_OK,		/* out 0xf4, al */
	0xf4,			/* hlt */
};

/* Falls through when the transfer did not happen: report 2. */
const uint8_t probe_guest__fallthrough_fail[] = {
	0xb0, 0x02,		/* mov al, 2 */
	0xe6, PORT_OK,		/* out 0xf4, al */
	0xf4,			/* hlt */
};

/* "nop; nop; nop; mov al, 1; out 0xf4, al; hlt": breakpoints go on 0x1001. */
const uint8_t probe_guest__nops_ok[] = {
	0x90, 0x90, 0x90,	/* nop x3 */
	0xb0, 0x01,		/* mov al, 1 */
	0xe6, PORT_OK,		/* out 0xf4, al */
	0xf4,			/* hlt */
};

/*
 * Does an execute breakpoint on an exception handler's first instruction
 * fire when the CPU enters the handler?  (On PVM the entry is delivered by
 * its emulator, which can pass over it.)  The guest: "out 0x80, al; ud2"
 * at 0x1000, #UD handler at 0x1100 "nop; nop; mov al, 1; out 0xf4, al;
 * hlt", breakpoint on the handler.  Returns 1 (fired), 0 (did not) or a
 * negative errno.
 */
static int handler_bp_fires(enum pmode mode)
{
	const uint8_t code[] = {
		0xe6, 0x80,		/* out 0x80, al: one exit first */
		0x0f, 0x0b,		/* ud2 */
	};
	uint64_t dr[4] = { A_HANDLER, 0, 0, 0 };
	struct outcome o;
	struct kvm_vm k;
	char err[96];
	int rc;

	rc = kvm_vm__open(&k, NULL, PROBE_RAM, err, sizeof(err));
	if (rc)
		return rc;
	probe_guest__setup(&k, mode);
	probe_guest__idt_gate(&k, mode, 6, A_HANDLER, mode == PM_PROT32 ? 0x08 : 0x18, 0);
	probe_guest__put(&k, A_CODE, code, sizeof(code));
	probe_guest__put(&k, A_HANDLER, probe_guest__nops_ok + 1, sizeof(probe_guest__nops_ok) - 1);
	rc = kvm_vm__set_debug(&k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr, 0x1);
	if (!rc) {
		probe_guest__wait_exit(&k, &o);
		rc = o.kind == OC_DEBUG && k.regs->rip == A_HANDLER;
	}
	kvm_vm__close(&k);
	return rc;
}

/*
 * Where RIP points at a port exit.  Real KVM leaves it on the instruction
 * until userspace re-enters; some hosts (PVM) have already moved past an
 * OUT.  The guest: "out 0x80, al" at 0x1000, "in al, 0x80" at 0x1002.
 */
int probe_guest__quirks(struct kvm_quirks *q, char *err, size_t len)
{
	const uint8_t code[] = {
		0xe6, 0x80,		/* 0x1000: out 0x80, al */
		0xe4, 0x80,		/* 0x1002: in al, 0x80 */
		0xb0, 0x01,		/* mov al, 1 */
		0xe6, PORT_OK,		/* out 0xf4, al */
		0xf4,			/* hlt */
	};
	struct kvm_vm k;
	int rc, i;

	rc = kvm_vm__open(&k, NULL, PROBE_RAM, err, len);
	if (rc)
		return rc;
	probe_guest__setup(&k, PM_REAL);
	probe_guest__put(&k, A_CODE, code, sizeof(code));
	for (i = 0; i < 2; i++) {
		rc = kvm_vm__run(&k);
		if (rc || k.run->exit_reason != KVM_EXIT_IO || k.run->io.port != 0x80) {
			snprintf(err, len, "KVM_RUN of the port-exit probe: want KVM_EXIT_IO "
				 "on port 0x80, got %s exit %u",
				 rc ? strerror(-rc) : "", k.run->exit_reason);
			kvm_vm__close(&k);
			return rc ? rc : -EIO;
		}
		if (i == 0)
			q->out_rip_past = k.regs->rip == A_CODE + 2;
		else
			q->in_rip_past = k.regs->rip == A_CODE + 4;
	}
	kvm_vm__close(&k);
	for (i = 0; i < 2; i++) {
		rc = handler_bp_fires(i ? PM_PROT32 : PM_LONG64);
		if (rc < 0)
			return rc;
		q->entry_bp_missed |= !rc;
	}
	q->valid = true;
	return 0;
}
