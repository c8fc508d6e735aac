/*
 * emu.h - private header of the emu backend, vmdbg's own software x86 CPU.
 *
 * Layout of the backend:
 *   emu.c      backend ops, the run loop, step-mode records
 *   decode.c   Zydis -> compact struct insn, the decoded-instruction cache
 *   mmu.c      segmentation, paging walks, the software TLB, memory access
 *   alu.c      arithmetic, logic, shifts, mul/div with exact flags
 *   exec.c     the dispatch switch for the general-purpose ISA
 *   intr.c     exceptions, interrupt delivery (IVT, 32/64-bit IDT, TSS
 *              stack switch, IST), #DF and triple fault, trap records
 *   system.c   descriptors, segment loads, far transfers, iret,
 *              popf rules, syscall/sysret, sysenter/sysexit
 *   tables.c   gates and descriptors checked once and kept, the write
 *              tracking of their pages
 *   sysinsn.c  system instructions: mov cr/dr, lgdt & co, in/out, hlt
 *   string.c   movs/stos/lods/cmps/scas/ins/outs with rep prefixes
 *   sse.c      the SSE2 data moves and logic gcc emits
 *   msr.c      rdmsr/wrmsr, cpuid (the synthetic model), rdtsc
 *   x87.c      x87 control state, fxsave/fxrstor; x87_arith.c its arithmetic
 *
 * Faults: an instruction that faults calls emu_fault(), which records the
 * exception in struct emu and longjmps (__builtin_longjmp, cheap) back to
 * the run loop; the loop delivers it through the guest IDT.  Instructions
 * therefore commit architectural state only after their last access that
 * can fault; e->next_rip is committed to e->rip by the loop.
 *
 * Speed: the run loop executes register-only forms inline (FK_*) with
 * lazy arithmetic flags (struct emu cc_op: computed only when read, made
 * exact before any instruction that reads or writes them runs), fuses a
 * flag setter and the jcc after it into one dispatch (decode.c fuse(),
 * counting loops in emu.c counter_loop()), runs the commonest memory
 * moves inline on a TLB hit (FK_LOAD, FK_STORE), and chains each cached
 * instruction to its last successors by RIP, so straight-line code and
 * loops skip the cache lookup and the CS checks; e->epoch (a counter plus
 * the CPL and code size) invalidates the chains.  exec__insn() memoizes
 * each instruction's handler group (in->grp).  Descriptor reads take the
 * TLB directly when the whole descriptor is in one mapped page, and parsed
 * descriptors are memoized by raw value (sys__desc_seg); gates and
 * descriptors checked for delivery, iret and segment loads are kept per
 * vector and selector until the tables' pages are written or the table
 * registers or the TLB change (tables.c); the stack frames
 * of int/iret go through one TLB check when they fit in a page (stack_peek,
 * sys_peek, sys_poke).  Every shortcut checks exactly what the long way
 * would, and takes the long way when in doubt.
 *
 * Not implemented (each stops the guest with VMDBG_STOP_UNSUPPORTED and the
 * instruction named): task switches and task gates, call gates,
 * virtual-8086 mode, x87 arithmetic and loads (x87.c keeps the control
 * state), MMX, SSE floating-point arithmetic, cmpxchg16b.  EFLAGS.TF
 * single-step traps are modelled (the run loop).  Not modelled:
 * debug-register breakpoints (DR0-7 are stored only), A20 masking, global pages (every flush drops all).
 */
#ifndef VMDBG_EMU_H
#define VMDBG_EMU_H

#include "vmdbg/internal.h"

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Segment register indexes: x86 encoding order (es cs ss ds fs gs). */
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = 7 };

/* Exception vectors. */
enum {
	EX_DE = 0, EX_DB = 1, EX_NMI = 2, EX_BP = 3, EX_OF = 4, EX_BR = 5,
	EX_UD = 6, EX_NM = 7, EX_DF = 8, EX_TS = 10, EX_NP = 11, EX_SS = 12,
	EX_GP = 13, EX_PF = 14, EX_MF = 16, EX_AC = 17, EX_XM = 19,
};

/* RFLAGS bits. */
#define F_CF	(1u << 0)
#define F_PF	(1u << 2)
#define F_AF	(1u << 4)
#define F_ZF	(1u << 6)
#define F_SF	(1u << 7)
#define F_TF	(1u << 8)
#define F_IF	(1u << 9)
#define F_DF	(1u << 10)
#define F_OF	(1u << 11)
#define F_IOPL	(3u << 12)
#define F_NT	(1u << 14)
#define F_RF	(1u << 16)
#define F_VM	(1u << 17)
#define F_AC	(1u << 18)
#define F_VIF	(1u << 19)
#define F_VIP	(1u << 20)
#define F_ID	(1u << 21)
#define F_ARITH	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#define CR0_PE	(1u << 0)
#define CR0_MP	(1u << 1)
#define CR0_EM	(1u << 2)
#define CR0_TS	(1u << 3)
#define CR0_ET	(1u << 4)
#define CR0_NE	(1u << 5)
#define CR0_WP	(1u << 16)
#define CR0_AM	(1u << 18)
#define CR0_NW	(1u << 29)
#define CR0_CD	(1u << 30)
#define CR0_PG	(1u << 31)
#define CR4_PSE	(1u << 4)
#define CR4_PAE	(1u << 5)
#define CR4_PGE	(1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Operand kinds of struct eop. */
enum {
	OK_NONE, OK_REG, OK_MEM, OK_IMM, OK_SREG, OK_CR, OK_DR, OK_XMM,
	OK_PTR, OK_REL, OK_AGEN, OK_ST,
};

#define R_RIP	16		/* RIP-relative base */
#define R_NONE	0xff

/* One operand, decoded once and cached. */
struct eop {
	uint8_t kind;
	uint8_t size;		/* bytes */
	uint8_t reg;		/* OK_REG/SREG/CR/DR/XMM: register number */
	uint8_t hi8;		/* OK_REG: AH/CH/DH/BH */
	uint8_t seg, base, index, scale;	/* OK_MEM / OK_AGEN */
	uint16_t ptr_sel;	/* OK_PTR */
	int64_t disp;		/* OK_MEM displacement */
	uint64_t imm;		/* OK_IMM value (sign extended), OK_REL disp, OK_PTR off */
};

/*
 * Forms the run loop executes without the dispatch switch: register-only,
 * they cannot fault.  The _32 forms are 32-bit registers (no AH..BH).
 * FK_LOAD and FK_STORE (mov between a register and memory, FK_ALU with a
 * memory source, FK_MOVX: movzx/movsx; FK_PUSH, FK_POP, FK_CALL, FK_RET
 * on the stack) run inline only when the segment checks pass and the
 * TLB maps the bytes (mmu__lin_ok, tlb_peek): what rd()/wr() would do
 * without a fault or a slow path; otherwise they take the general path.
 */
enum {
	FK_NONE, FK_INCDEC, FK_INC32, FK_DEC32, FK_JCC, FK_JZ, FK_JNZ, FK_ALU,
	FK_MOV, FK_JMP, FK_LOAD, FK_STORE, FK_LEA, FK_MOVX, FK_PUSH, FK_POP, FK_CALL,
	FK_RET,
};

/* Which handler group exec__insn() found for an instruction, memoized on
 * its first successful execution (the groups decline an instruction for
 * static reasons only: mnemonic and operand kinds). */
enum {
	G_UNKNOWN, G_EXEC, G_ALU, G_STRING, G_SYS, G_SYSINSN, G_SSE, G_MSR, G_X87, G_SSEINT,
	G_INT, G_IRET,		/* G_SYS: int n, iret straight to their handler */
};

/* A decoded instruction in the cache. */
struct insn {
	uint64_t key;		/* (physical address << 2) | mode index; 0 = empty */
	/* the run loop's fast path first */
	uint8_t fast;		/* FK_*: a form the run loop executes inline */
	uint8_t len;
	uint8_t ccop;		/* FK_INC*, FK_DEC*, FK_ALU: the lazy-flags op (CCOP) */
	uint8_t aluop;		/* ALU_* for FK_ALU */
	uint8_t grp;		/* G_*: exec__insn's memoized handler group */
	uint8_t cc;		/* condition code for jcc/setcc/cmovcc */
	uint16_t mnem;		/* ZydisMnemonic */
	uint64_t tmask;		/* FK_JCC/JZ/JNZ/JMP: mask of the target (operand size) */
	/* successors seen last time (fall-through and branch target) and
	 * their RIPs, valid while e->epoch == succ_epoch: the run loop skips
	 * the cache lookup (see struct emu's epoch) */
	uint64_t succ_epoch;
	uint64_t succ_rip[2];
	struct insn *succ[2];
	uint32_t gen;		/* page generation it was decoded under */
	/* a fused pair (decode.c fuse()): this register-only flag setter
	 * (FK_INCDEC/INC32/DEC32/ALU) and the jcc right after it in the same
	 * page, run as one dispatch that retires both; fuse is that jcc's
	 * FK_JZ/JNZ/JCC, 0 none */
	uint8_t fuse, fuse_len, fuse_cc;
	uint8_t loop;		/* the pair may be a counting loop (emu.c counter_loop) */
	uint8_t noflags;	/* neither reads nor writes the arithmetic flags:
				 * the run loop leaves lazy flags lazy across it */
	uint64_t fuse_tmask;
	uint64_t fuse_imm;
	uint8_t osize;		/* operand size in bytes */
	uint8_t asize;		/* address size in bytes */
	uint8_t nops;		/* visible operands */
	uint8_t rep;		/* 0, 1 = rep/repe, 2 = repne */
	uint8_t lock;
	uint8_t sseg;		/* segment for string sources / xlat (override or DS) */
	uint8_t opcode;
	uint8_t esc, modrm;	/* an x87 escape (D8..DF of the one-byte map) or 0,
				 * and its ModRM byte: x87_arith.c decodes by them */
	uint8_t rexw;
	/* classification for step mode (classify__bytes) */
	uint8_t cinsn;		/* enum vmdbg_insn */
	uint8_t cpriv, chole, cio;
	uint8_t cls_ok;
	uint16_t cpclass;	/* enum vmdbg_priv_class bits */
	struct eop op[3];
};

struct tlb_entry {
	uint64_t tag_r, tag_w, tag_x;	/* linear page | 0, or TLB_INVALID */
	uint8_t *host;			/* host address of the page */
};
#define TLB_BITS	10
#define TLB_SIZE	(1u << TLB_BITS)
#define TLB_INVALID	1ull

/*
 * A gate or descriptor checked once and kept while e->tab_gen stays the
 * same (tables.c): the checks that depend on the bytes alone are done,
 * those against the CPL are the user's.  tab_gen moves when a tracked
 * page is written, a supervisor TLB entry changes, or a table register,
 * CR0, CR4 or EFER is loaded.
 */
struct gate_memo {
	uint64_t gen;		/* tab_gen when checked; 0 never */
	uint64_t off;		/* the handler's offset */
	struct vmdbg_seg cs;	/* the gate's code segment, as gate_cs() reads it */
	uint8_t type, dpl, ist;
};

/* Kinds of checked selectors (struct sel_memo): SS at CPL = RPL; a data
 * segment register (its DPL against the CPL left to the user); the CS of
 * iret or a far ret at CPL = RPL. */
enum { SM_STACK, SM_DATA, SM_RET, SM_KINDS };
#define SEL_MEMO_N	16
struct sel_memo {
	uint64_t gen;		/* tab_gen when checked; 0 never */
	struct vmdbg_seg seg;	/* the image as loaded; seg.sel is the key */
};

/* page_code bits: decoded instructions in the page; a memoized gate or
 * descriptor read from it.  Either keeps every TLB write tag off the
 * page, so the first write to it takes mmu__write_slow(). */
#define PC_CODE		1
#define PC_TABLE	2

#define CACHE_BITS	17
#define CACHE_SIZE	(1u << CACHE_BITS)

struct emu {
	struct vmdbg *vm;
	uint64_t r[16];
	uint64_t rip, next_rip;
	/*
	 * RFLAGS.  The arithmetic flags (F_ARITH) are lazy: while cc_op is
	 * CC_EAGER they are in flags; otherwise the last flag-setting fast
	 * form left its operation (CCOP: op and operand size) with its
	 * result and operands in cc_res, cc_a, cc_b, and emu_flags() computes
	 * them (emu_sync_flags() writes them back).  Only the run loop's
	 * register-only fast forms go lazy; the loop syncs before every other
	 * instruction, so everything else sees eager flags as it always did.
	 */
	uint64_t flags;
	uint32_t cc_op;
	uint64_t cc_res, cc_a, cc_b;	/* CC_INC/CC_DEC: cc_b is the carry kept */
	uint64_t ipmask;		/* RIP mask of the code size (emu_update_mode) */
	uint64_t fetch_end;		/* the last RIP a fetch passes: CS limit, ipmask */
	struct vmdbg_seg seg[6];
	struct vmdbg_seg ldt, tr;
	struct vmdbg_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t dr[8];
	/* MSRs */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t apic_base, tsc_offset, tsc_aux, pat, misc_enable;
	uint64_t xmm[16][2];
	uint32_t mxcsr;
	uint16_t fcw, fsw, ftw;	/* x87 control, status, full tag word */
	uint8_t st[8][10];	/* x87 data registers, 80-bit images */

	/* derived state, updated by emu_update_mode() */
	int cpl;
	int mode;		/* code size: 16, 32, 64 */
	int midx;		/* 0, 1, 2 for 16, 32, 64 */
	bool lma;
	bool paging;

	/* interrupts */
	uint64_t shadow_at;	/* sti / mov ss shadow: no interrupt while insns == this */
	bool shadow_next;
	bool halted;
	bool nmi_pending;	/* an NMI IPI waits (smp.c): taken before the next insn */
	/* EFLAGS.TF: vm->insns at which the instruction that began with TF
	 * set has retired, so the single-step #DB is due; ~0 none.  While TF
	 * is set or a trap is due the run loop keeps poll_at at 0 and checks
	 * between instructions (so a fast form cannot slip past). */
	uint64_t tf_at;
	int irq_vector;		/* -1: none; else a vector injected directly
				 * (unit tests, from a trap callback): the
				 * PIC's interrupts come through vm->intr */

	/* the current instruction */
	const struct insn *cur;
	struct trap_origin origin;
	bool recorded;		/* the instruction produced its own trap record */
	bool rep_resume;	/* a rep stopped part-way (string.c): its next
				 * step is no new instruction for breakpoints */

	/* fault state */
	void *jb[5];
	bool jb_armed;
	int exc_vec;		/* raised exception, -1 none */
	uint32_t exc_err;
	bool exc_has_err;
	int deliver_vec;	/* vector being delivered, -1 none */
	uint32_t deliver_err;	/* ... its error code and CR2, for its record */
	bool deliver_has_err;
	uint64_t deliver_cr2;
	/* The fault that began an escalation (#DF, triple fault), named in
	 * the shutdown message. */
	int chain_vec;
	uint64_t chain_cr2, chain_rip;
	/* A catchpoint stopped the guest at the record of a fault whose
	 * delivery faulted: the next run goes on with that (resume_vec, raised
	 * while delivering resume_first), unless the registers were set. */
	int resume_vec, resume_first;
	uint32_t resume_err;
	bool resume_has_err;
	bool resumed;		/* that record is written already */
	bool stop_now;		/* an instruction asked to stop (unsupported, shutdown) */
	struct vmdbg_stop pending;	/* filled with stop_now */

	/*
	 * The validity of chained successors (struct insn succ_*), which are
	 * keyed by RIP: EPOCH_STEP times a counter bumped whenever a chain
	 * could be stale (TLB flushes, code writes, cache slot reuse, a new
	 * CS base or limit), plus the fetch context in the low bits (CPL and
	 * code size), so chains made at CPL 0 stay good across a trip to
	 * CPL 3 and back.  Change it only with emu_new_epoch() and
	 * emu_update_mode().
	 */
	uint64_t epoch;
	uint64_t cs_base_seen;		/* CS base and limit of the counter */
	uint32_t cs_limit_seen;

	/* parsed descriptors, by raw value (sys__desc_seg) */
	struct desc_memo {
		uint64_t raw;
		struct vmdbg_seg seg;
	} desc_memo[16];

	/* checked gates and descriptors (tables.c), valid while tab_gen is
	 * what they were checked under */
	uint64_t tab_gen;
	uint64_t tab_hot;		/* the page a write last untracked */
	unsigned tab_hot_left;		/* fills that leave it untracked */
	struct sel_memo sel_memo[SM_KINDS][SEL_MEMO_N];
	struct gate_memo gate_memo[256];

	/* the code page of the last fetch: (linear page | user), its RAM address */
	uint64_t fetch_tag, fetch_pa;

	/* several CPUs (smp.c): shared by all of them, NULL with one */
	struct smp *smp;

	/* decoded-instruction cache (shared by the CPUs) */
	struct insn *cache;
	uint8_t *page_code;	/* per 4 KiB page of RAM: PC_CODE, PC_TABLE */
	uint32_t *page_gen;	/* per page: bumped when code there is written */
	uint64_t npages;
	ZydisDecoder dec[3];
	struct insn scratch;	/* page-crossing instructions (never cached) */
	struct insn nochain;	/* the run loop's first "previous" instruction */

	/* software TLB, [0] supervisor, [1] user; indexed by linear address
	 * bits, so it is last: struct emu ends at a guard page (guard__alloc) */
	struct tlb_entry tlb[2][TLB_SIZE];
};

static inline struct emu *EMU(struct vmdbg *vm) { return vm->be_priv; }

#define EPOCH_STEP	16u
/* Every chained successor may be stale. */
static inline void emu_new_epoch(struct emu *e) { e->epoch += EPOCH_STEP; }

static inline uint64_t szmask(int sz)
{
	return sz == 8 ? ~0ull : (1ull << (sz * 8)) - 1;
}

/* ---- emu.c ---- */
void emu_update_mode(struct emu *e);
/* Stop the run loop after this instruction with reason and message. */
void emu_stop(struct emu *e, enum vmdbg_stop_reason reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Unsupported instruction: stop with a diagnostic, abandon the insn. */
__attribute__((noreturn)) void emu_unsupported(struct emu *e, const char *why);
void emu_fill_trap(struct emu *e, struct vmdbg_trap *t, unsigned cls);
/* Run the running CPU (EMU(vm)) until a stop, the end of its quantum
 * (vm->slice_end) or, with several CPUs, a hlt nothing wakes yet (those
 * two return stop reason NONE). */
int emu__run_cpu(struct vmdbg *vm, struct vmdbg_stop *stop);
int emu__set_regs(struct emu *e, const struct vmdbg_regs *r);
/* The hlt record and the "halted forever" stop of CPU e. */
void emu__halt_forever(struct emu *e, struct vmdbg_stop *stop);

/* ---- smp.c ---- */
int smp__init(struct emu *e);
void smp__exit(struct emu *e);
int smp__run(struct vmdbg *vm, struct vmdbg_stop *stop);
void smp__cpu_signal(struct vmdbg *vm, int cpu, int sig, int vector);
int smp__select_cpu(struct vmdbg *vm, int cpu);
const char *smp__cpu_state(const struct vmdbg *vm, int cpu);
/* decode.c found code in a page: the other CPUs drop their write tags. */
void smp__code_marked(struct emu *e);
int smp__count(const struct emu *e);
struct emu *smp__cpu(const struct emu *e, int i);

/* ---- state.c: time travel's save and restore of the CPU ---- */
/* struct emu from r up to (not including) cur: the registers through
 * irq_vector, all plain values. */
#define ARCH_FIRST	offsetof(struct emu, r)
#define ARCH_LEN	(offsetof(struct emu, cur) - offsetof(struct emu, r))
struct emu_state {
	uint8_t arch[ARCH_LEN];
	int resume_vec, resume_first;
	uint32_t resume_err;
	bool resume_has_err, resumed;
	int chain_vec;
	uint64_t chain_cr2, chain_rip;
};
void emu__save_cpu(struct vmdbg *vm, void *buf);
void emu__restore_cpu(struct vmdbg *vm, const void *buf);
void emu__track_writes(struct vmdbg *vm);
/* One CPU's state (smp.c saves each CPU's this way). */
void emu__save_one(const struct emu *e, struct emu_state *s);
void emu__restore_one(struct emu *e, const struct emu_state *s);
/* smp.c: every CPU's and the scheduler's state, vm->cpu_state_size bytes */
void smp__save(struct vmdbg *vm, void *buf);
void smp__restore(struct vmdbg *vm, const void *buf);

/* ---- decode.c ---- */
/* Sets up the decoders and the cache (between guard pages); decode__exit
 * frees the cache, also after a failed init. */
int decode__init(struct emu *e);
void decode__exit(struct emu *e);
const struct insn *decode__fetch(struct emu *e);
void decode__invalidate_page(struct emu *e, uint64_t page);
void decode__flush(struct emu *e);

/* ---- mmu.c ---- */
void mmu__flush(struct emu *e);
void mmu__flush_page(struct emu *e, uint64_t lin);
void mmu__flush_writes(struct emu *e);
/* Linear address for seg:off of size bytes; checks limits (raises faults). */
static inline __attribute__((always_inline)) uint64_t mmu__lin(struct emu *e, int seg, uint64_t off, int size, bool write);
__attribute__((noreturn)) void mmu__seg_fault(struct emu *e, int seg);
/* Memory access by linear address: the TLB hit inline, else the slow
 * path (page walk, faults, MMIO, watchpoints, code written). */
uint64_t mmu__read_slow(struct emu *e, uint64_t lin, int size, int user);
void mmu__write_slow(struct emu *e, uint64_t lin, int size, uint64_t val, int user);
static inline __attribute__((always_inline)) uint64_t mmu__read(struct emu *e, uint64_t lin, int size, int user);
static inline __attribute__((always_inline)) void mmu__write(struct emu *e, uint64_t lin, int size, uint64_t val, int user);
/* Translate a linear address for an access (0 r, 1 w, 2 x); may fault. */
uint64_t mmu__translate(struct emu *e, uint64_t lin, int acc, int user);
/* Host pointer of the page holding lin for a fetch, or NULL (MMIO). */
uint8_t *mmu__fetch_page(struct emu *e, uint64_t lin, uint64_t *phys);
uint64_t mmu__phys_read(struct emu *e, uint64_t pa, int size);
void mmu__phys_write(struct emu *e, uint64_t pa, int size, uint64_t val);
/* A guest write hit physical range [pa, pa+len): drop decoded code there. */
void mmu__code_written(struct emu *e, uint64_t pa, uint64_t len);

static inline int emu_user(const struct emu *e) { return e->cpl == 3; }

/* A canonical 48-bit linear address: bits 63..47 all equal.  Written
 * without shifting a negative value (undefined in C; issue 9). */
static inline bool emu_canonical(uint64_t lin)
{
	return ((lin + (1ull << 47)) >> 48) == 0;
}

/* mmu__lin() without the fault: false where it would raise one. */
static inline __attribute__((always_inline)) bool mmu__lin_ok(struct emu *e, int seg, uint64_t off,
							       int size, bool write, uint64_t *lin)
{
	if (e->mode == 64) {
		uint64_t l = off;
		if (seg >= S_FS)
			l += e->seg[seg].base;
		*lin = l;
		return emu_canonical(l);
	}
	const struct vmdbg_seg *s = &e->seg[seg];
	if (e->cr0 & CR0_PE) {
		if (s->unusable)
			return false;
		if (write && ((s->type & 8) || !(s->type & 2)))
			return false;
		if (!write && (s->type & 0xa) == 0x8)	/* execute-only code */
			return false;
	}
	uint64_t last = off + (uint64_t)size - 1;
	if (!(s->type & 8) && (s->type & 4)) {		/* expand-down */
		uint64_t upper = s->db ? 0xffffffffull : 0xffff;
		if (off <= s->limit || last > upper)
			return false;
	} else if (last > s->limit) {
		return false;
	}
	*lin = (s->base + off) & 0xffffffffull;
	return true;
}

static inline __attribute__((always_inline)) uint64_t mmu__lin(struct emu *e, int seg, uint64_t off, int size, bool write)
{
	uint64_t lin;
	if (__builtin_expect(!mmu__lin_ok(e, seg, off, size, write, &lin), 0))
		mmu__seg_fault(e, seg);
	return lin;
}

static inline __attribute__((always_inline)) uint64_t mmu__read(struct emu *e, uint64_t lin, int size, int user)
{
	struct tlb_entry *t = &e->tlb[user][(lin >> 12) & (TLB_SIZE - 1)];
	if (__builtin_expect(t->tag_r == (lin & ~0xfffull) && (lin & 0xfff) + size <= 0x1000, 1)) {
		const uint8_t *p = t->host + (lin & 0xfff);
		switch (size) {
		case 1: return *p;
		case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
		case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
		default: { uint64_t v; memcpy(&v, p, 8); return v; }
		}
	}
	return mmu__read_slow(e, lin, size, user);
}

static inline __attribute__((always_inline)) void mmu__write(struct emu *e, uint64_t lin, int size, uint64_t val, int user)
{
	struct tlb_entry *t = &e->tlb[user][(lin >> 12) & (TLB_SIZE - 1)];
	if (__builtin_expect(t->tag_w == (lin & ~0xfffull) && (lin & 0xfff) + size <= 0x1000, 1)) {
		uint8_t *p = t->host + (lin & 0xfff);
		switch (size) {
		case 1: *p = (uint8_t)val; return;
		case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); return; }
		case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); return; }
		default: memcpy(p, &val, 8); return;
		}
	}
	mmu__write_slow(e, lin, size, val, user);
}

/* A host pointer to [lin, lin + size) when the TLB maps it for reading
 * (or writing), else NULL: mmu__read()/mmu__write()'s own hit test. */
static inline __attribute__((always_inline)) uint8_t *tlb_peek(struct emu *e, uint64_t lin, int size,
								bool write)
{
	const struct tlb_entry *t = &e->tlb[emu_user(e)][(lin >> 12) & (TLB_SIZE - 1)];
	if ((write ? t->tag_w : t->tag_r) != (lin & ~0xfffull) || (lin & 0xfff) + size > 0x1000)
		return NULL;
	return t->host + (lin & 0xfff);
}

/* Data accesses through a segment at the current privilege. */
static inline __attribute__((always_inline)) uint64_t rd(struct emu *e, int seg, uint64_t off, int size)
{
	return mmu__read(e, mmu__lin(e, seg, off, size, false), size, emu_user(e));
}
static inline __attribute__((always_inline)) void wr(struct emu *e, int seg, uint64_t off, int size, uint64_t v)
{
	mmu__write(e, mmu__lin(e, seg, off, size, true), size, v, emu_user(e));
}
/*
 * Several accesses at once: a host pointer to [off, off + len) of the
 * stack segment (stack_peek) or to supervisor linear [lin, lin + len) for
 * reading (sys_peek) or writing (sys_poke) when every access in it would
 * pass the segment checks and hit the TLB, so that loads and stores there
 * do exactly what the rd()/rd_sys()/wr_sys() of each would; else NULL and
 * the caller does those.
 */
static inline const uint8_t *stack_peek(struct emu *e, uint64_t off, uint64_t len, uint64_t m)
{
	uint64_t lin;
	if (e->mode == 64) {
		lin = off;
		if (!emu_canonical(lin))
			return NULL;
	} else {
		const struct vmdbg_seg *s = &e->seg[S_SS];
		if (!(e->cr0 & CR0_PE) || s->unusable || (s->type & 0xa) == 0x8 ||
		    (!(s->type & 8) && (s->type & 4)))
			return NULL;
		if (off + len - 1 > m || off + len - 1 > s->limit)
			return NULL;
		lin = s->base + off;
		if (lin + len - 1 > 0xffffffffull)
			return NULL;
	}
	const struct tlb_entry *t = &e->tlb[emu_user(e)][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->tag_r != (lin & ~0xfffull) || (lin & 0xfff) + len > 0x1000)
		return NULL;
	return t->host + (lin & 0xfff);
}

static inline const uint8_t *sys_peek(struct emu *e, uint64_t lin, uint64_t len)
{
	const struct tlb_entry *t = &e->tlb[0][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->tag_r != (lin & ~0xfffull) || (lin & 0xfff) + len > 0x1000)
		return NULL;
	return t->host + (lin & 0xfff);
}

static inline uint8_t *sys_poke(struct emu *e, uint64_t lin, uint64_t len)
{
	const struct tlb_entry *t = &e->tlb[0][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->tag_w != (lin & ~0xfffull) || (lin & 0xfff) + len > 0x1000)
		return NULL;
	return t->host + (lin & 0xfff);
}

/* A little-endian value of size bytes (1, 2, 4, 8) at p. */
static inline uint64_t ld_le(const uint8_t *p, int size)
{
	switch (size) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static inline void st_le(uint8_t *p, int size, uint64_t v)
{
	switch (size) {
	case 1: *p = (uint8_t)v; return;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return; }
	default: memcpy(p, &v, 8); return;
	}
}

/* System accesses (descriptor tables, TSS, IDT): supervisor privilege. */
static inline __attribute__((always_inline)) uint64_t rd_sys(struct emu *e, uint64_t lin, int size)
{
	return mmu__read(e, lin, size, 0);
}
static inline __attribute__((always_inline)) void wr_sys(struct emu *e, uint64_t lin, int size, uint64_t v)
{
	mmu__write(e, lin, size, v, 0);
}

/* ---- registers ---- */
static inline uint64_t greg(const struct emu *e, const struct eop *o)
{
	uint64_t v = e->r[o->reg];
	if (o->hi8)
		return (v >> 8) & 0xff;
	return v & szmask(o->size);
}
static inline void sreg_gpr(struct emu *e, int reg, int size, bool hi8, uint64_t v)
{
	uint64_t *p = &e->r[reg];
	switch (size) {
	case 1:
		if (hi8)
			*p = (*p & ~0xff00ull) | ((v & 0xff) << 8);
		else
			*p = (*p & ~0xffull) | (v & 0xff);
		break;
	case 2: *p = (*p & ~0xffffull) | (v & 0xffff); break;
	case 4: *p = v & 0xffffffffull; break;
	default: *p = v; break;
	}
}

/* ---- exec.c / alu.c ---- */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* Flags, eager and inline (the hot path of every ALU instruction). */
static inline uint64_t sbit(int sz) { return 1ull << (sz * 8 - 1); }

/* Lazy flags (see struct emu): cc_op is CCOP(op, operand size). */
enum { CC_EAGER, CC_ADD, CC_SUB, CC_LOGIC, CC_INC, CC_DEC };
#define CCOP(op, sz)	((unsigned)(op) << 4 | (unsigned)(sz))

static inline uint64_t flags_szp(uint64_t r, int sz)
{
	uint64_t f = 0;
	if (!r)
		f |= F_ZF;
	if (r & sbit(sz))
		f |= F_SF;
	if (!__builtin_parity((unsigned)(r & 0xff)))
		f |= F_PF;
	return f;
}

/* The arithmetic flags of a lazy state, exactly as set_arith() below
 * would have set them. */
static inline uint64_t lazy_arith(const struct emu *e)
{
	int sz = e->cc_op & 15;
	uint64_t r = e->cc_res, a = e->cc_a, b = e->cc_b, m = szmask(sz), sb = sbit(sz);
	uint64_t f = flags_szp(r, sz);
	switch (e->cc_op >> 4) {
	case CC_ADD:
		if (r < a)
			f |= F_CF;
		if ((a ^ r) & (b ^ r) & sb)
			f |= F_OF;
		f |= (a ^ b ^ r) & F_AF;
		break;
	case CC_SUB:
		if (a < b)
			f |= F_CF;
		if ((a ^ b) & (a ^ r) & sb)
			f |= F_OF;
		f |= (a ^ b ^ r) & F_AF;
		break;
	case CC_INC:
		a = (r - 1) & m;
		f |= b & F_CF;
		if (r == sb)
			f |= F_OF;
		f |= (a ^ 1 ^ r) & F_AF;
		break;
	case CC_DEC:
		a = (r + 1) & m;
		f |= b & F_CF;
		if (a == sb)
			f |= F_OF;
		f |= (a ^ 1 ^ r) & F_AF;
		break;
	default:	/* CC_LOGIC */
		break;
	}
	return f;
}

/* CF alone (inc and dec keep it). */
static inline uint64_t lazy_cf(const struct emu *e)
{
	switch (e->cc_op >> 4) {
	case CC_EAGER: return e->flags & F_CF;
	case CC_ADD: return e->cc_res < e->cc_a;
	case CC_SUB: return e->cc_a < e->cc_b;
	case CC_LOGIC: return 0;
	default: return e->cc_b;
	}
}

/* RFLAGS with the arithmetic flags computed. */
static inline uint64_t emu_flags(const struct emu *e)
{
	if (__builtin_expect(e->cc_op == CC_EAGER, 1))
		return e->flags;
	return (e->flags & ~(uint64_t)F_ARITH) | lazy_arith(e);
}

/* Make e->flags exact again (before anything reads or edits it). */
static inline void emu_sync_flags(struct emu *e)
{
	if (e->cc_op != CC_EAGER) {
		e->flags = emu_flags(e);
		e->cc_op = CC_EAGER;
	}
}

static inline void set_arith(struct emu *e, uint64_t r, int sz, bool cf, bool of, uint64_t af)
{
	uint64_t f = e->flags & ~(uint64_t)F_ARITH;
	if (cf)
		f |= F_CF;
	if (of)
		f |= F_OF;
	f |= af & F_AF;
	if (!r)
		f |= F_ZF;
	if (r & sbit(sz))
		f |= F_SF;
	if (!__builtin_parity((unsigned)(r & 0xff)))
		f |= F_PF;
	e->flags = f;
}

static inline uint64_t alu__binop(struct emu *e, int op, uint64_t a, uint64_t b, int sz)
{
	uint64_t m = szmask(sz), sb = sbit(sz), r, c;
	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADD:
		r = (a + b) & m;
		set_arith(e, r, sz, r < a, (a ^ r) & (b ^ r) & sb, a ^ b ^ r);
		return r;
	case ALU_ADC:
		c = e->flags & F_CF;
		r = (a + b + c) & m;
		set_arith(e, r, sz, c ? r <= a : r < a, (a ^ r) & (b ^ r) & sb, a ^ b ^ r);
		return r;
	case ALU_SUB:
	case ALU_CMP:
		r = (a - b) & m;
		set_arith(e, r, sz, a < b, (a ^ b) & (a ^ r) & sb, a ^ b ^ r);
		return r;
	case ALU_SBB:
		c = e->flags & F_CF;
		r = (a - b - c) & m;
		set_arith(e, r, sz, c ? a <= b : a < b, (a ^ b) & (a ^ r) & sb, a ^ b ^ r);
		return r;
	case ALU_AND: r = a & b; break;
	case ALU_OR: r = a | b; break;
	default: r = a ^ b; break;
	}
	set_arith(e, r, sz, false, false, 0);
	return r;
}

static inline uint64_t alu__incdec(struct emu *e, uint64_t a, int sz, bool dec)
{
	uint64_t m = szmask(sz), sb = sbit(sz), r;
	uint64_t cf = e->flags & F_CF;
	a &= m;
	if (dec) {
		r = (a - 1) & m;
		set_arith(e, r, sz, cf, a == sb, a ^ 1 ^ r);
	} else {
		r = (a + 1) & m;
		set_arith(e, r, sz, cf, r == sb, a ^ 1 ^ r);
	}
	return r;
}


void exec__insn(struct emu *e, const struct insn *in);

/* Operand access, inline: the interpreter's hot path. */
/* The effective address of a memory operand; next_rip for RIP-relative. */
static inline uint64_t ea_of(const struct emu *e, const struct eop *o, int asize,
			     uint64_t next_rip)
{
	uint64_t a = (uint64_t)o->disp;
	if (o->base != R_NONE)
		a += o->base == R_RIP ? next_rip : e->r[o->base];
	if (o->index != R_NONE)
		a += e->r[o->index] * o->scale;
	return a & szmask(asize);
}

static inline uint64_t op_ea(struct emu *e, const struct eop *o)
{
	return ea_of(e, o, e->cur->asize, e->next_rip);
}

static inline uint64_t op_read(struct emu *e, const struct eop *o)
{
	if (__builtin_expect(o->kind == OK_REG, 1))
		return greg(e, o);
	switch (o->kind) {
	case OK_MEM: return rd(e, o->seg, op_ea(e, o), o->size > 8 ? 8 : o->size);
	case OK_IMM: return o->imm;
	case OK_SREG: return e->seg[o->reg].sel;
	case OK_AGEN: return op_ea(e, o);
	default: emu_unsupported(e, "operand kind");
	}
}

static inline void op_write(struct emu *e, const struct eop *o, uint64_t v)
{
	if (__builtin_expect(o->kind == OK_REG, 1)) {
		sreg_gpr(e, o->reg, o->size, o->hi8, v);
		return;
	}
	if (o->kind == OK_MEM) {
		wr(e, o->seg, op_ea(e, o), o->size > 8 ? 8 : o->size, v);
		return;
	}
	emu_unsupported(e, "operand kind");
}

static inline bool cond_flags(uint64_t f, int cc)
{
	bool r;
	switch (cc >> 1) {
	case 0: r = f & F_OF; break;
	case 1: r = f & F_CF; break;
	case 2: r = f & F_ZF; break;
	case 3: r = f & (F_CF | F_ZF); break;
	case 4: r = f & F_SF; break;
	case 5: r = f & F_PF; break;
	case 6: r = !(f & F_SF) != !(f & F_OF); break;
	default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
	}
	return (cc & 1) ? !r : r;
}

/* Condition code cc (jcc, setcc, cmovcc) of the current flags, lazy or not. */
static inline bool cond(const struct emu *e, int cc)
{
	unsigned op = e->cc_op;
	if (__builtin_expect(op == CC_EAGER, 1))
		return cond_flags(e->flags, cc);
	bool r;
	uint64_t res = e->cc_res;
	switch (cc >> 1) {
	case 2:		/* ZF */
		r = res == 0;
		break;
	case 4:		/* SF */
		r = (res >> ((op & 15) * 8 - 1)) & 1;
		break;
	case 1:		/* CF */
	case 3:		/* CF | ZF */
		if ((op >> 4) == CC_SUB) {
			r = (cc >> 1) == 1 ? e->cc_a < e->cc_b : e->cc_a <= e->cc_b;
			break;
		}
		/* fall through */
	default:
		return cond_flags(lazy_arith(e), cc);
	}
	return (cc & 1) ? !r : r;
}
uint64_t alu__shift(struct emu *e, int op, uint64_t a, unsigned cnt, int sz);
uint64_t alu__shxd(struct emu *e, bool left, uint64_t a, uint64_t b, unsigned cnt, int sz);
void alu__muldiv(struct emu *e, const struct insn *in);
void alu__bitop(struct emu *e, const struct insn *in);
void alu__setszp(struct emu *e, uint64_t r, int sz);
bool alu__exec(struct emu *e, const struct insn *in);
enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

/* stack */
static inline int emu_stack_size(const struct emu *e)
{
	if (e->mode == 64)
		return 8;
	return e->seg[S_SS].db ? 4 : 2;
}
void emu_push(struct emu *e, uint64_t v, int size);
uint64_t emu_pop(struct emu *e, int size);

/* ---- system.c ---- */
__attribute__((noreturn)) void emu_fault(struct emu *e, int vec, uint32_t err, bool has_err);
static inline __attribute__((noreturn)) void emu_gp(struct emu *e, uint32_t err)
{
	emu_fault(e, EX_GP, err, true);
}
static inline __attribute__((noreturn)) void emu_ud(struct emu *e)
{
	emu_fault(e, EX_UD, 0, false);
}
/* Deliver vector through the IDT/IVT.  soft: int n (gate DPL checked),
 * ret_rip: the RIP pushed.  Returns the handler RIP. */
uint64_t sys__deliver(struct emu *e, int vec, bool has_err, uint32_t err,
		      bool soft, uint64_t ret_rip);
/* The run loop's fault handler: deliver e->exc_vec with #DF escalation. */
void sys__handle_fault(struct emu *e);
void sys__load_seg(struct emu *e, int s, uint16_t sel);
void sys__far_jmp(struct emu *e, uint16_t sel, uint64_t off, bool call, int osize);
void sys__far_ret(struct emu *e, int osize, uint16_t pop_extra);
void sys__iret(struct emu *e, int osize);
void sys__int(struct emu *e, int vec, int insn);
bool sys__exec(struct emu *e, const struct insn *in);
void sys__syscall(struct emu *e);
void sys__sysret(struct emu *e);
void sys__sysenter(struct emu *e);
void sys__sysexit(struct emu *e);
void sys__parse_desc(const uint32_t d[2], uint16_t sel, struct vmdbg_seg *s);
bool sys__read_desc_slow(struct emu *e, uint16_t sel, uint32_t d[4], uint64_t *addr);
/* sys__parse_desc() through a small memo of parsed descriptors. */
static inline void sys__desc_seg(struct emu *e, const uint32_t d[2], uint16_t sel,
				 struct vmdbg_seg *s)
{
	uint64_t raw = d[0] | (uint64_t)d[1] << 32;
	struct desc_memo *m = &e->desc_memo[(sel >> 3) & 15];
	if (__builtin_expect(m->raw != raw, 0)) {
		sys__parse_desc(d, sel, &m->seg);
		m->raw = raw;
	}
	*s = m->seg;
	/* stores only when they change something: a narrow store just
	 * before the caller copies *s whole stalls the copy's loads (no
	 * store forwarding), a third of an int+iret round trip (issue 16) */
	if (s->sel != sel)
		s->sel = sel;
}

/* CS := the image cs with selector nsel, accessed: copied whole, then only
 * what changes stored (narrow stores into an image just before its whole
 * copy would stall the copy's loads: sys__desc_seg).  The caller sets the
 * CPL and the mode. */
static inline void sys__cs_image(struct emu *e, const struct vmdbg_seg *cs, uint16_t nsel)
{
	struct vmdbg_seg *c = &e->seg[S_CS];

	*c = *cs;
	if (c->sel != nsel)
		c->sel = nsel;
	if (!(c->type & 1))
		c->type |= 1;
}

static inline bool sys__read_desc(struct emu *e, uint16_t sel, uint32_t d[4], uint64_t *addr)
{
	/* the common case: a GDT descriptor, in one page the TLB maps for
	 * reading (the same bytes the slow path's reads get, without side
	 * effects either way) */
	uint64_t idx = sel & ~7u, a = e->gdt.base + idx;
	uint64_t limit = e->gdt.limit;
	bool wide_ok = e->lma && idx + 15 <= limit;
	const struct tlb_entry *t = &e->tlb[0][(a >> 12) & (TLB_SIZE - 1)];
	if (__builtin_expect(!(sel & 4) && idx + 7 <= limit && t->tag_r == (a & ~0xfffull) &&
			     (a & 0xfff) <= (wide_ok ? 0xff0u : 0xff8u), 1)) {
		const uint8_t *p = t->host + (a & 0xfff);
		*addr = a;
		memcpy(d, p, 8);
		d[2] = d[3] = 0;
		if (wide_ok && !(d[1] & 0x1000))
			memcpy(d + 2, p + 8, 8);
		return true;
	}
	return sys__read_desc_slow(e, sel, d, addr);
}
/* The descriptor of sel from the GDT or LDT (16 bytes for a system
 * descriptor in long mode) and its linear address; false when sel is
 * outside the table (or the LDT is unusable).  May fault (#PF). */
static inline bool sys__read_desc(struct emu *e, uint16_t sel, uint32_t d[4], uint64_t *addr);
void sys__set_flags(struct emu *e, uint64_t v, int size);
/* Interrupt the guest with an external interrupt (from the loop). */
void sys__interrupt(struct emu *e, int vec);
/* osize: the operand size (8: iretq, sysretq), kept in the record's size. */
void sys__return_record(struct emu *e, int insn, uint64_t target, int osize);
/* The single-step #DB trap (EFLAGS.TF) after an instruction retired. */
void sys__single_step(struct emu *e);

/* ---- tables.c: gates and descriptors checked once, kept while
 * e->tab_gen stays (see there) ---- */
void tables__init(struct emu *e);
/* A table register, CR0, CR4, EFER or the supervisor TLB changed. */
static inline void tables__changed(struct emu *e) { e->tab_gen++; }
/* A write hit tracked page pfn (mmu__code_written()). */
void tables__written(struct emu *e, uint64_t pfn);
/* Keep a checked selector (its image as loaded, accessed; d: the bytes
 * checked) or gate (raw: its 8 or 12 bytes; cs_raw: its code segment's),
 * when their bytes are still those and the supervisor TLB maps them. */
void tables__keep_sel(struct emu *e, int kind, const struct vmdbg_seg *img, const uint32_t d[2]);
void tables__keep_gate(struct emu *e, int vec, const struct gate_memo *g, const uint32_t raw[3],
		       const uint32_t cs_raw[2]);

static inline const struct gate_memo *tables__gate(const struct emu *e, int vec)
{
	const struct gate_memo *g = &e->gate_memo[vec & 0xff];
	return g->gen == e->tab_gen ? g : NULL;
}

static inline const struct vmdbg_seg *tables__sel(const struct emu *e, int kind, uint16_t sel)
{
	const struct sel_memo *m = &e->sel_memo[kind][(sel >> 3) & (SEL_MEMO_N - 1)];
	return m->gen == e->tab_gen && m->seg.sel == sel ? &m->seg : NULL;
}

/* ---- sysinsn.c ---- */
bool sysinsn__exec(struct emu *e, const struct insn *in);
bool sys__io_allowed(struct emu *e, uint16_t port, int size);
uint32_t sys__io(struct emu *e, uint16_t port, int size, bool write, uint32_t val);

/* ---- string.c ---- */
bool string__exec(struct emu *e, const struct insn *in);

/* ---- sse.c ---- */
bool sse__exec(struct emu *e, const struct insn *in);

/* ---- msr.c ---- */
bool msr__exec(struct emu *e, const struct insn *in);
/* x87.c: the x87 control state, fxsave/fxrstor. */
bool x87__exec(struct emu *e, const struct insn *in);
/* sse_int.c: SSE2 packed integers. */
bool sse_int__exec(struct emu *e, const struct insn *in);
uint64_t msr__tsc(struct emu *e);

#endif
