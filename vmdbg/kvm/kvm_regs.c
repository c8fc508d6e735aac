/*
 * kvm_regs.c - struct vmdbg_regs to and from KVM's kvm_regs/kvm_sregs.
 * Both live in the register cache (kvm_run's sync_regs area where the host
 * has it), so neither direction costs an ioctl: a write marks the cache
 * dirty and KVM loads it on the next KVM_RUN.
 */
#include "vmdbg/kvm/kvm.h"

#include <string.h>

static void seg_out(struct vmdbg_seg *d, const struct kvm_segment *s)
{
	d->base = s->base;
	d->limit = s->limit;
	d->sel = s->selector;
	d->type = s->type;
	d->s = s->s;
	d->dpl = s->dpl;
	d->present = s->present;
	d->db = s->db;
	d->l = s->l;
	d->g = s->g;
	d->avl = s->avl;
	d->unusable = s->unusable;
}

static void seg_in(struct kvm_segment *d, const struct vmdbg_seg *s)
{
	memset(d, 0, sizeof(*d));
	d->base = s->base;
	d->limit = s->limit;
	d->selector = s->sel;
	d->type = s->type;
	d->s = s->s;
	d->dpl = s->dpl;
	d->present = s->present;
	d->db = s->db;
	d->l = s->l;
	d->g = s->g;
	d->avl = s->avl;
	d->unusable = s->unusable;
}

int kvm__get_regs(struct vmdbg *vm, struct vmdbg_regs *r)
{
	struct kvm_backend *kb = vm->be_priv;
	const struct kvm_regs *g = kb->k.regs;
	const struct kvm_sregs *s = kb->k.sregs;

	/* After a port or MMIO exit RIP (and IN data) is final only once KVM
	 * completes the access: a condition tested at that stop sees it. */
	kvm__complete_io(kb);
	memset(r, 0, sizeof(*r));
	r->gpr[VMDBG_RAX] = g->rax;
	r->gpr[VMDBG_RCX] = g->rcx;
	r->gpr[VMDBG_RDX] = g->rdx;
	r->gpr[VMDBG_RBX] = g->rbx;
	r->gpr[VMDBG_RSP] = g->rsp;
	r->gpr[VMDBG_RBP] = g->rbp;
	r->gpr[VMDBG_RSI] = g->rsi;
	r->gpr[VMDBG_RDI] = g->rdi;
	r->gpr[VMDBG_R8] = g->r8;
	r->gpr[VMDBG_R9] = g->r9;
	r->gpr[VMDBG_R10] = g->r10;
	r->gpr[VMDBG_R11] = g->r11;
	r->gpr[VMDBG_R12] = g->r12;
	r->gpr[VMDBG_R13] = g->r13;
	r->gpr[VMDBG_R14] = g->r14;
	r->gpr[VMDBG_R15] = g->r15;
	r->rip = g->rip;
	r->rflags = g->rflags;
	seg_out(&r->es, &s->es);
	seg_out(&r->cs, &s->cs);
	seg_out(&r->ss, &s->ss);
	seg_out(&r->ds, &s->ds);
	seg_out(&r->fs, &s->fs);
	seg_out(&r->gs, &s->gs);
	seg_out(&r->ldt, &s->ldt);
	seg_out(&r->tr, &s->tr);
	r->gdt.base = s->gdt.base;
	r->gdt.limit = s->gdt.limit;
	r->idt.base = s->idt.base;
	r->idt.limit = s->idt.limit;
	r->cr0 = s->cr0;
	r->cr2 = s->cr2;
	r->cr3 = s->cr3;
	r->cr4 = s->cr4;
	r->cr8 = s->cr8;
	r->efer = s->efer;
	return 0;
}

int kvm__set_regs(struct vmdbg *vm, const struct vmdbg_regs *r)
{
	struct kvm_backend *kb = vm->be_priv;
	struct kvm_regs *g = kb->k.regs;
	struct kvm_sregs *s = kb->k.sregs;

	kvm__complete_io(kb);
	g->rax = r->gpr[VMDBG_RAX];
	g->rcx = r->gpr[VMDBG_RCX];
	g->rdx = r->gpr[VMDBG_RDX];
	g->rbx = r->gpr[VMDBG_RBX];
	g->rsp = r->gpr[VMDBG_RSP];
	g->rbp = r->gpr[VMDBG_RBP];
	g->rsi = r->gpr[VMDBG_RSI];
	g->rdi = r->gpr[VMDBG_RDI];
	g->r8 = r->gpr[VMDBG_R8];
	g->r9 = r->gpr[VMDBG_R9];
	g->r10 = r->gpr[VMDBG_R10];
	g->r11 = r->gpr[VMDBG_R11];
	g->r12 = r->gpr[VMDBG_R12];
	g->r13 = r->gpr[VMDBG_R13];
	g->r14 = r->gpr[VMDBG_R14];
	g->r15 = r->gpr[VMDBG_R15];
	g->rip = r->rip;
	g->rflags = r->rflags | 2;
	/* apic_base and interrupt_bitmap stay as KVM has them. */
	seg_in(&s->es, &r->es);
	seg_in(&s->cs, &r->cs);
	seg_in(&s->ss, &r->ss);
	seg_in(&s->ds, &r->ds);
	seg_in(&s->fs, &r->fs);
	seg_in(&s->gs, &r->gs);
	seg_in(&s->ldt, &r->ldt);
	seg_in(&s->tr, &r->tr);
	s->gdt.base = r->gdt.base;
	s->gdt.limit = r->gdt.limit;
	s->idt.base = r->idt.base;
	s->idt.limit = r->idt.limit;
	s->cr0 = r->cr0;
	s->cr2 = r->cr2;
	s->cr3 = r->cr3;
	s->cr4 = r->cr4;
	s->cr8 = r->cr8;
	s->efer = r->efer;
	kvm_vm__dirty(&kb->k, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
	kb->cur.valid = false;
	kb->bps_valid = false;
	kb->prev_cr0 = s->cr0;
	return 0;
}
