/*
 * pit.c - the 8254 programmable interval timer: counters 0-2 at ports
 * 0x40-0x42, the control word at 0x43.  Counter 0's output drives IRQ0.
 *
 * Modelled: modes 0 (interrupt on terminal count), 2 (rate generator) and
 * 3 (square wave; 6 and 7 are their aliases), binary and BCD counts,
 * lobyte, hibyte and lobyte-then-hibyte access, the counter latch command
 * and the 8254 read-back command (count and status).  Modes 1, 4 and 5 need
 * a gate trigger or a strobe that a PC never wires to counter 0; they count
 * like mode 0 and a warning says so.  Counters 0 and 1 have their gates
 * tied high, as on a PC; counter 2's gate is bit 0 of system control port B
 * (0x61, below).  A count written while a counter runs takes effect at
 * once, not at the end of the period.
 *
 * Port 0x61 (system control port B, QEMU's pcspk): bit 0 counter 2's gate,
 * bit 1 the speaker data enable (kept, no sound), bit 4 the refresh
 * toggle, which flips on every read as in QEMU so a guest waiting for it
 * always progresses, bit 5 counter 2's output; bits 6-7 (parity and
 * channel check) read 0.  Guests time the TSC with it: gate high, counter
 * 2 in mode 0, then wait for bit 5 (Linux's PIT calibration, memtest86+).
 * A low gate stops the count in every mode (mode 2 and 3 also drive the
 * output high); a rising gate resumes modes 0 and 4 where they stopped and
 * restarts the others from their count, as in the 8254 data sheet.
 *
 * Time: the input clock is 1.193182 MHz of virtual time (vmm__vtime(): on
 * emu one instruction is one nanosecond, so a guest's timer interrupts come
 * at the same instruction on every run; on kvm, host time).  Counter 0 in
 * modes 2 and 3 gives IRQ0 one rising edge per period: vmdbg lowers and
 * raises the line at each terminal count, and periods that passed while
 * the request was still pending merge into one, as on a PC.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define PIT_HZ		1193182ULL
#define NS_PER_SEC	1000000000ULL

struct pit_chan {
	uint8_t mode, rw, bcd;
	bool armed;		/* a count was loaded: counting from start */
	bool gate_low;		/* counter 2 only: port 0x61 bit 0 is clear */
	uint64_t held;		/* gate low: the ticks counted before it fell */
	bool null_count;	/* a count was written but not loaded yet */
	uint32_t count;		/* N: 1 to 65536 (10000 in BCD) */
	uint64_t start;		/* input clock tick the count was loaded at */
	uint64_t edges;		/* counter 0: IRQ0 edges given so far */
	bool out;		/* the output level (counter 0: the IRQ0 line) */
	bool write_hi;		/* lobyte-then-hibyte: the high byte is next */
	uint8_t write_lo;
	bool read_hi;
	bool latched;		/* counter latch: reads see latch */
	bool latch_hi;
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

struct pit {
	struct vmdbg *vm;
	uint8_t port_b;		/* 0x61 bits 0-1 as written; bit 4 the toggle */
	struct pit_chan ch[3];	/* last: indexed by port; ends at a guard page */
};

static uint64_t ticks_at(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * PIT_HZ / NS_PER_SEC);
}

/* The first virtual ns at which tick t has happened. */
static uint64_t ns_of_tick(uint64_t t)
{
	unsigned __int128 ns = ((unsigned __int128)t * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static uint64_t now_ticks(const struct pit *p)
{
	return ticks_at(vmm__vtime(p->vm));
}

static bool periodic(const struct pit_chan *c)
{
	return c->mode == 2 || c->mode == 3;
}

static unsigned from_bcd(unsigned v)
{
	return (v >> 12 & 0xf) * 1000 + (v >> 8 & 0xf) * 100 + (v >> 4 & 0xf) * 10 + (v & 0xf);
}

static uint16_t to_bcd(unsigned v)
{
	v %= 10000;
	return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* The counting element at tick t, and the output level. */
static uint16_t counter_value(const struct pit_chan *c, uint64_t t, bool *out)
{
	uint64_t n = c->count, e, phase, hi;
	uint64_t v;

	if (!c->armed) {
		*out = c->out;
		return 0;
	}
	e = c->gate_low ? c->held : t - c->start;
	if (c->gate_low && periodic(c)) {
		*out = true;	/* modes 2 and 3: a low gate forces it high */
		return c->bcd ? to_bcd(c->count % 10000) : (uint16_t)c->count;
	}
	switch (c->mode) {
	case 2:			/* N .. 1, the output low during 1 */
		v = n - e % n;
		*out = v != 1 || n == 1;
		break;
	case 3:			/* twice N .. 2 in steps of two */
		phase = e % n;
		hi = (n + 1) / 2;
		*out = phase < hi;
		v = n - 2 * (phase < hi ? phase : phase - hi);
		if (v > n || v < 2)
			v = 2;
		break;
	default:		/* 0: N .. 0, then it wraps; high from 0 */
		*out = e >= n;
		v = (n - e) & 0xffff;
		if (c->bcd)
			v = (n + 10000 - e % 10000) % 10000;
		break;
	}
	if (c->bcd)
		return to_bcd((unsigned)v);
	return (uint16_t)v;
}

static void latch_count(struct pit *p, struct pit_chan *c)
{
	bool out;

	if (c->latched)
		return;		/* the first latch holds until it is read */
	c->latch = counter_value(c, now_ticks(p), &out);
	c->latched = true;
	c->latch_hi = c->rw == 2;
}

static void latch_status(struct pit *p, struct pit_chan *c)
{
	bool out;

	if (c->status_latched)
		return;
	counter_value(c, now_ticks(p), &out);
	c->status = (uint8_t)((out ? 0x80 : 0) | (c->null_count ? 0x40 : 0) | c->rw << 4 |
			      c->mode << 1 | c->bcd);
	c->status_latched = true;
}

static void set_irq0(struct pit *p, struct pit_chan *c, bool level)
{
	if (c != &p->ch[0] || c->out == level)
		return;
	c->out = level;
	if (level)
		vmm__raise_irq(p->vm, IRQ_PIT);
	else
		vmm__lower_irq(p->vm, IRQ_PIT);
}

static void control(struct pit *p, uint8_t v)
{
	unsigned sc = v >> 6, i;
	struct pit_chan *c;

	if (sc == 3) {		/* read-back: bit 5 clear latches counts, 4 status */
		for (i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & 0x20))
				latch_count(p, &p->ch[i]);
			if (!(v & 0x10))
				latch_status(p, &p->ch[i]);
		}
		return;
	}
	c = &p->ch[sc];
	if (!(v & 0x30)) {
		latch_count(p, c);
		return;
	}
	c->rw = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = v & 1;
	c->armed = false;
	c->null_count = true;
	c->write_hi = c->read_hi = false;
	c->latched = c->status_latched = false;
	if (c->mode != 0 && !periodic(c))
		vmm__log(p->vm, VMDBG_LOG_WARN,
			 "pit: counter %u mode %u is not modelled (no gate trigger); it "
			 "counts like mode 0", sc, c->mode);
	/* The control word sets the output: low in mode 0, high otherwise. */
	if (c == &p->ch[0])
		set_irq0(p, c, periodic(c));
	else
		c->out = periodic(c);
	vmm__timers_changed(p->vm);
}

static void load(struct pit *p, struct pit_chan *c, uint16_t raw)
{
	c->count = c->bcd ? from_bcd(raw) : raw;
	if (!c->count)
		c->count = c->bcd ? 10000 : 65536;
	c->start = now_ticks(p);
	c->held = 0;
	c->edges = 0;
	c->armed = true;
	c->null_count = false;
	if (!periodic(c))
		set_irq0(p, c, false);
	vmm__timers_changed(p->vm);
}

static void write_count(struct pit *p, struct pit_chan *c, uint8_t v)
{
	switch (c->rw) {
	case 1:
		load(p, c, v);
		break;
	case 2:
		load(p, c, (uint16_t)(v << 8));
		break;
	default:
		if (!c->write_hi) {
			c->write_lo = v;
			c->write_hi = true;
		} else {
			c->write_hi = false;
			load(p, c, (uint16_t)(c->write_lo | v << 8));
		}
		break;
	}
}

static uint8_t read_count(struct pit *p, struct pit_chan *c)
{
	uint16_t v;
	uint8_t b;
	bool out, hi;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		b = c->latch_hi ? c->latch >> 8 : c->latch & 0xff;
		if (c->rw == 3 && !c->latch_hi)
			c->latch_hi = true;
		else
			c->latched = false;
		return b;
	}
	v = counter_value(c, now_ticks(p), &out);
	hi = c->rw == 2 || (c->rw == 3 && c->read_hi);
	if (c->rw == 3)
		c->read_hi = !c->read_hi;
	return hi ? v >> 8 : v & 0xff;
}

static int pit_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		  bool is_write, uint32_t *val)
{
	struct pit *p = opaque;
	unsigned idx = port - PORT_PIT;

	(void)size;	/* an 8-bit device */
	/* The counters must be current before the guest looks or changes. */
	pit__poll(p, vmm__vtime(vm));
	if (idx == 3) {
		if (is_write)
			control(p, (uint8_t)*val);
		/* reading the control port: nothing drives the bus */
		return 0;
	}
	if (is_write)
		write_count(p, &p->ch[idx], (uint8_t)*val);
	else
		*val = read_count(p, &p->ch[idx]);
	return 0;
}

/* Counter 2's gate: a falling edge holds the count, a rising one resumes
 * (modes 0, 4) or restarts it (the others: the gate is their trigger). */
static void set_gate2(struct pit *p, bool high)
{
	struct pit_chan *c = &p->ch[2];
	uint64_t t = now_ticks(p);

	if (high == !c->gate_low)
		return;
	if (!high) {
		c->held = t - c->start;
		c->gate_low = true;
		return;
	}
	c->gate_low = false;
	if (c->mode == 0 || c->mode == 4)
		c->start = t - c->held;
	else
		c->start = t;
}

static int port_b_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		     bool is_write, uint32_t *val)
{
	struct pit *p = opaque;
	bool out;

	(void)vm;
	(void)port;
	(void)size;
	if (is_write) {
		p->port_b = (uint8_t)((p->port_b & 0x10) | (*val & 0x03));
		set_gate2(p, *val & 1);
		return 0;
	}
	p->port_b ^= 0x10;
	counter_value(&p->ch[2], now_ticks(p), &out);
	*val = p->port_b | (out ? 0x20 : 0);
	return 0;
}

bool pit__armed(const struct pit *p)
{
	return p->ch[0].armed;
}

void pit__poll(struct pit *p, uint64_t now)
{
	struct pit_chan *c = &p->ch[0];
	uint64_t t, e, n;

	if (!c->armed)
		return;
	t = ticks_at(now);
	e = t - c->start;
	if (!periodic(c)) {
		if (e >= c->count)
			set_irq0(p, c, true);
		return;
	}
	n = e / c->count;
	if (n > c->edges) {
		/* The terminal count: one rising edge for IRQ0. */
		c->edges = n;
		set_irq0(p, c, false);
		set_irq0(p, c, true);
	}
}

uint64_t pit__next_event(const struct pit *p)
{
	const struct pit_chan *c = &p->ch[0];

	if (!c->armed)
		return UINT64_MAX;
	if (!periodic(c))
		return c->out ? UINT64_MAX : ns_of_tick(c->start + c->count);
	return ns_of_tick(c->start + (c->edges + 1) * c->count);
}

/*
 * vmdbg has no BIOS to program the PIT: every counter starts stopped, with
 * its output high as a BIOS's rate generator would leave it, so IRQ0 sees
 * no edge until the guest loads a count.
 */
struct pit *pit__init(struct vmdbg *vm)
{
	struct pit *p = guard__alloc(sizeof(*p));
	devices__register_state(vm, p, sizeof(*p));	/* time travel */

	if (!p) {
		vmm__error(vm, -ENOMEM, "pit: out of memory");
		return NULL;
	}
	p->vm = vm;
	for (int i = 0; i < 3; i++) {
		p->ch[i].mode = 2;
		p->ch[i].rw = 3;
		p->ch[i].out = true;
	}
	/* QEMU's reset value: gate and speaker off, counter 2 stopped */
	p->ch[2].gate_low = true;
	if (devices__register_io(vm, PORT_PIT, 4, VMDBG_DEV_PIT, pit_io, p) < 0 ||
	    devices__register_io(vm, PORT_SYSCTL_B, 1, VMDBG_DEV_PIT, port_b_io, p) < 0) {
		guard__free(p, sizeof(*p));
		return NULL;
	}
	vm->pit = p;
	vmm__timers_changed(vm);
	return p;
}

void pit__exit(struct pit *p)
{
	if (!p)
		return;
	p->vm->pit = NULL;
	vmm__timers_changed(p->vm);
	guard__free(p, sizeof(*p));
}

int pit__describe(const void *opaque, char *buf, size_t len)
{
	const struct pit *p = opaque;
	const struct pit_chan *c = &p->ch[0];
	uint64_t next = pit__next_event(p);

	if (!c->armed)
		return snprintf(buf, len, "pit: counter 0 mode %u, no count loaded (IRQ0 quiet)",
				c->mode);
	return snprintf(buf, len, "pit: counter 0 mode %u count %u (%.1f Hz), IRQ0 %s, next "
			"edge at %s%llu ns", c->mode, c->count, (double)PIT_HZ / c->count,
			c->out ? "high" : "low", next == UINT64_MAX ? "(none) " : "",
			next == UINT64_MAX ? 0ULL : (unsigned long long)next);
}
