/*
 * app.c - the ring-3 application of the lecture kernels (lecture32,
 * lecture32-sysenter, lecture64).  It is linked into its own user-mode
 * region at 4 MiB and can reach the kernel only through system calls.
 *
 * It walks through the five things a lecture on trap-and-emulate is about:
 *   1. system calls   - write() a string: the kernel does the port I/O
 *   2. a page fault    - touch an unmapped page: the kernel maps one
 *   3. a privileged    - `cli`: #GP, the kernel reports it and skips it
 *      instruction
 *   4. instructions that do NOT trap in ring 3: cpuid and rdtsc (harmless
 *      here, but a VMM may want them), and the "holes" pushf, popf, sgdt and
 *      smsw: sensitive (they reveal or should change privileged state) yet
 *      unprivileged, so a classic trap-and-emulate VMM never sees them
 *   5. exit()         - the kernel ends the VM through port 0xF4
 *
 * Interesting instructions carry global labels (app_touch, app_cli,
 * app_cpuid, ...) so tests and breakpoints can name their addresses.
 * The app must not call anything outside this file: kernel code is mapped
 * supervisor-only (the build checks that app.o has no undefined symbols).
 */
#include <stdint.h>
#include "abi.h"

#define EFLAGS_IF	0x200		/* interrupt enable flag */
#define TEST_VALUE	0xC0FFEE42u

/*
 * long sys_call(long nr, long a1, long a2, long a3): the one way into the
 * kernel.  Three flavours, chosen at build time.
 */
long sys_call(long nr, long a1, long a2, long a3);

#if defined(__x86_64__)
/* syscall: rax = number, rdi/rsi/rdx = arguments; the CPU puts the return
 * RIP in rcx and RFLAGS in r11 (both clobbered; caller-saved anyway). */
__asm__(".text\n"
	".globl sys_call\n.type sys_call, @function\n"
	"sys_call:\n"
	"	mov	%rdi, %rax\n"
	"	mov	%rsi, %rdi\n"
	"	mov	%rdx, %rsi\n"
	"	mov	%rcx, %rdx\n"
	".globl app_syscall\n"
	"app_syscall:\n"
	"	syscall\n"
	"	ret\n"
	".size sys_call, . - sys_call\n");
#elif defined(USE_SYSENTER)
/* sysenter saves nothing: not the return address, not even the stack
 * pointer.  The kernel returns with sysexit to EIP = EDX, ESP = ECX.  So,
 * like Linux's vDSO, we push the address sysexit should return to and pass
 * our stack pointer in EBP: [ebp] = return address.  Arguments travel in
 * eax/ebx/ecx/edx as with int 0x80; sysexit clobbers ecx and edx. */
__asm__(".text\n"
	".globl sys_call\n.type sys_call, @function\n"
	"sys_call:\n"
	"	push	%ebx\n"
	"	push	%ebp\n"
	"	mov	12(%esp), %eax\n"
	"	mov	16(%esp), %ebx\n"
	"	mov	20(%esp), %ecx\n"
	"	mov	24(%esp), %edx\n"
	"	push	$app_sysexit_target\n"
	"	mov	%esp, %ebp\n"
	".globl app_sysenter\n"
	"app_sysenter:\n"
	"	sysenter\n"
	".globl app_sysexit_target\n"
	"app_sysexit_target:\n"
	"	add	$4, %esp\n"
	"	pop	%ebp\n"
	"	pop	%ebx\n"
	"	ret\n"
	".size sys_call, . - sys_call\n");
#else
/* int 0x80: eax = number, ebx/ecx/edx = arguments, result in eax. */
__asm__(".text\n"
	".globl sys_call\n.type sys_call, @function\n"
	"sys_call:\n"
	"	push	%ebx\n"
	"	mov	8(%esp), %eax\n"
	"	mov	12(%esp), %ebx\n"
	"	mov	16(%esp), %ecx\n"
	"	mov	20(%esp), %edx\n"
	".globl app_int80\n"
	"app_int80:\n"
	"	int	$" STR(SYSCALL_VECTOR) "\n"
	"	pop	%ebx\n"
	"	ret\n"
	".size sys_call, . - sys_call\n");
#endif

/* Stack for ring 3; the kernel points SS:ESP/RSP at its top. */
unsigned char app_stack[APP_STACK_SIZE] __attribute__((aligned(4096)));

static long write(int fd, const char *buf, unsigned long len)
{
	return sys_call(SYS_WRITE, fd, (long)buf, (long)len);
}

static __attribute__((noreturn)) void exit(int code)
{
	sys_call(SYS_EXIT, code, 0, 0);
	for (;;)
		;		/* not reached: exit does not return */
}

/* A line is built in a buffer and written with one system call. */
static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_hex(char *p, unsigned long v, int digits)
{
	*p++ = '0';
	*p++ = 'x';
	while (digits-- > 0)
		*p++ = "0123456789abcdef"[(v >> (digits * 4)) & 0xf];
	return p;
}

static void print(const char *s)
{
	const char *e = s;

	while (*e)
		e++;
	write(1, s, (unsigned long)(e - s));
}

static void print_line(char *start, char *end)
{
	*end++ = '\n';
	write(1, start, (unsigned long)(end - start));
}

void app_main(void)
{
	char line[96], *p;

	/* 1. A system call: only the kernel may do port I/O. */
	print("hello from ring 3\n");

	/* 2. Demand paging: nothing is mapped at DEMAND_BASE yet.  The store
	 *    faults (#PF, CR2 = DEMAND_BASE, error = user|write|not-present),
	 *    the kernel maps a fresh frame and the store is restarted. */
	volatile uint32_t *page = (volatile uint32_t *)DEMAND_BASE;
	__asm__ volatile(".globl app_touch\n"
			 "app_touch:\n\t"
			 "movl %1, (%0)"
			 : : "r"(page), "r"(TEST_VALUE) : "memory");
	uint32_t back = *page;
	p = put_str(line, "[app] wrote ");
	p = put_hex(p, TEST_VALUE, 8);
	p = put_str(p, " to ");
	p = put_hex(p, DEMAND_BASE, 8);
	p = put_str(p, ", read back ");
	p = put_hex(p, back, 8);
	print_line(line, p);

	/* 3. A privileged instruction in ring 3: #GP(0).  The kernel skips
	 *    it, so we simply continue with the next instruction. */
	__asm__ volatile(".globl app_cli\n"
			 "app_cli:\n\t"
			 "cli");
	print("[app] back after cli\n");

	/* 4. cpuid, rdtsc, pushf, popf, sgdt, smsw: none of them traps in
	 *    ring 3 (a VMM may still intercept cpuid and rdtsc). */
	uint32_t leaf = 0, b, c = 0, d, tsc_lo, tsc_hi;
	unsigned long fl_before, fl_after;
	struct __attribute__((packed)) {
		uint16_t limit;
		unsigned long base;	/* 4 bytes in 32-bit, 8 in 64-bit */
	} gdtr;
	uint16_t msw;

	__asm__ volatile(".globl app_cpuid\napp_cpuid:\n\tcpuid"
			 : "+a"(leaf), "=b"(b), "+c"(c), "=d"(d));
	__asm__ volatile(".globl app_rdtsc\napp_rdtsc:\n\trdtsc"
			 : "=a"(tsc_lo), "=d"(tsc_hi));
	/* pushf reads the real IF and IOPL: the app can see it is not in
	 * ring 0 with interrupts on. */
	__asm__ volatile(".globl app_pushf\napp_pushf:\n\tpushf\n\tpop %0"
			 : "=r"(fl_before));
	/* popf tries to set IF.  In ring 3 with IOPL 0 the CPU silently
	 * keeps IF as it was: no fault, so a VMM cannot emulate it. */
	__asm__ volatile("push %1\n"
			 ".globl app_popf\napp_popf:\n\tpopf\n"
			 ".globl app_pushf2\napp_pushf2:\n\tpushf\n\t"
			 "pop %0"
			 : "=r"(fl_after) : "r"(fl_before | EFLAGS_IF) : "cc");
	/* sgdt and smsw reveal privileged state (where the GDT is, CR0). */
	__asm__ volatile(".globl app_sgdt\napp_sgdt:\n\tsgdt %0" : "=m"(gdtr));
	__asm__ volatile(".globl app_smsw\napp_smsw:\n\tsmsw %0" : "=r"(msw));
	(void)b;
	(void)d;
	(void)tsc_lo;
	(void)tsc_hi;

	print("[app] cpuid and rdtsc ran in ring 3\n");
	if (fl_after & EFLAGS_IF)
		print("[app] popf set IF in ring 3 (unexpected)\n");
	else
		print("[app] popf could not set IF: ignored, no trap\n");
	p = put_str(line, "[app] sgdt: GDT at ");
	p = put_hex(p, gdtr.base, (int)sizeof(long) * 2);
	p = put_str(p, ", limit ");
	p = put_hex(p, gdtr.limit, 4);
	print_line(line, p);
	p = put_str(line, "[app] smsw: CR0 low word ");
	p = put_hex(p, msw, 4);
	print_line(line, p);

	/* 5. Done: the kernel turns exit(0) into an `out` to port 0xF4. */
	exit(0);
}
