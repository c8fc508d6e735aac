/*
 * kernel.c - diskboot's 32-bit kernel, loaded at 0x8000 by boot.S through
 * ATA PIO.  It uses the second disk (primary slave, fs.S) with interrupts:
 * the PIC is remapped (IRQ14 -> vector 0x2E), nIEN is cleared, and every
 * sector (and every command's end) arrives as IRQ14, whose handler reads
 * the status (acknowledging the drive) and moves the sector with one
 * `rep insw`.  It prints what it finds on the UART and exits through port
 * 0xF4.  Every value it prints is the same under vmdbg and under QEMU
 * (tests/guests/expected/diskboot.serial).  kernel.elf also carries a
 * multiboot header: `vmdbg run kernel.elf --disk ... --disk ...` loads it
 * at 0x8000 directly, the same run without the boot sector.
 */
#include "x86.h"
#include "kernel.h"
#include "ata.h"

#define IRQ14_VECTOR	0x2E

__asm__(".section .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	jmp 2f\n"
	/* A multiboot header too (ELF loading, no flags), so that the same
	 * kernel.elf is also a multiboot kernel that loads at 0x8000, where
	 * vmdbg's boot structures used to be. */
	"	.p2align 2\n"
	"	.long 0x1BADB002, 0, -0x1BADB002\n"
	/* its own GDT: a multiboot loader's is not the kernel's to keep */
	"2:	lgdt kernel_gdt_desc\n"
	"	ljmp $0x08, $3f\n"
	"3:	movw $0x10, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %ss\n"
	"	cld\n"
	"	movl $__bss_start, %edi\n"	/* the BIOS may have used this memory */
	"	movl $__bss_end, %ecx\n"
	"	subl %edi, %ecx\n"
	"	xorl %eax, %eax\n"
	"	rep stosb\n"
	"	call kernel_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".previous\n"
	/* IRQ14: save everything, C does the work */
	".p2align 3\n"
	"kernel_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00cf9a000000ffff\n"	/* 0x08 flat code */
	"	.quad 0x00cf92000000ffff\n"	/* 0x10 flat data */
	"kernel_gdt_desc:\n"
	"	.word 23\n"
	"	.long kernel_gdt\n"
	".globl ide_isr\n"
	"ide_isr:\n"
	"	pushal\n"
	"	cld\n"
	"	call ide_irq\n"
	"	popal\n"
	"	iret\n"
	/* any other IRQ: end of interrupt, nothing else */
	".globl other_isr\n"
	"other_isr:\n"
	"	pushl %eax\n"
	"	movb $0x20, %al\n"
	"	outb %al, $0xa0\n"
	"	outb %al, $0x20\n"
	"	popl %eax\n"
	"	iret\n");

void ide_isr(void);
void other_isr(void);
void ide_irq(void);
void kernel_main(void);

static uint64_t idt[0x30];
static volatile unsigned irqs;		/* IRQ14s taken */
static volatile uint8_t irq_status;	/* the status the handler read */
static uint16_t *volatile dst;		/* where the handler puts a sector, or 0 */
static uint16_t ident[256];
static uint8_t sector[8 * 512];

static void insw(uint16_t port, uint16_t *buf, unsigned n)
{
	__asm__ volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static void outsw(uint16_t port, const uint16_t *buf, unsigned n)
{
	__asm__ volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

void ide_irq(void)
{
	irq_status = inb(ATA_STATUS);		/* acknowledges: INTRQ goes low */
	if (dst && (irq_status & ST_DRQ)) {
		insw(ATA_DATA, dst, 256);
		dst += 256;
	}
	irqs++;
	outb(0xA0, 0x20);			/* EOI, slave then master */
	outb(0x20, 0x20);
}

static void set_gate(int v, void (*fn)(void))
{
	uint32_t a = (uint32_t)fn;

	idt[v] = (a & 0xffff) | (0x08u << 16) | (uint64_t)0x8e00 << 32 |
		 (uint64_t)(a >> 16) << 48;
}

static void pic_init(void)
{
	outb(0x20, 0x11);	/* ICW1: edge, cascade, ICW4 */
	outb(0xA0, 0x11);
	outb(0x21, 0x20);	/* ICW2: master IRQs at 0x20, slave at 0x28 */
	outb(0xA1, 0x28);
	outb(0x21, 0x04);	/* ICW3: slave on IRQ2 */
	outb(0xA1, 0x02);
	outb(0x21, 0x01);	/* ICW4: 8086 mode */
	outb(0xA1, 0x01);
	outb(0x21, 0xFB);	/* only the cascade ... */
	outb(0xA1, 0xBF);	/* ... and IRQ14 */
}

static void wait_irqs(unsigned n)
{
	while (irqs < n)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void wait_ready(void)
{
	while (inb(ATA_STATUS) & ST_BSY)
		;
}

/* Issue a command to the slave with interrupts off; the handler does the rest. */
static void command(uint8_t cmd, uint32_t lba, uint8_t count)
{
	wait_ready();
	outb(ATA_DEVICE, DEV_SLAVE_LBA | ((lba >> 24) & 0x0f));
	outb(ATA_COUNT, count);
	outb(ATA_LBA0, (uint8_t)lba);
	outb(ATA_LBA1, (uint8_t)(lba >> 8));
	outb(ATA_LBA2, (uint8_t)(lba >> 16));
	outb(ATA_STATUS, cmd);
}

/* READ SECTORS EXT (LBA48): the high bytes go in first. */
static void command48(uint8_t cmd, uint64_t lba, uint16_t count)
{
	wait_ready();
	outb(ATA_DEVICE, 0x40 | 0x10);
	outb(ATA_COUNT, (uint8_t)(count >> 8));
	outb(ATA_LBA0, (uint8_t)(lba >> 24));
	outb(ATA_LBA1, (uint8_t)(lba >> 32));
	outb(ATA_LBA2, (uint8_t)(lba >> 40));
	outb(ATA_COUNT, (uint8_t)count);
	outb(ATA_LBA0, (uint8_t)lba);
	outb(ATA_LBA1, (uint8_t)(lba >> 8));
	outb(ATA_LBA2, (uint8_t)(lba >> 16));
	outb(ATA_STATUS, cmd);
}

static int same(const char *a, const char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void put_status(const char *what)
{
	uart_puts(what);
	uart_puts(": status ");
	uart_puthex(irq_status, 2);
	uart_puts(" error ");
	uart_puthex(inb(ATA_ERROR), 2);
	uart_putc('\n');
}

void kernel_main(void)
{
	uint32_t n28, lba, size;
	unsigned want;

	uart_init();
	uart_puts("diskboot: the kernel was loaded by ATA PIO from the boot disk\n");
	pic_init();
	for (int v = 0x20; v < 0x30; v++)
		set_gate(v, other_isr);
	set_gate(IRQ14_VECTOR, ide_isr);
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = {
		sizeof(idt) - 1, (uint32_t)idt,
	};
	__asm__ volatile("lidt %0" :: "m"(idtr));
	outb(ATA_DEVICE, DEV_SLAVE_LBA);
	inb(ATA_STATUS);
	outb(ATA_CTRL, 0x00);		/* nIEN clear: the drive interrupts */

	/* IDENTIFY DEVICE: one interrupt, 256 words */
	dst = ident;
	command(0xEC, 0, 0);
	wait_irqs(want = 1);
	n28 = ident[60] | (uint32_t)ident[61] << 16;
	uart_puts("fs disk: ");
	uart_puthex(n28, 8);
	uart_puts(" sectors (LBA28), ");
	uart_puthex(ident[100] | (uint32_t)ident[101] << 16, 8);
	uart_puts(" (LBA48), lba ");
	uart_puts(ident[49] & (1 << 9) ? "yes" : "no");
	uart_putc('\n');

	/* the directory in sector 0 */
	dst = (uint16_t *)sector;
	command(0x20, 0, 1);
	wait_irqs(want += 1);
	if (!same((const char *)sector, "VMDBGFS1", 8) || !same((const char *)sector + 12, "hello.txt", 10))
		panic("no file system on the second disk");
	lba = *(uint32_t *)(sector + 28);
	size = *(uint32_t *)(sector + 32);
	uart_puts("fs: hello.txt at lba ");
	uart_puthex(lba, 2);
	uart_puts(", ");
	uart_puthex(size, 4);
	uart_puts(" bytes\n");

	/* the file, with READ SECTORS EXT: one interrupt per sector */
	dst = (uint16_t *)sector;
	command48(0x24, lba, (uint16_t)((size + 511) / 512));
	wait_irqs(want += (size + 511) / 512);
	sector[size] = 0;
	uart_puts((const char *)sector);

	/* write a sector (polled DRQ, then the interrupt), read it back */
	static const char msg[] = "written and read back by PIO\n";
	for (unsigned i = 0; i < 512; i++)
		sector[i] = i < sizeof(msg) ? (uint8_t)msg[i] : (uint8_t)i;
	dst = 0;
	command(0x30, 7, 1);
	while (!(inb(ATA_STATUS) & ST_DRQ))
		;
	outsw(ATA_DATA, (const uint16_t *)sector, 256);
	wait_irqs(want += 1);
	put_status("write");
	for (int i = 0; i < 512; i++)
		sector[i] = 0;
	dst = (uint16_t *)sector;
	command(0x20, 7, 1);
	wait_irqs(want += 1);
	uart_puts((const char *)sector);
	dst = 0;
	command(0xE7, 0, 0);		/* FLUSH CACHE */
	wait_irqs(want += 1);
	put_status("flush");

	/* errors: past the end, and a command the drive does not know */
	command(0x20, n28, 1);
	wait_irqs(want += 1);
	put_status("read past the end");
	command(0xFF, 0, 0);
	wait_irqs(want += 1);
	put_status("command 0xff");
	uart_puts("diskboot: done\n");
	debug_exit(0);
}
