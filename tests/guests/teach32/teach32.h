/*
 * teach32.h - the teaching kernel's layout, shared by entry.S and the C
 * files: segment selectors, vectors, system call numbers, the trap frame.
 */
#ifndef TEACH32_H
#define TEACH32_H

#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UCODE	0x1B	/* DPL 3 */
#define SEL_UDATA	0x23	/* DPL 3 */
#define SEL_TSS		0x28

#define VEC_KBD		0x21	/* ISA IRQ1 through the I/O APIC */
#define VEC_TIMER	0x40	/* the local APIC timer */
#define VEC_SYSCALL	0x80	/* int 0x80, a DPL-3 gate */
#define VEC_SPURIOUS	0xFF

/* System calls (Linux i386 numbers): EAX = number, EBX/ECX/EDX = args. */
#define SYS_EXIT	1	/* exit(code) */
#define SYS_WRITE	4	/* write(fd, buf, len) -> len */
#define SYS_GETPID	20	/* getpid() -> 1 or 2 */
#define SYS_YIELD	158	/* sched_yield(): the other process runs */

#define KSTACK_SIZE	4096
#define USTACK_SIZE	2048

#ifndef __ASSEMBLER__
#include <stdint.h>

/* What entry.S's stubs leave on the kernel stack: the segment registers,
 * pushal, the CPU's frame.  A trap from ring 3 has esp and ss too, and
 * every trap the scheduler looks at comes from ring 3. */
struct frame {
	uint32_t es, ds;
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t eip, cs, eflags, esp, ss;
};

/* entry.S */
void timer_entry(void);
void syscall_entry(void);
void kbd_entry(void);
void spurious_entry(void);
__attribute__((noreturn)) void enter_frame(struct frame *f);

/* kernel.c: called by the stubs */
void timer_trap(struct frame *f);
void syscall_trap(struct frame *f);
void kbd_trap(struct frame *f);
__attribute__((noreturn)) void unexpected_trap(uint32_t vector, uint32_t eip);

/* console.c: the screen and COM1 together; the keyboard; the disk */
void con_init(void);
void con_write(const char *s, uint32_t n);
void con_puts(const char *s);
void con_hex(uint32_t v, int digits);
void kbd_init(void);
void kbd_irq_on(void);
int kbd_scancode_to_ascii(uint8_t sc);
void ata_read(uint32_t lba, uint32_t count, void *buf);

/* user.c: ring 3 */
void proc_main(volatile uint32_t *turn);
#endif

#endif
