/*
 * tables.c - emu: gates and descriptors checked once and kept (issue 16).
 *
 * Interrupt delivery reads and checks the IDT gate, the GDT descriptor of
 * its code segment and, on a ring change, the one of the new stack; iret
 * and segment loads check theirs.  The checks that depend on the bytes
 * alone are done once and their result kept: per vector (struct
 * gate_memo) and per selector and use (struct sel_memo, SM_*), while
 * e->tab_gen is the number they were kept under.  A kept result is
 * exactly what the long way would give, because tab_gen moves whenever
 * the long way could read other bytes or read them otherwise:
 *
 *   - a guest or host write to a page a result came from: the page is
 *     tracked (page_code PC_TABLE, no TLB write tag points at it, the
 *     first write takes mmu__write_slow() -> mmu__code_written() ->
 *     tables__written()); the host's writes (debugger, DMA, firmware,
 *     time travel) come through the backend's mem_written hook.  With
 *     several CPUs (smp.c) the tracking is shared, as for code: a write
 *     by any CPU moves every CPU's tab_gen, and the other CPUs' write
 *     tags go before they next run (smp__code_marked);
 *   - a change of a supervisor TLB entry (fill, flush, invlpg): results
 *     are kept only from bytes the supervisor TLB maps, which the long
 *     way reads without a page walk or any other side effect;
 *   - lgdt, lidt, lldt, ltr, a write to CR0, CR4 or EFER, the debugger
 *     setting registers, time travel restoring them (tables__changed()).
 *
 * What the kept checks do not cover (the CPL against a DPL, the TSS's
 * stack pointer and selector) the user checks at each use, and anything
 * unusual takes the long way, which faults as before.  A selector is kept
 * only when its descriptor's accessed bit is set in memory already, so
 * no load through the memo skips the write the long way would make.
 *
 * A page both tracked and written often (the IDT beside a stack, as in a
 * small teaching kernel) would cost a TLB scan at every fill: after a
 * write untracks a page, the next TAB_HOT_SKIP fills from it are not kept.
 */
#include "vmdbg/emu/emu.h"

#define TAB_HOT_SKIP	64

void tables__init(struct emu *e)
{
	e->tab_gen = 1;		/* the memos' gen 0 is never valid */
	e->tab_hot = ~0ull;
}

void tables__written(struct emu *e, uint64_t pfn)
{
	/* the CPUs share RAM (smp.c): every CPU's kept results go */
	for (int i = 0; i < smp__count(e); i++)
		smp__cpu(e, i)->tab_gen++;
	e->tab_hot = pfn;
	e->tab_hot_left = TAB_HOT_SKIP;
}

/* Track the RAM page holding host (a supervisor TLB entry's page): its
 * writes now move tab_gen.  False when the result must not be kept. */
static bool track(struct emu *e, const uint8_t *host)
{
	uint64_t pfn = (uint64_t)(host - e->vm->ram) >> 12;

	if (pfn >= e->npages)
		return false;
	if (e->page_code[pfn]) {
		/* tracked for code or tables: no write tag points at it */
		e->page_code[pfn] |= PC_TABLE;
		return true;
	}
	if (pfn == e->tab_hot && e->tab_hot_left) {
		e->tab_hot_left--;
		return false;
	}
	/* every write to the page must come through mmu__write_slow(): its
	 * write tags go, at any linear address (aliases) */
	const uint8_t *page = e->vm->ram + (pfn << 12);
	for (int u = 0; u < 2; u++)
		for (unsigned i = 0; i < TLB_SIZE; i++)
			if (e->tlb[u][i].host == page)
				e->tlb[u][i].tag_w = TLB_INVALID;
	if (e->smp)	/* the other CPUs' write tags go when they next run */
		smp__code_marked(e);
	e->page_code[pfn] = PC_TABLE;
	return true;
}

/* The GDT descriptor of sel when the supervisor TLB maps its 8 bytes
 * (sys__read_desc()'s way without a walk), else NULL. */
static const uint8_t *gdt_peek(struct emu *e, uint16_t sel)
{
	uint64_t idx = sel & ~7u;

	if ((sel & 4) || idx + 7 > e->gdt.limit)
		return NULL;
	return sys_peek(e, e->gdt.base + idx, 8);
}

void tables__keep_sel(struct emu *e, int kind, const struct vmdbg_seg *img, const uint32_t d[2])
{
	const uint8_t *p = gdt_peek(e, img->sel);
	uint64_t raw = d[0] | (uint64_t)d[1] << 32, now;

	if (!p || !(img->sel & ~3u))
		return;
	memcpy(&now, p, 8);
	/* the bytes checked, with the accessed bit set (by the load that
	 * checked them or before) */
	if (now != (raw | 1ull << 40) || !track(e, p))
		return;
	struct sel_memo *m = &e->sel_memo[kind][(img->sel >> 3) & (SEL_MEMO_N - 1)];
	m->seg = *img;
	m->gen = e->tab_gen;
}

void tables__keep_gate(struct emu *e, int vec, const struct gate_memo *g, const uint32_t raw[3],
		       const uint32_t cs_raw[2])
{
	int wide = e->lma ? 12 : 8;
	const uint8_t *gp = sys_peek(e, e->idt.base + (uint64_t)vec * (e->lma ? 16 : 8), wide);
	const uint8_t *cp = gdt_peek(e, g->cs.sel);

	if (!gp || !cp || memcmp(gp, raw, wide) || memcmp(cp, cs_raw, 8))
		return;
	if (!track(e, gp) || !track(e, cp))
		return;
	struct gate_memo *m = &e->gate_memo[vec & 0xff];
	*m = *g;
	m->gen = e->tab_gen;
}
