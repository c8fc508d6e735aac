/*
 * abi.h - what the ring-3 app and the lecture kernels agree on.
 * System call numbers follow Linux: i386 for the 32-bit kernel (int 0x80 or
 * sysenter), x86-64 for the 64-bit kernel (syscall).
 */
#ifndef GUEST_ABI_H
#define GUEST_ABI_H

#ifdef __x86_64__
#define SYS_WRITE	1	/* write(rdi = fd, rsi = buf, rdx = len) */
#define SYS_EXIT	60	/* exit(rdi = code) */
#else
#define SYS_EXIT	1	/* exit(ebx = code) */
#define SYS_WRITE	4	/* write(ebx = fd, ecx = buf, edx = len) */
#endif

/* int 0x80 (32-bit kernel only); lecture32-int40 builds with 0x40, as
 * teaching kernels that use `int 64` do */
#ifndef SYSCALL_VECTOR
#define SYSCALL_VECTOR	0x80
#endif
#define STR_(x)	#x
#define STR(x)	STR_(x)		/* STR(SYSCALL_VECTOR): "0x80" */

#define ENOSYS		38
#define EBADF		9
#define EFAULT		14

/* The app lives at 4 MiB; the region at 8 MiB starts out unmapped and the
 * kernel fills it with pages on demand. */
#define USER_BASE	0x00400000UL
#define DEMAND_BASE	0x00800000UL
#define APP_STACK_SIZE	4096

#endif
