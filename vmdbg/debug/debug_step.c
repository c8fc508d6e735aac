/*
 * debug_step.c - nexti and run_until through the internal one-shot
 * breakpoint: a call, int n, syscall or rep-string instruction runs to the
 * next instruction at the same stack depth and CPL as one step.
 */
#include "vmdbg/debug/debug.h"

#include <Zydis/Zydis.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void until_clear(struct until *u)
{
	memset(u, 0, sizeof(*u));
	for (int i = 0; i < VMDBG_UNTIL_MAX; i++)
		u->pt[i].dr = -1;
}

/* Arm the one-shot breakpoint at n addresses.  nexti: at[0] only at the
 * current stack depth or above; else each at[i].min_sp (0 anywhere). */
static int until_arm(struct vmdbg *vm, const struct vmdbg_until *at, int n, bool nexti,
		     const struct vmdbg_regs *r)
{
	struct until *u = &vm->dbg->until;
	int mode = regs__mode(r);
	bool need_dr = debug__is_kvm(vm) && !(debug__caps(vm) & BPCAP_INT3) &&
		       !(vm->dbg_active & DBG_STEP);

	if (n < 1 || n > VMDBG_UNTIL_MAX)
		return vmm__error(vm, -EINVAL, "until: %d addresses, wanted 1 to %d", n,
				  VMDBG_UNTIL_MAX);
	until_clear(u);
	u->on = true;
	u->nexti = nexti;
	u->cpl = regs__cpl(r);
	u->spmask = mode == VMDBG_MODE_LONG64 ? ~0ULL : r->ss.db ? 0xffffffffULL : 0xffff;
	for (int i = 0; i < n; i++) {
		struct until_pt *p = &u->pt[u->n];
		uint64_t sp = nexti ? r->gpr[VMDBG_RSP] : at[i].min_sp;
		int j;

		/* the same address twice: the looser condition covers both */
		for (j = 0; j < u->n && u->pt[j].lin != at[i].va; j++)
			;
		if (j < u->n) {
			if (!sp || (u->pt[j].depth && (sp & u->spmask) < u->pt[j].sp)) {
				u->pt[j].depth = sp != 0;
				u->pt[j].sp = sp & u->spmask;
			}
			continue;
		}
		p->lin = at[i].va;
		p->depth = sp != 0;
		p->sp = sp & u->spmask;
		if (need_dr) {
			p->dr = debug__free_dr(vm);
			if (p->dr < 0) {
				until_clear(u);
				debug__rebuild(vm);
				return debug__no_dr_error(vm, nexti ? "nexti over a call"
							  : "until/finish/advance");
			}
		}
		u->n++;
	}
	debug__rebuild(vm);
	return 0;
}

static void until_disarm(struct vmdbg *vm)
{
	until_clear(&vm->dbg->until);
	debug__rebuild(vm);
}

int vmdbg__run_until(struct vmdbg *vm, uint64_t va, struct vmdbg_stop *stop)
{
	return vmdbg__run_until_sp(vm, va, 0, stop);
}

int vmdbg__run_until_sp(struct vmdbg *vm, uint64_t va, uint64_t min_sp, struct vmdbg_stop *stop)
{
	struct vmdbg_until at = { va, min_sp };

	return vmdbg__run_until_any(vm, &at, 1, stop);
}

int vmdbg__run_until_any(struct vmdbg *vm, const struct vmdbg_until *at, int n,
			 struct vmdbg_stop *stop)
{
	struct vmdbg_regs r;
	int rc;

	memset(stop, 0, sizeof(*stop));
	rc = vmdbg__get_regs(vm, &r);
	if (rc < 0)
		return rc;
	rc = until_arm(vm, at, n, false, &r);
	if (rc < 0)
		return rc;
	rc = vmdbg__run(vm, stop);
	until_disarm(vm);
	return rc;
}

/*
 * Does the instruction in code[0..n) run "as one step" for nexti: a call,
 * a software interrupt, a system call, or a rep-prefixed string
 * instruction?  *len gets its length.
 */
static bool steps_over(const uint8_t *code, size_t n, int mode, unsigned *len)
{
	ZydisDecodedInstruction in;
	ZydisDecoder dec;

	switch (mode) {
	case 16:
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
		break;
	case 32:
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
		break;
	default:
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		break;
	}
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, code, n, &in)))
		return false;
	*len = in.length;
	switch (in.mnemonic) {
	case ZYDIS_MNEMONIC_CALL:
	case ZYDIS_MNEMONIC_INT:
	case ZYDIS_MNEMONIC_INT1:
	case ZYDIS_MNEMONIC_INT3:
	case ZYDIS_MNEMONIC_INTO:
	case ZYDIS_MNEMONIC_SYSCALL:
	case ZYDIS_MNEMONIC_SYSENTER:
		return true;
	default:
		break;
	}
	return (in.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
				 ZYDIS_ATTRIB_HAS_REPNE)) &&
	       (in.meta.category == ZYDIS_CATEGORY_STRINGOP ||
		in.meta.category == ZYDIS_CATEGORY_IOSTRINGOP);
}

int vmdbg__nexti(struct vmdbg *vm, uint64_t n, struct vmdbg_stop *stop)
{
	/* Each step is a run of its own, which restarts the run's deadline:
	 * --timeout holds for the whole nexti here. */
	uint64_t deadline = vm->timeout_ms ? vmm__now_ns() + vm->timeout_ms * 1000000ULL : 0;

	if (n == 0)
		n = 1;
	memset(stop, 0, sizeof(*stop));
	for (uint64_t i = 0; i < n; i++) {
		struct vmdbg_regs r;
		uint8_t code[15];
		size_t got = 0;
		unsigned len = 0;
		uint64_t lin, next;
		int mode, rc;

		if (deadline && vmm__now_ns() >= deadline) {
			stop->reason = VMDBG_STOP_TIMEOUT;
			snprintf(stop->msg, sizeof(stop->msg),
				 "timeout: the guest ran past --timeout");
			return 0;
		}
		rc = vmdbg__get_regs(vm, &r);
		if (rc < 0)
			return rc;
		mode = regs__mode(&r);
		lin = debug__linear_pc(&r);
		while (got < sizeof(code) && vmdbg__read_virt(vm, lin + got, code + got, 1) == 0)
			got++;
		if (got && steps_over(code, got, mode, &len)) {
			if (mode == VMDBG_MODE_LONG64)
				next = r.rip + len;
			else
				next = (r.cs.base + ((r.rip + len) & (mode == 16 ? 0xffff : 0xffffffff))) &
				       0xffffffffULL;
			struct vmdbg_until at = { next, 0 };

			rc = until_arm(vm, &at, 1, true, &r);
			if (rc < 0)
				return rc;
			rc = vmdbg__run(vm, stop);
			until_disarm(vm);
		} else {
			rc = vmdbg__step(vm, 1, stop);
		}
		if (rc < 0)
			return rc;
		if (stop->reason != VMDBG_STOP_STEP)
			return 0;
	}
	return 0;
}
