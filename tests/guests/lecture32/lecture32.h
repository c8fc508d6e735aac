/*
 * lecture32.h - the 32-bit kernel's layout, shared by entry.S and kernel.c.
 */
#ifndef LECTURE32_H
#define LECTURE32_H

/* GDT selectors (index * 8 | RPL).  sysenter/sysexit fix the order: with
 * IA32_SYSENTER_CS = KERNEL_CS the CPU uses KERNEL_CS + 8 as kernel SS,
 * + 16 as user CS and + 24 as user SS. */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_CS		(0x18 | 3)
#define USER_DS		(0x20 | 3)
#define TSS_SEL		0x28
#define GDT_ENTRIES	6

#define KERNEL_STACK_SIZE 16384

/* Multiboot v1 */
#define MB_HEADER_MAGIC	0x1BADB002
#define MB_HEADER_FLAGS	0x00000002	/* bit 1: please pass memory info */
#define MB_BOOT_MAGIC	0x2BADB002	/* in EAX at entry */

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * What the entry stubs leave on the kernel stack for every trap: the
 * segment and general registers they saved, the vector and error code, and
 * what the CPU pushed.  sysenter_entry builds the same frame by hand.
 */
struct trap_frame {
	uint32_t es, ds;
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;	/* pusha */
	uint32_t vector, error;		/* error = 0 if the CPU pushes none */
	uint32_t eip, cs, eflags;	/* pushed by the CPU */
	uint32_t user_esp, user_ss;	/* pushed only when coming from ring 3 */
};

/* entry.S */
extern const uint32_t isr_table[32];
void isr_syscall(void);
void sysenter_entry(void);
__attribute__((noreturn)) void enter_user(uint32_t eip, uint32_t esp);
extern uint8_t kernel_stack_top[];

/* kernel.c, called from entry.S */
void kernel_main(uint32_t magic, uint32_t mbi);
void trap_dispatch(struct trap_frame *f);
void syscall_handler(struct trap_frame *f);
void page_fault_handler(struct trap_frame *f);
void gp_handler(struct trap_frame *f);
#endif

#endif
