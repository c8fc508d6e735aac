/*
 * string.c - emu: movs, stos, lods, cmps, scas, ins, outs with rep, repe
 * and repne.
 *
 * A rep instruction commits rCX/rSI/rDI after every element, so a fault in
 * the middle leaves the registers where the CPU would and the restarted
 * instruction continues from there.
 *
 * Partial rep (issue 9: one `rep insb` with ECX near 2^32 must not freeze
 * vmdbg): one step runs at most REP_CHUNK elements.  When more remain, the
 * instruction stops part-way as the CPU does at an interrupt: RIP stays on
 * it, the registers are those after the last element, and it counts as one
 * retired instruction; the run loop then checks its stop conditions (Ctrl-C,
 * --timeout, --max-steps, the step budget) and takes pending interrupts, and
 * the next step continues it.  So a rep of N elements counts ceil(N /
 * REP_CHUNK) instructions, a rule that depends only on the guest, which
 * keeps traces byte-identical run to run.  It also stops part-way right
 * after an element that hit a watchpoint or catchpoint (vm->dbg_hit) or
 * made a device ask to stop (debug exit), so those stop on the element.
 */
#include "vmdbg/emu/emu.h"

/* Elements per step of a rep instruction (see above). */
#define REP_CHUNK	4096

enum { ST_MOVS, ST_STOS, ST_LODS, ST_CMPS, ST_SCAS, ST_INS, ST_OUTS };

static int string_kind(const struct insn *in, int *size)
{
	*size = in->osize;
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_MOVSB: *size = 1; return ST_MOVS;
	case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSQ: return ST_MOVS;
	case ZYDIS_MNEMONIC_MOVSD:
		return in->nops == 0 ? ST_MOVS : -1;	/* else SSE movsd */
	case ZYDIS_MNEMONIC_STOSB: *size = 1; return ST_STOS;
	case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
		return ST_STOS;
	case ZYDIS_MNEMONIC_LODSB: *size = 1; return ST_LODS;
	case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
		return ST_LODS;
	case ZYDIS_MNEMONIC_CMPSB: *size = 1; return ST_CMPS;
	case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSQ: return ST_CMPS;
	case ZYDIS_MNEMONIC_CMPSD:
		return in->nops == 0 ? ST_CMPS : -1;	/* else SSE cmpsd */
	case ZYDIS_MNEMONIC_SCASB: *size = 1; return ST_SCAS;
	case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: case ZYDIS_MNEMONIC_SCASQ:
		return ST_SCAS;
	case ZYDIS_MNEMONIC_INSB: *size = 1; return ST_INS;
	case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
		*size = in->osize > 4 ? 4 : in->osize;
		return ST_INS;
	case ZYDIS_MNEMONIC_OUTSB: *size = 1; return ST_OUTS;
	case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
		*size = in->osize > 4 ? 4 : in->osize;
		return ST_OUTS;
	default:
		return -1;
	}
}

bool string__exec(struct emu *e, const struct insn *in)
{
	int size;
	int kind = string_kind(in, &size);
	if (kind < 0)
		return false;
	int as = in->asize;
	uint64_t am = szmask(as);
	int64_t step = (e->flags & F_DF) ? -size : size;
	int sseg = in->sseg;
	bool rep = in->rep != 0;
	uint16_t port = (uint16_t)e->r[2];
	unsigned done = 0;
	if ((kind == ST_INS || kind == ST_OUTS) && !sys__io_allowed(e, port, size))
		emu_gp(e, 0);
	/* all the elements of one ins/outs are one io record with a count */
	if (kind == ST_INS || kind == ST_OUTS)
		vmm__io_batch_begin(e->vm);
	for (;;) {
		if (rep && !(e->r[1] & am))
			break;
		uint64_t si = e->r[6] & am, di = e->r[7] & am;
		uint64_t a, b;
		switch (kind) {
		case ST_MOVS:
			a = rd(e, sseg, si, size);
			wr(e, S_ES, di, size, a);
			sreg_gpr(e, 6, as, false, si + step);
			sreg_gpr(e, 7, as, false, di + step);
			break;
		case ST_STOS:
			wr(e, S_ES, di, size, e->r[0]);
			sreg_gpr(e, 7, as, false, di + step);
			break;
		case ST_LODS:
			a = rd(e, sseg, si, size);
			sreg_gpr(e, 0, size, false, a);
			sreg_gpr(e, 6, as, false, si + step);
			break;
		case ST_CMPS:
			a = rd(e, sseg, si, size);
			b = rd(e, S_ES, di, size);
			alu__binop(e, ALU_CMP, a, b, size);
			sreg_gpr(e, 6, as, false, si + step);
			sreg_gpr(e, 7, as, false, di + step);
			break;
		case ST_SCAS:
			b = rd(e, S_ES, di, size);
			alu__binop(e, ALU_CMP, e->r[0], b, size);
			sreg_gpr(e, 7, as, false, di + step);
			break;
		case ST_INS:
			/* check the destination before the (side-effecting) port read */
			mmu__translate(e, mmu__lin(e, S_ES, di, size, true), 1, emu_user(e));
			a = sys__io(e, port, size, false, 0);
			wr(e, S_ES, di, size, a);
			sreg_gpr(e, 7, as, false, di + step);
			break;
		default:	/* ST_OUTS */
			a = rd(e, sseg, si, size);
			sys__io(e, port, size, true, (uint32_t)a);
			sreg_gpr(e, 6, as, false, si + step);
			break;
		}
		if (!rep)
			break;
		sreg_gpr(e, 1, as, false, (e->r[1] - 1) & am);
		if (kind == ST_CMPS || kind == ST_SCAS) {
			bool zf = (e->flags & F_ZF) != 0;
			if ((in->rep == 1 && !zf) || (in->rep == 2 && zf))
				break;
		}
		if (!(e->r[1] & am))
			break;
		if (++done >= REP_CHUNK || e->vm->dbg_hit ||
		    e->vm->pending_stop.reason != VMDBG_STOP_NONE) {
			e->next_rip = e->rip;	/* resume the rep in the next step */
			e->rep_resume = true;
			/* a long rep makes few steps: read the clock at the
			 * next stop check (vmm__should_stop) */
			e->vm->stop_check |= 4095;
			break;
		}
	}
	if (kind == ST_INS || kind == ST_OUTS)
		vmm__io_batch_end(e->vm);
	return true;
}
