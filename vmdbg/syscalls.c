/*
 * syscalls.c - Linux system-call names, i386 (int 0x80, sysenter) and
 * x86-64 (syscall), for `catch syscall write` and for naming calls in trap
 * records.  The tables are generated at build time from the kernel
 * headers Debian ships (linux-libc-dev's asm/unistd_32.h and unistd_64.h;
 * see the Makefile), so they are Linux's own numbers, not a copy.  The
 * lecture guests use the same numbers (tests/guests/common/abi.h).
 */
#include "vmdbg/vmdbg.h"

#include <stddef.h>
#include <string.h>

struct sysname {
	const char *name;
	int nr;
};

static const struct sysname i386_calls[] = {
#define SYSCALL_TABLE_I386
#include "syscall_tables.h"
#undef SYSCALL_TABLE_I386
};

static const struct sysname x86_64_calls[] = {
#define SYSCALL_TABLE_X86_64
#include "syscall_tables.h"
#undef SYSCALL_TABLE_X86_64
};

static const struct sysname *table(enum vmdbg_abi abi, size_t *n)
{
	if (abi == VMDBG_ABI_X86_64) {
		*n = sizeof(x86_64_calls) / sizeof(x86_64_calls[0]);
		return x86_64_calls;
	}
	*n = sizeof(i386_calls) / sizeof(i386_calls[0]);
	return i386_calls;
}

const char *vmdbg__syscall_name(enum vmdbg_abi abi, long nr)
{
	size_t n;
	const struct sysname *t = table(abi, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

long vmdbg__syscall_number(enum vmdbg_abi abi, const char *name)
{
	size_t n;
	const struct sysname *t = table(abi, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].nr;
	return -1;
}
