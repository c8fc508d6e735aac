/*
 * debug_step.c - nexti and run_until through the internal one-shot
 * breakpoint: a call, int n, syscall or rep-string instruction runs to the
 * next instruction at the same stack depth and CPL as one step.
 */
#include "vmdbg/debug/debug.h"

#include <Zydis/Zydis.h>

#include <string.h>

/* nexti: stop at lin only at the current stack depth or above; min_sp:
 * only where SP >= min_sp (finish: the frame has returned), 0 anywhere. */
static int until_arm(struct vmdbg *vm, uint64_t lin, bool nexti, const struct vmdbg_regs *r,
		     uint64_t min_sp)
{
	struct until *u = &vm->dbg->until;

	memset(u, 0, sizeof(*u));
	u->dr = -1;
	if (debug__is_kvm(vm) && !(debug__caps(vm) & BPCAP_INT3) && !(vm->dbg_active & DBG_STEP)) {
		u->dr = debug__free_dr(vm);
		if (u->dr < 0)
			return debug__no_dr_error(vm, nexti ? "nexti over a call" : "until/finish/advance");
	}
	u->on = true;
	u->lin = lin;
	u->nexti = nexti;
	if (nexti || min_sp) {
		int mode = regs__mode(r);

		u->depth = true;
		u->cpl = regs__cpl(r);
		u->spmask = mode == VMDBG_MODE_LONG64 ? ~0ULL : r->ss.db ? 0xffffffffULL : 0xffff;
		u->sp = nexti ? r->gpr[VMDBG_RSP] & u->spmask : min_sp & u->spmask;
	}
	debug__rebuild(vm);
	return 0;
}

static void until_disarm(struct vmdbg *vm)
{
	struct until *u = &vm->dbg->until;

	memset(u, 0, sizeof(*u));
	u->dr = -1;
	debug__rebuild(vm);
}

int vmdbg__run_until(struct vmdbg *vm, uint64_t va, struct vmdbg_stop *stop)
{
	return vmdbg__run_until_sp(vm, va, 0, stop);
}

int vmdbg__run_until_sp(struct vmdbg *vm, uint64_t va, uint64_t min_sp, struct vmdbg_stop *stop)
{
	struct vmdbg_regs r;
	int rc;

	memset(stop, 0, sizeof(*stop));
	rc = vmdbg__get_regs(vm, &r);
	if (rc < 0)
		return rc;
	rc = until_arm(vm, va, false, &r, min_sp);
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
			rc = until_arm(vm, next, true, &r, 0);
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
