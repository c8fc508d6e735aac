/*
 * kernel.c - the lecture64 kernel: the lecture32 kernel, in long mode.
 *
 * vmdbg loads this ELF64 file and enters _start (entry.S) in 64-bit mode
 * with a GDT and identity page tables of its own (see README.md).
 * kernel_main replaces them all:
 *   - a GDT: kernel code/data, user code/data laid out for sysret, and a
 *     64-bit TSS (16 bytes) whose RSP0 is the stack for traps from ring 3;
 *   - an IDT of 16-byte gates for exceptions 0-31.  There is no int 0x80:
 *     system calls use the syscall instruction;
 *   - four-level paging: the kernel identity-mapped and supervisor-only,
 *     the app at 4 MiB user-accessible (code read-only, data no-execute),
 *     8 MiB left unmapped for the demand-paging fault;
 *   - EFER.SCE and STAR/LSTAR/FMASK: syscall enters syscall_entry,
 * then drops to the ring-3 app (app.c) with iretq.  After that the kernel
 * runs only when the app traps:
 *   syscall_handler     syscall: write() and exit(); back with sysretq
 *   page_fault_handler  #PF (14): map a fresh page on demand
 *   gp_handler          #GP (13): the app ran `cli`: report, skip it
 * Interrupts stay disabled throughout, so every run is identical.
 */
#include "x86.h"
#include "kernel.h"
#include "abi.h"
#include "lecture64.h"

/* Linker-script symbols: where the app's pages are. */
extern uint8_t __user_text_start[], __user_text_end[];
extern uint8_t __user_data_start[], __user_data_end[];
extern uint8_t __user_bss_start[], __user_bss_end[];
/* The app (app.c). */
extern void app_main(void);
extern unsigned char app_stack[];

/* ---- GDT and TSS ----------------------------------------------------- */

/* 64-bit TSS: no task switching any more, just stack pointers. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;	/* stacks for traps into ring 0/1/2 */
	uint64_t reserved1;
	uint64_t ist[7];		/* interrupt stacks (unused here) */
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The GDT sits at a fixed address (see the linker script), so what the
 * app's `sgdt` prints is the same in every build. */
static uint64_t gdt[GDT_ENTRIES] __attribute__((section(".gdt"), aligned(16)));
static struct tss64 tss;

/* Code and data descriptors.  In long mode base and limit are ignored;
 * what matters is P, DPL, the type and, for code, L (64-bit). */
#define SEG_KCODE64	0x00AF9A000000FFFFull	/* ring 0, L = 1 */
#define SEG_KDATA	0x00CF92000000FFFFull	/* ring 0, writable */
#define SEG_UCODE32	0x00CFFA000000FFFFull	/* ring 3, 32-bit (unused) */
#define SEG_UDATA	0x00CFF2000000FFFFull	/* ring 3, writable */
#define SEG_UCODE64	0x00AFFA000000FFFFull	/* ring 3, L = 1 */
#define ACC_TSS64	0x89			/* present, 64-bit TSS (available) */

static void setup_gdt(void)
{
	struct table_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;

	gdt[0] = 0;				/* the null descriptor */
	gdt[KERNEL_CS >> 3] = SEG_KCODE64;
	gdt[KERNEL_DS >> 3] = SEG_KDATA;
	gdt[USER_CS32 >> 3] = SEG_UCODE32;
	gdt[USER_DS >> 3] = SEG_UDATA;
	gdt[USER_CS >> 3] = SEG_UCODE64;

	/* A trap from ring 3 switches to RSP0.  An I/O map base beyond the
	 * limit means no I/O bitmap: with IOPL 0 every ring-3 in/out faults. */
	tss.rsp0 = (uint64_t)kernel_stack_top;
	tss.iomap_base = sizeof(tss);
	gdt[TSS_SEL >> 3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
			    ((uint64_t)ACC_TSS64 << 40) | (((limit >> 16) & 0xF) << 48) |
			    (((base >> 24) & 0xFF) << 56);
	gdt[(TSS_SEL >> 3) + 1] = base >> 32;	/* upper half of the base */

	/* Load it; reload CS with a far return, the data segments with
	 * moves; then the task register. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "ltr %w3"
			 : : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
			 : "rax", "memory");
}

/* ---- IDT --------------------------------------------------------------- */

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type_attr;		/* IST index; P | DPL | type */
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_gate idt[32] __attribute__((aligned(16)));

#define GATE_INT_DPL0	0x8E	/* 64-bit interrupt gate: clears IF */

static void setup_idt(void)
{
	struct table_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 32; v++) {
		uint64_t h = isr_table[v];

		idt[v].off_lo = h & 0xFFFF;
		idt[v].sel = KERNEL_CS;
		idt[v].ist = 0;		/* 0: use RSP0 from the TSS */
		idt[v].type_attr = GATE_INT_DPL0;
		idt[v].off_mid = (h >> 16) & 0xFFFF;
		idt[v].off_hi = (uint32_t)(h >> 32);
		idt[v].zero = 0;
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- paging ------------------------------------------------------------ */

#define PTE_P		0x001ull	/* present */
#define PTE_RW		0x002ull	/* writable */
#define PTE_U		0x004ull	/* user: ring 3 may access */
#define PTE_NX		(1ull << 63)	/* no execute (needs EFER.NXE) */
#define PAGE_SIZE	4096ull
#define ADDR_MASK	0x000FFFFFFFFFF000ull

#define CR0_PE		0x00000001
#define CR0_MP		0x00000002
#define CR0_ET		0x00000010
#define CR0_NE		0x00000020
#define CR0_WP		0x00010000	/* ring 0 honours read-only pages too */
#define CR0_PG		0x80000000

/* One PML4 -> one PDPT -> one PD covering the first GiB; page tables for
 * 0-2 MiB and 2-4 MiB (kernel) and 4-6 MiB (app). */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt_kernel[2][512] __attribute__((aligned(4096)));
static uint64_t pt_user[512] __attribute__((aligned(4096)));

#define PD_INDEX(a)	(((a) >> 21) & 0x1FF)
#define PT_INDEX(a)	(((a) >> 12) & 0x1FF)

static void map_identity(uint64_t *pt, uint8_t *start, uint8_t *end, uint64_t flags)
{
	for (uint64_t a = (uint64_t)start & ~(PAGE_SIZE - 1); a < (uint64_t)end; a += PAGE_SIZE)
		pt[PT_INDEX(a)] = a | flags;
}

static void setup_paging(void)
{
	/* The upper levels allow everything (U, RW); the last level
	 * decides.  An access needs U at every level to be a user access. */
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_RW | PTE_U;
	pdpt[0] = (uint64_t)pd | PTE_P | PTE_RW | PTE_U;

	/* 0-4 MiB: the kernel, its tables and the frame pool; identity,
	 * writable, supervisor only.  Page 0 stays unmapped to catch NULL. */
	for (uint64_t i = 1; i < 1024; i++)
		pt_kernel[i / 512][i % 512] = (i * PAGE_SIZE) | PTE_P | PTE_RW;
	pd[0] = (uint64_t)pt_kernel[0] | PTE_P | PTE_RW;
	pd[1] = (uint64_t)pt_kernel[1] | PTE_P | PTE_RW;

	/* 4-6 MiB: only the app's own pages; code read-only, data and
	 * stack writable but not executable. */
	map_identity(pt_user, __user_text_start, __user_text_end, PTE_P | PTE_U);
	map_identity(pt_user, __user_data_start, __user_data_end,
		     PTE_P | PTE_RW | PTE_U | PTE_NX);
	pd[PD_INDEX(USER_BASE)] = (uint64_t)pt_user | PTE_P | PTE_RW | PTE_U;

	/* 8 MiB and up: nothing.  page_fault_handler fills it in. */

	/* vmdbg already set CR0 to this value; we write it anyway so the
	 * app's smsw prints the same whatever started us. */
	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
	__asm__ volatile("mov %0, %%cr0"
			 : : "r"((uint64_t)(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE))
			 : "memory");
}

/* ---- syscall MSRs -------------------------------------------------------- */

#define MSR_EFER	0xC0000080
#define MSR_STAR	0xC0000081
#define MSR_LSTAR	0xC0000082
#define MSR_FMASK	0xC0000084
#define EFER_SCE	(1ull << 0)	/* syscall/sysret enable */
#define EFER_NXE	(1ull << 11)	/* no-execute pages */
#define RFLAGS_TF	0x00100
#define RFLAGS_IF	0x00200
#define RFLAGS_DF	0x00400
#define RFLAGS_IOPL	0x03000
#define RFLAGS_NT	0x04000
#define RFLAGS_AC	0x40000

static void setup_syscall(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
	wrmsr(MSR_STAR, ((uint64_t)USER_CS32 << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Flags cleared on entry (Linux's choice): no interrupts, no single
	 * step, string ops forward. */
	wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL |
		       RFLAGS_NT | RFLAGS_AC);
}

/* ---- traps ------------------------------------------------------------- */

static __attribute__((noreturn)) void unexpected_trap(struct trap_frame *f)
{
	uart_puts("[kernel] unexpected trap: vector ");
	uart_puthex(f->vector, 2);
	uart_puts(" error ");
	uart_puthex(f->error, 4);
	uart_puts(" rip ");
	uart_puthex(f->rip, 16);
	uart_puts(" cr2 ");
	uart_puthex(read_cr2(), 16);
	uart_putc('\n');
	debug_exit(3);
}

/* Every exception stub ends up here with the vector in the frame. */
void trap_dispatch(struct trap_frame *f)
{
	switch (f->vector) {
	case 13:
		gp_handler(f);
		break;
	case 14:
		page_fault_handler(f);
		break;
	default:
		unexpected_trap(f);
	}
}

/* write(fd, buf, len): the app may not touch the UART, so the kernel does
 * the port I/O for it - after checking that the buffer is the app's. */
static long sys_write(uint64_t fd, uint64_t buf, uint64_t len)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (buf < USER_BASE || len > 4096 || buf + len > DEMAND_BASE + 0x200000)
		return -EFAULT;
	for (uint64_t i = 0; i < len; i++)
		uart_putc(((const char *)buf)[i]);
	return (long)len;
}

static __attribute__((noreturn)) void sys_exit(uint64_t code)
{
	uart_puts("[kernel] exit(");
	uart_putc((char)('0' + code % 10));
	uart_puts("): writing it to port 0xf4\n");
	debug_exit((uint8_t)code);
}

/* syscall: RAX = number, RDI, RSI, RDX = arguments. */
void syscall_handler(struct trap_frame *f)
{
	switch (f->rax) {
	case SYS_WRITE:
		f->rax = (uint64_t)sys_write(f->rdi, f->rsi, f->rdx);
		break;
	case SYS_EXIT:
		sys_exit(f->rdi);
	default:
		f->rax = (uint64_t)-ENOSYS;
	}
}

/* #PF: CR2 holds the address, the error code says why.  We serve exactly
 * one case: ring 3 touching a not-present page of the demand region (one
 * page directory entry: 2 MiB).  We give it a fresh zeroed frame (and, the
 * first time, a page table) and return: the CPU restarts the faulting
 * instruction, which now works. */
void page_fault_handler(struct trap_frame *f)
{
	uint64_t addr = read_cr2();

	if (!(f->error & PF_USER) || (f->error & PF_PRESENT) ||
	    addr < DEMAND_BASE || addr >= DEMAND_BASE + 0x200000)
		unexpected_trap(f);

	uint64_t *pde = &pd[PD_INDEX(addr)];
	if (!(*pde & PTE_P))
		*pde = alloc_frame() | PTE_P | PTE_RW | PTE_U;
	uint64_t *pt = (uint64_t *)(*pde & ADDR_MASK);
	uint64_t frame = alloc_frame();
	pt[PT_INDEX(addr)] = frame | PTE_P | PTE_RW | PTE_U | PTE_NX;
	invlpg(addr);

	uart_puts("[kernel] #PF at ");
	uart_puthex(addr, 8);
	uart_puts(" error ");
	uart_puthex(f->error, 1);
	uart_puts(" (user write, not present): mapped frame ");
	uart_puthex(frame, 8);
	uart_putc('\n');
}

/* #GP: in this kernel only one thing raises it - the app executing `cli`
 * (privileged: CPL 3 > IOPL 0).  A real OS would kill the app; we report
 * it and skip the 1-byte instruction so the lecture can go on. */
void gp_handler(struct trap_frame *f)
{
	const uint8_t *insn = (const uint8_t *)f->rip;

	if ((f->cs & 3) != 3 || f->error != 0 || *insn != 0xFA)
		unexpected_trap(f);
	uart_puts("[kernel] #GP(0) from ring 3: cli is privileged, skipping it\n");
	f->rip += 1;
}

/* ---- boot ---------------------------------------------------------------- */

void kernel_main(void)
{
	uart_init();
	setup_gdt();
	setup_idt();
	setup_paging();
	setup_syscall();
	uart_puts("[kernel] lecture64 (syscall): GDT, TSS, IDT, paging ready; entering ring 3\n");

	/* The app's zero-initialised data, then off to ring 3 with a fake
	 * return address of 0 on its stack (app_main never returns). */
	memset(__user_bss_start, 0, (size_t)(__user_bss_end - __user_bss_start));
	uint64_t *sp = (uint64_t *)(app_stack + APP_STACK_SIZE) - 1;
	*sp = 0;
	enter_user((uint64_t)app_main, (uint64_t)sp);
}
