/*
 * test_classify.c - vmdbg's privileged/hole instruction table.
 *
 * Every privileged and hole instruction in its 16, 32 and 64-bit forms.
 * The bytes were assembled with GNU as (.intel_syntax noprefix, .code16/
 * .code32/.code64) when this test was written and are embedded here, so
 * the test needs no assembler.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define PRIV 1
#define HOLE 2
#define IO 4

struct insn_case {
	int mode;
	const char *text;
	const char *bytes;
	int len;
	enum vmdbg_insn insn;
	unsigned pc;
	int flags;
};

static const struct insn_case cases[] = {
	{ 16, "hlt", "\xf4", 1, VMDBG_INSN_HLT, VMDBG_PC_HLT, PRIV },
	{ 32, "hlt", "\xf4", 1, VMDBG_INSN_HLT, VMDBG_PC_HLT, PRIV },
	{ 64, "hlt", "\xf4", 1, VMDBG_INSN_HLT, VMDBG_PC_HLT, PRIV },
	{ 16, "cli", "\xfa", 1, VMDBG_INSN_CLI, VMDBG_PC_INTR, PRIV | IO },
	{ 32, "cli", "\xfa", 1, VMDBG_INSN_CLI, VMDBG_PC_INTR, PRIV | IO },
	{ 64, "cli", "\xfa", 1, VMDBG_INSN_CLI, VMDBG_PC_INTR, PRIV | IO },
	{ 16, "sti", "\xfb", 1, VMDBG_INSN_STI, VMDBG_PC_INTR, PRIV | IO },
	{ 32, "sti", "\xfb", 1, VMDBG_INSN_STI, VMDBG_PC_INTR, PRIV | IO },
	{ 64, "sti", "\xfb", 1, VMDBG_INSN_STI, VMDBG_PC_INTR, PRIV | IO },
	{ 16, "in al, dx", "\xec", 1, VMDBG_INSN_IN, VMDBG_PC_IO, PRIV | IO },
	{ 32, "in al, dx", "\xec", 1, VMDBG_INSN_IN, VMDBG_PC_IO, PRIV | IO },
	{ 64, "in al, dx", "\xec", 1, VMDBG_INSN_IN, VMDBG_PC_IO, PRIV | IO },
	{ 16, "in eax, 0x80", "\x66\xe5\x80", 3, VMDBG_INSN_IN, VMDBG_PC_IO, PRIV | IO },
	{ 32, "in eax, 0x80", "\xe5\x80", 2, VMDBG_INSN_IN, VMDBG_PC_IO, PRIV | IO },
	{ 64, "in eax, 0x80", "\xe5\x80", 2, VMDBG_INSN_IN, VMDBG_PC_IO, PRIV | IO },
	{ 16, "out dx, al", "\xee", 1, VMDBG_INSN_OUT, VMDBG_PC_IO, PRIV | IO },
	{ 32, "out dx, al", "\xee", 1, VMDBG_INSN_OUT, VMDBG_PC_IO, PRIV | IO },
	{ 64, "out dx, al", "\xee", 1, VMDBG_INSN_OUT, VMDBG_PC_IO, PRIV | IO },
	{ 16, "out 0x80, al", "\xe6\x80", 2, VMDBG_INSN_OUT, VMDBG_PC_IO, PRIV | IO },
	{ 32, "out 0x80, al", "\xe6\x80", 2, VMDBG_INSN_OUT, VMDBG_PC_IO, PRIV | IO },
	{ 64, "out 0x80, al", "\xe6\x80", 2, VMDBG_INSN_OUT, VMDBG_PC_IO, PRIV | IO },
	{ 16, "insb", "\x6c", 1, VMDBG_INSN_INS, VMDBG_PC_IO, PRIV | IO },
	{ 32, "insb", "\x6c", 1, VMDBG_INSN_INS, VMDBG_PC_IO, PRIV | IO },
	{ 64, "insb", "\x6c", 1, VMDBG_INSN_INS, VMDBG_PC_IO, PRIV | IO },
	{ 16, "insd", "\x66\x6d", 2, VMDBG_INSN_INS, VMDBG_PC_IO, PRIV | IO },
	{ 32, "insd", "\x6d", 1, VMDBG_INSN_INS, VMDBG_PC_IO, PRIV | IO },
	{ 64, "insd", "\x6d", 1, VMDBG_INSN_INS, VMDBG_PC_IO, PRIV | IO },
	{ 16, "outsb", "\x6e", 1, VMDBG_INSN_OUTS, VMDBG_PC_IO, PRIV | IO },
	{ 32, "outsb", "\x6e", 1, VMDBG_INSN_OUTS, VMDBG_PC_IO, PRIV | IO },
	{ 64, "outsb", "\x6e", 1, VMDBG_INSN_OUTS, VMDBG_PC_IO, PRIV | IO },
	{ 16, "outsw", "\x6f", 1, VMDBG_INSN_OUTS, VMDBG_PC_IO, PRIV | IO },
	{ 32, "outsw", "\x66\x6f", 2, VMDBG_INSN_OUTS, VMDBG_PC_IO, PRIV | IO },
	{ 64, "outsw", "\x66\x6f", 2, VMDBG_INSN_OUTS, VMDBG_PC_IO, PRIV | IO },
	{ 16, "lgdt [bx]", "\x0f\x01\x17", 3, VMDBG_INSN_LGDT, VMDBG_PC_DESC, PRIV },
	{ 32, "lgdt [eax]", "\x0f\x01\x10", 3, VMDBG_INSN_LGDT, VMDBG_PC_DESC, PRIV },
	{ 64, "lgdt [rax]", "\x0f\x01\x10", 3, VMDBG_INSN_LGDT, VMDBG_PC_DESC, PRIV },
	{ 16, "lidt [bx]", "\x0f\x01\x1f", 3, VMDBG_INSN_LIDT, VMDBG_PC_DESC, PRIV },
	{ 32, "lidt [eax]", "\x0f\x01\x18", 3, VMDBG_INSN_LIDT, VMDBG_PC_DESC, PRIV },
	{ 64, "lidt [rax]", "\x0f\x01\x18", 3, VMDBG_INSN_LIDT, VMDBG_PC_DESC, PRIV },
	{ 16, "lldt ax", "\x0f\x00\xd0", 3, VMDBG_INSN_LLDT, VMDBG_PC_DESC, PRIV },
	{ 32, "lldt ax", "\x0f\x00\xd0", 3, VMDBG_INSN_LLDT, VMDBG_PC_DESC, PRIV },
	{ 64, "lldt ax", "\x0f\x00\xd0", 3, VMDBG_INSN_LLDT, VMDBG_PC_DESC, PRIV },
	{ 16, "ltr ax", "\x0f\x00\xd8", 3, VMDBG_INSN_LTR, VMDBG_PC_DESC, PRIV },
	{ 32, "ltr ax", "\x0f\x00\xd8", 3, VMDBG_INSN_LTR, VMDBG_PC_DESC, PRIV },
	{ 64, "ltr ax", "\x0f\x00\xd8", 3, VMDBG_INSN_LTR, VMDBG_PC_DESC, PRIV },
	{ 16, "lmsw ax", "\x0f\x01\xf0", 3, VMDBG_INSN_LMSW, VMDBG_PC_CR, PRIV },
	{ 32, "lmsw ax", "\x0f\x01\xf0", 3, VMDBG_INSN_LMSW, VMDBG_PC_CR, PRIV },
	{ 64, "lmsw ax", "\x0f\x01\xf0", 3, VMDBG_INSN_LMSW, VMDBG_PC_CR, PRIV },
	{ 16, "clts", "\x0f\x06", 2, VMDBG_INSN_CLTS, VMDBG_PC_CR, PRIV },
	{ 32, "clts", "\x0f\x06", 2, VMDBG_INSN_CLTS, VMDBG_PC_CR, PRIV },
	{ 64, "clts", "\x0f\x06", 2, VMDBG_INSN_CLTS, VMDBG_PC_CR, PRIV },
	{ 16, "mov eax, cr0", "\x0f\x20\xc0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 32, "mov eax, cr0", "\x0f\x20\xc0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 64, "mov rax, cr0", "\x0f\x20\xc0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 16, "mov cr0, eax", "\x0f\x22\xc0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 32, "mov cr0, eax", "\x0f\x22\xc0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 64, "mov cr0, rax", "\x0f\x22\xc0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 16, "mov eax, cr3", "\x0f\x20\xd8", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 32, "mov eax, cr3", "\x0f\x20\xd8", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 64, "mov rax, cr3", "\x0f\x20\xd8", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 16, "mov cr3, eax", "\x0f\x22\xd8", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR | VMDBG_PC_TLB, PRIV },
	{ 32, "mov cr3, eax", "\x0f\x22\xd8", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR | VMDBG_PC_TLB, PRIV },
	{ 64, "mov cr3, rax", "\x0f\x22\xd8", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR | VMDBG_PC_TLB, PRIV },
	{ 16, "mov cr4, eax", "\x0f\x22\xe0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 32, "mov cr4, eax", "\x0f\x22\xe0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 64, "mov cr4, rax", "\x0f\x22\xe0", 3, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 64, "mov cr8, rax", "\x44\x0f\x22\xc0", 4, VMDBG_INSN_MOV_CR, VMDBG_PC_CR, PRIV },
	{ 16, "mov dr7, eax", "\x0f\x23\xf8", 3, VMDBG_INSN_MOV_DR, VMDBG_PC_CR, PRIV },
	{ 32, "mov dr7, eax", "\x0f\x23\xf8", 3, VMDBG_INSN_MOV_DR, VMDBG_PC_CR, PRIV },
	{ 64, "mov dr7, rax", "\x0f\x23\xf8", 3, VMDBG_INSN_MOV_DR, VMDBG_PC_CR, PRIV },
	{ 16, "mov eax, dr6", "\x0f\x21\xf0", 3, VMDBG_INSN_MOV_DR, VMDBG_PC_CR, PRIV },
	{ 32, "mov eax, dr6", "\x0f\x21\xf0", 3, VMDBG_INSN_MOV_DR, VMDBG_PC_CR, PRIV },
	{ 64, "mov rax, dr6", "\x0f\x21\xf0", 3, VMDBG_INSN_MOV_DR, VMDBG_PC_CR, PRIV },
	{ 16, "invlpg [bx]", "\x0f\x01\x3f", 3, VMDBG_INSN_INVLPG, VMDBG_PC_TLB, PRIV },
	{ 32, "invlpg [eax]", "\x0f\x01\x38", 3, VMDBG_INSN_INVLPG, VMDBG_PC_TLB, PRIV },
	{ 64, "invlpg [rax]", "\x0f\x01\x38", 3, VMDBG_INSN_INVLPG, VMDBG_PC_TLB, PRIV },
	{ 16, "wbinvd", "\x0f\x09", 2, VMDBG_INSN_WBINVD, VMDBG_PC_TLB, PRIV },
	{ 32, "wbinvd", "\x0f\x09", 2, VMDBG_INSN_WBINVD, VMDBG_PC_TLB, PRIV },
	{ 64, "wbinvd", "\x0f\x09", 2, VMDBG_INSN_WBINVD, VMDBG_PC_TLB, PRIV },
	{ 16, "invd", "\x0f\x08", 2, VMDBG_INSN_INVD, VMDBG_PC_TLB, PRIV },
	{ 32, "invd", "\x0f\x08", 2, VMDBG_INSN_INVD, VMDBG_PC_TLB, PRIV },
	{ 64, "invd", "\x0f\x08", 2, VMDBG_INSN_INVD, VMDBG_PC_TLB, PRIV },
	{ 16, "rdmsr", "\x0f\x32", 2, VMDBG_INSN_RDMSR, VMDBG_PC_MSR, PRIV },
	{ 32, "rdmsr", "\x0f\x32", 2, VMDBG_INSN_RDMSR, VMDBG_PC_MSR, PRIV },
	{ 64, "rdmsr", "\x0f\x32", 2, VMDBG_INSN_RDMSR, VMDBG_PC_MSR, PRIV },
	{ 16, "wrmsr", "\x0f\x30", 2, VMDBG_INSN_WRMSR, VMDBG_PC_MSR, PRIV },
	{ 32, "wrmsr", "\x0f\x30", 2, VMDBG_INSN_WRMSR, VMDBG_PC_MSR, PRIV },
	{ 64, "wrmsr", "\x0f\x30", 2, VMDBG_INSN_WRMSR, VMDBG_PC_MSR, PRIV },
	{ 64, "sysretq", "\x48\x0f\x07", 3, VMDBG_INSN_SYSRET, VMDBG_PC_SYS, PRIV },
	{ 32, "sysexit", "\x0f\x35", 2, VMDBG_INSN_SYSEXIT, VMDBG_PC_SYS, PRIV },
	{ 64, "sysexitq", "\x48\x0f\x35", 3, VMDBG_INSN_SYSEXIT, VMDBG_PC_SYS, PRIV },
	{ 64, "swapgs", "\x0f\x01\xf8", 3, VMDBG_INSN_SWAPGS, VMDBG_PC_SYS, PRIV },
	{ 16, "xsetbv", "\x0f\x01\xd1", 3, VMDBG_INSN_XSETBV, VMDBG_PC_CR, PRIV },
	{ 32, "xsetbv", "\x0f\x01\xd1", 3, VMDBG_INSN_XSETBV, VMDBG_PC_CR, PRIV },
	{ 64, "xsetbv", "\x0f\x01\xd1", 3, VMDBG_INSN_XSETBV, VMDBG_PC_CR, PRIV },
	{ 16, "pushf", "\x9c", 1, VMDBG_INSN_PUSHF, VMDBG_PC_INTR | VMDBG_PC_HOLE, HOLE },
	{ 32, "pushfd", "\x9c", 1, VMDBG_INSN_PUSHF, VMDBG_PC_INTR | VMDBG_PC_HOLE, HOLE },
	{ 64, "pushfq", "\x9c", 1, VMDBG_INSN_PUSHF, VMDBG_PC_INTR | VMDBG_PC_HOLE, HOLE },
	{ 16, "popf", "\x9d", 1, VMDBG_INSN_POPF, VMDBG_PC_INTR | VMDBG_PC_HOLE, HOLE },
	{ 32, "popfd", "\x9d", 1, VMDBG_INSN_POPF, VMDBG_PC_INTR | VMDBG_PC_HOLE, HOLE },
	{ 64, "popfq", "\x9d", 1, VMDBG_INSN_POPF, VMDBG_PC_INTR | VMDBG_PC_HOLE, HOLE },
	{ 16, "sgdt [bx]", "\x0f\x01\x07", 3, VMDBG_INSN_SGDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 32, "sgdt [eax]", "\x0f\x01\x00", 3, VMDBG_INSN_SGDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 64, "sgdt [rax]", "\x0f\x01\x00", 3, VMDBG_INSN_SGDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 16, "sidt [bx]", "\x0f\x01\x0f", 3, VMDBG_INSN_SIDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 32, "sidt [eax]", "\x0f\x01\x08", 3, VMDBG_INSN_SIDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 64, "sidt [rax]", "\x0f\x01\x08", 3, VMDBG_INSN_SIDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 16, "sldt ax", "\x0f\x00\xc0", 3, VMDBG_INSN_SLDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 32, "sldt ax", "\x66\x0f\x00\xc0", 4, VMDBG_INSN_SLDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 64, "sldt ax", "\x66\x0f\x00\xc0", 4, VMDBG_INSN_SLDT, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 16, "str ax", "\x0f\x00\xc8", 3, VMDBG_INSN_STR, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 32, "str ax", "\x66\x0f\x00\xc8", 4, VMDBG_INSN_STR, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 64, "str ax", "\x66\x0f\x00\xc8", 4, VMDBG_INSN_STR, VMDBG_PC_DESC | VMDBG_PC_HOLE, HOLE },
	{ 16, "smsw ax", "\x0f\x01\xe0", 3, VMDBG_INSN_SMSW, VMDBG_PC_HOLE, HOLE },
	{ 32, "smsw ax", "\x66\x0f\x01\xe0", 4, VMDBG_INSN_SMSW, VMDBG_PC_HOLE, HOLE },
	{ 64, "smsw ax", "\x66\x0f\x01\xe0", 4, VMDBG_INSN_SMSW, VMDBG_PC_HOLE, HOLE },
	{ 16, "smsw [bx]", "\x0f\x01\x27", 3, VMDBG_INSN_SMSW, VMDBG_PC_HOLE, HOLE },
	{ 32, "smsw [eax]", "\x0f\x01\x20", 3, VMDBG_INSN_SMSW, VMDBG_PC_HOLE, HOLE },
	{ 64, "smsw [rax]", "\x0f\x01\x20", 3, VMDBG_INSN_SMSW, VMDBG_PC_HOLE, HOLE },
	{ 16, "lar ax, bx", "\x0f\x02\xc3", 3, VMDBG_INSN_LAR, VMDBG_PC_HOLE, HOLE },
	{ 32, "lar ax, bx", "\x66\x0f\x02\xc3", 4, VMDBG_INSN_LAR, VMDBG_PC_HOLE, HOLE },
	{ 64, "lar ax, bx", "\x66\x0f\x02\xc3", 4, VMDBG_INSN_LAR, VMDBG_PC_HOLE, HOLE },
	{ 16, "lsl eax, bx", "\x66\x0f\x03\xc3", 4, VMDBG_INSN_LSL, VMDBG_PC_HOLE, HOLE },
	{ 32, "lsl eax, bx", "\x0f\x03\xc3", 3, VMDBG_INSN_LSL, VMDBG_PC_HOLE, HOLE },
	{ 64, "lsl rax, bx", "\x48\x0f\x03\xc3", 4, VMDBG_INSN_LSL, VMDBG_PC_HOLE, HOLE },
	{ 16, "verr ax", "\x0f\x00\xe0", 3, VMDBG_INSN_VERR, VMDBG_PC_HOLE, HOLE },
	{ 32, "verr ax", "\x0f\x00\xe0", 3, VMDBG_INSN_VERR, VMDBG_PC_HOLE, HOLE },
	{ 64, "verr ax", "\x0f\x00\xe0", 3, VMDBG_INSN_VERR, VMDBG_PC_HOLE, HOLE },
	{ 16, "verw [bx]", "\x0f\x00\x2f", 3, VMDBG_INSN_VERW, VMDBG_PC_HOLE, HOLE },
	{ 32, "verw [eax]", "\x0f\x00\x28", 3, VMDBG_INSN_VERW, VMDBG_PC_HOLE, HOLE },
	{ 64, "verw [rax]", "\x0f\x00\x28", 3, VMDBG_INSN_VERW, VMDBG_PC_HOLE, HOLE },
	{ 16, "mov ax, ds", "\x8c\xd8", 2, VMDBG_INSN_MOV_FROM_SREG, VMDBG_PC_HOLE, HOLE },
	{ 32, "mov ax, ds", "\x66\x8c\xd8", 3, VMDBG_INSN_MOV_FROM_SREG, VMDBG_PC_HOLE, HOLE },
	{ 64, "mov ax, ds", "\x66\x8c\xd8", 3, VMDBG_INSN_MOV_FROM_SREG, VMDBG_PC_HOLE, HOLE },
	{ 16, "mov [bx], cs", "\x8c\x0f", 2, VMDBG_INSN_MOV_FROM_SREG, VMDBG_PC_HOLE, HOLE },
	{ 32, "mov [eax], cs", "\x8c\x08", 2, VMDBG_INSN_MOV_FROM_SREG, VMDBG_PC_HOLE, HOLE },
	{ 64, "mov [rax], cs", "\x8c\x08", 2, VMDBG_INSN_MOV_FROM_SREG, VMDBG_PC_HOLE, HOLE },
	{ 16, "push ds", "\x1e", 1, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 32, "push ds", "\x1e", 1, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 16, "push cs", "\x0e", 1, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 32, "push cs", "\x0e", 1, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 16, "push fs", "\x0f\xa0", 2, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 32, "push fs", "\x0f\xa0", 2, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 64, "push fs", "\x0f\xa0", 2, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 16, "push gs", "\x0f\xa8", 2, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 32, "push gs", "\x0f\xa8", 2, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 64, "push gs", "\x0f\xa8", 2, VMDBG_INSN_PUSH_SREG, VMDBG_PC_HOLE, HOLE },
	{ 64, "syscall", "\x0f\x05", 2, VMDBG_INSN_SYSCALL, VMDBG_PC_SYS, 0 },
	{ 32, "sysenter", "\x0f\x34", 2, VMDBG_INSN_SYSENTER, VMDBG_PC_SYS, 0 },
	{ 64, "sysenter", "\x0f\x34", 2, VMDBG_INSN_SYSENTER, VMDBG_PC_SYS, 0 },
	{ 16, "int 0x80", "\xcd\x80", 2, VMDBG_INSN_INT, VMDBG_PC_SYS, 0 },
	{ 32, "int 0x80", "\xcd\x80", 2, VMDBG_INSN_INT, VMDBG_PC_SYS, 0 },
	{ 64, "int 0x80", "\xcd\x80", 2, VMDBG_INSN_INT, VMDBG_PC_SYS, 0 },
	{ 16, "int3", "\xcc", 1, VMDBG_INSN_INT3, VMDBG_PC_SYS, 0 },
	{ 32, "int3", "\xcc", 1, VMDBG_INSN_INT3, VMDBG_PC_SYS, 0 },
	{ 64, "int3", "\xcc", 1, VMDBG_INSN_INT3, VMDBG_PC_SYS, 0 },
	{ 16, "into", "\xce", 1, VMDBG_INSN_INTO, VMDBG_PC_SYS, 0 },
	{ 32, "into", "\xce", 1, VMDBG_INSN_INTO, VMDBG_PC_SYS, 0 },
	{ 16, "iret", "\xcf", 1, VMDBG_INSN_IRET, VMDBG_PC_SYS, 0 },
	{ 32, "iretd", "\xcf", 1, VMDBG_INSN_IRET, VMDBG_PC_SYS, 0 },
	{ 64, "iretq", "\x48\xcf", 2, VMDBG_INSN_IRET, VMDBG_PC_SYS, 0 },
	{ 16, "cpuid", "\x0f\xa2", 2, VMDBG_INSN_CPUID, 0, 0 },
	{ 32, "cpuid", "\x0f\xa2", 2, VMDBG_INSN_CPUID, 0, 0 },
	{ 64, "cpuid", "\x0f\xa2", 2, VMDBG_INSN_CPUID, 0, 0 },
	{ 16, "rdtsc", "\x0f\x31", 2, VMDBG_INSN_RDTSC, 0, 0 },
	{ 32, "rdtsc", "\x0f\x31", 2, VMDBG_INSN_RDTSC, 0, 0 },
	{ 64, "rdtsc", "\x0f\x31", 2, VMDBG_INSN_RDTSC, 0, 0 },
	{ 16, "rdtscp", "\x0f\x01\xf9", 3, VMDBG_INSN_RDTSCP, 0, 0 },
	{ 32, "rdtscp", "\x0f\x01\xf9", 3, VMDBG_INSN_RDTSCP, 0, 0 },
	{ 64, "rdtscp", "\x0f\x01\xf9", 3, VMDBG_INSN_RDTSCP, 0, 0 },
	{ 16, "rdpmc", "\x0f\x33", 2, VMDBG_INSN_RDPMC, 0, 0 },
	{ 32, "rdpmc", "\x0f\x33", 2, VMDBG_INSN_RDPMC, 0, 0 },
	{ 64, "rdpmc", "\x0f\x33", 2, VMDBG_INSN_RDPMC, 0, 0 },
	{ 16, "ud2", "\x0f\x0b", 2, VMDBG_INSN_UD2, 0, 0 },
	{ 32, "ud2", "\x0f\x0b", 2, VMDBG_INSN_UD2, 0, 0 },
	{ 64, "ud2", "\x0f\x0b", 2, VMDBG_INSN_UD2, 0, 0 },
	{ 16, "vmcall", "\x0f\x01\xc1", 3, VMDBG_INSN_VMCALL, 0, 0 },
	{ 32, "vmcall", "\x0f\x01\xc1", 3, VMDBG_INSN_VMCALL, 0, 0 },
	{ 64, "vmcall", "\x0f\x01\xc1", 3, VMDBG_INSN_VMCALL, 0, 0 },
	{ 16, "mov ds, ax", "\x8e\xd8", 2, VMDBG_INSN_MOV_TO_SREG, 0, 0 },
	{ 32, "mov ds, ax", "\x8e\xd8", 2, VMDBG_INSN_MOV_TO_SREG, 0, 0 },
	{ 64, "mov ds, ax", "\x8e\xd8", 2, VMDBG_INSN_MOV_TO_SREG, 0, 0 },
	{ 16, "pop ds", "\x1f", 1, VMDBG_INSN_POP_SREG, 0, 0 },
	{ 32, "pop ds", "\x1f", 1, VMDBG_INSN_POP_SREG, 0, 0 },
	{ 16, "pop fs", "\x0f\xa1", 2, VMDBG_INSN_POP_SREG, 0, 0 },
	{ 32, "pop fs", "\x0f\xa1", 2, VMDBG_INSN_POP_SREG, 0, 0 },
	{ 64, "pop fs", "\x0f\xa1", 2, VMDBG_INSN_POP_SREG, 0, 0 },
	{ 16, "mov ax, bx", "\x89\xd8", 2, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "mov eax, ebx", "\x89\xd8", 2, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "mov rax, rbx", "\x48\x89\xd8", 3, VMDBG_INSN_NONE, 0, 0 },
	{ 16, "add ax, 1", "\x83\xc0\x01", 3, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "add eax, 1", "\x83\xc0\x01", 3, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "add rax, 1", "\x48\x83\xc0\x01", 4, VMDBG_INSN_NONE, 0, 0 },
	{ 16, "nop", "\x90", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "nop", "\x90", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "nop", "\x90", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 16, "push ax", "\x50", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "push eax", "\x50", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "push rax", "\x50", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 16, "pop ax", "\x58", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "pop eax", "\x58", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "pop rax", "\x58", 1, VMDBG_INSN_NONE, 0, 0 },
	{ 16, "mov word ptr [bx], ax", "\x89\x07", 2, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "mov dword ptr [eax], eax", "\x89\x00", 2, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "mov qword ptr [rax], rax", "\x48\x89\x00", 3, VMDBG_INSN_NONE, 0, 0 },
	{ 16, "lea ax, word ptr [bx]", "\x8d\x07", 2, VMDBG_INSN_NONE, 0, 0 },
	{ 32, "lea eax, dword ptr [eax]", "\x8d\x00", 2, VMDBG_INSN_NONE, 0, 0 },
	{ 64, "lea rax, qword ptr [rax]", "\x48\x8d\x00", 3, VMDBG_INSN_NONE, 0, 0 },
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct insn_case *k = &cases[i];
		struct insn_class c;
		uint8_t buf[16];
		int ret;

		/* Trailing junk after the instruction must not matter. */
		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, k->bytes, (size_t)k->len);
		ret = classify__bytes(buf, sizeof(buf), k->mode, &c);
		if (ret != 0)
			fail_msg("%d-bit \"%s\": classify__bytes returned %d, wanted 0",
				 k->mode, k->text, ret);
		if (c.insn != k->insn || c.priv_class != k->pc || c.length != k->len ||
		    c.privileged != !!(k->flags & PRIV) || c.hole != !!(k->flags & HOLE) ||
		    c.io != !!(k->flags & IO))
			fail_msg("%d-bit \"%s\": got insn %s class 0x%x len %u priv %d hole %d io %d, "
				 "wanted insn %s class 0x%x len %d priv %d hole %d io %d",
				 k->mode, k->text, vmdbg__insn_name(c.insn), c.priv_class,
				 c.length, c.privileged, c.hole, c.io, vmdbg__insn_name(k->insn),
				 k->pc, k->len, !!(k->flags & PRIV), !!(k->flags & HOLE),
				 !!(k->flags & IO));
	}
}

static void classify(const char *bytes, size_t len, int mode, struct insn_class *c)
{
	assert_int_equal(classify__bytes((const uint8_t *)bytes, len, mode, c), 0);
}

static void test_mnemonic_and_length(void **state)
{
	struct insn_class c;

	(void)state;
	classify("\x0f\x01\x10", 3, 32, &c);		/* lgdt [eax] */
	assert_string_equal(c.mnemonic, "lgdt");
	assert_int_equal(c.length, 3);
	classify("\x48\x0f\x07", 3, 64, &c);		/* sysretq */
	assert_string_equal(c.mnemonic, "sysret");
	classify("\x89\xd8", 2, 32, &c);		/* mov eax, ebx */
	assert_string_equal(c.mnemonic, "mov");
	assert_int_equal(c.insn, VMDBG_INSN_NONE);
	assert_false(c.privileged || c.hole || c.io);
	/* The same bytes in 16-bit mode: operand size differs, class does not. */
	classify("\x9c", 1, 16, &c);
	assert_string_equal(c.mnemonic, "pushf");
	classify("\x9c", 1, 32, &c);
	assert_string_equal(c.mnemonic, "pushfd");
	classify("\x9c", 1, 64, &c);
	assert_string_equal(c.mnemonic, "pushfq");
	assert_int_equal(c.insn, VMDBG_INSN_PUSHF);
}

/* The branch flag (kvm step mode: did RIP move by itself?). */
static void test_branch(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		int mode;
		bool branch;
	} k[] = {
		{ "\x75\xfe", 2, 16, true },		/* jnz */
		{ "\xeb\xfe", 2, 32, true },		/* jmp short */
		{ "\xe3\xfe", 2, 64, true },		/* jrcxz */
		{ "\xe8\0\0\0\0", 5, 32, true },	/* call */
		{ "\xc3", 1, 64, true },		/* ret */
		{ "\xcb", 1, 32, true },		/* far ret */
		{ "\xe2\xfe", 2, 16, true },		/* loop */
		{ "\xe1\xfe", 2, 32, true },		/* loope */
		{ "\xcf", 1, 32, true },		/* iretd */
		{ "\x48\xcf", 2, 64, true },		/* iretq */
		{ "\x0f\x05", 2, 64, true },		/* syscall */
		{ "\x0f\x34", 2, 32, true },		/* sysenter */
		{ "\xcd\x80", 2, 32, true },		/* int 0x80 */
		{ "\xcc", 1, 32, true },		/* int3 */
		{ "\xce", 1, 32, true },		/* into */
		{ "\x0f\xaa", 2, 32, true },		/* rsm */
		{ "\xc8\x10\0\0", 4, 32, false },	/* enter */
		{ "\xc9", 1, 32, false },		/* leave */
		{ "\x66\x49", 2, 16, false },		/* dec ecx */
		{ "\xf4", 1, 32, false },		/* hlt */
		{ "\xe6\x80", 2, 16, false },		/* out */
		{ "\x89\xd8", 2, 32, false },		/* mov */
	};
	struct insn_class c;

	(void)state;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		classify(k[i].bytes, k[i].len, k[i].mode, &c);
		if (c.branch != k[i].branch)
			fail_msg("%d-bit %s: branch %d, wanted %d", k[i].mode, c.mnemonic, c.branch,
				 k[i].branch);
	}
}

static void test_bad_input(void **state)
{
	struct insn_class c;

	(void)state;
	/* lgdt cut off before its ModRM byte */
	assert_int_equal(classify__bytes((const uint8_t *)"\x0f\x01", 2, 32, &c), -EINVAL);
	assert_int_equal(classify__bytes((const uint8_t *)"", 0, 32, &c), -EINVAL);
	/* 0x06 (push es) does not exist in 64-bit mode */
	assert_int_equal(classify__bytes((const uint8_t *)"\x06", 1, 64, &c), -EINVAL);
	/* unknown mode */
	assert_int_equal(classify__bytes((const uint8_t *)"\xf4", 1, 8, &c), -EINVAL);
}

static enum vmdbg_classic classic_of(const char *bytes, size_t len, int mode, int cpl)
{
	struct insn_class c;

	classify(bytes, len, mode, &c);
	return classify__classic(&c, cpl);
}

static void test_classic_view(void **state)
{
	(void)state;
	/* privileged at CPL 0: the VMM emulates it; at CPL 3 it faults and
	 * the VMM reflects the #GP to the guest OS */
	assert_int_equal(classic_of("\x0f\x01\x10", 3, 32, 0), VMDBG_CLASSIC_EMULATES);
	assert_int_equal(classic_of("\x0f\x01\x10", 3, 32, 3), VMDBG_CLASSIC_REFLECTS);
	assert_int_equal(classic_of("\xf4", 1, 64, 0), VMDBG_CLASSIC_EMULATES);
	assert_int_equal(classic_of("\xf4", 1, 64, 3), VMDBG_CLASSIC_REFLECTS);
	assert_int_equal(classic_of("\x0f\x22\xd8", 3, 64, 0), VMDBG_CLASSIC_EMULATES);
	/* IOPL-sensitive ones count as trapping */
	assert_int_equal(classic_of("\xfa", 1, 32, 0), VMDBG_CLASSIC_EMULATES);
	assert_int_equal(classic_of("\xfa", 1, 32, 3), VMDBG_CLASSIC_REFLECTS);
	assert_int_equal(classic_of("\xe6\x80", 2, 16, 0), VMDBG_CLASSIC_EMULATES);
	/* holes at any CPL */
	assert_int_equal(classic_of("\x9c", 1, 32, 0), VMDBG_CLASSIC_HOLE);
	assert_int_equal(classic_of("\x9c", 1, 32, 3), VMDBG_CLASSIC_HOLE);
	assert_int_equal(classic_of("\x0f\x01\x00", 3, 64, 3), VMDBG_CLASSIC_HOLE);
	assert_int_equal(classic_of("\x0f\x01\xe0", 3, 16, 0), VMDBG_CLASSIC_HOLE);
	assert_int_equal(classic_of("\x8c\xd8", 2, 32, 3), VMDBG_CLASSIC_HOLE);
	/* system calls from the app are reflected to the guest OS */
	assert_int_equal(classic_of("\xcd\x80", 2, 32, 3), VMDBG_CLASSIC_REFLECTS);
	assert_int_equal(classic_of("\xcd\x80", 2, 32, 0), VMDBG_CLASSIC_NONE);
	assert_int_equal(classic_of("\x0f\x05", 2, 64, 3), VMDBG_CLASSIC_REFLECTS);
	assert_int_equal(classic_of("\x0f\x34", 2, 32, 3), VMDBG_CLASSIC_REFLECTS);
	assert_int_equal(classic_of("\xcc", 1, 64, 3), VMDBG_CLASSIC_REFLECTS);
	/* sysret from the OS is privileged: emulated */
	assert_int_equal(classic_of("\x48\x0f\x07", 3, 64, 0), VMDBG_CLASSIC_EMULATES);
	/* nothing special */
	assert_int_equal(classic_of("\x0f\xa2", 2, 32, 3), VMDBG_CLASSIC_NONE);
	assert_int_equal(classic_of("\x0f\x31", 2, 64, 3), VMDBG_CLASSIC_NONE);
	assert_int_equal(classic_of("\x01\xd8", 2, 32, 0), VMDBG_CLASSIC_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_mnemonic_and_length),
		cmocka_unit_test(test_branch),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_classic_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
