/*
 * pagewalk.c - the debugger's view of guest memory through the guest's own
 * page tables, for either backend: a walker over guest RAM for real mode
 * (no paging), 32-bit two-level paging with 4 MiB pages (PSE, PSE-36),
 * PAE and 4-level (and 5-level) paging.
 *
 * Addresses are linear: segment bases are not added (gdb does the same on
 * x86; in flat protected and long mode linear is virtual).  The walk only
 * reads: it neither sets accessed/dirty bits nor checks permissions, so
 * the debugger sees what a supervisor access would see and leaves no trace
 * in the guest.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL

#define CR0_PE		(1ULL << 0)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)

/* Table names by level (1 = PT ... 5 = PML5) and their entries' names. */
static const char *const table_name[6] = { "", "PT", "PD", "PDPT", "PML4", "PML5" };
static const char *const entry_name[6] = { "", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };

static bool read_entry(struct vmdbg *vm, uint64_t addr, int wide, uint64_t *v)
{
	const void *p = vmm__gpa_ptr(vm, addr, wide ? 8 : 4);

	*v = 0;
	if (!p)
		return false;
	memcpy(v, p, wide ? 8 : 4);
	return true;
}

static void fault(struct vmdbg_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fault(struct vmdbg_walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->fault, sizeof(w->fault), fmt, ap);
	va_end(ap);
	w->ok = 0;
}

/* Read the entry for level lv at table[index] into the walk.  Returns the
 * entry's level slot, or NULL after fault(). */
static struct vmdbg_walk_level *step(struct vmdbg *vm, struct vmdbg_walk *w, int lv,
				     uint64_t table, unsigned index, int wide)
{
	struct vmdbg_walk_level *l = &w->level[w->nlevels];
	uint64_t e;

	if (!read_entry(vm, table + (uint64_t)index * (wide ? 8 : 4), wide, &e)) {
		fault(w, "%s at 0x%llx is outside guest RAM (0x%llx bytes)", table_name[lv],
		      (unsigned long long)table, (unsigned long long)vm->ram_size);
		return NULL;
	}
	w->nlevels++;
	snprintf(l->name, sizeof(l->name), "%s", table_name[lv]);
	l->table = table;
	l->index = index;
	l->entry = e;
	l->present = !!(e & PTE_P);
	l->writable = !!(e & PTE_W);
	l->user = !!(e & PTE_U);
	l->accessed = !!(e & PTE_A);
	l->nx = wide && (e & PTE_NX);
	if (!l->present) {
		fault(w, "%s not present", entry_name[lv]);
		return NULL;
	}
	return l;
}

static int walk(struct vmdbg *vm, const struct vmdbg_regs *r, uint64_t va, struct vmdbg_walk *w)
{
	struct vmdbg_walk_level *l;
	uint64_t table;
	int lv;

	memset(w, 0, sizeof(*w));
	if (!(r->cr0 & CR0_PE) || !(r->cr0 & CR0_PG)) {
		w->ok = 1;
		w->pa = va;
		return 0;
	}
	w->paging = 1;
	if (!(r->cr4 & CR4_PAE)) {
		/* 32-bit paging: 10 + 10 + 12 bits, or 10 + 22 with PSE. */
		if (va > 0xffffffffULL) {
			fault(w, "0x%llx is beyond the 32-bit linear address space",
			      (unsigned long long)va);
			return 0;
		}
		l = step(vm, w, 2, r->cr3 & 0xfffff000ULL, (va >> 22) & 0x3ff, 0);
		if (!l)
			return 0;
		if ((l->entry & PTE_PS) && (r->cr4 & CR4_PSE)) {
			/* PSE-36: PDE bits 13.. give physical bits 32.. */
			l->large = 1;
			l->dirty = !!(l->entry & PTE_D);
			w->pa = (l->entry & 0xffc00000ULL) | ((l->entry >> 13) & 0xffULL) << 32 |
				(va & 0x3fffff);
			w->ok = 1;
			return 0;
		}
		l = step(vm, w, 1, l->entry & 0xfffff000ULL, (va >> 12) & 0x3ff, 0);
		if (!l)
			return 0;
		l->dirty = !!(l->entry & PTE_D);
		w->pa = (l->entry & 0xfffff000ULL) | (va & 0xfff);
		w->ok = 1;
		return 0;
	}
	if (r->efer & EFER_LMA) {
		int bits = (r->cr4 & CR4_LA57) ? 57 : 48;

		if ((uint64_t)((int64_t)(va << (64 - bits)) >> (64 - bits)) != va) {
			fault(w, "0x%llx is not canonical (%d-bit linear addresses)",
			      (unsigned long long)va, bits);
			return 0;
		}
		lv = (r->cr4 & CR4_LA57) ? 5 : 4;
		table = r->cr3 & PTE_ADDR;
	} else {
		/* PAE: four PDPTEs at CR3 (32-byte aligned), which have no
		 * W, U or NX bits. */
		if (va > 0xffffffffULL) {
			fault(w, "0x%llx is beyond the 32-bit linear address space",
			      (unsigned long long)va);
			return 0;
		}
		l = step(vm, w, 3, r->cr3 & 0xffffffe0ULL, (va >> 30) & 3, 1);
		if (!l)
			return 0;
		l->writable = l->user = l->nx = 0;
		lv = 2;
		table = l->entry & PTE_ADDR;
	}
	for (;; lv--) {
		int shift = 12 + 9 * (lv - 1);

		l = step(vm, w, lv, table, (va >> shift) & 0x1ff, 1);
		if (!l)
			return 0;
		if (lv == 1 || ((l->entry & PTE_PS) && lv <= 3)) {
			uint64_t mask = (1ULL << shift) - 1;

			l->large = lv > 1;
			l->dirty = !!(l->entry & PTE_D);
			w->pa = (l->entry & PTE_ADDR & ~mask) | (va & mask);
			w->ok = 1;
			return 0;
		}
		table = l->entry & PTE_ADDR;
	}
}

int vmdbg__translate(struct vmdbg *vm, uint64_t va, struct vmdbg_walk *w)
{
	struct vmdbg_regs r;
	int rc = vmdbg__get_regs(vm, &r);

	if (rc < 0)
		return rc;
	return walk(vm, &r, va, w);
}

/* Copy between buf and linear [va, va+len), one page at a time. */
static int access_virt(struct vmdbg *vm, uint64_t va, void *buf, size_t len, bool write)
{
	struct vmdbg_regs r;
	struct vmdbg_walk w;
	uint8_t *b = buf;
	int rc = vmdbg__get_regs(vm, &r);

	if (rc < 0)
		return rc;
	while (len) {
		size_t n = 0x1000 - (va & 0xfff);

		if (n > len)
			n = len;
		walk(vm, &r, va, &w);
		if (!w.ok)
			return vmm__error(vm, -EFAULT, "virtual address 0x%llx is not mapped: %s",
					  (unsigned long long)va, w.fault);
		if (!vmm__gpa_ptr(vm, w.pa, n))
			return vmm__error(vm, -EFAULT, "virtual address 0x%llx maps to physical "
					  "0x%llx, outside guest RAM (0x%llx bytes)",
					  (unsigned long long)va, (unsigned long long)w.pa,
					  (unsigned long long)vm->ram_size);
		rc = write ? vmdbg__write_phys(vm, w.pa, b, n) : vmdbg__read_phys(vm, w.pa, b, n);
		if (rc < 0)
			return rc;
		va += n;
		b += n;
		len -= n;
	}
	return 0;
}

int vmdbg__read_virt(struct vmdbg *vm, uint64_t va, void *buf, size_t len)
{
	return access_virt(vm, va, buf, len, false);
}

int vmdbg__write_virt(struct vmdbg *vm, uint64_t va, const void *buf, size_t len)
{
	return access_virt(vm, va, (void *)buf, len, true);
}
