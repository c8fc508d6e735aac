/*
 * boot.c - the CPU state vmdbg enters a guest with, and the boot structures
 * (GDT, identity page tables) it builds in low guest memory for that.
 *
 * Boot GDT (at BOOT_GDT_ADDR unless the image needs that memory) (all flat, DPL 0, accessed bits preset so the
 * CPU never writes the table):
 *   0x00 null
 *   0x08 64-bit code            (BOOT_SEL_CODE64)
 *   0x10 data, 4 GiB, 32-bit    (BOOT_SEL_DATA; fine in long mode too)
 *   0x18 32-bit code, 4 GiB     (BOOT_SEL_CODE32)
 *   0x20 16-bit code, 64 KiB    (BOOT_SEL_CODE16)
 *   0x28 16-bit data, 64 KiB    (BOOT_SEL_DATA16)
 * Page tables: PML4 at BOOT_PML4_ADDR -> one PDPT at BOOT_PDPT_ADDR -> four
 * page directories at BOOT_PD_ADDR, mapping the first 4 GiB 1:1 with 2 MiB
 * pages, writable and executable.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <string.h>

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)
#define RFLAGS_VM	(1ULL << 17)

#define SEG_TYPE_DATA	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */
#define SEG_TYPE_LDT	0x2
#define SEG_TYPE_TSS32	0xb	/* busy 32/64-bit TSS */

static const uint64_t boot_gdt[] = {
	0x0000000000000000ULL,
	0x00af9b000000ffffULL,	/* 0x08: L=1, P, DPL0, code er/a */
	0x00cf93000000ffffULL,	/* 0x10: G, D/B, P, DPL0, data rw/a */
	0x00cf9b000000ffffULL,	/* 0x18: G, D/B, P, DPL0, code er/a */
	0x00009b000000ffffULL,	/* 0x20: 16-bit code, 64 KiB */
	0x000093000000ffffULL,	/* 0x28: 16-bit data, 64 KiB */
};

static void sys_segs(struct vmdbg_regs *r)
{
	/* No LDT; a TR that satisfies VMX's entry checks (it is never used
	 * until the guest loads its own). */
	r->ldt = (struct vmdbg_seg){ .limit = 0xffff, .type = SEG_TYPE_LDT,
				     .present = 1, .unusable = 1 };
	r->tr = (struct vmdbg_seg){ .limit = 0xffff, .type = SEG_TYPE_TSS32,
				    .present = 1 };
}

static struct vmdbg_seg real_seg(uint16_t sel, uint8_t type)
{
	return (struct vmdbg_seg){
		.base = (uint64_t)sel << 4, .limit = 0xffff, .sel = sel,
		.type = type, .s = 1, .present = 1,
	};
}

static struct vmdbg_seg flat_seg(uint16_t sel, uint8_t type, bool l)
{
	return (struct vmdbg_seg){
		.base = 0, .limit = 0xffffffff, .sel = sel, .type = type,
		.s = 1, .present = 1, .db = !l, .l = l, .g = 1,
	};
}

/*
 * Real mode, as a BIOS leaves it: CS:IP as given, the other segment
 * registers 0 (the loader sets SS:SP), IVT at 0, caches on (CR0.ET only).
 */
void regs__init_real(struct vmdbg_regs *r, uint16_t cs, uint16_t ip)
{
	memset(r, 0, sizeof(*r));
	r->cs = real_seg(cs, SEG_TYPE_CODE);
	r->ds = r->es = r->fs = r->gs = r->ss = real_seg(0, SEG_TYPE_DATA);
	sys_segs(r);
	r->ldt.unusable = 0;
	r->gdt.limit = 0xffff;
	r->idt.limit = 0x3ff;
	r->rip = ip;
	r->rflags = 2;
	r->cr0 = CR0_ET;
}

/*
 * Flat 32-bit protected mode, paging off, interrupts off (the multiboot
 * machine state): CS = BOOT_SEL_CODE32, the data segments BOOT_SEL_DATA,
 * GDTR = the boot GDT, IDTR empty, ESP = BOOT_STACK_TOP (multiboot leaves
 * ESP undefined; vmdbg gives a usable one anyway).
 */
void regs__init_prot32(struct vmdbg_regs *r, uint32_t eip)
{
	memset(r, 0, sizeof(*r));
	r->cs = flat_seg(BOOT_SEL_CODE32, SEG_TYPE_CODE, false);
	r->ds = r->es = r->fs = r->gs = r->ss = flat_seg(BOOT_SEL_DATA, SEG_TYPE_DATA, false);
	sys_segs(r);
	r->gdt.base = BOOT_GDT_ADDR;
	r->gdt.limit = sizeof(boot_gdt) - 1;
	r->rip = eip;
	r->rflags = 2;
	r->gpr[VMDBG_RSP] = BOOT_STACK_TOP;
	r->cr0 = CR0_PE | CR0_ET;
}

/*
 * 64-bit long mode on the boot page tables: CS = BOOT_SEL_CODE64, the data
 * segments BOOT_SEL_DATA, RSP = BOOT_STACK_TOP, RFLAGS = 2, all other GPRs 0,
 * CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE|OSFXSR|OSXMMEXCPT, EFER = LME|LMA|NXE.
 */
void regs__init_long64(struct vmdbg_regs *r, uint64_t rip)
{
	memset(r, 0, sizeof(*r));
	r->cs = flat_seg(BOOT_SEL_CODE64, SEG_TYPE_CODE, true);
	r->ds = r->es = r->fs = r->gs = r->ss = flat_seg(BOOT_SEL_DATA, SEG_TYPE_DATA, false);
	sys_segs(r);
	r->gdt.base = BOOT_GDT_ADDR;
	r->gdt.limit = sizeof(boot_gdt) - 1;
	r->rip = rip;
	r->rflags = 2;
	r->gpr[VMDBG_RSP] = BOOT_STACK_TOP;
	r->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	r->cr3 = BOOT_PML4_ADDR;
	r->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	r->efer = EFER_LME | EFER_LMA | EFER_NXE;
}

static void put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int boot__write_gdt(struct vmdbg *vm, uint64_t gdt)
{
	uint8_t *p = vmm__gpa_ptr(vm, gdt, sizeof(boot_gdt));
	size_t i;

	if (!p)
		return -EFAULT;
	for (i = 0; i < sizeof(boot_gdt) / sizeof(boot_gdt[0]); i++)
		put64(p + 8 * i, boot_gdt[i]);
	return 0;
}

int boot__write_page_tables(struct vmdbg *vm, uint64_t pml4_addr)
{
	uint64_t pdpt_addr = pml4_addr + 0x1000, pd_addr = pml4_addr + 0x2000;
	uint8_t *pml4 = vmm__gpa_ptr(vm, pml4_addr, 0x1000);
	uint8_t *pdpt = vmm__gpa_ptr(vm, pdpt_addr, 0x1000);
	uint8_t *pd = vmm__gpa_ptr(vm, pd_addr, 4 * 0x1000);
	const uint64_t P = 1, RW = 2, PS = 0x80;
	uint64_t i;

	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	put64(pml4, pdpt_addr | P | RW);
	for (i = 0; i < 4; i++)
		put64(pdpt + 8 * i, (pd_addr + 0x1000 * i) | P | RW);
	for (i = 0; i < 4 * 512; i++)
		put64(pd + 8 * i, (i << 21) | P | RW | PS);
	return 0;
}

enum vmdbg_mode regs__mode(const struct vmdbg_regs *r)
{
	if ((r->efer & EFER_LMA) && r->cs.l)
		return VMDBG_MODE_LONG64;
	if ((r->cr0 & CR0_PE) && !(r->rflags & RFLAGS_VM) && r->cs.db)
		return VMDBG_MODE_PROT32;
	return VMDBG_MODE_REAL;
}

/* CS.RPL is the CPL except in real mode (always 0) and virtual-8086 mode
 * (always 3). */
int regs__cpl(const struct vmdbg_regs *r)
{
	if (!(r->cr0 & CR0_PE))
		return 0;
	if (r->rflags & RFLAGS_VM)
		return 3;
	return r->cs.sel & 3;
}
