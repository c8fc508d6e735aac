/*
 * kernel.c - teach32, a 32-bit teaching kernel for a PC: what a course's
 * kernel does, small enough to read in one sitting.
 *
 *   1. finds the CPU and the I/O APIC through the MP tables (apic/fw.c),
 *      masks both 8259s;
 *   2. reads motd.txt from the second disk (primary slave): a directory in
 *      sector 0 ("VMDBGFS1", entries of name, first LBA, size; mkfs.sh);
 *   3. runs the local APIC timer at 100 Hz and two ring-3 processes,
 *      round robin on every tick; they make system calls through int 0x80
 *      (write, getpid, sched_yield, exit).  They take turns through a
 *      shared word: a process whose turn it is not spins until the timer
 *      preempts it, so the lines alternate the same way however the
 *      ticks fall (user.c), and on vmdbg every tick lands on the same
 *      instruction run after run;
 *   4. when both have exited: stops the timer, routes ISA IRQ1 through the
 *      I/O APIC and echoes a line typed on the keyboard;
 *   5. exits through the debug-exit port (status 1).
 * Everything goes to the VGA text screen and to COM1.
 */
#include "x86.h"
#include "kernel.h"
#include "pm32.h"
#include "fw.h"
#include "teach32.h"
#include "lapic.h"

#define NPROC		2

struct proc {
	int pid, alive;
	struct frame regs;	/* saved while it does not run */
};

static uint64_t gdt[6] __attribute__((aligned(8)));
static uint32_t tss[26];
static struct hw hw;
static struct proc procs[NPROC];
static struct proc *cur;
static volatile uint32_t *lapic, *ioapic;
static uint32_t ticks;
static volatile uint32_t turn = 1;	/* the processes' shared memory */
static uint32_t switches;
static uint8_t ustack[NPROC][USTACK_SIZE] __attribute__((aligned(16)));
static uint8_t buf[4 * 512];
static char line[64];
static volatile uint32_t line_len, line_done;
extern uint8_t kstack_top[];

static uint64_t seg(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

/* Flat ring-0 and ring-3 segments and a TSS whose SS0:ESP0 is the top of
 * the one kernel stack. */
static void setup_gdt(void)
{
	gdt[1] = seg(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = seg(0, 0xfffff, 0x92, 0xc);
	gdt[3] = seg(0, 0xfffff, 0xfa, 0xc);
	gdt[4] = seg(0, 0xfffff, 0xf2, 0xc);
	gdt[5] = seg((uint32_t)tss, sizeof(tss) - 1, 0x89, 0);
	tss[1] = (uint32_t)kstack_top;
	tss[2] = SEL_KDATA;
	tss[25] = sizeof(tss) << 16;	/* no I/O bitmap */
	pm32_load_gdt_at(gdt, sizeof(gdt) - 1);
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

static int same(const char *a, const char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Print the file called name from the second disk's directory. */
static void cat(const char *name, int namelen)
{
	uint32_t n, lba, size;

	ata_read(0, 1, buf);
	if (!same((char *)buf, "VMDBGFS1", 8))
		panic("no file system on the second disk");
	n = *(uint32_t *)(buf + 8);
	for (uint32_t i = 0; i < n && i < 20; i++) {
		const uint8_t *e = buf + 12 + 24 * i;

		if (!same((const char *)e, name, namelen + 1))
			continue;
		lba = *(const uint32_t *)(e + 16);
		size = *(const uint32_t *)(e + 20);
		if (size > sizeof(buf))
			panic("file too large");
		con_puts("teach32: ");
		con_puts(name);
		con_puts(" at lba ");
		con_hex(lba, 2);
		con_puts(", ");
		con_hex(size, 4);
		con_puts(" bytes:\n");
		ata_read(lba, (size + 511) / 512, buf);
		con_write((char *)buf, size);
		return;
	}
	panic("file not found");
}

static void start_proc(int i)
{
	struct frame *f = &procs[i].regs;
	uint32_t *sp = (uint32_t *)(ustack[i] + USTACK_SIZE);

	*--sp = (uint32_t)&turn;		/* proc_main's argument */
	*--sp = 0;			/* no return address */
	procs[i].pid = i + 1;
	procs[i].alive = 1;
	f->ds = f->es = SEL_UDATA;
	f->cs = SEL_UCODE;
	f->ss = SEL_UDATA;
	f->eip = (uint32_t)proc_main;
	f->esp = (uint32_t)sp;
	f->eflags = 0x202;		/* IF: the timer can preempt it */
}

/* Round robin: the next live process after cur, saving and loading the
 * frame the stub will return through. */
static int schedule(struct frame *f)
{
	int me = (int)(cur - procs);

	for (int k = 1; k <= NPROC; k++) {
		struct proc *p = &procs[(me + k) % NPROC];

		if (!p->alive)
			continue;
		if (p != cur) {
			cur->regs = *f;
			*f = p->regs;
			cur = p;
			switches++;
		}
		return 1;
	}
	return 0;
}

static __attribute__((noreturn)) void after_procs(void);

void timer_trap(struct frame *f)
{
	ticks++;
	lapic[LAPIC_EOI / 4] = 0;
	schedule(f);
}

void syscall_trap(struct frame *f)
{
	switch (f->eax) {
	case SYS_WRITE:
		if (f->ebx != 1 || f->edx > 256 || f->ecx >= 0x100000) {
			f->eax = (uint32_t)-1;
			break;
		}
		con_write((const char *)f->ecx, f->edx);
		f->eax = f->edx;
		break;
	case SYS_GETPID:
		f->eax = (uint32_t)cur->pid;
		break;
	case SYS_YIELD:
		f->eax = 0;
		schedule(f);
		break;
	case SYS_EXIT:
		cur->alive = 0;
		if (!schedule(f))
			after_procs();
		break;
	default:
		f->eax = (uint32_t)-1;
	}
}

void kbd_trap(struct frame *f)
{
	uint8_t sc = inb(0x60);
	int c = kbd_scancode_to_ascii(sc);

	(void)f;
	lapic[LAPIC_EOI / 4] = 0;
	if (!c || line_done)
		return;
	if (c == '\n' || line_len == sizeof(line)) {
		line_done = 1;
		con_puts("\n");
		return;
	}
	line[line_len++] = (char)c;
	con_write(&line[line_len - 1], 1);
}

void unexpected_trap(uint32_t vector, uint32_t eip)
{
	con_puts("teach32: unexpected trap: vector ");
	con_hex(vector, 2);
	con_puts(" eip ");
	con_hex(eip, 8);
	con_puts("\n");
	debug_exit(3);
}

static void ioapic_route(uint32_t pin, uint32_t vector)
{
	ioapic[0] = 0x10 + 2 * pin;
	ioapic[4] = vector;		/* fixed, edge, active high, unmasked */
	ioapic[0] = 0x11 + 2 * pin;
	ioapic[4] = 0;			/* to local APIC 0 */
}

/* The rest of the kernel's life, on the kernel stack of the last exit. */
static void after_procs(void)
{
	lapic[LAPIC_LVT_TIMER / 4] = LVT_MASKED;
	lapic[LAPIC_TIMER_ICR / 4] = 0;
	/* (ticks and switches are not printed: on a PC they depend on when
	 * the timer fired; vmdbg's trace shows them) */
	con_puts("teach32: both processes exited\n");

	kbd_init();
	ioapic_route(hw.mp_irq1_pin, VEC_KBD);
	kbd_irq_on();
	con_puts("teach32: type a line: ");
	while (!line_done)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	con_puts("teach32: you typed \"");
	con_write(line, line_len);
	con_puts("\"\nteach32: done\n");
	debug_exit(0);
}

void kernel_main(void);
void kernel_main(void)
{
	uint32_t a, b, c, d;

	con_init();
	con_puts("teach32: loaded at 0x8000 by the boot sector through ATA PIO\n");
	setup_gdt();
	pm32_idt_set(VEC_KBD, (uint32_t)kbd_entry);
	pm32_idt_set(VEC_TIMER, (uint32_t)timer_entry);
	pm32_idt_set(VEC_SPURIOUS, (uint32_t)spurious_entry);
	pm32_idt_set_user(VEC_SYSCALL, (uint32_t)syscall_entry);
	pm32_load_idt();
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(d & (1u << 9)))
		panic("CPUID says there is no local APIC");
	mp_find(&hw);			/* prints its findings on COM1 */
	if (!hw.mp_lapic || !hw.mp_ioapic)
		panic("no local APIC or I/O APIC in the MP tables");
	lapic = (volatile uint32_t *)hw.mp_lapic;
	ioapic = (volatile uint32_t *)hw.mp_ioapic;
	pm32_pic_mask();
	con_puts("teach32: i/o apic ");
	con_hex(hw.mp_ioapic, 8);
	con_puts(", keyboard irq1 on its pin ");
	con_hex(hw.mp_irq1_pin, 2);
	con_puts("; 8259s masked\n");

	cat("motd.txt", 8);

	lapic[LAPIC_SVR / 4] = 0x100 | VEC_SPURIOUS;
	lapic[LAPIC_TIMER_DCR / 4] = 0x3;			/* divide by 16 */
	lapic[LAPIC_LVT_TIMER / 4] = LVT_PERIODIC | VEC_TIMER;
	lapic[LAPIC_TIMER_ICR / 4] = 624999;		/* 10 ms at 1 GHz / 16 */
	con_puts("teach32: local apic timer at 100 Hz; starting 2 processes\n");
	start_proc(0);
	start_proc(1);
	cur = &procs[0];
	enter_frame(&procs[0].regs);
}
