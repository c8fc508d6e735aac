/*
 * pm32.c - the flat GDT and the IDT of the kernels without an app (pm32.h).
 */
#include "pm32.h"
#include "x86.h"

struct table_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* null, flat 4 GiB ring-0 code, flat 4 GiB ring-0 data */
static const uint64_t gdt[3] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type_attr;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(8)));

#define GATE_INT_DPL0	0x8E	/* 32-bit interrupt gate: clears IF */
#define GATE_INT_DPL3	0xEE

void pm32_load_gdt(void)
{
	pm32_load_gdt_at(gdt, sizeof(gdt) - 1);
}

void pm32_load_gdt_at(const uint64_t *table, uint16_t limit)
{
	struct table_ptr gdtr = { limit, (uint32_t)table };

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "movw %w2, %%ss"
			 : : "m"(gdtr), "i"(PM32_CS), "r"(PM32_DS) : "memory");
}

void pm32_pic_mask(void)
{
	outb(0x20, 0x11);	/* ICW1: edge, cascade, ICW4 */
	outb(0xa0, 0x11);
	outb(0x21, PM32_PIC_BASE);
	outb(0xa1, PM32_PIC_BASE + 8);
	outb(0x21, 4);		/* ICW3: the slave on IRQ2 */
	outb(0xa1, 2);
	outb(0x21, 1);		/* ICW4: 8086 mode */
	outb(0xa1, 1);
	outb(0x21, 0xff);	/* OCW1: everything masked */
	outb(0xa1, 0xff);
}

void pm32_idt_set(int vec, uint32_t handler)
{
	idt[vec].off_lo = handler & 0xFFFF;
	idt[vec].sel = PM32_CS;
	idt[vec].zero = 0;
	idt[vec].type_attr = GATE_INT_DPL0;
	idt[vec].off_hi = handler >> 16;
}

void pm32_idt_set_user(int vec, uint32_t handler)
{
	pm32_idt_set(vec, handler);
	idt[vec].type_attr = GATE_INT_DPL3;
}

void pm32_load_idt(void)
{
	struct table_ptr idtr = { sizeof(idt) - 1, (uint32_t)idt };

	for (int v = 0; v < 32; v++)
		pm32_idt_set(v, exc_table[v]);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}
