/*
 * uart.c - a polled 8250/16550 UART driver, the console of the lecture
 * kernels.  Each byte costs the guest two traps on a VMM: an `in` from the
 * line status register (is the transmitter empty?) and an `out` to the
 * transmit holding register.  That is what a real driver does, and it is
 * why serial output is a good example of trap-and-emulate.
 */
#include "x86.h"
#include "kernel.h"

#define UART_BASE	0x3F8
#define UART_THR	(UART_BASE + 0)	/* transmit holding (DLAB=0, write) */
#define UART_DLL	(UART_BASE + 0)	/* divisor latch low (DLAB=1) */
#define UART_IER	(UART_BASE + 1)	/* interrupt enable (DLAB=0) */
#define UART_DLM	(UART_BASE + 1)	/* divisor latch high (DLAB=1) */
#define UART_LCR	(UART_BASE + 3)	/* line control */
#define UART_MCR	(UART_BASE + 4)	/* modem control */
#define UART_LSR	(UART_BASE + 5)	/* line status */

#define LCR_DLAB	0x80		/* expose the divisor latch */
#define LCR_8N1		0x03		/* 8 data bits, no parity, 1 stop */
#define MCR_DTR_RTS	0x03
#define LSR_THRE	0x20		/* transmit holding register empty */

/* 115200 baud 8N1, no interrupts: six `out`s. */
void uart_init(void)
{
	outb(UART_IER, 0x00);		/* we poll; no UART interrupts */
	outb(UART_LCR, LCR_DLAB);
	outb(UART_DLL, 0x01);		/* divisor 1 = 115200 baud */
	outb(UART_DLM, 0x00);
	outb(UART_LCR, LCR_8N1);	/* also clears DLAB */
	outb(UART_MCR, MCR_DTR_RTS);
}

void uart_putc(char c)
{
	while (!(inb(UART_LSR) & LSR_THRE))
		;			/* wait until the UART can take a byte */
	outb(UART_THR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_puthex(unsigned long v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	uart_putc('0');
	uart_putc('x');
	while (digits-- > 0)
		uart_putc(hex[(v >> (digits * 4)) & 0xf]);
}
