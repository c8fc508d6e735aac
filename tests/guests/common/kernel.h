/*
 * kernel.h - what the common kernel code (uart.c, lib.c) offers to
 * kernel32.c and kernel64.c.
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/* 8250 UART at 0x3F8: a polled driver, no interrupts. */
void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);
void uart_puthex(unsigned long v, int digits);	/* "0x" + digits hex digits */

/* Ends the VM through the debug-exit port: status = code * 2 + 1. */
__attribute__((noreturn)) void debug_exit(uint8_t code);
/* Prints "[kernel] PANIC: " msg and exits with code 3 (status 7). */
__attribute__((noreturn)) void panic(const char *msg);

/* Hands out zeroed 4 KiB physical frames from FRAME_POOL_START up. */
unsigned long alloc_frame(void);

/* gcc may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
