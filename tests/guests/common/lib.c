/*
 * lib.c - the rest of the kernels' tiny runtime: exit, panic, a frame
 * allocator, and the memset/memcpy gcc is allowed to call.
 */
#include "x86.h"
#include "kernel.h"

void debug_exit(uint8_t code)
{
	outb(PORT_DEBUG_EXIT, code);	/* vmdbg/QEMU stop here... */
	for (;;)			/* ...unless there is no such device */
		__asm__ volatile("cli; hlt");
}

void panic(const char *msg)
{
	uart_puts("[kernel] PANIC: ");
	uart_puts(msg);
	uart_putc('\n');
	debug_exit(3);
}

/* Frames come from a fixed region that is identity-mapped for the kernel,
 * so the kernel can clear a frame before handing it to the app. */
unsigned long alloc_frame(void)
{
	static unsigned long next = FRAME_POOL_START;
	unsigned long frame = next;

	if (frame >= FRAME_POOL_END)
		panic("out of physical frames");
	next += 4096;
	memset((void *)frame, 0, 4096);
	return frame;
}

/* One string instruction each: cheap to single-step and to trace. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}
