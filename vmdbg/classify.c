/*
 * classify.c - which instructions a trap-and-emulate VMM cares about.
 *
 * vmdbg's own table is the authority, not Zydis' ZYDIS_ATTRIB_IS_PRIVILEGED
 * (which misses lgdt, for one).  Three properties per instruction:
 *
 *   privileged  faults (#GP/#UD) when executed at CPL > 0, so a classic VMM
 *               running the guest OS de-privileged sees it trap: hlt, the
 *               descriptor-table loads, lmsw, clts, mov cr/dr, invlpg,
 *               wbinvd, invd, rdmsr, wrmsr, sysret, sysexit, swapgs, xsetbv.
 *   io          privileged only through IOPL (cli, sti, in, out, ins, outs);
 *               the classic view treats them as trapping, so they count as
 *               privileged as well.
 *   hole        sensitive but unprivileged: it reads or changes state a VMM
 *               must virtualise yet never traps (Robin & Irvine's list):
 *               pushf, popf, sgdt, sidt, sldt, str, smsw, lar, lsl, verr,
 *               verw, mov from a segment register, push of one.
 *
 * rdtsc, rdtscp and rdpmc fault only when CR4 says so, cpuid never: they
 * are named (they have trap classes of their own) but not privileged.
 * wbinvd and invd share the tlb class (cache maintenance), mov dr and
 * xsetbv the cr class, swapgs the sys class.
 */
#include "vmdbg/internal.h"

#include <Zydis/Zydis.h>

#include <errno.h>
#include <string.h>

#define F_PRIV	1
#define F_HOLE	2
#define F_IO	4

struct entry {
	uint8_t insn;		/* enum vmdbg_insn */
	uint8_t flags;
	uint16_t pc;		/* enum vmdbg_priv_class bits */
};

#define E(m, i, c, f) [ZYDIS_MNEMONIC_##m] = { VMDBG_INSN_##i, f, c }

static const struct entry table[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
	E(HLT, HLT, VMDBG_PC_HLT, F_PRIV),
	E(CLI, CLI, VMDBG_PC_INTR, F_PRIV | F_IO),
	E(STI, STI, VMDBG_PC_INTR, F_PRIV | F_IO),
	E(PUSHF, PUSHF, VMDBG_PC_INTR | VMDBG_PC_HOLE, F_HOLE),
	E(PUSHFD, PUSHF, VMDBG_PC_INTR | VMDBG_PC_HOLE, F_HOLE),
	E(PUSHFQ, PUSHF, VMDBG_PC_INTR | VMDBG_PC_HOLE, F_HOLE),
	E(POPF, POPF, VMDBG_PC_INTR | VMDBG_PC_HOLE, F_HOLE),
	E(POPFD, POPF, VMDBG_PC_INTR | VMDBG_PC_HOLE, F_HOLE),
	E(POPFQ, POPF, VMDBG_PC_INTR | VMDBG_PC_HOLE, F_HOLE),
	E(IN, IN, VMDBG_PC_IO, F_PRIV | F_IO),
	E(OUT, OUT, VMDBG_PC_IO, F_PRIV | F_IO),
	E(INSB, INS, VMDBG_PC_IO, F_PRIV | F_IO),
	E(INSW, INS, VMDBG_PC_IO, F_PRIV | F_IO),
	E(INSD, INS, VMDBG_PC_IO, F_PRIV | F_IO),
	E(OUTSB, OUTS, VMDBG_PC_IO, F_PRIV | F_IO),
	E(OUTSW, OUTS, VMDBG_PC_IO, F_PRIV | F_IO),
	E(OUTSD, OUTS, VMDBG_PC_IO, F_PRIV | F_IO),
	E(LGDT, LGDT, VMDBG_PC_DESC, F_PRIV),
	E(LIDT, LIDT, VMDBG_PC_DESC, F_PRIV),
	E(LLDT, LLDT, VMDBG_PC_DESC, F_PRIV),
	E(LTR, LTR, VMDBG_PC_DESC, F_PRIV),
	E(SGDT, SGDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, F_HOLE),
	E(SIDT, SIDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, F_HOLE),
	E(SLDT, SLDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, F_HOLE),
	E(STR, STR, VMDBG_PC_DESC | VMDBG_PC_HOLE, F_HOLE),
	E(SMSW, SMSW, VMDBG_PC_HOLE, F_HOLE),
	E(LMSW, LMSW, VMDBG_PC_CR, F_PRIV),
	E(CLTS, CLTS, VMDBG_PC_CR, F_PRIV),
	E(INVLPG, INVLPG, VMDBG_PC_TLB, F_PRIV),
	E(WBINVD, WBINVD, VMDBG_PC_TLB, F_PRIV),
	E(INVD, INVD, VMDBG_PC_TLB, F_PRIV),
	E(RDMSR, RDMSR, VMDBG_PC_MSR, F_PRIV),
	E(WRMSR, WRMSR, VMDBG_PC_MSR, F_PRIV),
	E(CPUID, CPUID, 0, 0),
	E(RDTSC, RDTSC, 0, 0),
	E(RDTSCP, RDTSCP, 0, 0),
	E(RDPMC, RDPMC, 0, 0),
	E(SYSCALL, SYSCALL, VMDBG_PC_SYS, 0),
	E(SYSENTER, SYSENTER, VMDBG_PC_SYS, 0),
	E(SYSRET, SYSRET, VMDBG_PC_SYS, F_PRIV),
	E(SYSEXIT, SYSEXIT, VMDBG_PC_SYS, F_PRIV),
	E(SWAPGS, SWAPGS, VMDBG_PC_SYS, F_PRIV),
	E(IRET, IRET, VMDBG_PC_SYS, 0),
	E(IRETD, IRET, VMDBG_PC_SYS, 0),
	E(IRETQ, IRET, VMDBG_PC_SYS, 0),
	E(INT, INT, VMDBG_PC_SYS, 0),
	E(INT1, INT, VMDBG_PC_SYS, 0),
	E(INT3, INT3, VMDBG_PC_SYS, 0),
	E(INTO, INTO, VMDBG_PC_SYS, 0),
	E(UD2, UD2, 0, 0),
	E(LAR, LAR, VMDBG_PC_HOLE, F_HOLE),
	E(LSL, LSL, VMDBG_PC_HOLE, F_HOLE),
	E(VERR, VERR, VMDBG_PC_HOLE, F_HOLE),
	E(VERW, VERW, VMDBG_PC_HOLE, F_HOLE),
	E(VMCALL, VMCALL, 0, 0),
	E(XSETBV, XSETBV, VMDBG_PC_CR, F_PRIV),
};

static bool reg_is(const ZydisDecodedOperand *op, ZydisRegisterClass cls)
{
	return op->type == ZYDIS_OPERAND_TYPE_REGISTER &&
	       ZydisRegisterGetClass(op->reg.value) == cls;
}

/* mov, push and pop are only interesting with a control, debug or segment
 * register operand. */
static struct entry classify_operands(const ZydisDecodedInstruction *in,
				      const ZydisDecodedOperand *op)
{
	struct entry e = { 0 };

	if (in->mnemonic == ZYDIS_MNEMONIC_MOV) {
		if (reg_is(&op[0], ZYDIS_REGCLASS_CONTROL)) {
			e = (struct entry){ VMDBG_INSN_MOV_CR, F_PRIV, VMDBG_PC_CR };
			if (op[0].reg.value == ZYDIS_REGISTER_CR3)
				e.pc |= VMDBG_PC_TLB;	/* writing CR3 flushes the TLB */
		} else if (reg_is(&op[1], ZYDIS_REGCLASS_CONTROL)) {
			e = (struct entry){ VMDBG_INSN_MOV_CR, F_PRIV, VMDBG_PC_CR };
		} else if (reg_is(&op[0], ZYDIS_REGCLASS_DEBUG) ||
			   reg_is(&op[1], ZYDIS_REGCLASS_DEBUG)) {
			e = (struct entry){ VMDBG_INSN_MOV_DR, F_PRIV, VMDBG_PC_CR };
		} else if (reg_is(&op[0], ZYDIS_REGCLASS_SEGMENT)) {
			e = (struct entry){ VMDBG_INSN_MOV_TO_SREG, 0, 0 };
		} else if (reg_is(&op[1], ZYDIS_REGCLASS_SEGMENT)) {
			e = (struct entry){ VMDBG_INSN_MOV_FROM_SREG, F_HOLE, VMDBG_PC_HOLE };
		}
	} else if (reg_is(&op[0], ZYDIS_REGCLASS_SEGMENT)) {
		if (in->mnemonic == ZYDIS_MNEMONIC_PUSH)
			e = (struct entry){ VMDBG_INSN_PUSH_SREG, F_HOLE, VMDBG_PC_HOLE };
		else
			e = (struct entry){ VMDBG_INSN_POP_SREG, 0, 0 };
	}
	return e;
}

/*
 * Does the instruction go elsewhere than the next one by itself (a jump,
 * call, return, loop, software interrupt, system call or rsm)?  By name,
 * the way kvm_trap__is_branch() always judged it: enter and leave are not.
 */
static bool branch_name(const char *m)
{
	static const char *const prefixes[] = {
		"j", "call", "ret", "loop", "iret", "sys", "int", "enter", "leave", "rsm",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(m, prefixes[i], strlen(prefixes[i])))
			return strncmp(m, "enter", 5) && strncmp(m, "leave", 5);
	return false;
}

/*
 * Pure function of the bytes: safe from any thread.  Mode 16 decodes as
 * real mode, falling back to 16-bit protected mode for the instructions
 * real mode does not have, so one mode serves both.
 */
int classify__bytes(const uint8_t *code, size_t len, int mode, struct insn_class *out)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisDecoderContext ctx;
	ZydisDecoder dec;
	struct entry e;
	const char *name;

	memset(out, 0, sizeof(*out));
	switch (mode) {
	case 16:
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
		break;
	case 32:
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
		break;
	case 64:
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		break;
	default:
		return -EINVAL;
	}
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, &ctx, code, len, &in))) {
		/* Real mode rejects lldt, ltr, sldt, str, lar, lsl, verr and
		 * verw (#UD there); 16-bit protected mode code uses them. */
		if (mode != 16)
			return -EINVAL;
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, &ctx, code, len, &in)))
			return -EINVAL;
	}

	e = table[in.mnemonic];
	if (in.mnemonic == ZYDIS_MNEMONIC_MOV || in.mnemonic == ZYDIS_MNEMONIC_PUSH ||
	    in.mnemonic == ZYDIS_MNEMONIC_POP) {
		memset(ops, 0, sizeof(ops));
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&dec, &ctx, &in, ops,
							     in.operand_count_visible)))
			return -EINVAL;
		e = classify_operands(&in, ops);
	}
	out->insn = e.insn;
	out->priv_class = e.pc;
	out->privileged = e.flags & F_PRIV;
	out->hole = e.flags & F_HOLE;
	out->io = e.flags & F_IO;
	out->length = in.length;
	name = ZydisMnemonicGetString(in.mnemonic);
	if (name) {
		strncpy(out->mnemonic, name, sizeof(out->mnemonic) - 1);
		out->mnemonic[sizeof(out->mnemonic) - 1] = 0;
		out->branch = branch_name(out->mnemonic);
	}
	return 0;
}

/*
 * What a classic trap-and-emulate VMM, running the guest OS de-privileged,
 * makes of this instruction at the given CPL (0: the guest OS thinks it is
 * in ring 0; anything else: an app).
 */
enum vmdbg_classic classify__classic(const struct insn_class *c, int cpl)
{
	if (c->hole)
		return VMDBG_CLASSIC_HOLE;
	if (c->privileged || c->io)
		return cpl == 0 ? VMDBG_CLASSIC_EMULATES : VMDBG_CLASSIC_REFLECTS;
	if (cpl != 0 && (c->insn == VMDBG_INSN_INT || c->insn == VMDBG_INSN_INT3 ||
			 c->insn == VMDBG_INSN_INTO || c->insn == VMDBG_INSN_SYSCALL ||
			 c->insn == VMDBG_INSN_SYSENTER))
		return VMDBG_CLASSIC_REFLECTS;
	return VMDBG_CLASSIC_NONE;
}
