/*
 * test_trace.c - trace files: round trips (every field, 64-bit extremes),
 * the size of a realistic I/O-heavy trace, cut-off and damaged files, and
 * hostile lengths.  No KVM needed.
 */
#include "traces/trace.h"
#include "traces/codec.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#define assert_contains(hay, needle) do {					\
	const char *h_ = (hay);							\
	if (!h_ || !strstr(h_, (needle)))					\
		fail_msg("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", (needle)); \
} while (0)

/* ---- helpers ------------------------------------------------------------ */

static char *tmp_path(void)
{
	char *p = strdup("/tmp/vmdbg-test-trace-XXXXXX");
	int fd;

	assert_non_null(p);
	fd = mkstemp(p);
	if (fd < 0)
		fail_msg("mkstemp %s failed", p);
	close(fd);
	return p;
}

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void fill_header(struct trace_header *h)
{
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < 32; i++)
		h->image_sha256[i] = (uint8_t)(i * 7 + 1);
	h->mem_size = 64ull << 20;
	h->flags = TRACE_F_STEP_MODE;
	h->created = 1700000000;
	strcpy(h->backend, "emu");
	strcpy(h->load_opts, "--load 0x100000 --entry 0x100000 --mode 32");
	strcpy(h->image_name, "lecture32.elf");
	h->ndisks = 2;
	h->disks[0] = (struct trace_disk){ .index = 0, .snapshot = 1, .size = 1474560 };
	h->disks[1] = (struct trace_disk){ .index = 3, .snapshot = 0, .size = 512 };
	memset(h->disks[1].sha256, 0xab, 32);
	strcpy(h->disks[0].name, "guest.img");
	strcpy(h->disks[1].name, "fs.img");
	strcpy(h->cmdline, "console=ttyS0 init=/bin/sh");
	h->nfiles = 2;
	h->files[0] = (struct trace_file){ .kind = TRACE_FILE_MODULE, .size = 4096 };
	h->files[1] = (struct trace_file){ .kind = TRACE_FILE_INITRD, .size = 77 };
	memset(h->files[1].sha256, 0xcd, 32);
	strcpy(h->files[0].spec, "init.elf arg1 arg2");
	strcpy(h->files[1].spec, "initrd.cpio.gz");
}

static struct trace_writer *open_writer(const char *path)
{
	struct trace_header h;
	char err[256];
	struct trace_writer *w;

	fill_header(&h);
	w = trace_writer__open(path, &h, err, sizeof(err));
	if (!w)
		fail_msg("trace_writer__open: %s", err);
	return w;
}

static struct trace_reader *open_reader(const char *path)
{
	char err[256];
	struct trace_reader *r = trace_reader__open(path, err, sizeof(err));

	if (!r)
		fail_msg("trace_reader__open: %s", err);
	return r;
}

/* Expect open to fail with a message containing want. */
static void expect_open_error(const char *path, const char *want)
{
	char err[256] = "";
	struct trace_reader *r = trace_reader__open(path, err, sizeof(err));

	if (r) {
		trace_reader__close(r);
		fail_msg("opened a bad trace; wanted an error containing \"%s\"", want);
	}
	assert_contains(err, want);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A value that is often 0, small, or an extreme. */
static uint64_t rnd_value(void)
{
	static const uint64_t ext[] = { 0, 1, UINT64_MAX, UINT64_MAX - 1, 1ull << 63,
					(1ull << 63) - 1, 0xffffffffull, 0x100000000ull };

	switch (rnd() % 4) {
	case 0: return ext[rnd() % 8];
	case 1: return rnd() % 300;
	case 2: return 0;
	default: return rnd() >> (rnd() % 64);
	}
}

static void assert_trap_equal(const struct vmdbg_trap *a, const struct vmdbg_trap *b)
{
#define F(f) if (a->f != b->f)							\
		fail_msg("trap seq %llu: field " #f " wrote 0x%llx, read 0x%llx",	\
			 (unsigned long long)a->seq, (unsigned long long)a->f,	\
			 (unsigned long long)b->f)
	F(seq); F(time); F(rip); F(addr); F(value); F(handler); F(cr2);
	F(error_code); F(vector); F(insn); F(cls); F(disposition); F(classic);
	F(device); F(cpl); F(dir); F(size); F(mode); F(has_error); F(time_is_insns); F(count); F(cpu);
#undef F
}

/* ---- round trip --------------------------------------------------------- */

struct expect {
	enum trace_item_kind kind;
	struct vmdbg_trap trap;
	uint64_t time, value;
	uint32_t input_kind;
	size_t off, len;		/* serial: slice of serial_bytes */
};

static uint8_t serial_bytes[20000];

static void test_round_trip(void **state)
{
	enum { N = 20000 };
	struct expect *ex = calloc(N, sizeof(*ex));
	char *path = tmp_path();
	struct trace_writer *w = open_writer(path);
	struct trace_reader *r;
	struct trace_item it;
	struct trace_end end = { .reason = VMDBG_STOP_EXIT, .exit_status = -7,
				 .insn_count = UINT64_MAX, .exit_count = 12345,
				 .rip = 0xffffffff80001234ull };
	uint64_t seq = 0;
	int n = 0;

	(void)state;
	assert_non_null(ex);
	strcpy(end.msg, "guest wrote 3 to port 0xf4");
	for (size_t i = 0; i < sizeof(serial_bytes); i++)
		serial_bytes[i] = (uint8_t)rnd();
	for (int i = 0; i < N; i++) {
		struct expect *e = &ex[i];
		unsigned pick = (unsigned)(rnd() % 20);

		if (pick == 0) {
			e->kind = TRACE_ITEM_INPUT;
			e->input_kind = 1 + (uint32_t)(rnd() % 4);
			e->time = rnd_value();
			e->value = rnd_value();
			assert_int_equal(trace_writer__add_input(w, e->input_kind, e->time,
								 e->value), 0);
		} else if (pick == 1) {
			e->kind = TRACE_ITEM_SERIAL;
			e->time = rnd_value();
			e->off = rnd() % 1000;
			e->len = 1 + rnd() % TRACE_SERIAL_MAX;
			assert_int_equal(trace_writer__add_serial(w, e->time, serial_bytes + e->off,
								  e->len), 0);
		} else {
			struct vmdbg_trap *t = &e->trap;

			e->kind = TRACE_ITEM_TRAP;
			seq = rnd() % 50 ? seq + 1 : rnd_value();
			t->seq = seq;
			t->time = rnd() % 3 ? (uint64_t)i * 10 + rnd() % 7 : rnd_value();
			t->rip = rnd() % 3 ? 0xc0100000 + rnd() % 64 : rnd_value();
			t->addr = rnd() % 2 ? 0x3f8 + rnd() % 8 : rnd_value();
			t->value = rnd_value();
			t->handler = rnd() % 3 ? 0 : rnd_value();
			t->cr2 = rnd() % 5 ? 0 : rnd_value();
			t->error_code = rnd() % 5 ? 0 : (uint32_t)rnd_value();
			t->vector = (uint16_t)(rnd() % 4 ? rnd() % 256 : rnd());
			t->insn = (uint16_t)(rnd() % 4 ? rnd() % VMDBG_INSN__COUNT : rnd());
			t->cls = (uint8_t)(rnd() % 4 ? rnd() % VMDBG_TC__COUNT : rnd());
			t->disposition = (uint8_t)(rnd() % 4 ? rnd() % 4 : rnd());
			t->classic = (uint8_t)(rnd() % 4);
			t->device = (uint8_t)rnd();
			t->cpl = (uint8_t)(rnd() % 2 ? 0 : rnd() % 2 ? 3 : rnd());
			t->dir = (uint8_t)(rnd() % 3);
			t->size = (uint8_t)(1u << (rnd() % 4));
			t->mode = (uint8_t)(rnd() % 8 ? 32 : rnd());
			t->has_error = (uint8_t)(rnd() % 2 ? rnd() % 2 : rnd());
			t->time_is_insns = (uint8_t)(rnd() % 2);
			/* string I/O: a COUNT record before the trap (1.1) */
			t->count = rnd() % 8 ? 0 : rnd() % 2 ? 1 + (uint32_t)(rnd() % 256) :
				   (uint32_t)rnd_value();
			/* several CPUs: a CPU record when it changes (1.2) */
			t->cpu = (uint8_t)(rnd() % 4 ? 0 : rnd() % 8);
			if (i == 100)	/* every field at its maximum, then all zero */
				memset(t, 0xff, sizeof(*t));
			if (i == 101)
				memset(t, 0, sizeof(*t));
			seq = t->seq;
			assert_int_equal(trace_writer__add_trap(w, t), 0);
		}
		if (i % 5000 == 4999)
			assert_int_equal(trace_writer__flush(w), 0);
	}
	assert_int_equal(trace_writer__close(w, &end), 0);

	r = open_reader(path);
	assert_int_equal(trace_reader__header(r)->version_major, TRACE_VERSION_MAJOR);
	assert_int_equal(trace_reader__header(r)->mem_size, 64ull << 20);
	assert_int_equal(trace_reader__header(r)->flags, TRACE_F_STEP_MODE);
	assert_int_equal(trace_reader__header(r)->created, 1700000000);
	assert_int_equal(trace_reader__header(r)->image_sha256[31], (uint8_t)(31 * 7 + 1));
	assert_string_equal(trace_reader__header(r)->backend, "emu");
	assert_string_equal(trace_reader__header(r)->image_name, "lecture32.elf");
	assert_string_equal(trace_reader__header(r)->load_opts,
			    "--load 0x100000 --entry 0x100000 --mode 32");
	assert_contains(trace_reader__header(r)->creator, "vmdbg");
	assert_int_equal(trace_reader__header(r)->version_minor, TRACE_VERSION_MINOR);
	assert_int_equal(trace_reader__header(r)->ndisks, 2);
	assert_string_equal(trace_reader__header(r)->cmdline, "console=ttyS0 init=/bin/sh");
	assert_string_equal(trace_reader__header(r)->append, "");
	assert_int_equal(trace_reader__header(r)->nfiles, 2);
	assert_int_equal(trace_reader__header(r)->files[0].kind, TRACE_FILE_MODULE);
	assert_string_equal(trace_reader__header(r)->files[0].spec, "init.elf arg1 arg2");
	assert_int_equal(trace_reader__header(r)->files[0].size, 4096);
	assert_int_equal(trace_reader__header(r)->files[1].kind, TRACE_FILE_INITRD);
	assert_int_equal(trace_reader__header(r)->files[1].sha256[31], 0xcd);
	assert_int_equal(trace_reader__header(r)->disks[0].size, 1474560);
	assert_int_equal(trace_reader__header(r)->disks[0].snapshot, 1);
	assert_int_equal(trace_reader__header(r)->disks[1].index, 3);
	assert_int_equal(trace_reader__header(r)->disks[1].sha256[31], 0xab);
	assert_string_equal(trace_reader__header(r)->disks[0].name, "guest.img");
	assert_string_equal(trace_reader__header(r)->disks[1].name, "fs.img");
	for (n = 0; n < N; n++) {
		struct expect *e = &ex[n];

		assert_int_equal(trace_reader__next(r, &it), 1);
		assert_int_equal(it.kind, e->kind);
		if (e->kind == TRACE_ITEM_TRAP) {
			assert_trap_equal(&e->trap, &it.trap);
		} else if (e->kind == TRACE_ITEM_INPUT) {
			assert_int_equal(it.input.kind, e->input_kind);
			assert_int_equal(it.input.time, e->time);
			assert_int_equal(it.input.value, e->value);
		} else {
			assert_int_equal(it.serial.time, e->time);
			assert_int_equal(it.serial.len, e->len);
			assert_memory_equal(it.serial.data, serial_bytes + e->off, e->len);
		}
	}
	assert_int_equal(trace_reader__next(r, &it), 1);
	assert_int_equal(it.kind, TRACE_ITEM_END);
	assert_int_equal(it.end.reason, VMDBG_STOP_EXIT);
	assert_int_equal(it.end.exit_status, -7);
	assert_int_equal(it.end.insn_count, UINT64_MAX);
	assert_int_equal(it.end.exit_count, 12345);
	assert_int_equal(it.end.rip, 0xffffffff80001234ull);
	assert_string_equal(it.end.msg, "guest wrote 3 to port 0xf4");
	assert_int_equal(trace_reader__next(r, &it), 0);
	assert_null(trace_reader__warning(r));
	assert_string_equal(trace_reader__error(r), "");
	trace_reader__close(r);
	unlink(path);
	free(path);
	free(ex);
}

/* 1.0 and 1.1 header bodies (no disk list; no command lines and boot
 * files) still read, and a 1.2 one with bad counts is refused. */
static void test_header_v10(void **state)
{
	struct trace_header h, back;
	uint8_t buf[TRACE_HEADER_MAX];
	char err[256];
	size_t body, v11;

	(void)state;
	fill_header(&h);
	h.ndisks = 0;
	h.cmdline[0] = 0;
	h.nfiles = 0;
	codec__encode_header(&h, buf);
	body = get_le32(buf + 12);
	/* 1.2 appended two empty strings and a 0 file count, 1.1 one byte
	 * (0 disks) before them */
	v11 = body - 5;
	assert_memory_equal(buf + TRACE_FIXED_LEN + v11, "\0\0\0\0\0", 5);
	assert_int_equal(buf[TRACE_FIXED_LEN + v11 - 1], 0);
	memset(&back, 0, sizeof(back));
	back.ndisks = 7;
	assert_int_equal(codec__decode_header_body(buf + TRACE_FIXED_LEN, v11 - 1, &back,
						   err, sizeof(err)), 0);
	assert_int_equal(back.ndisks, 7);	/* untouched: the reader zeroes it first */
	assert_string_equal(back.image_name, "lecture32.elf");
	back.nfiles = 9;
	assert_int_equal(codec__decode_header_body(buf + TRACE_FIXED_LEN, v11, &back,
						   err, sizeof(err)), 0);
	assert_int_equal(back.ndisks, 0);
	assert_int_equal(back.nfiles, 9);	/* a 1.1 body: untouched */
	/* a disk list that claims too many */
	buf[TRACE_FIXED_LEN + v11 - 1] = 5;
	assert_int_equal(codec__decode_header_body(buf + TRACE_FIXED_LEN, body, &back, err,
						   sizeof(err)), -EBADMSG);
	assert_contains(err, "header says 5 disks, at most 4");
	buf[TRACE_FIXED_LEN + v11 - 1] = 0;
	/* a file list that claims too many, or ends early */
	buf[TRACE_FIXED_LEN + body - 1] = TRACE_MAX_FILES + 1;
	assert_int_equal(codec__decode_header_body(buf + TRACE_FIXED_LEN, body, &back, err,
						   sizeof(err)), -EBADMSG);
	assert_contains(err, "boot files, at most");
	buf[TRACE_FIXED_LEN + body - 1] = 1;
	assert_int_equal(codec__decode_header_body(buf + TRACE_FIXED_LEN, body, &back, err,
						   sizeof(err)), -EBADMSG);
	assert_contains(err, "header ends inside boot file 0");
}

/* A serial buffer longer than one record is split and comes back whole. */
static void test_serial_split(void **state)
{
	char *path = tmp_path();
	struct trace_writer *w = open_writer(path);
	struct trace_reader *r;
	struct trace_item it;
	size_t got = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(serial_bytes); i++)
		serial_bytes[i] = (uint8_t)(i * 31);
	assert_int_equal(trace_writer__add_serial(w, 77, serial_bytes, sizeof(serial_bytes)), 0);
	assert_int_equal(trace_writer__add_serial(w, 78, serial_bytes, 0), 0);
	assert_int_equal(trace_writer__close(w, NULL), 0);
	r = open_reader(path);
	while (trace_reader__next(r, &it) == 1) {
		assert_int_equal(it.kind, TRACE_ITEM_SERIAL);
		assert_int_equal(it.serial.time, 77);
		assert_true(it.serial.len <= TRACE_SERIAL_MAX);
		assert_memory_equal(it.serial.data, serial_bytes + got, it.serial.len);
		got += it.serial.len;
	}
	assert_int_equal(got, sizeof(serial_bytes));
	/* closed without an END record: reads like a writer that was killed */
	assert_contains(trace_reader__warning(r), "without an END record");
	trace_reader__close(r);
	unlink(path);
	free(path);
}

/* Notes come back in place, cut at TRACE_NOTE_MAX bytes. */
static void test_notes(void **state)
{
	char *path = tmp_path(), long_note[400];
	struct trace_writer *w = open_writer(path);
	struct trace_reader *r;
	struct trace_item it;

	(void)state;
	memset(long_note, 'x', sizeof(long_note) - 1);
	long_note[sizeof(long_note) - 1] = 0;
	assert_int_equal(trace_writer__add_serial(w, 1, (const uint8_t *)"a", 1), 0);
	assert_int_equal(trace_writer__add_note(w, "the guest is polling port 0x1f7"), 0);
	assert_int_equal(trace_writer__add_note(w, long_note), 0);
	assert_int_equal(trace_writer__add_serial(w, 2, (const uint8_t *)"b", 1), 0);
	assert_int_equal(trace_writer__close(w, NULL), 0);
	r = open_reader(path);
	assert_int_equal(trace_reader__header(r)->version_minor, TRACE_VERSION_MINOR);
	assert_int_equal(trace_reader__next(r, &it), 1);
	assert_int_equal(it.kind, TRACE_ITEM_SERIAL);
	assert_int_equal(trace_reader__next(r, &it), 1);
	assert_int_equal(it.kind, TRACE_ITEM_NOTE);
	assert_string_equal(it.note, "the guest is polling port 0x1f7");
	assert_int_equal(trace_reader__next(r, &it), 1);
	assert_int_equal(it.kind, TRACE_ITEM_NOTE);
	assert_int_equal(strlen(it.note), TRACE_NOTE_MAX);
	assert_int_equal(trace_reader__next(r, &it), 1);
	assert_int_equal(it.kind, TRACE_ITEM_SERIAL);
	assert_int_equal(it.serial.data[0], 'b');
	trace_reader__close(r);
	unlink(path);
	free(path);
}

/* ---- size of a realistic trace ------------------------------------------ */

struct sim {
	struct trace_writer *w;
	uint64_t seq, time;
	int kvm;			/* time counts exits, not instructions */
	uint64_t traps;
};

static void sim_trap(struct sim *s, struct vmdbg_trap t, unsigned insns)
{
	s->time += s->kvm ? 1 : insns;
	t.seq = s->seq++;
	t.time = s->time;
	t.time_is_insns = !s->kvm;
	t.mode = VMDBG_MODE_PROT32;
	assert_int_equal(trace_writer__add_trap(s->w, &t), 0);
	s->traps++;
}

static void sim_io(struct sim *s, uint64_t rip, uint16_t port, int out, uint64_t val,
		   uint8_t dev, unsigned insns)
{
	sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_IO, .rip = rip, .addr = port,
		 .dir = out ? VMDBG_DIR_OUT : VMDBG_DIR_IN, .size = 1, .value = val,
		 .device = dev, .disposition = VMDBG_DISP_EMULATED,
		 .classic = VMDBG_CLASSIC_EMULATES, .insn = out ? VMDBG_INSN_OUT : VMDBG_INSN_IN },
		 insns);
}

/* The kernel's polled UART driver: wait for THRE, write the byte. */
static void sim_puts(struct sim *s, const char *str)
{
	assert_int_equal(trace_writer__add_serial(s->w, s->time, (const uint8_t *)str,
						  strlen(str)), 0);
	for (; *str; str++) {
		unsigned polls = (*str == '\n') ? 3 : 1;	/* FIFO drains */

		for (unsigned i = 0; i < polls; i++)
			sim_io(s, 0xc0101a2c, 0x3fd, 0, i + 1 == polls ? 0x60 : 0x00,
			       VMDBG_DEV_UART, 9);
		sim_io(s, 0xc0101a3b, 0x3f8, 1, (uint8_t)*str, VMDBG_DEV_UART, 6);
	}
}

/* A timer tick: the interrupt, the handler's EOI to the PIC, iret. */
static void sim_tick(struct sim *s, int from_app, uint64_t rip)
{
	assert_int_equal(trace_writer__add_input(s->w, VMDBG_INPUT_IRQ, s->time + 1, 0x20), 0);
	sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_INTERRUPT, .vector = 0x20,
		 .rip = rip, .cpl = from_app ? 3 : 0, .disposition = VMDBG_DISP_REFLECTED,
		 .handler = 0xc0100840 }, 1);
	sim_io(s, 0xc0100871, 0x20, 1, 0x20, VMDBG_DEV_PIC, 14);
	sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_RETURN, .insn = VMDBG_INSN_IRET,
		 .rip = 0xc010087f, .handler = rip, .disposition = VMDBG_DISP_HARDWARE }, 5);
}

static void sim_syscall(struct sim *s, uint64_t rip, uint64_t nr)
{
	sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_SOFTINT, .insn = VMDBG_INSN_INT,
		 .vector = 0x80, .addr = nr, .rip = rip, .cpl = 3,
		 .disposition = VMDBG_DISP_REFLECTED, .classic = VMDBG_CLASSIC_REFLECTS,
		 .handler = 0xc0100900 }, 40);
}

static void sim_sysret(struct sim *s, uint64_t rip)
{
	sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_RETURN, .insn = VMDBG_INSN_IRET,
		 .rip = 0xc010093e, .handler = rip + 2, .disposition = VMDBG_DISP_HARDWARE,
		 .classic = VMDBG_CLASSIC_EMULATES }, 20);
}

static void sim_run(struct sim *s)
{
	static const char *const lines[] = {
		"lecture32: paging on, 4 MiB identity mapped\n",
		"app: hello from ring 3 via int 0x80\n",
		"kernel: #PF at 0x40001000, mapping a fresh page\n",
		"kernel: #GP from cli in ring 3, skipping the instruction\n",
		"app: cpuid says GenuineIntel, rdtsc ticks\n",
	};
	uint64_t app_rip = 0x08048100;

	for (int round = 0; round < 400; round++) {
		/* the app writes a line with a system call; the kernel prints it */
		sim_syscall(s, app_rip, 4);
		sim_puts(s, lines[round % 5]);
		sim_sysret(s, app_rip);
		app_rip += 0x23;
		if (app_rip > 0x08048800)
			app_rip = 0x08048100;
		if (round % 3 == 0)
			sim_tick(s, 1, app_rip + 7);
		if (round % 4 == 0) {	/* demand paging */
			uint64_t page = 0x40000000 + (uint64_t)round * 0x1000;

			sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_EXCEPTION, .vector = 14,
				 .has_error = 1, .error_code = 6, .cr2 = page + 0x10,
				 .rip = app_rip + 3, .cpl = 3, .handler = 0xc0100a00,
				 .disposition = VMDBG_DISP_REFLECTED,
				 .classic = VMDBG_CLASSIC_REFLECTS }, 30);
			sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_RETURN,
				 .insn = VMDBG_INSN_IRET, .rip = 0xc0100a7e, .handler = app_rip + 3,
				 .disposition = VMDBG_DISP_HARDWARE }, 60);
		}
		if (round % 10 == 0) {	/* cli in ring 3, cpuid */
			sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_EXCEPTION, .vector = 13,
				 .has_error = 1, .rip = app_rip + 9, .cpl = 3, .handler = 0xc0100b00,
				 .insn = VMDBG_INSN_CLI, .disposition = VMDBG_DISP_REFLECTED,
				 .classic = VMDBG_CLASSIC_REFLECTS }, 12);
			sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_CPUID, .addr = 0,
				 .rip = app_rip + 12, .cpl = 3, .device = VMDBG_DEV_CPU,
				 .insn = VMDBG_INSN_CPUID, .disposition = VMDBG_DISP_EMULATED,
				 .classic = VMDBG_CLASSIC_EMULATES }, 8);
		}
		if (round % 50 == 49)	/* the idle loop */
			sim_trap(s, (struct vmdbg_trap){ .cls = VMDBG_TC_HLT, .rip = 0xc0100100,
				 .insn = VMDBG_INSN_HLT, .device = VMDBG_DEV_CPU,
				 .disposition = VMDBG_DISP_EMULATED,
				 .classic = VMDBG_CLASSIC_EMULATES }, 3);
	}
}

static double measure(int kvm)
{
	char *path = tmp_path();
	struct sim s = { .kvm = kvm };
	struct trace_end end = { .reason = VMDBG_STOP_EXIT, .exit_status = 1 };
	size_t len;
	uint8_t *buf;
	double per_trap;

	s.w = open_writer(path);
	sim_run(&s);
	end.exit_count = s.traps;
	assert_int_equal(trace_writer__close(s.w, &end), 0);
	buf = read_file(path, &len);
	per_trap = (double)len / (double)s.traps;
	print_message("realistic I/O-heavy trace (%s time): %llu traps, %zu bytes, "
		      "%.2f bytes per trap (everything included: header, chunks, "
		      "serial, inputs)\n", kvm ? "exit" : "instruction",
		      (unsigned long long)s.traps, len, per_trap);
	free(buf);
	unlink(path);
	free(path);
	return per_trap;
}

static void test_bytes_per_trap(void **state)
{
	(void)state;
	assert_true(measure(0) <= 16.0);
	assert_true(measure(1) <= 16.0);
}

/* ---- cut off and damaged files ---------------------------------------- */

/* Three chunks of 10 traps (and a SUMMARY each), a serial record in the
 * last, END, and the chunk directory at chunk_off[3]. */
static size_t make_three_chunks(const char *path, size_t chunk_off[4])
{
	struct trace_writer *w = open_writer(path);
	struct trace_end end = { .reason = VMDBG_STOP_EXIT, .exit_status = 3 };
	struct chunk_hdr ch;
	uint8_t *buf;
	size_t len, off;

	for (int i = 0; i < 30; i++) {
		struct vmdbg_trap t = { .seq = (uint64_t)i, .time = (uint64_t)i * 13,
					.rip = 0x7c00 + (uint64_t)i, .addr = 0x3f8,
					.value = 'a' + (uint64_t)i, .cls = VMDBG_TC_IO,
					.dir = VMDBG_DIR_OUT, .size = 1 };

		assert_int_equal(trace_writer__add_trap(w, &t), 0);
		if (i % 10 == 9 && i < 29)
			assert_int_equal(trace_writer__flush(w), 0);
	}
	assert_int_equal(trace_writer__add_serial(w, 400, (const uint8_t *)"ok\n", 3), 0);
	assert_int_equal(trace_writer__close(w, &end), 0);

	/* walk the chunk headers without decoding any payload */
	buf = read_file(path, &len);
	off = TRACE_FIXED_LEN + get_le32(buf + 12) + 4;
	for (int i = 0; i < 3; i++) {
		assert_true(off + CHUNK_HDR_LEN <= len);
		chunk_off[i] = off;
		codec__get_chunk_hdr(buf + off, &ch);
		assert_memory_equal(buf + off, CHUNK_MAGIC, 4);
		assert_int_equal(ch.first_seq, (uint64_t)i * 10);
		assert_int_equal(ch.first_rec, (uint64_t)i * 11);
		assert_int_equal(ch.ntraps, 10);
		assert_int_equal(ch.nrec, i < 2 ? 11 : 13);
		assert_int_equal(ch.base_time, (uint64_t)i * 130);
		assert_int_equal(buf[off + CHUNK_HDR_LEN], REC_SUMMARY);
		off += CHUNK_HDR_LEN + ch.payload_len;
	}
	/* 1.2: the directory, a copy of the three headers, its trailer */
	assert_int_equal(len, off + 8 + 3 * CHUNK_HDR_LEN + DIR_TRAILER_LEN);
	assert_memory_equal(buf + off, DIR_MAGIC, 4);
	assert_int_equal(get_le64(buf + len - DIR_TRAILER_LEN), off);
	assert_memory_equal(buf + off + 8 + 2 * CHUNK_HDR_LEN, buf + chunk_off[2], CHUNK_HDR_LEN);
	chunk_off[3] = off;
	free(buf);
	return len;
}

/* Read everything; returns the number of items, *ret the final result. */
static int drain(struct trace_reader *r, int *ret)
{
	struct trace_item it;
	int n = 0;

	while ((*ret = trace_reader__next(r, &it)) == 1)
		n++;
	return n;
}

static void test_truncated_everywhere(void **state)
{
	char *path = tmp_path(), *cut = tmp_path(), want[64];
	size_t off[4], len = make_three_chunks(path, off);
	uint8_t *buf = read_file(path, &len);

	(void)state;
	/* every cut inside the header is a truncated header */
	for (size_t at = 1; at < off[0]; at++) {
		write_file(cut, buf, at);
		expect_open_error(cut, "truncated header");
	}
	/* every cut after it keeps the complete chunks, with a warning */
	for (size_t at = off[0]; at < len; at++) {
		int complete = at >= off[2] ? 2 : at >= off[1] ? 1 : 0, ret, n;
		struct trace_reader *r;

		write_file(cut, buf, at);
		r = open_reader(cut);
		n = drain(r, &ret);
		assert_int_equal(ret, 0);
		if (at >= off[3]) {
			/* all records; a cut directory is bytes after END */
			assert_int_equal(n, 32);
			if (at > off[3])
				assert_contains(trace_reader__warning(r), "bytes after the END");
			else
				assert_null(trace_reader__warning(r));
			trace_reader__close(r);
			continue;
		}
		assert_int_equal(n, complete * 10);
		snprintf(want, sizeof(want), "truncated after chunk %d (record %d): ",
			 complete, complete * 11);
		assert_contains(trace_reader__warning(r), want);
		assert_string_equal(trace_reader__error(r), "");
		trace_reader__close(r);
	}
	unlink(cut);
	unlink(path);
	free(buf);
	free(cut);
	free(path);
}

static void test_corrupt_chunk2(void **state)
{
	char *path = tmp_path(), *bad = tmp_path(), want[64], sample[320] = "";
	size_t off[4], len = make_three_chunks(path, off);
	uint8_t *buf = read_file(path, &len);

	(void)state;
	snprintf(want, sizeof(want), "chunk 2 at offset 0x%zx: ", off[1]);
	for (size_t at = off[1]; at < off[2]; at++) {
		for (int bit = 0; bit < 8; bit += 7) {
			struct trace_reader *r;
			int ret, n;

			buf[at] ^= (uint8_t)(1u << bit);
			write_file(bad, buf, len);
			buf[at] ^= (uint8_t)(1u << bit);
			r = open_reader(bad);
			n = drain(r, &ret);
			if (ret >= 0)
				fail_msg("flipping bit %d of byte 0x%zx went unnoticed", bit, at);
			assert_int_equal(n, 10);	/* chunk 1 is intact */
			assert_contains(trace_reader__error(r), want);
			if (at >= off[1] + CHUNK_HDR_LEN) {
				assert_contains(trace_reader__error(r), "CRC mismatch (stored 0x");
				snprintf(sample, sizeof(sample), "%s", trace_reader__error(r));
			}
			trace_reader__close(r);
		}
	}
	print_message("a flipped payload bit: %s\n", sample);
	unlink(bad);
	unlink(path);
	free(buf);
	free(bad);
	free(path);
}

static void test_bad_files(void **state)
{
	char *path = tmp_path(), *bad = tmp_path();
	size_t off[4], len = make_three_chunks(path, off);
	uint8_t *buf = read_file(path, &len), *copy = malloc(len);
	uint32_t crc;

	(void)state;
	write_file(bad, buf, 0);
	expect_open_error(bad, "empty file");
	write_file(bad, (const uint8_t *)"\x7f" "ELF\2\1\1\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	expect_open_error(bad, "bad magic 7f 45 4c 46");
	write_file(bad, (const uint8_t *)"VMD", 3);
	expect_open_error(bad, "truncated header: 3 of 16 bytes");

	memcpy(copy, buf, len);
	put_le16(copy + 8, 2);
	put_le16(copy + 10, 0);
	write_file(bad, copy, len);
	expect_open_error(bad, "unsupported trace version 2.0");

	memcpy(copy, buf, len);
	put_le32(copy + 12, 0xffffffff);
	write_file(bad, copy, len);
	expect_open_error(bad, "header body length 4294967295 out of range");

	memcpy(copy, buf, len);
	copy[40] ^= 1;		/* inside the body: mem_size */
	write_file(bad, copy, len);
	expect_open_error(bad, "header CRC mismatch");

	/* a string length that passes the header end, with a good CRC */
	memcpy(copy, buf, len);
	put_le16(copy + TRACE_FIXED_LEN + 52, 0xffff);
	crc = (uint32_t)crc32(0, copy, (uInt)(off[0] - 4));
	put_le32(copy + off[0] - 4, crc);
	write_file(bad, copy, len);
	expect_open_error(bad, "header field backend is 65535 bytes");

	/* a newer minor version with a longer header still reads */
	{
		size_t hl = off[0], extra = 5;
		uint8_t *v = malloc(len + extra);
		struct trace_reader *r;
		int ret;

		memcpy(v, buf, hl - 4);
		memset(v + hl - 4, 0xaa, extra);
		put_le16(v + 10, 9);
		put_le32(v + 12, get_le32(buf + 12) + (uint32_t)extra);
		put_le32(v + hl - 4 + extra, (uint32_t)crc32(0, v, (uInt)(hl - 4 + extra)));
		memcpy(v + hl + extra, buf + hl, len - hl);
		write_file(bad, v, len + extra);
		r = open_reader(bad);
		assert_int_equal(trace_reader__header(r)->version_minor, 9);
		assert_int_equal(drain(r, &ret), 32);
		assert_int_equal(ret, 0);
		trace_reader__close(r);
		free(v);
	}
	unlink(bad);
	unlink(path);
	free(copy);
	free(buf);
	free(bad);
	free(path);
}

/* ---- hostile lengths ---------------------------------------------------- */

/* A file with a good header and one hand-made chunk with good CRCs. */
static void write_chunk_file(const char *path, const uint8_t *payload, uint32_t plen,
			     uint32_t claim_len, uint32_t nrec, uint32_t ntraps, uint64_t first_rec)
{
	char *tmp = tmp_path();
	struct trace_writer *w = open_writer(tmp);
	struct chunk_hdr ch = { .payload_len = claim_len, .nrec = nrec, .ntraps = ntraps,
				.first_rec = first_rec };
	uint8_t *buf, *out;
	size_t len;

	assert_int_equal(trace_writer__close(w, NULL), 0);
	buf = read_file(tmp, &len);
	out = malloc(len + CHUNK_HDR_LEN + plen);
	memcpy(out, buf, len);
	ch.payload_crc = codec__crc32(0, payload, plen);
	codec__put_chunk_hdr(out + len, &ch);
	memcpy(out + len + CHUNK_HDR_LEN, payload, plen);
	write_file(path, out, len + CHUNK_HDR_LEN + plen);
	unlink(tmp);
	free(tmp);
	free(buf);
	free(out);
}

static void expect_chunk_error(const char *path, int want_items, const char *want)
{
	struct trace_reader *r = open_reader(path);
	int ret, n = drain(r, &ret);

	if (ret >= 0)
		fail_msg("damaged chunk read without error (warning: %s); wanted \"%s\"",
			 trace_reader__warning(r) ? trace_reader__warning(r) : "none", want);
	assert_int_equal(n, want_items);
	assert_contains(trace_reader__error(r), "chunk 1 at offset 0x");
	assert_contains(trace_reader__error(r), want);
	trace_reader__close(r);
}

static void test_huge_lengths(void **state)
{
	char *path = tmp_path();
	static const uint8_t trap[] = { REC_TRAP | TRAP_V, 0x41 };
	uint8_t p[64];
	struct trace_reader *r;
	struct trace_item it;
	int ret;

	(void)state;
	write_chunk_file(path, trap, 2, 0xffffffff, 1, 1, 0);
	expect_chunk_error(path, 0, "payload length 4294967295 over the limit");
	write_chunk_file(path, trap, 2, 2, 0xffffffff, 1, 0);
	expect_chunk_error(path, 0, "4294967295 records (1 traps) cannot fit in 2");
	write_chunk_file(path, trap, 2, 2, 1, 1, 7);
	expect_chunk_error(path, 0, "starts at record 7, expected 0");
	write_chunk_file(path, trap, 2, 2, 2, 1, 0);
	expect_chunk_error(path, 1, "holds 1 records (1 traps), its header says 2 (1)");

	/* a serial record claiming 2^63 bytes */
	p[0] = REC_SERIAL;
	p[1] = 0;
	memcpy(p + 2, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10);
	write_chunk_file(path, p, 12, 12, 1, 0, 0);
	expect_chunk_error(path, 0, "serial length is 9223372036854775808, at most 4096");
	/* a serial record longer than what is left of the chunk */
	p[2] = 100;
	write_chunk_file(path, p, 3, 3, 1, 0, 0);
	expect_chunk_error(path, 0, "passes the chunk end");
	/* an 11-byte varint */
	p[0] = REC_TRAP | TRAP_V;
	memset(p + 1, 0xff, 11);
	write_chunk_file(path, p, 12, 12, 1, 1, 0);
	expect_chunk_error(path, 0, "record 0 (payload byte 0): bad varint for value");
	/* an attribute too big for its field */
	p[0] = REC_TRAP | TRAP_S;
	p[1] = 1 << ATTR_CLS;
	p[2] = 0x80;
	p[3] = 0x02;
	write_chunk_file(path, p, 4, 4, 1, 1, 0);
	expect_chunk_error(path, 0, "class is 256, at most 255");
	/* a record type nobody knows */
	p[0] = 0x05;
	write_chunk_file(path, p, 1, 1, 1, 0, 0);
	expect_chunk_error(path, 0, "unknown record type 0x05");
	/* a sized record of a later version running past the chunk */
	p[0] = REC_SIZED_FIRST + 5;
	p[1] = 9;
	write_chunk_file(path, p, 2, 2, 1, 0, 0);
	expect_chunk_error(path, 0, "record type 0x45 of 9 bytes passes the chunk end");
	/* a CPU record (1.2) running past the chunk */
	p[0] = REC_CPU;
	write_chunk_file(path, p, 2, 2, 1, 0, 0);
	expect_chunk_error(path, 0, "cpu record of 9 bytes passes the chunk end");
	/* a note running past the chunk, and one longer than a note may be */
	p[0] = REC_NOTE;
	write_chunk_file(path, p, 2, 2, 1, 0, 0);
	expect_chunk_error(path, 0, "note of 9 bytes passes the chunk end");
	p[1] = 0x80;
	p[2] = 0x02;
	write_chunk_file(path, p, 3, 3, 1, 0, 0);
	expect_chunk_error(path, 0, "note length is 256, at most 255");
	/* a COUNT record (1.1) running past the chunk */
	p[0] = REC_COUNT;
	p[1] = 9;
	write_chunk_file(path, p, 2, 2, 1, 0, 0);
	expect_chunk_error(path, 0, "count record of 9 bytes passes the chunk end");
	/* a payload that claims more than the file has is a cut-off, not a crash */
	write_chunk_file(path, trap, 2, 1000000, 1, 1, 0);
	r = open_reader(path);
	assert_int_equal(drain(r, &ret), 0);
	assert_int_equal(ret, 0);
	assert_contains(trace_reader__warning(r), "needs 1000000 payload bytes, only 2 present");
	trace_reader__close(r);

	/* a REPEAT (1.3) with nothing before it to repeat */
	p[0] = REC_REPEAT;
	p[1] = 3;
	p[2] = 1;
	p[3] = 5;
	p[4] = 6;
	write_chunk_file(path, p, 5, 5, 1, 5, 0);
	expect_chunk_error(path, 0, "a repeat of 1 traps, 5 times, with 0 traps before it");
	/* a sized record of a later minor version is skipped */
	p[0] = REC_SIZED_FIRST + 0x20;
	p[1] = 2;
	p[2] = p[3] = 0xee;
	memcpy(p + 4, trap, 2);
	write_chunk_file(path, p, 6, 6, 2, 1, 0);
	r = open_reader(path);
	assert_int_equal(trace_reader__next(r, &it), 1);
	assert_int_equal(it.kind, TRACE_ITEM_TRAP);
	assert_int_equal(it.trap.value, 0x41);
	assert_int_equal(trace_reader__next(r, &it), 0);
	assert_contains(trace_reader__warning(r), "truncated after chunk 1 (record 2)");
	trace_reader__close(r);
	unlink(path);
	free(path);
}

#define FUZZ_ROUNDS 3000

/* Recompute every CRC so mutations reach the record decoder. */
static void fix_crcs(uint8_t *buf, size_t len)
{
	size_t off = TRACE_FIXED_LEN + get_le32(buf + 12) + 4;

	while (off + CHUNK_HDR_LEN <= len) {
		struct chunk_hdr ch;

		codec__get_chunk_hdr(buf + off, &ch);
		if (ch.payload_len > len - off - CHUNK_HDR_LEN)
			break;
		ch.payload_crc = codec__crc32(0, buf + off + CHUNK_HDR_LEN, ch.payload_len);
		codec__put_chunk_hdr(buf + off, &ch);
		off += CHUNK_HDR_LEN + ch.payload_len;
	}
}

static void test_fuzz(void **state)
{
	char *path = tmp_path(), *bad = tmp_path();
	size_t off[4], len = make_three_chunks(path, off);
	uint8_t *buf = read_file(path, &len), *copy = malloc(len);
	int errors = 0, clean = 0;

	(void)state;
	for (int i = 0; i < FUZZ_ROUNDS; i++) {
		struct trace_reader *r;
		char err[256];
		int ret;

		memcpy(copy, buf, len);
		for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
			copy[off[0] + rnd() % (len - off[0])] = (uint8_t)rnd();
		if (i % 2)
			fix_crcs(copy, len);
		write_file(bad, copy, len);
		r = trace_reader__open(bad, err, sizeof(err));
		assert_non_null(r);
		drain(r, &ret);
		if (ret < 0) {
			errors++;
			assert_contains(trace_reader__error(r), "chunk ");
		} else {
			clean++;
		}
		trace_reader__close(r);
	}
	print_message("fuzz: %d damaged files, %d errors, %d read (mutation kept the "
		      "records valid or was cut off), no crash\n", FUZZ_ROUNDS, errors, clean);
	unlink(bad);
	unlink(path);
	free(copy);
	free(buf);
	free(bad);
	free(path);
}

static void test_writer_errors(void **state)
{
	struct trace_header h;
	char err[256] = "";

	(void)state;
	fill_header(&h);
	assert_null(trace_writer__open("/nonexistent-dir/x.vtr", &h, err, sizeof(err)));
	assert_contains(err, "cannot create /nonexistent-dir/x.vtr: No such file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_v10),
		cmocka_unit_test(test_serial_split),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_bytes_per_trap),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_corrupt_chunk2),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_writer_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
