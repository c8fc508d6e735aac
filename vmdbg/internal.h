/*
 * internal.h - engine internals shared by the VMM core, the backends, the
 * devices and the loaders.  Frontends never include this.
 */
#ifndef VMDBG_INTERNAL_H
#define VMDBG_INTERNAL_H

#include "vmdbg.h"

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

struct vmdbg;

/* ---- backends -------------------------------------------------------- */

/*
 * A CPU backend.  run() executes the guest until something stops it and
 * fills *stop.  While running it hands every port access to vmm__io(), every
 * MMIO access to vmm__mmio(), and reports every other trap with vmm__trap().
 * It must return (with the matching stop reason) as soon as any of these is
 * true after an instruction or an exit:
 *   vm->pending_stop.reason != NONE   (a device asked: debug exit, reset)
 *   vm->stop_requested                (Ctrl-C)
 *   vm->step_budget reaches 0         (when vm->step_budget_on)
 *   vm->max_steps reached             (VMDBG_STOP_LIMIT)
 *   the deadline passed               (VMDBG_STOP_TIMEOUT, checked sparsely)
 * In step mode (vm->step_mode) every instruction is decoded before it runs
 * and each privileged or hole instruction is reported as VMDBG_TC_PRIV.
 */
struct backend_ops {
	const char *name;
	int (*init)(struct vmdbg *vm);		/* RAM is allocated already */
	void (*destroy)(struct vmdbg *vm);
	int (*get_regs)(struct vmdbg *vm, struct vmdbg_regs *r);
	int (*set_regs)(struct vmdbg *vm, const struct vmdbg_regs *r);
	int (*run)(struct vmdbg *vm, struct vmdbg_stop *stop);
	/* Optional: the guest wrote RAM behind the backend's back (loader,
	 * debugger write).  emu drops decoded instructions there. */
	void (*mem_written)(struct vmdbg *vm, uint64_t gpa, uint64_t len);
};

extern const struct backend_ops kvm_backend_ops;
extern const struct backend_ops emu_backend_ops;

/* ---- devices --------------------------------------------------------- */

/*
 * Port handler.  *val holds the value to write (is_write) or receives the
 * value read (only the low `size` bytes count).  Returns 0, or a negative
 * errno for a host-side failure (the access is then logged and ignored).
 * Called from inside backend->run(); may set vm->pending_stop.
 */
typedef int (*io_handler_fn)(struct vmdbg *vm, void *opaque, uint16_t port,
			     int size, bool is_write, uint32_t *val);
typedef int (*mmio_handler_fn)(struct vmdbg *vm, void *opaque, uint64_t addr,
			       int size, bool is_write, uint64_t *val);

struct io_range {
	uint16_t base, len;
	enum vmdbg_device dev;
	io_handler_fn fn;
	void *opaque;
};

struct mmio_range {
	uint64_t base, len;
	enum vmdbg_device dev;
	mmio_handler_fn fn;
	void *opaque;
};

#define MAX_IO_RANGES 32
#define MAX_MMIO_RANGES 16

int devices__register_io(struct vmdbg *vm, uint16_t base, uint16_t len,
			 enum vmdbg_device dev, io_handler_fn fn, void *opaque);
int devices__register_mmio(struct vmdbg *vm, uint64_t base, uint64_t len,
			   enum vmdbg_device dev, mmio_handler_fn fn, void *opaque);
/* The range that claims a port / address, or NULL (unclaimed). */
const struct io_range *devices__find_io(const struct vmdbg *vm, uint16_t port);
const struct mmio_range *devices__find_mmio(const struct vmdbg *vm, uint64_t addr);
/* Registers the standard PC devices below; unwinds on failure. */
int devices__init(struct vmdbg *vm);
void devices__exit(struct vmdbg *vm);

/* The standard devices (devices/ *.c).  Each init registers its ranges. */
struct uart;
struct uart *uart__init(struct vmdbg *vm, uint16_t base);
void uart__exit(struct uart *u);
/* Host side: queue input bytes, read what the guest sent. */
int uart__push_input(struct uart *u, const uint8_t *buf, size_t len);
int misc_devices__init(struct vmdbg *vm);	/* debug-exit, post, i8042, cmos, hypercall */
void misc_devices__exit(struct vmdbg *vm);	/* frees vm->misc */

/* Fixed ports. */
#define PORT_UART0		0x3F8
#define PORT_DEBUG_EXIT		0xF4
#define PORT_POST		0x80
#define PORT_I8042_DATA		0x60
#define PORT_I8042_CMD		0x64
#define PORT_CMOS_INDEX		0x70
#define PORT_CMOS_DATA		0x71
/* Hypercall port: a 32-bit OUT of the call number; the argument is in EBX
 * (RBX), read by vmdbg from the registers.  An IN returns the result of the
 * last call (0 for success, all ones for an unknown call). */
#define PORT_HYPERCALL		0x0510

enum hypercall_nr {
	HC_NOP = 0,		/* does nothing: a marker in the trace */
	HC_MARK = 1,		/* a marker with an argument (ebx) */
	HC_PUTCHAR = 2,		/* ebx: one byte to the console */
	HC_EXIT = 3,		/* ebx: exit status, like the debug-exit port */
};

/* ---- classification (classify.c) --------------------------------------- */

struct insn_class {
	enum vmdbg_insn insn;	/* VMDBG_INSN_NONE: not interesting */
	unsigned priv_class;	/* enum vmdbg_priv_class bits, 0 if none */
	bool privileged;	/* faults (#GP/#UD) at CPL > 0 */
	bool hole;		/* sensitive but not privileged */
	bool io;		/* privileged only through IOPL */
	uint8_t length;		/* instruction length */
	char mnemonic[16];	/* lower-case Zydis mnemonic */
};

/*
 * Decode one instruction at code[0..len) in the given mode (16, 32, 64) and
 * classify it.  Returns 0, or -EINVAL when the bytes do not decode.
 */
int classify__bytes(const uint8_t *code, size_t len, int mode, struct insn_class *out);
/* The classic view of an instruction executed at cpl. */
enum vmdbg_classic classify__classic(const struct insn_class *c, int cpl);

/* ---- loaders (loader.c) ---------------------------------------------- */

/*
 * Detect the format of data[0..len), check it, copy it into guest RAM and
 * fill the entry register state.  On error returns a negative errno and
 * writes a message naming the problem and the file offset into err.
 */
int loader__load(struct vmdbg *vm, const uint8_t *data, size_t len,
		 struct vmdbg_regs *regs, struct vmdbg_image_info *info,
		 char *err, size_t errlen);

/* Boot structures vmdbg builds in low memory for 32/64-bit entry. */
#define BOOT_GDT_ADDR		0x1000
#define BOOT_PML4_ADDR		0x2000
#define BOOT_PDPT_ADDR		0x3000
#define BOOT_PD_ADDR		0x4000	/* four tables: 0x4000-0x7fff, 4 GiB */
#define BOOT_MBI_ADDR		0x8000	/* multiboot info, mmap at +0x100 */
#define BOOT_STACK_TOP		0x80000	/* initial RSP for ELF64 and flat 64 */
#define BOOT_RESERVED_END	0x9000	/* images may not load below this... */
					/* ...except boot sectors at 0x7c00 */
#define BOOT_SEL_CODE64		0x08
#define BOOT_SEL_DATA		0x10
#define BOOT_SEL_CODE32		0x18
#define BOOT_SEL_CODE16		0x20
#define BOOT_SEL_DATA16		0x28

/* Register state helpers shared by loaders and probes. */
void regs__init_real(struct vmdbg_regs *r, uint16_t cs, uint16_t ip);
void regs__init_prot32(struct vmdbg_regs *r, uint32_t eip);
void regs__init_long64(struct vmdbg_regs *r, uint64_t rip);
/* Write the boot GDT and (for long mode) identity page tables into RAM. */
int boot__write_gdt(struct vmdbg *vm);
int boot__write_page_tables(struct vmdbg *vm);
enum vmdbg_mode regs__mode(const struct vmdbg_regs *r);
int regs__cpl(const struct vmdbg_regs *r);

/* ---- the VMM core (vmm.c) -------------------------------------------- */

struct vmdbg {
	struct vmdbg_config cfg;
	uint8_t *ram;
	uint64_t ram_size;

	const struct backend_ops *be;
	void *be_priv;
	char backend_reason[520];

	struct io_range io[MAX_IO_RANGES];
	int nr_io;
	struct mmio_range mmio[MAX_MMIO_RANGES];
	int nr_mmio;
	struct uart *uart;
	void *misc;			/* misc devices state */

	vmdbg_event_fn cb;
	void *cb_ctx;

	bool time_is_insns;		/* record time = insns (emu), else exits */
	uint64_t seq;			/* next trap sequence number */
	uint64_t insns;			/* retired instructions (emu) */
	uint64_t exits;			/* exits (kvm) */

	bool step_mode;
	uint64_t max_steps;		/* 0: none; compares to insns or exits */
	uint64_t timeout_ms;		/* per run; 0: none */
	uint64_t deadline_ns;		/* 0: none (CLOCK_MONOTONIC) */
	bool step_budget_on;
	uint64_t step_budget;		/* instructions left in vmdbg__step */

	volatile sig_atomic_t stop_requested;
	struct vmdbg_stop pending_stop;	/* set by devices */

	bool loaded;
	struct vmdbg_regs entry_regs;
	struct vmdbg_image_info image;

	uint32_t stop_check;		/* calls since the deadline was read */
	char err[256];
};

/* Bounds-checked pointer into guest RAM, or NULL. */
static inline void *vmm__gpa_ptr(struct vmdbg *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

/* Fill the origin fields of a record from the current registers. */
struct trap_origin {
	uint64_t rip;
	uint8_t cpl;
	uint8_t mode;
};

/*
 * Dispatch a port access to its device and report it as one VMDBG_TC_IO
 * trap (emulated, device named; "unclaimed" reads return all ones).
 * disposition is normally VMDBG_DISP_EMULATED.
 */
int vmm__io(struct vmdbg *vm, const struct trap_origin *o, uint16_t port,
	    int size, bool is_write, uint32_t *val);
int vmm__mmio(struct vmdbg *vm, const struct trap_origin *o, uint64_t addr,
	      int size, bool is_write, uint64_t *val);
/* Stamp seq and time on t, then deliver it to the callback. */
void vmm__trap(struct vmdbg *vm, struct vmdbg_trap *t);
void vmm__serial_out(struct vmdbg *vm, const uint8_t *buf, size_t len);
void vmm__input(struct vmdbg *vm, enum vmdbg_input_kind kind, uint64_t value);
void vmm__log(struct vmdbg *vm, enum vmdbg_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set vm->err; returns -err for "return vmm__error(vm, -EINVAL, ...)". */
int vmm__error(struct vmdbg *vm, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ask the backend to stop after the current instruction/exit. */
void vmm__stop(struct vmdbg *vm, enum vmdbg_stop_reason reason, int status,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
uint64_t vmm__now_ns(void);
/* Should run() stop now?  Fills *stop when so.  Cheap; call per insn/exit. */
bool vmm__should_stop(struct vmdbg *vm, struct vmdbg_stop *stop);

/* SHA-256 (sha256.c) */
void sha256(const void *data, size_t len, uint8_t out[32]);

#endif
