/*
 * kvm_cpu.c - views of a KVM vCPU's state: the guest's page tables (mode,
 * CPL and linear addresses are inline in kvm.h), and entry states for
 * probe guests.  Reads only the register
 * cache and guest RAM, never an ioctl.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <string.h>

#define PTE_P		(1ULL << 0)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

static int read_pte(const struct kvm_vm *k, uint64_t gpa, int size, uint64_t *pte)
{
	uint32_t v32;

	if (gpa > k->ram_size || (uint64_t)size > k->ram_size - gpa)
		return -EFAULT;
	if (size == 4) {
		memcpy(&v32, k->ram + gpa, 4);
		*pte = v32;
	} else {
		memcpy(pte, k->ram + gpa, 8);
	}
	return (*pte & PTE_P) ? 0 : -EFAULT;
}

int kvm_vm__translate(const struct kvm_vm *k, uint64_t la, uint64_t *gpa)
{
	const struct kvm_sregs *s = k->sregs;
	uint64_t pte, table;
	int level, shift;

	if (!(s->cr0 & CR0_PG)) {
		*gpa = la;
		return 0;
	}
	if (s->efer & EFER_LMA) {
		/* 4- or 5-level: 9 bits per level above the 12-bit offset. */
		level = (s->cr4 & CR4_LA57) ? 5 : 4;
		table = s->cr3 & PTE_ADDR;
		for (shift = 12 + 9 * (level - 1); shift >= 12; shift -= 9) {
			if (read_pte(k, table + ((la >> shift) & 0x1ff) * 8, 8, &pte))
				return -EFAULT;
			if (shift <= 30 && shift > 12 && (pte & PTE_PS)) {
				*gpa = (pte & PTE_ADDR & ~((1ULL << shift) - 1)) |
				       (la & ((1ULL << shift) - 1));
				return 0;
			}
			table = pte & PTE_ADDR;
		}
		*gpa = table | (la & 0xfff);
		return 0;
	}
	la &= 0xffffffffULL;
	if (s->cr4 & CR4_PAE) {
		/* PAE: a 4-entry PDPT at CR3[31:5], then 2 levels of 512. */
		if (read_pte(k, (s->cr3 & 0xffffffe0ULL) + (la >> 30) * 8, 8, &pte))
			return -EFAULT;
		table = pte & PTE_ADDR;
		if (read_pte(k, table + ((la >> 21) & 0x1ff) * 8, 8, &pte))
			return -EFAULT;
		if (pte & PTE_PS) {
			*gpa = (pte & PTE_ADDR & ~0x1fffffULL) | (la & 0x1fffff);
			return 0;
		}
		table = pte & PTE_ADDR;
		if (read_pte(k, table + ((la >> 12) & 0x1ff) * 8, 8, &pte))
			return -EFAULT;
		*gpa = (pte & PTE_ADDR) | (la & 0xfff);
		return 0;
	}
	/* Two-level 32-bit paging, 4 MiB pages with CR4.PSE. */
	if (read_pte(k, (s->cr3 & 0xfffff000ULL) + (la >> 22) * 4, 4, &pte))
		return -EFAULT;
	if ((pte & PTE_PS) && (s->cr4 & CR4_PSE)) {
		*gpa = (pte & 0xffc00000ULL) | ((pte & 0x1fe000ULL) << 19) | (la & 0x3fffff);
		return 0;
	}
	if (read_pte(k, (pte & 0xfffff000ULL) + ((la >> 12) & 0x3ff) * 4, 4, &pte))
		return -EFAULT;
	*gpa = (pte & 0xfffff000ULL) | (la & 0xfff);
	return 0;
}

size_t kvm_vm__read_linear(const struct kvm_vm *k, uint64_t la, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0, chunk;
	uint64_t gpa;

	if (len <= 0x1000 - (la & 0xfff)) {
		/* Within one page (code fetches, most reads): one translation. */
		if (!len || kvm_vm__translate(k, la, &gpa) || gpa > k->ram_size ||
		    len > k->ram_size - gpa)
			return 0;
		memcpy(out, k->ram + gpa, len);
		return len;
	}
	while (done < len) {
		chunk = 0x1000 - ((la + done) & 0xfff);
		if (chunk > len - done)
			chunk = len - done;
		if (kvm_vm__translate(k, la + done, &gpa) ||
		    gpa > k->ram_size || chunk > k->ram_size - gpa)
			break;
		memcpy(out + done, k->ram + gpa, chunk);
		done += chunk;
	}
	return done;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint64_t base, uint32_t limit,
		uint8_t type, uint8_t db, uint8_t l, uint8_t g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = g;
}

void kvm_vm__setup_real(struct kvm_vm *k, uint16_t ip)
{
	struct kvm_sregs *s = k->sregs;

	seg(&s->cs, 0, 0, 0xffff, 0xb, 0, 0, 0);
	seg(&s->ds, 0, 0, 0xffff, 0x3, 0, 0, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->cr0 &= ~(CR0_PE | CR0_PG);
	s->efer = 0;
	memset(k->regs, 0, sizeof(*k->regs));
	k->regs->rip = ip;
	k->regs->rsp = 0x7000;
	k->regs->rflags = 2;
	kvm_vm__dirty(k, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
}

void kvm_vm__setup_prot32(struct kvm_vm *k, uint32_t eip, uint32_t gdt)
{
	struct kvm_sregs *s = k->sregs;

	/* Selectors 0x08 code, 0x10 data: the probe writes the same GDT. */
	seg(&s->cs, 0x08, 0, 0xffffffff, 0xb, 1, 0, 1);
	seg(&s->ds, 0x10, 0, 0xffffffff, 0x3, 1, 0, 1);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = gdt;
	s->gdt.limit = 8 * 8 - 1;
	s->cr0 = (s->cr0 | CR0_PE | 0x10) & ~CR0_PG;
	s->efer = 0;
	memset(k->regs, 0, sizeof(*k->regs));
	k->regs->rip = eip;
	k->regs->rsp = 0x7000;
	k->regs->rflags = 2;
	kvm_vm__dirty(k, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
}

void kvm_vm__setup_long64(struct kvm_vm *k, uint64_t rip, uint32_t gdt, uint32_t pml4)
{
	struct kvm_sregs *s = k->sregs;

	/* Selectors 0x18 64-bit code, 0x10 data. */
	seg(&s->cs, 0x18, 0, 0xffffffff, 0xb, 0, 1, 1);
	seg(&s->ds, 0x10, 0, 0xffffffff, 0x3, 1, 0, 1);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = gdt;
	s->gdt.limit = 8 * 8 - 1;
	s->cr3 = pml4;
	s->cr4 |= CR4_PAE;
	s->cr0 |= CR0_PE | CR0_PG | 0x10;
	s->efer |= EFER_LME | EFER_LMA;
	memset(k->regs, 0, sizeof(*k->regs));
	k->regs->rip = rip;
	k->regs->rsp = 0x7000;
	k->regs->rflags = 2;
	kvm_vm__dirty(k, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
}
