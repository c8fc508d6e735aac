/*
 * uart.c - an 8250/16450 serial port on IRQ4.
 *
 * Registers (offset from the base port; DLAB is LCR bit 7):
 *   0  RBR (read) / THR (write); DLL when DLAB=1
 *   1  IER; DLM when DLAB=1
 *   2  IIR (read) / FCR (write, ignored: a 16450 has no FIFO)
 *   3  LCR    4  MCR    5  LSR    6  MSR    7  scratch
 *
 * Transmission is instantaneous: each THR write goes straight to
 * vmm__serial_out(), so LSR always shows THRE|TEMT.  Received bytes come
 * from uart__push_input() and wait in a queue; DR is set while it is not
 * empty.  In loopback mode (MCR bit 4) THR bytes are queued back to RBR
 * instead of being sent, and the modem-status inputs follow the MCR outputs
 * (their changes set MSR's delta bits, cleared by reading MSR).
 *
 * Interrupts: IIR reports the highest-priority condition that IER enables:
 * line status (an overrun, IER bit 2) > received data (bit 0) > THR empty
 * (bit 1) > modem status (bit 3).  The THR-empty interrupt is cleared by
 * reading IIR while it reports it, or by writing THR (and, transmission
 * being instantaneous, raised again at once: a new edge per byte sent, as
 * a real UART raises it when the byte leaves).  IRQ4 follows "IIR has
 * something": vmm__raise_irq/vmm__lower_irq on each change, so every new
 * condition is an edge the PIC latches.  MCR OUT2 does not gate the line:
 * QEMU's 8250 does not gate it either, and kernels tested there rely on it
 * (xv6 writes MCR = 0, then enables receive interrupts).
 *
 * Every byte the guest reads from RBR that came from the host is reported
 * with vmm__input(VMDBG_INPUT_SERIAL) so a replay can feed the same byte at
 * the same time; loopback bytes are the guest's own and are not reported.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define UART_RX_QUEUE	4096	/* a power of two */
#define RX_LOOPBACK	0x100	/* queue entry flag: byte came from THR */

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IER_RLSI	0x04
#define UART_IER_MSI	0x08
#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define IRQ_UART0	4
#define UART_LCR_DLAB	0x80
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

struct uart {
	struct vmdbg *vm;
	uint16_t base;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_err;		/* OE, cleared by reading LSR */
	bool thri_pending;		/* THR-empty interrupt not yet acknowledged */
	uint8_t msr_delta;		/* MSR bits 0-3: changes not yet read */
	bool irq;			/* the IRQ4 line */
	unsigned rx_head, rx_tail;	/* free-running; count = tail - head */
	uint16_t rx[UART_RX_QUEUE];	/* byte | RX_LOOPBACK; last: ends at a
					 * guard page (guard__alloc) */
};

static void update_irq(struct uart *u);

static unsigned rx_count(const struct uart *u)
{
	return u->rx_tail - u->rx_head;
}

static bool rx_put(struct uart *u, uint16_t v)
{
	if (rx_count(u) >= UART_RX_QUEUE) {
		u->lsr_err |= UART_LSR_OE;
		return false;
	}
	u->rx[u->rx_tail++ % UART_RX_QUEUE] = v;
	return true;
}

static uint8_t read_rbr(struct uart *u)
{
	uint16_t v;

	if (!rx_count(u))
		return 0;
	v = u->rx[u->rx_head++ % UART_RX_QUEUE];
	if (!(v & RX_LOOPBACK))
		vmm__input(u->vm, VMDBG_INPUT_SERIAL, v & 0xff);
	return (uint8_t)v;
}

static void write_thr(struct uart *u, uint8_t c)
{
	if (u->mcr & UART_MCR_LOOP)
		rx_put(u, c | RX_LOOPBACK);
	else
		vmm__serial_out(u->vm, &c, 1);
	/* Writing THR clears THRE; sent at once, the THR is empty again and
	 * says so: the line falls and rises, one edge per byte. */
	u->thri_pending = false;
	update_irq(u);
	u->thri_pending = true;
}

/* The interrupt IIR reports now, by priority. */
static uint8_t iir(const struct uart *u)
{
	if ((u->ier & UART_IER_RLSI) && u->lsr_err)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && rx_count(u))
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && u->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void set_irq(struct uart *u, bool level)
{
	vmm__irq_line(u->vm, IRQ_UART0, &u->irq, level);
}

static void update_irq(struct uart *u)
{
	set_irq(u, iir(u) != UART_IIR_NO_INT);
}

static uint8_t read_iir(struct uart *u)
{
	uint8_t v = iir(u);

	/* Reading IIR while it reports THRE acknowledges it. */
	if (v == UART_IIR_THRI)
		u->thri_pending = false;
	return v;
}

static uint8_t read_msr(const struct uart *u)
{
	uint8_t m = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	if (u->mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

static uint8_t uart_read(struct uart *u, unsigned off)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (off) {
	case 0:
		return dlab ? u->dll : read_rbr(u);
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2:
		return read_iir(u);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		if (!rx_count(u))	/* polled empty: input welcome */
			vmm__want_input(u->vm, VMDBG_DEV_UART, false);
		v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_err;
		if (rx_count(u))
			v |= UART_LSR_DR;
		u->lsr_err = 0;
		return v;
	case 6:
		v = read_msr(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned off, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (off) {
	case 0:
		if (dlab)
			u->dll = v;
		else
			write_thr(u, v);
		break;
	case 1:
		if (dlab) {
			u->dlm = v;
		} else {
			/* Enabling the THRE interrupt raises it at once (the
			 * THR is empty), as on a real 8250. */
			if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
				u->thri_pending = true;
			u->ier = v & 0x0f;
		}
		break;
	case 2:
		break;		/* FCR: no FIFO on a 16450 */
	case 3:
		u->lcr = v;
		break;
	case 4: {
		uint8_t before = read_msr(u), after;

		u->mcr = v & 0x1f;
		after = read_msr(u);
		/* delta CTS, DSR, DCD; trailing edge of RI */
		u->msr_delta |= (uint8_t)(((before ^ after) & (UART_MSR_CTS | UART_MSR_DSR |
							       UART_MSR_DCD)) >> 4);
		if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
			u->msr_delta |= 0x04;
		break;
	}
	case 5:
	case 6:
		break;		/* LSR and MSR are read-only here */
	default:
		u->scr = v;
		break;
	}
}

/*
 * Port handler, called from vmm__io() inside the backend's run loop.  Wider
 * accesses touch only the addressed register (the low byte).
 */
static int uart_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		   bool is_write, uint32_t *val)
{
	struct uart *u = opaque;
	unsigned off = (unsigned)(port - u->base) & 7;

	(void)vm;
	(void)size;
	if (is_write)
		uart_write(u, off, (uint8_t)*val);
	else
		*val = uart_read(u, off);
	update_irq(u);
	return 0;
}

struct uart *uart__init(struct vmdbg *vm, uint16_t base)
{
	struct uart *u = guard__alloc(sizeof(*u));
	devices__register_state(vm, u, sizeof(*u));	/* time travel */

	if (!u) {
		vmm__error(vm, -ENOMEM, "UART at 0x%x: out of memory", base);
		return NULL;
	}
	u->vm = vm;
	u->base = base;
	u->lcr = 0x03;		/* 8N1, what firmware leaves behind */
	u->dll = 0x01;		/* 115200 baud */
	u->mcr = UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR;
	if (devices__register_io(vm, base, 8, VMDBG_DEV_UART, uart_io, u) < 0) {
		guard__free(u, sizeof(*u));
		return NULL;
	}
	return u;
}

void uart__exit(struct uart *u)
{
	guard__free(u, sizeof(*u));
}

/*
 * Host side: queue bytes for the guest to read from RBR.  All or nothing:
 * returns 0, or -ENOSPC (nothing queued) when the queue cannot take them
 * all, so the caller may retry once the guest has read some.
 */
int uart__push_input(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t i;

	if (!u)
		return -ENODEV;
	if (len > UART_RX_QUEUE - rx_count(u))
		return -ENOSPC;
	for (i = 0; i < len; i++)
		rx_put(u, buf[i]);
	update_irq(u);
	return 0;
}

int uart__describe(const void *opaque, char *buf, size_t len)
{
	const struct uart *u = opaque;

	return snprintf(buf, len, "uart: 0x%x ier 0x%02x lcr 0x%02x mcr 0x%02x divisor %u, "
			"%u input bytes queued", u->base, u->ier, u->lcr, u->mcr,
			u->dll | u->dlm << 8, rx_count(u));
}

bool uart__input_irq(const struct uart *u)
{
	return u->ier & UART_IER_RDI;
}
