/*
 * kernel.c - the lecture32 kernel: a complete (if tiny) protected-mode OS.
 *
 * A multiboot loader (vmdbg, QEMU, GRUB) enters _start in entry.S in 32-bit
 * protected mode with paging off.  kernel_main then builds, in order:
 *   - a GDT: kernel code/data (ring 0), user code/data (ring 3), a TSS;
 *   - the TSS, which tells the CPU which stack to use (SS0:ESP0) when a
 *     trap takes it from ring 3 to ring 0;
 *   - an IDT: exceptions 0-31 (interrupt gates, DPL 0) and int 0x80
 *     (a trap gate with DPL 3, so ring 3 may call it);
 *   - two-level paging: the kernel identity-mapped and supervisor-only,
 *     the app's pages at 4 MiB user-accessible, and 8 MiB left unmapped
 *     so the app's first touch there page-faults;
 *   - in the sysenter build: the IA32_SYSENTER_CS/ESP/EIP MSRs,
 * and drops to the ring-3 app (app.c) with iret.  From then on the kernel
 * runs only when the app traps:
 *   syscall_handler     int 0x80 / sysenter: write() and exit()
 *   page_fault_handler  #PF (14): map a fresh page on demand
 *   gp_handler          #GP (13): the app ran `cli`: report, skip it
 * Interrupts stay disabled throughout, so every run is identical.
 */
#include "x86.h"
#include "kernel.h"
#include "abi.h"
#include "lecture32.h"

#ifdef USE_SYSENTER
#define KERNEL_NAME "lecture32 (sysenter)"
#else
#define KERNEL_NAME "lecture32 (int " STR(SYSCALL_VECTOR) ")"
#endif

/* Linker-script symbols: where the app's pages are. */
extern uint8_t __user_text_start[], __user_text_end[];
extern uint8_t __user_data_start[], __user_data_end[];
extern uint8_t __user_bss_start[], __user_bss_end[];
/* The app (app.c). */
extern void app_main(void);
extern unsigned char app_stack[];

/* ---- GDT and TSS ----------------------------------------------------- */

struct gdt_entry {
	uint16_t limit_lo, base_lo;
	uint8_t base_mid, access, limit_hi_flags, base_hi;
} __attribute__((packed));

/* 32-bit TSS.  Only SS0:ESP0 and the I/O map base matter to us. */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3;
	uint32_t eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

struct table_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* The GDT sits in its own section at a fixed address (see the linker
 * script), so what the app's `sgdt` prints is the same in every build. */
static struct gdt_entry gdt[GDT_ENTRIES] __attribute__((section(".gdt"), aligned(16)));
static struct tss32 tss;

/* access: P | DPL | S | type.  flags: G (4 KiB units) | D (32-bit). */
#define ACC_KCODE	0x9A	/* present, ring 0, code, readable */
#define ACC_KDATA	0x92	/* present, ring 0, data, writable */
#define ACC_UCODE	0xFA	/* present, ring 3, code, readable */
#define ACC_UDATA	0xF2	/* present, ring 3, data, writable */
#define ACC_TSS		0x89	/* present, ring 0, 32-bit TSS (available) */
#define FLAGS_4K_32	0xC

static void gdt_set(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	gdt[i].limit_lo = limit & 0xFFFF;
	gdt[i].base_lo = base & 0xFFFF;
	gdt[i].base_mid = (base >> 16) & 0xFF;
	gdt[i].access = access;
	gdt[i].limit_hi_flags = (uint8_t)(((limit >> 16) & 0x0F) | (flags << 4));
	gdt[i].base_hi = (base >> 24) & 0xFF;
}

static void setup_gdt(void)
{
	struct table_ptr gdtr = { sizeof(gdt) - 1, (uint32_t)gdt };

	/* Four flat 4 GiB segments: protection comes from paging. */
	gdt_set(0, 0, 0, 0, 0);				/* the null descriptor */
	gdt_set(KERNEL_CS >> 3, 0, 0xFFFFF, ACC_KCODE, FLAGS_4K_32);
	gdt_set(KERNEL_DS >> 3, 0, 0xFFFFF, ACC_KDATA, FLAGS_4K_32);
	gdt_set(USER_CS >> 3, 0, 0xFFFFF, ACC_UCODE, FLAGS_4K_32);
	gdt_set(USER_DS >> 3, 0, 0xFFFFF, ACC_UDATA, FLAGS_4K_32);

	/* A trap from ring 3 switches to SS0:ESP0.  An I/O map base beyond
	 * the TSS limit means "no I/O bitmap": with IOPL 0, every in/out
	 * from ring 3 faults. */
	tss.ss0 = KERNEL_DS;
	tss.esp0 = (uint32_t)kernel_stack_top;
	tss.iomap_base = sizeof(tss);
	gdt_set(TSS_SEL >> 3, (uint32_t)&tss, sizeof(tss) - 1, ACC_TSS, 0);

	/* Load the GDT, then reload every segment register: CS with a far
	 * jump, the others with moves.  Finally load the task register. */
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3"
			 : : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
			 : "memory");
}

/* ---- IDT --------------------------------------------------------------- */

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type_attr;	/* P | DPL | type */
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(8)));

#define GATE_INT_DPL0	0x8E	/* 32-bit interrupt gate: clears IF */
#define GATE_TRAP_DPL3	0xEF	/* 32-bit trap gate, callable from ring 3 */

static void idt_set(int vec, uint32_t handler, uint8_t type_attr)
{
	idt[vec].off_lo = handler & 0xFFFF;
	idt[vec].sel = KERNEL_CS;
	idt[vec].zero = 0;
	idt[vec].type_attr = type_attr;
	idt[vec].off_hi = handler >> 16;
}

static void setup_idt(void)
{
	struct table_ptr idtr = { sizeof(idt) - 1, (uint32_t)idt };

	/* Exceptions: DPL 0, so `int $14` from ring 3 is itself a #GP. */
	for (int v = 0; v < 32; v++)
		idt_set(v, isr_table[v], GATE_INT_DPL0);
	/* The system call gate: DPL 3 so the app may use `int $0x80`.
	 * (A trap gate, like Linux's: IF would stay as it was.) */
	idt_set(SYSCALL_VECTOR, (uint32_t)isr_syscall, GATE_TRAP_DPL3);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- paging ------------------------------------------------------------ */

#define PTE_P		0x001	/* present */
#define PTE_RW		0x002	/* writable */
#define PTE_U		0x004	/* user: ring 3 may access */
#define PAGE_SIZE	4096u

#define CR0_PE		0x00000001
#define CR0_ET		0x00000010
#define CR0_NE		0x00000020
#define CR0_WP		0x00010000	/* ring 0 honours read-only pages too */
#define CR0_PG		0x80000000

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t pt_kernel[1024] __attribute__((aligned(4096)));	/* 0-4 MiB */
static uint32_t pt_user[1024] __attribute__((aligned(4096)));		/* 4-8 MiB */

/* Map [start, end) at the same virtual and physical address. */
static void map_identity(uint32_t *pt, uint8_t *start, uint8_t *end, uint32_t flags)
{
	for (uint32_t a = (uint32_t)start & ~(PAGE_SIZE - 1); a < (uint32_t)end; a += PAGE_SIZE)
		pt[(a >> 12) & 0x3FF] = a | flags;
}

static void setup_paging(void)
{
	/* 0-4 MiB: the kernel, its tables and the frame pool; identity,
	 * writable, supervisor only.  Page 0 stays unmapped to catch NULL. */
	for (uint32_t i = 1; i < 1024; i++)
		pt_kernel[i] = (i * PAGE_SIZE) | PTE_P | PTE_RW;
	page_dir[0] = (uint32_t)pt_kernel | PTE_P | PTE_RW;

	/* 4-8 MiB: only the app's own pages, user-accessible; its code
	 * read-only, its data and stack writable. */
	map_identity(pt_user, __user_text_start, __user_text_end, PTE_P | PTE_U);
	map_identity(pt_user, __user_data_start, __user_data_end, PTE_P | PTE_RW | PTE_U);
	page_dir[USER_BASE >> 22] = (uint32_t)pt_user | PTE_P | PTE_RW | PTE_U;

	/* 8 MiB and up: nothing.  page_fault_handler fills it in. */

	/* CR4 = 0: classic 4 KiB two-level paging (no PSE, no PAE); also
	 * TSD = 0 (rdtsc allowed in ring 3) and UMIP = 0 (sgdt/smsw allowed
	 * in ring 3: the holes stay open, as on the CPUs of the lecture). */
	__asm__ volatile("mov %0, %%cr4" : : "r"(0));
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_dir) : "memory");
	__asm__ volatile("mov %0, %%cr0"
			 : : "r"(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE) : "memory");
}

#ifdef USE_SYSENTER
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176

/* sysenter jumps straight to SYSENTER_EIP on the SYSENTER_ESP stack, with
 * CS = SYSENTER_CS and SS = SYSENTER_CS + 8; no IDT, no TSS involved. */
static void setup_sysenter(void)
{
	wrmsr(MSR_SYSENTER_CS, KERNEL_CS);
	wrmsr(MSR_SYSENTER_ESP, (uint32_t)kernel_stack_top);
	wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
}
#endif

/* ---- traps ------------------------------------------------------------- */

static __attribute__((noreturn)) void unexpected_trap(struct trap_frame *f)
{
	uart_puts("[kernel] unexpected trap: vector ");
	uart_puthex(f->vector, 2);
	uart_puts(" error ");
	uart_puthex(f->error, 4);
	uart_puts(" eip ");
	uart_puthex(f->eip, 8);
	uart_puts(" cr2 ");
	uart_puthex(read_cr2(), 8);
	uart_putc('\n');
	debug_exit(3);
}

/* Every IDT stub ends up here with the vector in the frame. */
void trap_dispatch(struct trap_frame *f)
{
	switch (f->vector) {
	case 13:
		gp_handler(f);
		break;
	case 14:
		page_fault_handler(f);
		break;
	case SYSCALL_VECTOR:
		syscall_handler(f);
		break;
	default:
		unexpected_trap(f);
	}
}

/* write(fd, buf, len): the app may not touch the UART, so the kernel does
 * the port I/O for it - after checking that the buffer is the app's. */
static long sys_write(uint32_t fd, uint32_t buf, uint32_t len)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (buf < USER_BASE || len > 4096 || buf + len > DEMAND_BASE + 0x400000)
		return -EFAULT;
	for (uint32_t i = 0; i < len; i++)
		uart_putc(((const char *)buf)[i]);
	return (long)len;
}

static __attribute__((noreturn)) void sys_exit(uint32_t code)
{
	uart_puts("[kernel] exit(");
	uart_putc((char)('0' + code % 10));
	uart_puts("): writing it to port 0xf4\n");
	debug_exit((uint8_t)code);
}

/* int 0x80 or sysenter: EAX = number, EBX, ECX, EDX = arguments. */
void syscall_handler(struct trap_frame *f)
{
	switch (f->eax) {
	case SYS_WRITE:
		f->eax = (uint32_t)sys_write(f->ebx, f->ecx, f->edx);
		break;
	case SYS_EXIT:
		sys_exit(f->ebx);
	default:
		f->eax = (uint32_t)-ENOSYS;
	}
}

/* #PF: CR2 holds the address, the error code says why.  We serve exactly
 * one case: ring 3 touching a not-present page of the demand region.  We
 * give it a fresh zeroed frame (and, the first time, a page table) and
 * return: the CPU restarts the faulting instruction, which now works. */
void page_fault_handler(struct trap_frame *f)
{
	uint32_t addr = (uint32_t)read_cr2();

	if (!(f->error & PF_USER) || (f->error & PF_PRESENT) ||
	    addr < DEMAND_BASE || addr >= DEMAND_BASE + 0x400000)
		unexpected_trap(f);

	uint32_t *pde = &page_dir[addr >> 22];
	if (!(*pde & PTE_P))
		*pde = (uint32_t)alloc_frame() | PTE_P | PTE_RW | PTE_U;
	uint32_t *pt = (uint32_t *)(*pde & ~(PAGE_SIZE - 1));
	uint32_t frame = (uint32_t)alloc_frame();
	pt[(addr >> 12) & 0x3FF] = frame | PTE_P | PTE_RW | PTE_U;
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
	const uint8_t *insn = (const uint8_t *)f->eip;

	if ((f->cs & 3) != 3 || f->error != 0 || *insn != 0xFA)
		unexpected_trap(f);
	uart_puts("[kernel] #GP(0) from ring 3: cli is privileged, skipping it\n");
	f->eip += 1;
}

/* ---- boot ---------------------------------------------------------------- */

#ifdef DEBUGGER_TESTS
/* Only in lecture32-O0: a recursive function for the debugger's tests
 * (finish must return from the right frame, bt shows every level). */
volatile unsigned depth_result;

__attribute__((noinline)) unsigned depth_sum(unsigned n)
{
	unsigned below;

	if (n == 0)
		return 0;
	below = depth_sum(n - 1);
	return n + below;
}
#endif

void kernel_main(uint32_t magic, uint32_t mbi)
{
	(void)mbi;	/* we need nothing from the multiboot information */
	uart_init();
	if (magic != MB_BOOT_MAGIC)
		panic("not started by a multiboot loader");

	setup_gdt();
	setup_idt();
	setup_paging();
#ifdef DEBUGGER_TESTS
	depth_result = depth_sum(3);
#endif
#ifdef USE_SYSENTER
	setup_sysenter();
#endif
	uart_puts("[kernel] " KERNEL_NAME ": GDT, TSS, IDT, paging ready; entering ring 3\n");

	/* The app's zero-initialised data, then off to ring 3 with a fake
	 * return address of 0 on its stack (app_main never returns). */
	memset(__user_bss_start, 0, (size_t)(__user_bss_end - __user_bss_start));
	uint32_t *sp = (uint32_t *)(app_stack + APP_STACK_SIZE) - 1;
	*sp = 0;
	enter_user((uint32_t)app_main, (uint32_t)sp);
}
