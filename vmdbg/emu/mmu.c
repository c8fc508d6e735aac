/*
 * mmu.c - emu: segmentation checks, page-table walks (32-bit with 4 MiB
 * pages, PAE, 4-level), the software TLB and guest memory access.
 *
 * The TLB is direct mapped, one table for supervisor and one for user
 * accesses, with separate tags for read, write and execute so that a hit
 * means "this access is allowed" without looking at permission bits again.
 * A write tag is only filled after the walk set the dirty bit, and never for
 * a page that holds decoded code: writes there take the slow path, which
 * drops the decoded instructions of the page (self-modifying code).
 */
#include "vmdbg/emu/emu.h"

#include <string.h>

/* A data access on the slow path: tell the debugger; true means the page
 * holds a watched range and must stay out of the TLB. */
static inline bool watched(struct emu *e, uint64_t lin, int size, bool write)
{
	/* dbg_active is only ever set by the debugger, after it installed
	 * vm->dbg_ops */
	if (!(e->vm->dbg_active & DBG_WATCH))
		return false;
	return e->vm->dbg_ops->watch_access(e->vm, lin, size, write, e->cpl);
}

#define PTE_P	(1ull << 0)
#define PTE_W	(1ull << 1)
#define PTE_U	(1ull << 2)
#define PTE_A	(1ull << 5)
#define PTE_D	(1ull << 6)
#define PTE_PS	(1ull << 7)
#define PTE_NX	(1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

void mmu__flush(struct emu *e)
{
	e->fetch_tag = ~0ull;
	emu_new_epoch(e);
	tables__changed(e);
	for (int u = 0; u < 2; u++)
		for (unsigned i = 0; i < TLB_SIZE; i++) {
			e->tlb[u][i].tag_r = TLB_INVALID;
			e->tlb[u][i].tag_w = TLB_INVALID;
			e->tlb[u][i].tag_x = TLB_INVALID;
		}
}

/* Time travel: every page written from now on passes mmu__write_slow()
 * (vmm__gpa_ptr marks it dirty) before the TLB takes its writes again. */
void mmu__flush_writes(struct emu *e)
{
	for (int u = 0; u < 2; u++)
		for (unsigned i = 0; i < TLB_SIZE; i++)
			e->tlb[u][i].tag_w = TLB_INVALID;
}

void mmu__flush_page(struct emu *e, uint64_t lin)
{
	unsigned i = (lin >> 12) & (TLB_SIZE - 1);
	e->fetch_tag = ~0ull;
	emu_new_epoch(e);
	tables__changed(e);
	for (int u = 0; u < 2; u++) {
		e->tlb[u][i].tag_r = TLB_INVALID;
		e->tlb[u][i].tag_w = TLB_INVALID;
		e->tlb[u][i].tag_x = TLB_INVALID;
	}
}

void mmu__seg_fault(struct emu *e, int seg)
{
	emu_fault(e, seg == S_SS ? EX_SS : EX_GP, 0, true);
}

uint64_t mmu__phys_read(struct emu *e, uint64_t pa, int size)
{
	const uint8_t *p = vmm__gpa_ptr_ro(e->vm, pa, size);
	if (p) {
		uint64_t v = 0;
		memcpy(&v, p, size);
		return v;
	}
	uint64_t v = 0;
	vmm__mmio(e->vm, &e->origin, pa, size, false, &v);
	e->recorded = true;
	return v & szmask(size);
}

void mmu__phys_write(struct emu *e, uint64_t pa, int size, uint64_t val)
{
	uint8_t *p = vmm__gpa_ptr(e->vm, pa, size);
	if (p) {
		mmu__code_written(e, pa, size);
		memcpy(p, &val, size);
		return;
	}
	vmm__mmio(e->vm, &e->origin, pa, size, true, &val);
	e->recorded = true;
}

void mmu__code_written(struct emu *e, uint64_t pa, uint64_t len)
{
	uint64_t first = pa >> 12, last = (pa + len - 1) >> 12;
	for (uint64_t p = first; p <= last && p < e->npages; p++)
		if (e->page_code[p]) {
			if (e->page_code[p] & PC_CODE) {
				e->page_gen[p]++;
				emu_new_epoch(e);
			}
			if (e->page_code[p] & PC_TABLE)
				tables__written(e, p);
			e->page_code[p] = 0;
		}
}

/* Read a paging-structure entry and set its accessed bit (and dirty). */
static uint64_t pte_get(struct emu *e, uint64_t addr, int wide, uint64_t set)
{
	uint8_t *p = vmm__gpa_ptr(e->vm, addr, wide ? 8 : 4);
	if (!p)
		return 0;	/* not present: paging structures outside RAM */
	uint64_t v = 0;
	memcpy(&v, p, wide ? 8 : 4);
	if ((v & PTE_P) && (v & set) != set) {
		v |= set;
		/* a page table in a page of code or tables (mmu__code_written) */
		if (__builtin_expect(e->page_code[addr >> 12] != 0, 0))
			mmu__code_written(e, addr, wide ? 8 : 4);
		memcpy(p, &v, wide ? 8 : 4);
	}
	return v;
}

static __attribute__((noreturn)) void page_fault(struct emu *e, uint64_t lin, bool present,
						 int acc, int user)
{
	uint32_t err = (present ? 1 : 0) | (acc == 1 ? 2 : 0) | (user ? 4 : 0);
	if (acc == 2 && (e->efer & EFER_NXE))
		err |= 16;
	e->cr2 = lin;
	emu_fault(e, EX_PF, err, true);
}

/*
 * Walk the page tables for lin.  acc: 0 read, 1 write, 2 execute.  Sets
 * accessed bits on the way and the dirty bit for writes.  Returns the
 * physical address or raises #PF.
 */
uint64_t mmu__translate(struct emu *e, uint64_t lin, int acc, int user)
{
	if (!e->paging)
		return lin & 0xffffffffull;
	bool wok = true, uok = true, nx = false;
	bool nxe = (e->efer & EFER_NXE) != 0;
	uint64_t ent, pa, pagemask;
	if (!(e->cr4 & CR4_PAE)) {
		ent = pte_get(e, (e->cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4, 0, PTE_A);
		if (!(ent & PTE_P))
			page_fault(e, lin, false, acc, user);
		wok &= !!(ent & PTE_W);
		uok &= !!(ent & PTE_U);
		if ((ent & PTE_PS) && (e->cr4 & CR4_PSE)) {
			pa = (ent & 0xffc00000);
			pagemask = 0x3fffff;
			goto leaf;
		}
		ent = pte_get(e, (ent & 0xfffff000) + ((lin >> 12) & 0x3ff) * 4, 0, PTE_A);
		if (!(ent & PTE_P))
			page_fault(e, lin, false, acc, user);
		wok &= !!(ent & PTE_W);
		uok &= !!(ent & PTE_U);
		pa = ent & 0xfffff000;
		pagemask = 0xfff;
		goto leaf;
	}
	uint64_t table;
	int level;
	if (e->lma) {
		table = e->cr3 & PTE_ADDR;
		level = 4;
	} else {
		/* PAE: the PDPTE has no U/W/NX bits */
		uint8_t *p = vmm__gpa_ptr(e->vm, (e->cr3 & 0xffffffe0) + ((lin >> 30) & 3) * 8, 8);
		ent = 0;
		if (p)
			memcpy(&ent, p, 8);
		if (!(ent & PTE_P))
			page_fault(e, lin, false, acc, user);
		table = ent & PTE_ADDR;
		level = 2;
	}
	for (;;) {
		int shift = 12 + 9 * (level - 1);
		ent = pte_get(e, table + ((lin >> shift) & 0x1ff) * 8, 1, PTE_A);
		if (!(ent & PTE_P))
			page_fault(e, lin, false, acc, user);
		wok &= !!(ent & PTE_W);
		uok &= !!(ent & PTE_U);
		if (nxe && (ent & PTE_NX))
			nx = true;
		if (level == 1 || ((ent & PTE_PS) && level <= 3)) {
			pagemask = (1ull << shift) - 1;
			pa = ent & PTE_ADDR & ~pagemask;
			goto leaf;
		}
		table = ent & PTE_ADDR;
		level--;
	}
leaf:
	if (user && !uok)
		page_fault(e, lin, true, acc, user);
	if (acc == 1 && !wok && (user || (e->cr0 & CR0_WP)))
		page_fault(e, lin, true, acc, user);
	if (acc == 2 && nx)
		page_fault(e, lin, true, acc, user);
	if (acc == 1 && !(ent & PTE_D)) {
		/* re-walking is cheap and rare: find the leaf again to set D */
		ent |= PTE_D;
		uint64_t leaf_addr;
		if (!(e->cr4 & CR4_PAE)) {
			uint64_t pde = pte_get(e, (e->cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4, 0, 0);
			if ((pde & PTE_PS) && (e->cr4 & CR4_PSE))
				leaf_addr = (e->cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4;
			else
				leaf_addr = (pde & 0xfffff000) + ((lin >> 12) & 0x3ff) * 4;
			pte_get(e, leaf_addr, 0, PTE_A | PTE_D);
		} else {
			uint64_t t;
			int lv;
			if (e->lma) {
				t = e->cr3 & PTE_ADDR;
				lv = 4;
			} else {
				uint64_t pdpte = 0;
				uint8_t *p = vmm__gpa_ptr(e->vm, (e->cr3 & 0xffffffe0) + ((lin >> 30) & 3) * 8, 8);
				if (p)
					memcpy(&pdpte, p, 8);
				t = pdpte & PTE_ADDR;
				lv = 2;
			}
			for (;;) {
				int shift = 12 + 9 * (lv - 1);
				uint64_t a = t + ((lin >> shift) & 0x1ff) * 8;
				uint64_t v = pte_get(e, a, 1, 0);
				if (lv == 1 || ((v & PTE_PS) && lv <= 3)) {
					pte_get(e, a, 1, PTE_A | PTE_D);
					break;
				}
				t = v & PTE_ADDR;
				lv--;
			}
		}
	}
	return pa | (lin & pagemask);
}

uint64_t mmu__read_slow(struct emu *e, uint64_t lin, int size, int user)
{
	if (((lin & 0xfff) + size) > 0x1000) {
		uint64_t v = 0;
		/* translate both pages first so a fault leaves nothing done */
		mmu__translate(e, lin, 0, user);
		/* A fault on the second page reports its first byte in CR2,
		 * as the CPU does (found by the differential test). */
		mmu__translate(e, (lin + size - 1) & ~0xfffull, 0, user);
		for (int i = 0; i < size; i++)
			v |= mmu__read(e, lin + i, 1, user) << (8 * i);
		return v;
	}
	uint64_t pa = mmu__translate(e, lin, 0, user);
	/* read only: the write tag stays invalid (dirty tracking) */
	uint8_t *page = (uint8_t *)vmm__gpa_ptr_ro(e->vm, pa & ~0xfffull, 0x1000);
	if (!page)
		return mmu__phys_read(e, pa, size);
	if (watched(e, lin, size, false)) {
		uint64_t v = 0;
		memcpy(&v, page + (lin & 0xfff), size);
		return v;
	}
	struct tlb_entry *t = &e->tlb[user][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->host != page) {
		t->tag_w = TLB_INVALID;
		t->tag_x = TLB_INVALID;
	}
	if (!user)	/* kept gates and descriptors came through tlb[0] */
		tables__changed(e);
	t->tag_r = lin & ~0xfffull;
	t->host = page;
	uint64_t v = 0;
	memcpy(&v, page + (lin & 0xfff), size);
	return v;
}

void mmu__write_slow(struct emu *e, uint64_t lin, int size, uint64_t val, int user)
{
	if (((lin & 0xfff) + size) > 0x1000) {
		mmu__translate(e, lin, 1, user);
		mmu__translate(e, (lin + size - 1) & ~0xfffull, 1, user);
		for (int i = 0; i < size; i++)
			mmu__write(e, lin + i, 1, (val >> (8 * i)) & 0xff, user);
		return;
	}
	uint64_t pa = mmu__translate(e, lin, 1, user);
	uint8_t *page = vmm__gpa_ptr(e->vm, pa & ~0xfffull, 0x1000);
	if (!page) {
		mmu__phys_write(e, pa, size, val);
		return;
	}
	uint64_t pfn = pa >> 12;
	if (e->page_code[pfn])
		mmu__code_written(e, pa, size);
	if (watched(e, lin, size, true)) {
		memcpy(page + (lin & 0xfff), &val, size);
		return;
	}
	struct tlb_entry *t = &e->tlb[user][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->host != page) {
		t->tag_r = TLB_INVALID;
		t->tag_x = TLB_INVALID;
		if (!user)
			tables__changed(e);
	}
	t->tag_w = lin & ~0xfffull;
	t->host = page;
	memcpy(page + (lin & 0xfff), &val, size);
}

uint8_t *mmu__fetch_page(struct emu *e, uint64_t lin, uint64_t *phys)
{
	int user = emu_user(e);
	struct tlb_entry *t = &e->tlb[user][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->tag_x != (lin & ~0xfffull)) {
		uint64_t pa = mmu__translate(e, lin, 2, user);
		uint8_t *page = (uint8_t *)vmm__gpa_ptr_ro(e->vm, pa & ~0xfffull, 0x1000);
		if (!page)
			return NULL;
		if (t->host != page) {
			t->tag_r = TLB_INVALID;
			t->tag_w = TLB_INVALID;
			if (!user)
				tables__changed(e);
		}
		t->tag_x = lin & ~0xfffull;
		t->host = page;
	}
	*phys = (uint64_t)(t->host - e->vm->ram);
	return t->host;
}
