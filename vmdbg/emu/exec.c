/*
 * exec.c - emu: operand access, the stack, and the dispatch switch for the
 * general-purpose ISA (data movement, the ALU fast path, control flow).
 * Everything not handled here is offered to the other groups in turn
 * (alu, string, system, system instructions, SSE, MSR/CPUID); what nobody
 * takes stops the guest as unsupported.
 */
#include "vmdbg/emu/emu.h"

void emu_push(struct emu *e, uint64_t v, int size)
{
	int ss = emu_stack_size(e);
	uint64_t sp = (e->r[4] - size) & szmask(ss);
	wr(e, S_SS, sp, size, v);
	sreg_gpr(e, 4, ss, false, sp);
}

uint64_t emu_pop(struct emu *e, int size)
{
	int ss = emu_stack_size(e);
	uint64_t sp = e->r[4] & szmask(ss);
	uint64_t v = rd(e, S_SS, sp, size);
	sreg_gpr(e, 4, ss, false, sp + size);
	return v;
}

static inline uint64_t rel_target(struct emu *e, const struct insn *in)
{
	return (e->next_rip + in->op[0].imm) & szmask(in->osize);
}

static int alu_op(unsigned mnem)
{
	switch (mnem) {
	case ZYDIS_MNEMONIC_ADD: return ALU_ADD;
	case ZYDIS_MNEMONIC_OR: return ALU_OR;
	case ZYDIS_MNEMONIC_ADC: return ALU_ADC;
	case ZYDIS_MNEMONIC_SBB: return ALU_SBB;
	case ZYDIS_MNEMONIC_AND: return ALU_AND;
	case ZYDIS_MNEMONIC_SUB: return ALU_SUB;
	case ZYDIS_MNEMONIC_XOR: return ALU_XOR;
	default: return ALU_CMP;
	}
}

static void enter(struct emu *e, const struct insn *in)
{
	int osz = in->osize, ssz = emu_stack_size(e);
	uint64_t alloc = in->op[0].imm & 0xffff;
	unsigned level = in->op[1].imm & 31;
	uint64_t m = szmask(ssz);
	uint64_t sp = e->r[4], bp = e->r[5];
	sp = (sp - osz) & m;
	wr(e, S_SS, sp, osz, bp);
	uint64_t frame = sp;
	for (unsigned i = 1; i < level; i++) {
		bp = (bp - osz) & m;
		uint64_t v = rd(e, S_SS, bp, osz);
		sp = (sp - osz) & m;
		wr(e, S_SS, sp, osz, v);
	}
	if (level) {
		sp = (sp - osz) & m;
		wr(e, S_SS, sp, osz, frame);
	}
	sp = (sp - alloc) & m;
	/* touch the lowest byte so a bad stack faults before commit */
	rd(e, S_SS, sp, 1);
	sreg_gpr(e, 5, osz, false, frame);
	sreg_gpr(e, 4, ssz, false, sp);
}

/* The general-purpose group; false: not ours. */
static bool exec_gp(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	uint64_t v;
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_MOV:
		if (d->kind == OK_REG && s->kind == OK_REG) {
			sreg_gpr(e, d->reg, d->size, d->hi8, greg(e, s));
			return true;
		}
		if (d->kind == OK_SREG || s->kind == OK_SREG || d->kind >= OK_CR || s->kind >= OK_CR)
			break;	/* system: mov sreg, mov cr/dr */
		op_write(e, d, op_read(e, s));
		return true;
	case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_ADC:
	case ZYDIS_MNEMONIC_SBB: case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_SUB:
	case ZYDIS_MNEMONIC_XOR: {
		if (d->kind == OK_REG) {
			v = alu__binop(e, alu_op(in->mnem), greg(e, d), op_read(e, s), d->size);
			sreg_gpr(e, d->reg, d->size, d->hi8, v);
			return true;
		}
		uint64_t a = op_ea(e, d);
		uint64_t lin = mmu__lin(e, d->seg, a, d->size, true);
		v = mmu__read(e, lin, d->size, emu_user(e));
		v = alu__binop(e, alu_op(in->mnem), v, op_read(e, s), d->size);
		mmu__write(e, lin, d->size, v, emu_user(e));
		return true;
	}
	case ZYDIS_MNEMONIC_CMP:
		alu__binop(e, ALU_CMP, op_read(e, d), op_read(e, s), d->size);
		return true;
	case ZYDIS_MNEMONIC_TEST:
		alu__binop(e, ALU_AND, op_read(e, d), op_read(e, s), d->size);
		return true;
	case ZYDIS_MNEMONIC_INC:
	case ZYDIS_MNEMONIC_DEC:
		v = alu__incdec(e, op_read(e, d), d->size, in->mnem == ZYDIS_MNEMONIC_DEC);
		op_write(e, d, v);
		return true;
	case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JB:
	case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ:
	case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JS:
	case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP:
	case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JLE:
	case ZYDIS_MNEMONIC_JNLE:
		if (cond(e, in->cc))
			e->next_rip = rel_target(e, in);
		return true;
	case ZYDIS_MNEMONIC_JCXZ: case ZYDIS_MNEMONIC_JECXZ: case ZYDIS_MNEMONIC_JRCXZ:
		if (!(e->r[1] & szmask(in->asize)))
			e->next_rip = rel_target(e, in);
		return true;
	case ZYDIS_MNEMONIC_LOOP: case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE: {
		uint64_t c = (e->r[1] - 1) & szmask(in->asize);
		sreg_gpr(e, 1, in->asize, false, c);
		bool t = c != 0;
		if (in->mnem == ZYDIS_MNEMONIC_LOOPE)
			t = t && (e->flags & F_ZF);
		else if (in->mnem == ZYDIS_MNEMONIC_LOOPNE)
			t = t && !(e->flags & F_ZF);
		if (t)
			e->next_rip = rel_target(e, in);
		return true;
	}
	case ZYDIS_MNEMONIC_JMP:
		if (d->kind == OK_REL) {
			e->next_rip = rel_target(e, in);
			return true;
		}
		if (d->kind == OK_PTR) {
			sys__far_jmp(e, d->ptr_sel, d->imm, false, in->osize);
			return true;
		}
		if (d->kind == OK_MEM && d->size > in->osize) {	/* jmp far [m] */
			uint64_t a = op_ea(e, d);
			v = rd(e, d->seg, a, in->osize);
			uint16_t sel = (uint16_t)rd(e, d->seg, a + in->osize, 2);
			sys__far_jmp(e, sel, v, false, in->osize);
			return true;
		}
		e->next_rip = op_read(e, d) & szmask(in->osize);
		return true;
	case ZYDIS_MNEMONIC_CALL:
		if (d->kind == OK_REL) {
			v = rel_target(e, in);
		} else if (d->kind == OK_PTR) {
			sys__far_jmp(e, d->ptr_sel, d->imm, true, in->osize);
			return true;
		} else if (d->kind == OK_MEM && d->size > in->osize) {
			uint64_t a = op_ea(e, d);
			v = rd(e, d->seg, a, in->osize);
			uint16_t sel = (uint16_t)rd(e, d->seg, a + in->osize, 2);
			sys__far_jmp(e, sel, v, true, in->osize);
			return true;
		} else {
			v = op_read(e, d) & szmask(in->osize);
		}
		emu_push(e, e->next_rip, in->osize);
		e->next_rip = v;
		return true;
	case ZYDIS_MNEMONIC_RET: {
		if (in->opcode == 0xca || in->opcode == 0xcb)
			break;	/* far ret (Zydis names it ret too): system.c */
		v = emu_pop(e, in->osize);
		if (in->nops)
			sreg_gpr(e, 4, emu_stack_size(e), false,
				 e->r[4] + (d->imm & 0xffff));
		e->next_rip = v;
		return true;
	}
	case ZYDIS_MNEMONIC_PUSH:
		if (d->kind == OK_SREG) {
			emu_push(e, e->seg[d->reg].sel, in->osize);
			return true;
		}
		emu_push(e, op_read(e, d), in->osize);
		return true;
	case ZYDIS_MNEMONIC_POP:
		if (d->kind == OK_SREG)
			break;	/* system.c: a segment load */
		if (d->kind == OK_REG) {
			v = emu_pop(e, in->osize);
			sreg_gpr(e, d->reg, d->size, false, v);
			return true;
		} else {
			uint64_t old = e->r[4];
			v = emu_pop(e, in->osize);
			uint64_t nsp = e->r[4];
			uint64_t a = op_ea(e, d);	/* the address uses the popped RSP */
			e->r[4] = old;			/* a faulting write leaves RSP alone */
			wr(e, d->seg, a, d->size, v);
			e->r[4] = nsp;
		}
		return true;
	case ZYDIS_MNEMONIC_LEA:
		sreg_gpr(e, d->reg, d->size, false, op_ea(e, s));
		return true;
	case ZYDIS_MNEMONIC_MOVZX:
		sreg_gpr(e, d->reg, d->size, false, op_read(e, s) & szmask(s->size));
		return true;
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD:
		v = op_read(e, s);
		v = s->size == 1 ? (uint64_t)(int8_t)v : s->size == 2 ? (uint64_t)(int16_t)v
			: (uint64_t)(int32_t)v;
		sreg_gpr(e, d->reg, d->size, false, v);
		return true;
	case ZYDIS_MNEMONIC_XCHG: {
		uint64_t a = op_read(e, d), b = op_read(e, s);
		if (d->kind == OK_MEM) {
			op_write(e, d, b);
			op_write(e, s, a);
		} else {
			op_write(e, s, a);
			op_write(e, d, b);
		}
		return true;
	}
	case ZYDIS_MNEMONIC_NOP:
	case ZYDIS_MNEMONIC_PAUSE:
	case ZYDIS_MNEMONIC_ENDBR32: case ZYDIS_MNEMONIC_ENDBR64:
	case ZYDIS_MNEMONIC_PREFETCHNTA: case ZYDIS_MNEMONIC_PREFETCHT0:
	case ZYDIS_MNEMONIC_PREFETCHT1: case ZYDIS_MNEMONIC_PREFETCHT2:
	case ZYDIS_MNEMONIC_PREFETCHW:
	case ZYDIS_MNEMONIC_LFENCE: case ZYDIS_MNEMONIC_MFENCE: case ZYDIS_MNEMONIC_SFENCE:
		return true;
	case ZYDIS_MNEMONIC_CMOVO: case ZYDIS_MNEMONIC_CMOVNO: case ZYDIS_MNEMONIC_CMOVB:
	case ZYDIS_MNEMONIC_CMOVNB: case ZYDIS_MNEMONIC_CMOVZ: case ZYDIS_MNEMONIC_CMOVNZ:
	case ZYDIS_MNEMONIC_CMOVBE: case ZYDIS_MNEMONIC_CMOVNBE: case ZYDIS_MNEMONIC_CMOVS:
	case ZYDIS_MNEMONIC_CMOVNS: case ZYDIS_MNEMONIC_CMOVP: case ZYDIS_MNEMONIC_CMOVNP:
	case ZYDIS_MNEMONIC_CMOVL: case ZYDIS_MNEMONIC_CMOVNL: case ZYDIS_MNEMONIC_CMOVLE:
	case ZYDIS_MNEMONIC_CMOVNLE:
		v = op_read(e, s);	/* the source is read (and may fault) either way */
		if (cond(e, in->cc))
			sreg_gpr(e, d->reg, d->size, false, v);
		else if (d->size == 4)
			e->r[d->reg] &= 0xffffffffull;
		return true;
	case ZYDIS_MNEMONIC_SETO: case ZYDIS_MNEMONIC_SETNO: case ZYDIS_MNEMONIC_SETB:
	case ZYDIS_MNEMONIC_SETNB: case ZYDIS_MNEMONIC_SETZ: case ZYDIS_MNEMONIC_SETNZ:
	case ZYDIS_MNEMONIC_SETBE: case ZYDIS_MNEMONIC_SETNBE: case ZYDIS_MNEMONIC_SETS:
	case ZYDIS_MNEMONIC_SETNS: case ZYDIS_MNEMONIC_SETP: case ZYDIS_MNEMONIC_SETNP:
	case ZYDIS_MNEMONIC_SETL: case ZYDIS_MNEMONIC_SETNL: case ZYDIS_MNEMONIC_SETLE:
	case ZYDIS_MNEMONIC_SETNLE:
		op_write(e, d, cond(e, in->cc));
		return true;
	case ZYDIS_MNEMONIC_LEAVE: {
		int ssz = emu_stack_size(e);
		uint64_t sp = e->r[5] & szmask(ssz);
		v = rd(e, S_SS, sp, in->osize);
		sreg_gpr(e, 4, ssz, false, sp + in->osize);
		sreg_gpr(e, 5, in->osize, false, v);
		return true;
	}
	case ZYDIS_MNEMONIC_ENTER:
		enter(e, in);
		return true;
	case ZYDIS_MNEMONIC_XLAT:
		v = rd(e, in->sseg, (e->r[3] + (e->r[0] & 0xff)) & szmask(in->asize), 1);
		sreg_gpr(e, 0, 1, false, v);
		return true;
	case ZYDIS_MNEMONIC_PUSHA: case ZYDIS_MNEMONIC_PUSHAD: {
		int sz = in->osize;
		uint64_t sp0 = e->r[4];
		int ssz = emu_stack_size(e);
		uint64_t sp = sp0;
		for (int i = 0; i < 8; i++) {
			sp = (sp - sz) & szmask(ssz);
			wr(e, S_SS, sp, sz, i == 4 ? sp0 : e->r[i]);
		}
		sreg_gpr(e, 4, ssz, false, sp);
		return true;
	}
	case ZYDIS_MNEMONIC_POPA: case ZYDIS_MNEMONIC_POPAD: {
		int sz = in->osize, ssz = emu_stack_size(e);
		uint64_t sp = e->r[4] & szmask(ssz), vals[8];
		for (int i = 7; i >= 0; i--) {
			vals[i] = rd(e, S_SS, sp, sz);
			sp = (sp + sz) & szmask(ssz);
		}
		for (int i = 0; i < 8; i++)
			if (i != 4)
				sreg_gpr(e, i, sz, false, vals[i]);
		sreg_gpr(e, 4, ssz, false, sp);
		return true;
	}
	case ZYDIS_MNEMONIC_UD0: case ZYDIS_MNEMONIC_UD1: case ZYDIS_MNEMONIC_UD2:
		emu_ud(e);
	default:
		break;
	}
	return false;
}

/*
 * Execute in through its handler group: the one memoized in in->grp, else
 * each in turn (the general-purpose ISA above, alu, string, system,
 * system instructions, SSE, MSR/CPUID); what nobody takes stops the guest
 * as unsupported.  A group declines only for the mnemonic and operand
 * kinds, never for the machine state, so the memo is exact.
 */
void exec__insn(struct emu *e, const struct insn *in)
{
	int g;
	switch (in->grp) {
	case G_EXEC: exec_gp(e, in); return;
	case G_ALU: alu__exec(e, in); return;
	case G_STRING: string__exec(e, in); return;
	case G_SYS: sys__exec(e, in); return;
	case G_SYSINSN: sysinsn__exec(e, in); return;
	case G_SSE: sse__exec(e, in); return;
	case G_MSR: msr__exec(e, in); return;
	case G_X87: x87__exec(e, in); return;
	case G_SSEINT: sse_int__exec(e, in); return;
	case G_INT: sys__int(e, (int)(in->op[0].imm & 0xff), VMDBG_INSN_INT); return;
	case G_IRET: sys__iret(e, in->osize); return;
	default: break;
	}
	if (exec_gp(e, in))
		g = G_EXEC;
	else if (alu__exec(e, in))
		g = G_ALU;
	else if (string__exec(e, in))
		g = G_STRING;
	else if (sys__exec(e, in))
		g = in->mnem == ZYDIS_MNEMONIC_INT ? G_INT
		    : (in->mnem == ZYDIS_MNEMONIC_IRET || in->mnem == ZYDIS_MNEMONIC_IRETD ||
		       in->mnem == ZYDIS_MNEMONIC_IRETQ) ? G_IRET : G_SYS;
	else if (sysinsn__exec(e, in))
		g = G_SYSINSN;
	else if (sse__exec(e, in))
		g = G_SSE;
	else if (msr__exec(e, in))
		g = G_MSR;
	else if (x87__exec(e, in))
		g = G_X87;
	else if (sse_int__exec(e, in))
		g = G_SSEINT;
	else
		emu_unsupported(e, NULL);
	((struct insn *)in)->grp = (uint8_t)g;
}
