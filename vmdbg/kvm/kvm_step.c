/*
 * kvm_step.c - step mode on the kvm backend.  KVM single-steps the guest;
 * before each step the instruction at RIP is decoded, after it the new RIP
 * says what happened: the next instruction, a branch, or an exception the
 * guest OS got through its IDT (RIP on a handler entry that nothing jumped
 * to).  Privileged and hole instructions become VMDBG_TC_PRIV records.
 *
 * Host differences handled here, found at run time rather than assumed:
 *  - after an OUT exit some hosts (PVM) run one more instruction before
 *    the debug exit: seen as RIP past the next instruction;
 *  - the step into an exception handler may include the handler's first
 *    instruction: seen as RIP one instruction past a handler entry;
 *  - hlt is never stepped: vmdbg handles it (a host may step over it as
 *    if it were a nop, real KVM would exit to userspace with KVM_EXIT_HLT).
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Where a classic VT-x/AMD-V host with EPT runs each instruction of the
 * guest OS: in KVM (it causes a VM exit the kernel handles) or directly on
 * the CPU.  CPUID and MSR accesses always exit; descriptor-table loads,
 * cli/sti, pushf/popf, swapgs and rdtsc (TSC offsetting) do not.
 */
static uint8_t disposition(int insn)
{
	switch (insn) {
	case VMDBG_INSN_CPUID:
	case VMDBG_INSN_RDMSR:
	case VMDBG_INSN_WRMSR:
	case VMDBG_INSN_MOV_CR:
	case VMDBG_INSN_MOV_DR:
	case VMDBG_INSN_LMSW:
	case VMDBG_INSN_CLTS:
	case VMDBG_INSN_WBINVD:
	case VMDBG_INSN_INVD:
	case VMDBG_INSN_XSETBV:
	case VMDBG_INSN_RDPMC:
	case VMDBG_INSN_VMCALL:
		return VMDBG_DISP_KVM;
	default:
		return VMDBG_DISP_HARDWARE;
	}
}

/* Handler entry at y (or y one instruction into it)?  Picks the vector. */
static bool find_handler(struct kvm_backend *kb, const struct kvm_insn *x, uint64_t y,
			 int *vector, uint64_t *handler, bool *skipped)
{
	int best = -1, dpl;
	bool best_skipped = false;
	uint64_t la, best_la = 0;
	struct kvm_insn first;

	for (int v = 0; v < 256; v++) {
		bool skip = false;

		if (!kvm_trap__gate(kb, v, &la, &dpl))
			continue;
		if (la != y) {
			/* The first handler instruction may have run too. */
			uint8_t code[16];
			size_t n = kvm_vm__read_linear(&kb->k, la, code, sizeof(code));

			memset(&first, 0, sizeof(first));
			if (!n || classify__bytes(code, n, kvm_vm__mode(&kb->k), &first.c) ||
			    la + first.c.length != y)
				continue;
			first.decoded = true;
			if (kvm_trap__is_branch(&first))
				continue;
			skip = true;
		}
		/* Shared handlers: #PF when CR2 moved, #GP for a privileged
		 * instruction in ring 3, else the lowest vector. */
		if (best < 0 || (v == 14 && kb->k.sregs->cr2 != x->cr2) ||
		    (v == 13 && x->cpl && x->decoded && x->c.privileged && best != 14)) {
			best = v;
			best_la = la;
			best_skipped = skip;
		}
	}
	if (best < 0)
		return false;
	*vector = best;
	*handler = best_la;
	*skipped = best_skipped;
	return true;
}

/* The operand size of the decoded instruction x: REX.W in long mode, an
 * operand-size prefix elsewhere (the return records' size, as emu). */
static int operand_size(const struct kvm_insn *x)
{
	bool osz = false;

	for (size_t i = 0; i < x->nbytes; i++) {
		uint8_t b = x->bytes[i];

		if (b == 0x66) {
			osz = true;
		} else if (b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e ||
			   b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65) {
			continue;
		} else {
			if (x->mode == 64 && (b & 0xf0) == 0x40 && (b & 0x08))
				return 8;
			break;
		}
	}
	if (x->mode == 16)
		return osz ? 4 : 2;
	return osz ? 2 : 4;
}

static void record_insn(struct vmdbg *vm, struct kvm_backend *kb, const struct kvm_insn *x,
			uint64_t y)
{
	struct vmdbg_trap t;
	int insn = x->c.insn;

	if (!vm->step_mode || !x->decoded || insn == VMDBG_INSN_NONE)
		return;
	/*
	 * Same rule as emu: records for privileged and hole instructions, for
	 * cpuid and the MSRs (which KVM answers), and for a return only when
	 * it drops to the app (the lecture's "rfe").  A plain mov to a segment
	 * register or an int inside the OS is neither.
	 */
	if (insn == VMDBG_INSN_IRET || insn == VMDBG_INSN_SYSRET || insn == VMDBG_INSN_SYSEXIT) {
		if (kvm_vm__cpl(&kb->k) <= x->cpl)
			return;
	} else if (!x->c.privileged && !x->c.hole && !x->c.io && insn != VMDBG_INSN_CPUID) {
		return;
	}
	switch (insn) {
	case VMDBG_INSN_IN:
	case VMDBG_INSN_OUT:
	case VMDBG_INSN_INS:
	case VMDBG_INSN_OUTS:
	case VMDBG_INSN_HLT:
		return;		/* their exits are the records */
	}
	memset(&t, 0, sizeof(t));
	t.rip = x->rip;
	t.cpl = x->cpl;
	t.mode = x->mode;
	t.insn = (uint16_t)insn;
	t.classic = classify__classic(&x->c, x->cpl);
	t.disposition = disposition(insn);
	switch (insn) {
	case VMDBG_INSN_CPUID:
		t.cls = VMDBG_TC_CPUID;
		t.addr = (uint32_t)x->rax;
		t.value = (uint32_t)x->rcx;
		break;
	case VMDBG_INSN_RDMSR:
		t.cls = VMDBG_TC_MSR;
		t.dir = VMDBG_DIR_IN;
		t.addr = (uint32_t)x->rcx;
		t.value = (kb->k.regs->rdx << 32) | (uint32_t)kb->k.regs->rax;
		t.size = 8;
		break;
	case VMDBG_INSN_WRMSR:
		t.cls = VMDBG_TC_MSR;
		t.dir = VMDBG_DIR_OUT;
		t.addr = (uint32_t)x->rcx;
		t.value = (x->rdx << 32) | (uint32_t)x->rax;
		t.size = 8;
		break;
	case VMDBG_INSN_IRET:
	case VMDBG_INSN_SYSRET:
	case VMDBG_INSN_SYSEXIT:
		t.cls = VMDBG_TC_RETURN;
		t.handler = y;
		t.size = (uint8_t)operand_size(x);	/* 8: iretq, sysretq (as emu) */
		break;
	default:
		t.cls = VMDBG_TC_PRIV;
		break;
	}
	vmm__trap(vm, &t);
}

static void budget_tick(struct vmdbg *vm)
{
	if (vm->step_budget_on && vm->step_budget)
		vm->step_budget--;
}

/* One instruction x ran and RIP is now y: record what it did. */
static void account(struct vmdbg *vm, struct kvm_backend *kb, const struct kvm_insn *x,
		    uint64_t y)
{
	struct kvm_reflect r = { 0 };
	uint64_t next = x->rip + x->c.length, handler;
	bool skipped = false;
	int insn = x->c.insn, vector;

	budget_tick(vm);
	if (!x->decoded)
		return;
	r.rip = x->rip;
	r.la = x->la;
	r.cpl = x->cpl;
	r.mode = x->mode;

	if ((insn == VMDBG_INSN_INT || insn == VMDBG_INSN_INT3 || insn == VMDBG_INSN_INTO) &&
	    y != next) {
		/* A BIOS stub's `out` makes the one record of a BIOS call. */
		if (x->mode == VMDBG_MODE_REAL &&
		    bios__is_stub(vm, kvm_vm__linear(&kb->k, &kb->k.sregs->cs, y)))
			return;
		r.cls = VMDBG_TC_SOFTINT;
		r.vector = insn == VMDBG_INSN_INT ? x->bytes[x->c.length - 1] :
			   insn == VMDBG_INSN_INT3 ? 3 : 4;
		r.addr = x->mode == VMDBG_MODE_LONG64 ? x->rax : (uint32_t)x->rax;
		r.handler = y;
		kvm_trap__report(vm, kb, &r);
		return;
	}
	if ((insn == VMDBG_INSN_SYSCALL || insn == VMDBG_INSN_SYSENTER) &&
	    !(find_handler(kb, x, y, &vector, &handler, &skipped) && vector < 32)) {
		r.cls = VMDBG_TC_SYSCALL;
		r.addr = x->rax;
		r.handler = y;
		kvm_trap__report(vm, kb, &r);
		return;
	}
	/* Not where the instruction goes by itself: did the CPU deliver an
	 * exception?  Branches may go anywhere, unless they left ring 3. */
	if (y != next && (!kvm_trap__is_branch(x) ||
			  (x->cpl == 3 && kvm_vm__cpl(&kb->k) == 0)) &&
	    find_handler(kb, x, y, &vector, &handler, &skipped)) {
		r.cls = vector < 32 ? VMDBG_TC_EXCEPTION : VMDBG_TC_INTERRUPT;
		r.vector = (uint16_t)vector;
		r.handler = handler;
		if (kvm_trap__vector_has_error(vector) && r.mode != VMDBG_MODE_REAL)
			r.has_error = kvm_trap__frame_error(kb, x->rip, x->cs, &r.error);
		kvm_trap__report(vm, kb, &r);
		if (skipped) {
			/* The handler's first instruction ran inside this step. */
			struct kvm_insn first;

			kvm_trap__decode(kb, handler, &first);
			record_insn(vm, kb, &first, y);
		}
		return;
	}
	record_insn(vm, kb, x, y);
}

int kvm_step__done(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_insn *x = &kb->cur;
	uint64_t y = kb->k.regs->rip;
	bool out = kb->out_in_step;

	kb->out_in_step = false;
	if (!x->valid) {
		budget_tick(vm);
		return 0;
	}
	x->valid = false;
	if (out && x->decoded && x->c.insn == VMDBG_INSN_OUT &&
	    y != x->rip + x->c.length) {
		/* The host ran the next instruction in the same step. */
		account(vm, kb, x, x->rip + x->c.length);
		account(vm, kb, &kb->after_out, y);
		return 0;
	}
	account(vm, kb, x, y);
	return 0;
}

static const char *mode_words(int mode)
{
	return mode == 64 ? "long mode" : mode == 32 ? "32-bit protected mode" : "real mode";
}

/* Does x (at CPL 0) go to ring 3?  iret: the CS in its frame says. */
static bool to_ring3(struct kvm_backend *kb, const struct kvm_insn *x)
{
	struct kvm_vm *k = &kb->k;
	uint64_t cs = 0;
	size_t w;

	if (!x->decoded || x->cpl != 0 || x->mode == VMDBG_MODE_REAL)
		return false;
	if (x->c.insn == VMDBG_INSN_SYSRET || x->c.insn == VMDBG_INSN_SYSEXIT)
		return true;
	if (x->c.insn != VMDBG_INSN_IRET)
		return false;
	w = !strcmp(x->c.mnemonic, "iretq") ? 8 : !strcmp(x->c.mnemonic, "iretd") ? 4 : 2;
	if (kvm_vm__read_linear(k, kvm_vm__linear(k, &k->sregs->ss, k->regs->rsp) + w, &cs, w) != w)
		return false;
	return (cs & 3) == 3;
}

/* The debugger's look at x before it runs (breakpoints, `break priv`). */
static bool debug_before(struct vmdbg *vm, struct kvm_backend *kb, const struct kvm_insn *x)
{
	struct debug_insn d = { .lin = x->la, .cpl = x->cpl };
	uint64_t gpa;

	if (!kvm_vm__translate(&kb->k, x->la, &gpa)) {
		d.pa = gpa;
		d.have_pa = true;
	}
	if (x->decoded) {
		d.priv_class = x->c.priv_class;
		d.insn = (uint16_t)x->c.insn;
	}
	return vm->dbg_ops->insn(vm, &d);
}

int kvm_step__prepare(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vm *k = &kb->k;
	struct kvm_insn *x = &kb->cur;

	if (x->valid)
		return 0;	/* a step is under way (an exit came first) */
	kvm_trap__decode(kb, k->regs->rip, x);
	if ((vm->dbg_active & DBG_INSN) && debug_before(vm, kb, x)) {
		x->valid = false;	/* a breakpoint: stop before it runs */
		return 1;
	}

	/* Stop before ring-3 code runs unseen (its steps never exit). */
	if ((x->cpl == 3 || to_ring3(kb, x)) &&
	    probe__item(VMDBG_PROBE_SINGLESTEP_R3) == VMDBG_PROBE_GAP) {
		char name[24];

		snprintf(name, sizeof(name), "%s", x->decoded ? x->c.mnemonic : "?");
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: this host's KVM cannot single-step ring-3 code (%s '%s' at 0x%llx "
			  "in %s; probe: %s); use --backend emu", x->cpl == 3 ? "at" : "going there by",
			  name, (unsigned long long)x->rip, mode_words(x->mode),
			  probe__detail(VMDBG_PROBE_SINGLESTEP_R3));
		x->valid = false;
		return 1;
	}
	if (x->decoded && x->c.insn == VMDBG_INSN_HLT && x->cpl == 0) {
		/* Done here: the same record and stop as a KVM_EXIT_HLT. */
		kvm__record_hlt(vm, kb, x->rip);
		k->regs->rip += x->c.length;
		kvm_vm__dirty(k, KVM_SYNC_X86_REGS);
		budget_tick(vm);
		x->valid = false;
		return 1;
	}
	return 0;
}
