/*
 * lecture64.h - the 64-bit kernel's layout, shared by entry.S and kernel.c.
 */
#ifndef LECTURE64_H
#define LECTURE64_H

/* GDT selectors.  syscall/sysret fix the order, through IA32_STAR:
 *   syscall: CS = STAR[47:32] = KERNEL_CS, SS = KERNEL_CS + 8 = KERNEL_DS
 *   sysretq: SS = STAR[63:48] + 8 = USER_DS, CS = STAR[63:48] + 16 = USER_CS
 * with STAR[63:48] = USER_CS32, a 32-bit user code segment that only a
 * 32-bit sysret would use (the same layout as Linux). */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_CS32	(0x18 | 3)
#define USER_DS		(0x20 | 3)
#define USER_CS		(0x28 | 3)
#define TSS_SEL		0x30		/* a 16-byte descriptor: slots 6 and 7 */
#define GDT_ENTRIES	8

#define KERNEL_STACK_SIZE 16384

/* The frame of a system call has no IDT vector; it gets this one. */
#define SYSCALL_FRAME	0x100

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Saved by the entry stubs (syscall_entry builds the same frame). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;		/* error = 0 if the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* entry.S */
extern const uint64_t isr_table[32];
void syscall_entry(void);
__attribute__((noreturn)) void enter_user(uint64_t rip, uint64_t rsp);
extern uint8_t kernel_stack_top[];

/* kernel.c, called from entry.S */
void kernel_main(void);
void trap_dispatch(struct trap_frame *f);
void syscall_handler(struct trap_frame *f);
void page_fault_handler(struct trap_frame *f);
void gp_handler(struct trap_frame *f);
#endif

#endif
