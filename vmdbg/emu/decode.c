/*
 * decode.c - emu: Zydis decoding into a compact struct insn, and the
 * decoded-instruction cache.
 *
 * The cache is direct mapped, indexed by a hash of the physical address,
 * and keyed by (physical address, mode).  Each RAM page has a "has code"
 * byte and a generation number; an entry is valid only while its page's
 * generation is unchanged.  A guest write to a page that has code bumps the
 * generation (mmu.c), which drops every instruction decoded there at once.
 * Instructions that cross a page boundary are never cached (a write to the
 * second page could not invalidate them).
 */
#include "vmdbg/emu/emu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Zydis register -> (kind, number, hi8).  Built once. */
struct regmap {
	uint8_t kind, num, hi8;
};
static struct regmap regmap[ZYDIS_REGISTER_MAX_VALUE + 1];
static bool regmap_ready;

static void regmap_init(void)
{
	if (regmap_ready)
		return;
	for (int r = 0; r <= ZYDIS_REGISTER_MAX_VALUE; r++) {
		ZydisRegisterClass c = ZydisRegisterGetClass((ZydisRegister)r);
		int id = ZydisRegisterGetId((ZydisRegister)r);
		struct regmap *m = &regmap[r];
		m->kind = OK_NONE;
		switch (c) {
		case ZYDIS_REGCLASS_GPR8:
			m->kind = OK_REG;
			if (id < 4) {
				m->num = id;
			} else if (id < 8) {
				m->num = id - 4;
				m->hi8 = 1;
			} else {
				m->num = id - 4;
			}
			break;
		case ZYDIS_REGCLASS_GPR16:
		case ZYDIS_REGCLASS_GPR32:
		case ZYDIS_REGCLASS_GPR64:
			m->kind = OK_REG;
			m->num = id;
			break;
		case ZYDIS_REGCLASS_SEGMENT: m->kind = OK_SREG; m->num = id; break;
		case ZYDIS_REGCLASS_CONTROL: m->kind = OK_CR; m->num = id; break;
		case ZYDIS_REGCLASS_DEBUG: m->kind = OK_DR; m->num = id; break;
		case ZYDIS_REGCLASS_XMM: m->kind = OK_XMM; m->num = id; break;
		case ZYDIS_REGCLASS_X87: m->kind = OK_ST; m->num = id; break;
		case ZYDIS_REGCLASS_IP: m->kind = OK_REG; m->num = R_RIP; break;
		default: break;
		}
	}
	regmap_ready = true;
}

int decode__init(struct emu *e)
{
	regmap_init();
	if (!ZYAN_SUCCESS(ZydisDecoderInit(&e->dec[0], ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16)) ||
	    !ZYAN_SUCCESS(ZydisDecoderInit(&e->dec[1], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32)) ||
	    !ZYAN_SUCCESS(ZydisDecoderInit(&e->dec[2], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -EINVAL;
	/* Each between guard pages: page_code and page_gen are indexed by a
	 * guest physical page number (checked against npages). */
	e->cache = guard__alloc(CACHE_SIZE * sizeof(*e->cache));
	e->npages = (e->vm->ram_size + 0xfff) >> 12;
	e->page_code = guard__alloc(e->npages);
	e->page_gen = guard__alloc(e->npages * sizeof(uint32_t));
	if (!e->cache || !e->page_code || !e->page_gen)
		return -ENOMEM;
	return 0;
}

void decode__exit(struct emu *e)
{
	guard__free(e->cache, CACHE_SIZE * sizeof(*e->cache));
	guard__free(e->page_code, e->npages);
	guard__free(e->page_gen, e->npages * sizeof(uint32_t));
	e->cache = NULL;
	e->page_code = NULL;
	e->page_gen = NULL;
}

void decode__flush(struct emu *e)
{
	memset(e->cache, 0, CACHE_SIZE * sizeof(*e->cache));
}

static int seg_of(ZydisRegister r)
{
	switch (r) {
	case ZYDIS_REGISTER_ES: return S_ES;
	case ZYDIS_REGISTER_CS: return S_CS;
	case ZYDIS_REGISTER_SS: return S_SS;
	case ZYDIS_REGISTER_FS: return S_FS;
	case ZYDIS_REGISTER_GS: return S_GS;
	default: return S_DS;
	}
}

static int seg_override(const ZydisDecodedInstruction *z)
{
	uint64_t a = z->attributes;
	if (a & ZYDIS_ATTRIB_HAS_SEGMENT_ES) return S_ES;
	if (a & ZYDIS_ATTRIB_HAS_SEGMENT_CS) return S_CS;
	if (a & ZYDIS_ATTRIB_HAS_SEGMENT_SS) return S_SS;
	if (a & ZYDIS_ATTRIB_HAS_SEGMENT_FS) return S_FS;
	if (a & ZYDIS_ATTRIB_HAS_SEGMENT_GS) return S_GS;
	return S_DS;
}

/* Pick the inline fast path of the run loop for the commonest forms. */
static void set_fast(struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	bool dreg = in->nops >= 1 && d->kind == OK_REG && d->reg < 16;
	bool sok = in->nops == 2 && ((s->kind == OK_REG && s->reg < 16) || s->kind == OK_IMM);
	in->fast = FK_NONE;
	in->tmask = szmask(in->osize);
	if (in->lock)
		return;
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: {
		bool dec = in->mnem == ZYDIS_MNEMONIC_DEC;
		if (dreg && in->nops == 1) {
			in->ccop = (uint8_t)CCOP(dec ? CC_DEC : CC_INC, d->size);
			in->fast = FK_INCDEC;
			if (d->size == 4 && !d->hi8)
				in->fast = dec ? FK_DEC32 : FK_INC32;
		}
		break;
	}
	case ZYDIS_MNEMONIC_JZ:
		in->fast = FK_JZ;
		break;
	case ZYDIS_MNEMONIC_JNZ:
		in->fast = FK_JNZ;
		break;
	case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JB:
	case ZYDIS_MNEMONIC_JNB:
	case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JS:
	case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP:
	case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JLE:
	case ZYDIS_MNEMONIC_JNLE:
		in->fast = FK_JCC;
		break;
	case ZYDIS_MNEMONIC_JMP:
		if (d->kind == OK_REL)
			in->fast = FK_JMP;
		break;
	case ZYDIS_MNEMONIC_ADD: in->aluop = ALU_ADD; goto alu;
	case ZYDIS_MNEMONIC_OR: in->aluop = ALU_OR; goto alu;
	case ZYDIS_MNEMONIC_ADC: in->aluop = ALU_ADC; goto alu;
	case ZYDIS_MNEMONIC_SBB: in->aluop = ALU_SBB; goto alu;
	case ZYDIS_MNEMONIC_AND: in->aluop = ALU_AND; goto alu;
	case ZYDIS_MNEMONIC_SUB: in->aluop = ALU_SUB; goto alu;
	case ZYDIS_MNEMONIC_XOR: in->aluop = ALU_XOR; goto alu;
	case ZYDIS_MNEMONIC_CMP: in->aluop = ALU_CMP | 0x80; goto alu;
	case ZYDIS_MNEMONIC_TEST: in->aluop = ALU_AND | 0x80; goto alu;
	alu:
		if ((dreg && (sok || (in->nops == 2 && s->kind == OK_MEM && s->size <= 8))) ||
		    (d->kind == OK_MEM && d->size <= 8 && sok && (in->aluop & 0x80))) {
			in->fast = FK_ALU;
			switch (in->aluop & 0x7f) {
			case ALU_ADD: in->ccop = (uint8_t)CCOP(CC_ADD, d->size); break;
			case ALU_SUB: case ALU_CMP: in->ccop = (uint8_t)CCOP(CC_SUB, d->size); break;
			case ALU_ADC: case ALU_SBB: in->ccop = CC_EAGER; break;
			default: in->ccop = (uint8_t)CCOP(CC_LOGIC, d->size); break;
			}
		}
		break;
	case ZYDIS_MNEMONIC_MOV:
		if (dreg && sok)
			in->fast = FK_MOV;
		else if (dreg && in->nops == 2 && s->kind == OK_MEM && s->size <= 8)
			in->fast = FK_LOAD;
		else if (d->kind == OK_MEM && d->size <= 8 && sok)
			in->fast = FK_STORE;
		break;
	case ZYDIS_MNEMONIC_PUSH:
		if (in->nops == 1 && ((dreg && d->size == in->osize) || d->kind == OK_IMM))
			in->fast = FK_PUSH;
		break;
	case ZYDIS_MNEMONIC_POP:
		if (in->nops == 1 && dreg && d->size == in->osize)
			in->fast = FK_POP;
		break;
	case ZYDIS_MNEMONIC_CALL:
		if (d->kind == OK_REL)
			in->fast = FK_CALL;
		break;
	case ZYDIS_MNEMONIC_RET:	/* near, without an immediate */
		if (in->opcode == 0xc3)
			in->fast = FK_RET;
		break;
	case ZYDIS_MNEMONIC_LEA:
		if (dreg && in->nops == 2 && s->kind == OK_AGEN)
			in->fast = FK_LEA;
		break;
	case ZYDIS_MNEMONIC_MOVSX: case ZYDIS_MNEMONIC_MOVSXD:
		in->aluop = 1;	/* sign-extend */
		/* fall through */
	case ZYDIS_MNEMONIC_MOVZX:
		if (dreg && in->nops == 2 && s->size <= 4 &&
		    ((s->kind == OK_REG && s->reg < 16) || s->kind == OK_MEM))
			in->fast = FK_MOVX;
		break;
	default:
		break;
	}
}

/*
 * Instructions whose handlers neither read nor write the arithmetic
 * flags (exec.c, string.c, system.c): the run loop need not make lazy
 * flags exact before them (a fault's delivery does it itself).
 */
static bool no_arith_flags(unsigned mnem)
{
	switch (mnem) {
	case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_MOVZX: case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD: case ZYDIS_MNEMONIC_LEA: case ZYDIS_MNEMONIC_PUSH:
	case ZYDIS_MNEMONIC_POP: case ZYDIS_MNEMONIC_CALL: case ZYDIS_MNEMONIC_RET:
	case ZYDIS_MNEMONIC_JMP: case ZYDIS_MNEMONIC_NOP: case ZYDIS_MNEMONIC_XCHG:
	case ZYDIS_MNEMONIC_LEAVE: case ZYDIS_MNEMONIC_CDQ: case ZYDIS_MNEMONIC_CWDE:
	case ZYDIS_MNEMONIC_CDQE: case ZYDIS_MNEMONIC_CQO: case ZYDIS_MNEMONIC_CWD:
	case ZYDIS_MNEMONIC_CBW: case ZYDIS_MNEMONIC_BSWAP: case ZYDIS_MNEMONIC_NOT:
	case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD:
	case ZYDIS_MNEMONIC_MOVSQ: case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW:
	case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
		return true;
	default:
		return false;
	}
}

/*
 * Extensions the CPUID model (msr.c) does not advertise: their
 * instructions raise #UD, as on a CPU without them, instead of stopping
 * vmdbg as unsupported.  (LZCNT/TZCNT are not here: without them their
 * encodings are bsr/bsf with a rep prefix, which code relies on.)
 */
static bool not_advertised(const ZydisDecodedInstruction *z)
{
	switch (z->meta.isa_ext) {
	case ZYDIS_ISA_EXT_SSE3: case ZYDIS_ISA_EXT_SSSE3: case ZYDIS_ISA_EXT_SSE4:
	case ZYDIS_ISA_EXT_SSE4A: case ZYDIS_ISA_EXT_AVX: case ZYDIS_ISA_EXT_AVX2:
	case ZYDIS_ISA_EXT_AVX512EVEX: case ZYDIS_ISA_EXT_AVX512VEX: case ZYDIS_ISA_EXT_FMA:
	case ZYDIS_ISA_EXT_F16C: case ZYDIS_ISA_EXT_AES: case ZYDIS_ISA_EXT_PCLMULQDQ:
	case ZYDIS_ISA_EXT_SHA: case ZYDIS_ISA_EXT_MMX: case ZYDIS_ISA_EXT_MOVBE:
	case ZYDIS_ISA_EXT_RDRAND: case ZYDIS_ISA_EXT_RDSEED: case ZYDIS_ISA_EXT_RDPID:
	case ZYDIS_ISA_EXT_RDTSCP: case ZYDIS_ISA_EXT_RDWRFSGS: case ZYDIS_ISA_EXT_INVPCID:
	case ZYDIS_ISA_EXT_XSAVE: case ZYDIS_ISA_EXT_XSAVEOPT:
		return true;
	default:
		return false;
	}
}

/* Convert Zydis output; returns false for operands emu cannot represent. */
static bool convert(const ZydisDecodedInstruction *z, const ZydisDecodedOperand *zo,
		    struct insn *in)
{
	memset(in, 0, sizeof(*in));
	in->mnem = z->mnemonic;
	in->len = z->length;
	in->osize = z->operand_width / 8;
	in->asize = z->address_width / 8;
	in->opcode = z->opcode;
	if (z->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && z->opcode >= 0xd8 && z->opcode <= 0xdf) {
		in->esc = z->opcode;
		in->modrm = (uint8_t)(z->raw.modrm.mod << 6 | z->raw.modrm.reg << 3 | z->raw.modrm.rm);
	}
	in->cc = z->opcode & 0xf;
	in->rexw = z->raw.rex.W;
	if (z->attributes & ZYDIS_ATTRIB_HAS_REPNE)
		in->rep = 2;
	else if (z->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE))
		in->rep = 1;
	in->lock = !!(z->attributes & ZYDIS_ATTRIB_HAS_LOCK);
	in->sseg = seg_override(z);
	int n = 0;
	for (int i = 0; i < z->operand_count; i++) {
		const ZydisDecodedOperand *o = &zo[i];
		if (o->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN)
			continue;
		if (n == 3)
			return false;
		struct eop *d = &in->op[n++];
		d->size = o->size / 8;
		switch (o->type) {
		case ZYDIS_OPERAND_TYPE_REGISTER: {
			const struct regmap *m = &regmap[o->reg.value];
			if (m->kind == OK_NONE)
				return false;
			d->kind = m->kind;
			d->reg = m->num;
			d->hi8 = m->hi8;
			break;
		}
		case ZYDIS_OPERAND_TYPE_MEMORY: {
			d->kind = o->mem.type == ZYDIS_MEMOP_TYPE_AGEN ? OK_AGEN : OK_MEM;
			if (o->mem.type != ZYDIS_MEMOP_TYPE_MEM && o->mem.type != ZYDIS_MEMOP_TYPE_AGEN)
				return false;
			d->seg = seg_of(o->mem.segment);
			d->base = R_NONE;
			d->index = R_NONE;
			if (o->mem.base != ZYDIS_REGISTER_NONE) {
				const struct regmap *m = &regmap[o->mem.base];
				if (m->kind != OK_REG)
					return false;
				d->base = m->num;
			}
			if (o->mem.index != ZYDIS_REGISTER_NONE) {
				const struct regmap *m = &regmap[o->mem.index];
				if (m->kind != OK_REG)
					return false;
				d->index = m->num;
			}
			d->scale = o->mem.scale ? o->mem.scale : 1;
			d->disp = o->mem.disp.value;
			if (d->size == 0)	/* lgdt & co: pseudo-sized */
				d->size = 10;
			break;
		}
		case ZYDIS_OPERAND_TYPE_POINTER:
			d->kind = OK_PTR;
			d->ptr_sel = o->ptr.segment;
			d->imm = o->ptr.offset;
			break;
		case ZYDIS_OPERAND_TYPE_IMMEDIATE:
			d->kind = o->imm.is_relative ? OK_REL : OK_IMM;
			d->imm = o->imm.value.u;
			break;
		default:
			return false;
		}
	}
	in->nops = n;
	set_fast(in);
	in->noflags = no_arith_flags(in->mnem);
	return true;
}

/* Classification for step mode, once per decoded instruction. */
static void classify(struct emu *e, const uint8_t *bytes, struct insn *in)
{
	struct insn_class c;
	memset(&c, 0, sizeof(c));
	if (classify__bytes(bytes, in->len, e->mode, &c) == 0) {
		in->cinsn = (uint8_t)c.insn;
		in->cpriv = c.privileged || c.io;
		in->chole = c.hole;
		in->cio = c.io;
		in->cpclass = (uint16_t)c.priv_class;
	}
	in->cls_ok = 1;
}

static void mark_code(struct emu *e, uint64_t pfn)
{
	if (pfn < e->npages && !(e->page_code[pfn] & PC_CODE)) {
		bool tracked = e->page_code[pfn] != 0;
		e->page_code[pfn] |= PC_CODE;
		/* no write tag may point at a page with code: drop them all
		 * (none points at a page tracked already) */
		if (!tracked) {
			for (int u = 0; u < 2; u++)
				for (unsigned i = 0; i < TLB_SIZE; i++)
					e->tlb[u][i].tag_w = TLB_INVALID;
			if (e->smp)	/* and the other CPUs' when they next run */
				smp__code_marked(e);
		}
	}
}


/*
 * The guest jumped where there is no RAM (MMIO or nothing).  QEMU TCG runs
 * the zero bytes it reads there (add %al,(%eax)) on through the address
 * space; nothing useful comes of that, so the guest stops as dead (status
 * 4) with one clear line instead of an "unsupported instruction" (issue 9).
 * lin translated once already: mmu__translate() cannot fault here.
 */
static __attribute__((noreturn)) void outside_ram(struct emu *e, uint64_t lin)
{
	uint64_t pa = mmu__translate(e, lin, 2, emu_user(e));

	emu_stop(e, VMDBG_STOP_SHUTDOWN,
		 "executing outside RAM at %04x:%llx (physical 0x%llx; RAM ends at 0x%llx)",
		 e->seg[S_CS].sel, (unsigned long long)e->rip, (unsigned long long)pa,
		 (unsigned long long)e->vm->ram_size);
	__builtin_longjmp(e->jb, 1);
}
/*
 * A register-only flag setter followed, in the same page, by a jcc: the
 * run loop retires both in one dispatch (the commonest pairs of compiled
 * loops: dec/sub/cmp/test + jcc).  Both lie in one page, so a write there
 * drops them together (page_gen); the run loop fuses only when the jcc's
 * RIP passes the fetch checks (e->fetch_end) and both fit before the next
 * poll, so counts, interrupts and stops stay where they were.
 */
static void fuse(struct emu *e, const uint8_t *page, unsigned off, struct insn *in)
{
	ZydisDecodedInstruction z;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	struct insn j;
	unsigned at = off + in->len, n = 0x1000 - at;

	in->fuse = 0;
	in->loop = 0;
	if (in->fast != FK_DEC32 && in->fast != FK_INC32 && in->fast != FK_INCDEC &&
	    in->fast != FK_ALU)
		return;
	if (at >= 0x1000)
		return;
	if (n > 15)
		n = 15;
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&e->dec[e->midx], page + at, n, &z, zo)) ||
	    !convert(&z, zo, &j))
		return;
	if (j.fast != FK_JNZ && j.fast != FK_JZ && j.fast != FK_JCC)
		return;
	in->fuse = j.fast;
	in->fuse_len = j.len;
	in->fuse_cc = j.cc;
	in->fuse_tmask = j.tmask;
	in->fuse_imm = j.op[0].imm;
	/* the forms emu.c counter_loop() runs: the register's value alone
	 * decides each round */
	in->loop = j.fast != FK_JCC && !in->op[0].hi8 &&
		   (in->fast == FK_DEC32 || in->fast == FK_INC32 ||
		    (in->fast == FK_ALU && in->op[1].kind == OK_IMM &&
		     ((in->aluop == ALU_ADD) || in->aluop == ALU_SUB)));
}

static const struct insn *decode_slow(struct emu *e, uint64_t lin, uint8_t *page,
				      uint64_t pa, uint64_t key, struct insn *slot)
{
	uint8_t buf[16];
	unsigned off = lin & 0xfff, avail = 0x1000 - off;
	unsigned n = avail < 15 ? avail : 15;
	bool cross = false;
	memcpy(buf, page + off, n);
	ZydisDecodedInstruction z;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	ZyanStatus st = ZydisDecoderDecodeFull(&e->dec[e->midx], buf, n, &z, zo);
	if (st == ZYDIS_STATUS_NO_MORE_DATA && n < 15) {
		uint64_t pa2;
		uint8_t *page2 = mmu__fetch_page(e, lin + n, &pa2);
		if (!page2)
			outside_ram(e, lin + n);
		memcpy(buf + n, page2, 15 - n);
		n = 15;
		cross = true;
		st = ZydisDecoderDecodeFull(&e->dec[e->midx], buf, n, &z, zo);
	}
	if (!ZYAN_SUCCESS(st) || not_advertised(&z))
		emu_ud(e);	/* undecodable or not in the model: #UD, as the CPU does */
	struct insn *in = cross ? &e->scratch : slot;
	if (!convert(&z, zo, in)) {
		char why[96];
		snprintf(why, sizeof(why), "operands of '%s' not supported",
			 ZydisMnemonicGetString(z.mnemonic));
		emu_unsupported(e, why);
	}
	mark_code(e, pa >> 12);
	emu_new_epoch(e);	/* the slot may have held a chained successor */
	in->succ_epoch = 0;
	if (cross) {
		in->key = 0;
	} else {
		in->key = key;
		in->gen = e->page_gen[pa >> 12];
	}
	classify(e, buf, in);
	if (!cross)
		fuse(e, page, off, in);
	return in;
}

static inline unsigned cache_hash(uint64_t pa)
{
	return (unsigned)((pa ^ (pa >> CACHE_BITS)) & (CACHE_SIZE - 1));
}

/*
 * The instruction at CS:RIP.  Raises #GP for a CS limit violation, #PF for
 * an unmapped page, #UD for undecodable bytes.
 */
const struct insn *decode__fetch(struct emu *e)
{
	uint64_t lin;
	if (e->mode == 64) {
		lin = e->rip;
	} else {
		if (e->rip > e->seg[S_CS].limit)
			emu_gp(e, 0);
		lin = (e->seg[S_CS].base + e->rip) & 0xffffffffull;
	}
	uint64_t pa, tag = (lin & ~0xfffull) | (uint64_t)emu_user(e);
	if (__builtin_expect(tag == e->fetch_tag, 1)) {
		pa = e->fetch_pa;
	} else {
		if (!mmu__fetch_page(e, lin, &pa))
			outside_ram(e, lin);
		e->fetch_tag = tag;
		e->fetch_pa = pa;
	}
	uint8_t *page = e->vm->ram + pa;
	pa += lin & 0xfff;
	uint64_t key = (pa << 2) | (uint64_t)e->midx | (1ull << 63);
	struct insn *slot = &e->cache[cache_hash(pa)];
	if (__builtin_expect(slot->key == key && slot->gen == e->page_gen[pa >> 12], 1))
		return slot;
	return decode_slow(e, lin, page, pa, key, slot);
}

void decode__invalidate_page(struct emu *e, uint64_t page)
{
	if (page < e->npages)
		mmu__code_written(e, page << 12, 1);
}
