/*
 * misc.c - the small PC devices: debug-exit, POST, CMOS/RTC and
 * vmdbg's hypercall port.
 *
 * debug-exit (0xF4): QEMU's isa-debug-exit.  Any write stops the guest with
 *   exit status value*2+1, so a guest can never report 0 by accident.
 * POST (0x80): keeps the last code written; reads return it.
 * (The i8042 and port 0x92 are in kbd.c.)
 * CMOS (0x70 index, 0x71 data): the RTC registers 0-9 (BCD or binary,
 *   24 or 12 hour per status B), status A-D, century (0x32), the memory
 *   size bytes, and plain storage for the rest of the 128 bytes.
 * hypercall (0x5010): see PORT_HYPERCALL in internal.h.
 *
 * The RTC is deterministic: it starts at 2026-01-01 00:00:00 (a Thursday)
 * and advances one second per 10^8 retired instructions on emu, or per 10^6
 * exits on kvm (where instructions are not counted), so two runs of the
 * same guest read the same dates.  Every read of a clock register is still
 * reported with vmm__input(VMDBG_INPUT_CMOS, index << 8 | byte) so a replay
 * never has to recompute it.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RTC_EPOCH_DAYS		20454	/* 2026-01-01 in days since 1970-01-01 */
#define RTC_EPOCH_WDAY		4	/* Thursday (0 = Sunday) */
#define RTC_INSNS_PER_SEC	100000000ULL
#define RTC_EXITS_PER_SEC	1000000ULL
#define CMOS_REG_A		0x0a
#define CMOS_REG_B		0x0b
#define CMOS_REG_C		0x0c
#define CMOS_REG_D		0x0d
#define CMOS_CENTURY		0x32
#define CMOS_B_24H		0x02
#define CMOS_B_BINARY		0x04

struct misc {
	uint8_t post;

	uint32_t hc_result;

	/* Last: the guest writes the index.  The struct ends at a guard page
	 * (guard__alloc), so an index past the end would fault, not read. */
	uint8_t cmos_index;
	uint8_t cmos[128];
};

/* ---- debug-exit and POST ---------------------------------------------- */

static uint32_t size_mask(int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static int debug_exit_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
			 bool is_write, uint32_t *val)
{
	uint32_t v = *val & size_mask(size);

	(void)opaque;
	(void)port;
	if (is_write)
		vmm__stop(vm, VMDBG_STOP_EXIT, (int)((v << 1) | 1),
			  "guest wrote 0x%x to the debug-exit port", v);
	/* Reads see nothing (the device is write-only): *val stays all ones. */
	return 0;
}

static int post_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		   bool is_write, uint32_t *val)
{
	struct misc *m = opaque;

	(void)vm;
	(void)port;
	(void)size;
	if (is_write)
		m->post = (uint8_t)*val;
	else
		*val = m->post;
	return 0;
}

/* ---- CMOS / RTC ------------------------------------------------------ */

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(uint64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

static uint64_t rtc_seconds(const struct vmdbg *vm)
{
	if (vm->time_is_insns)
		return vm->insns / RTC_INSNS_PER_SEC;
	return vm->exits / RTC_EXITS_PER_SEC;
}

static uint8_t rtc_encode(const struct misc *m, unsigned v)
{
	if (m->cmos[CMOS_REG_B] & CMOS_B_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

/* The clock register idx (0-9 or the century), as the guest sees it. */
static uint8_t rtc_read(struct vmdbg *vm, struct misc *m, uint8_t idx)
{
	uint64_t secs = rtc_seconds(vm);
	uint64_t days = RTC_EPOCH_DAYS + secs / 86400;
	unsigned sod = (unsigned)(secs % 86400), y, mon, d, h;

	civil_from_days(days, &y, &mon, &d);
	switch (idx) {
	case 0x00:
		return rtc_encode(m, sod % 60);
	case 0x02:
		return rtc_encode(m, sod / 60 % 60);
	case 0x04:
		h = sod / 3600;
		if (m->cmos[CMOS_REG_B] & CMOS_B_24H)
			return rtc_encode(m, h);
		/* 12-hour mode: 12, 1..11, bit 7 for PM. */
		return rtc_encode(m, (h + 11) % 12 + 1) | (h >= 12 ? 0x80 : 0);
	case 0x06:
		return rtc_encode(m, (unsigned)((days - RTC_EPOCH_DAYS + RTC_EPOCH_WDAY) % 7) + 1);
	case 0x07:
		return rtc_encode(m, d);
	case 0x08:
		return rtc_encode(m, mon);
	case 0x09:
		return rtc_encode(m, y % 100);
	default:		/* CMOS_CENTURY */
		return rtc_encode(m, y / 100);
	}
}

static bool is_clock_reg(uint8_t idx)
{
	return idx == 0 || idx == 2 || idx == 4 || (idx >= 6 && idx <= 9) ||
	       idx == CMOS_CENTURY;
}

static uint8_t cmos_read(struct vmdbg *vm, struct misc *m)
{
	uint8_t idx = m->cmos_index, v;

	if (is_clock_reg(idx)) {
		v = rtc_read(vm, m, idx);
		vmm__input(vm, VMDBG_INPUT_CMOS, (uint64_t)idx << 8 | v);
		return v;
	}
	v = m->cmos[idx];
	if (idx == CMOS_REG_C)
		m->cmos[idx] = 0;	/* reading C acknowledges the flags */
	return v;
}

static void cmos_write(struct misc *m, uint8_t v)
{
	uint8_t idx = m->cmos_index;

	/* The clock itself cannot be set (it is derived from the instruction
	 * count); C and D are read-only; A's update-in-progress bit too. */
	if (is_clock_reg(idx) || idx == CMOS_REG_C || idx == CMOS_REG_D)
		return;
	if (idx == CMOS_REG_A)
		v &= 0x7f;
	m->cmos[idx] = v;
}

static int cmos_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		   bool is_write, uint32_t *val)
{
	struct misc *m = opaque;

	(void)size;
	if (port == PORT_CMOS_INDEX) {
		/* Bit 7 masks NMIs, which vmdbg does not deliver anyway. */
		if (is_write)
			m->cmos_index = *val & 0x7f;
		else
			*val = 0xff;	/* the index register is write-only */
	} else if (is_write) {
		cmos_write(m, (uint8_t)*val);
	} else {
		*val = cmos_read(vm, m);
	}
	return 0;
}

static void cmos_init(struct misc *m, uint64_t ram_size)
{
	uint64_t ext_k = ram_size > (1 << 20) ? (ram_size - (1 << 20)) >> 10 : 0;
	uint64_t high64k = ram_size > (16 << 20) ? (ram_size - (16 << 20)) >> 16 : 0;
	uint16_t sum = 0;

	if (ext_k > 0xffff)
		ext_k = 0xffff;
	if (high64k > 0xffff)
		high64k = 0xffff;
	m->cmos[CMOS_REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	m->cmos[CMOS_REG_B] = CMOS_B_24H;
	m->cmos[CMOS_REG_D] = 0x80;	/* battery good */
	m->cmos[0x14] = 0x06;		/* equipment: FPU, VGA */
	m->cmos[0x15] = 640 & 0xff;	/* base memory in KiB */
	m->cmos[0x16] = 640 >> 8;
	m->cmos[0x17] = m->cmos[0x30] = ext_k & 0xff;	/* KiB above 1 MiB */
	m->cmos[0x18] = m->cmos[0x31] = ext_k >> 8;
	m->cmos[0x34] = high64k & 0xff;	/* 64 KiB blocks above 16 MiB */
	m->cmos[0x35] = high64k >> 8;
	/* 0x5b-0x5d: 64 KiB blocks above 4 GiB: none (--mem is at most 3 GiB) */
	/* The standard checksum over 0x10-0x2d, big-endian at 0x2e. */
	for (int i = 0x10; i <= 0x2d; i++)
		sum += m->cmos[i];
	m->cmos[0x2e] = sum >> 8;
	m->cmos[0x2f] = sum & 0xff;
}

/* ---- hypercalls ------------------------------------------------------ */

/*
 * A write of the call number runs the call; vmm__io() records it as a
 * VMDBG_TC_HYPERCALL trap.  The argument is in EBX/RBX.
 */
static int hypercall_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
			bool is_write, uint32_t *val)
{
	struct misc *m = opaque;
	struct vmdbg_regs r;
	uint32_t nr = *val & size_mask(size);
	uint64_t arg = 0;
	uint8_t c;

	(void)port;
	if (!is_write) {
		*val = m->hc_result;
		return 0;
	}
	if (vm->be && vm->be->get_regs && vm->be->get_regs(vm, &r) == 0)
		arg = r.gpr[VMDBG_RBX];
	m->hc_result = 0;
	switch (nr) {
	case HC_NOP:
	case HC_MARK:
		break;
	case HC_PUTCHAR:
		c = (uint8_t)arg;
		vmm__serial_out(vm, &c, 1);
		break;
	case HC_EXIT:
		vmm__stop(vm, VMDBG_STOP_EXIT, (int)(((uint32_t)arg << 1) | 1),
			  "guest made the exit hypercall with value 0x%x", (uint32_t)arg);
		break;
	default:
		m->hc_result = 0xffffffffu;
		break;
	}
	return 0;
}

/* ---- registration ------------------------------------------------------ */

struct port_dev {
	uint16_t base, len;
	enum vmdbg_device dev;
	io_handler_fn fn;
};

static const struct port_dev misc_ports[] = {
	{ PORT_DEBUG_EXIT, 1, VMDBG_DEV_DEBUG_EXIT, debug_exit_io },
	{ PORT_POST, 1, VMDBG_DEV_POST, post_io },
	{ PORT_CMOS_INDEX, 2, VMDBG_DEV_CMOS, cmos_io },
	{ PORT_HYPERCALL, 1, VMDBG_DEV_HYPERCALL, hypercall_io },
};

/* Called from devices__init(); on failure the port table is unchanged. */
int misc_devices__init(struct vmdbg *vm)
{
	int nr_io = vm->nr_io, ret;
	struct misc *m;
	size_t i;

	m = guard__alloc(sizeof(*m));
	devices__register_state(vm, m, sizeof(*m));	/* time travel */
	if (!m)
		return vmm__error(vm, -ENOMEM, "misc devices: out of memory");
	cmos_init(m, vm->ram_size);

	for (i = 0; i < sizeof(misc_ports) / sizeof(misc_ports[0]); i++) {
		const struct port_dev *p = &misc_ports[i];

		ret = devices__register_io(vm, p->base, p->len, p->dev, p->fn, m);
		if (ret < 0)
			goto err;
	}
	vm->misc = m;
	return 0;

err:
	vm->nr_io = nr_io;
	guard__free(m, sizeof(*m));
	return ret;
}

void misc_devices__exit(struct vmdbg *vm)
{
	guard__free(vm->misc, sizeof(struct misc));
	vm->misc = NULL;
}
