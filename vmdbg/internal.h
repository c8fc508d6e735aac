/*
 * internal.h - engine internals shared by the VMM core, the backends, the
 * devices and the loaders.  Frontends never include this.
 */
#ifndef VMDBG_INTERNAL_H
#define VMDBG_INTERNAL_H

#include "vmdbg/vmdbg.h"

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
	/* Optional: the debugger's breakpoint table changed (debug.c); emu
	 * drops its TLB so watched pages take the slow path, kvm re-arms. */
	void (*debug_changed)(struct vmdbg *vm);
	/* What the CPU's own debug facilities give user breakpoints here
	 * (BPCAP_* bits).  NULL for a backend that checks every instruction
	 * and access itself (emu): its breakpoints are exact. */
	unsigned (*bp_caps)(void);
	/* Optional, for time travel (timetravel.c): the CPU's architectural
	 * state as cpu_state_size bytes, and back (caches, TLB and decoded
	 * code dropped).  One op for the whole CPU side, so more vCPUs are
	 * one loop here.  track_writes: drop cached write permissions so
	 * every later guest write to a page passes vmm__gpa_ptr() once
	 * (dirty page tracking). */
	size_t cpu_state_size;
	void (*save_cpu)(struct vmdbg *vm, void *buf);
	void (*restore_cpu)(struct vmdbg *vm, const void *buf);
	void (*track_writes)(struct vmdbg *vm);
	/* Optional, several CPUs (emu/smp.c): an INIT, STARTUP or NMI IPI
	 * (CPU_SIG_*) reached CPU cpu (lapic.c); make CPU cpu the selected
	 * one for get_regs/set_regs/step (-EINVAL: none such); what it does. */
	void (*cpu_signal)(struct vmdbg *vm, int cpu, int sig, int vector);
	int (*select_cpu)(struct vmdbg *vm, int cpu);
	const char *(*cpu_state)(const struct vmdbg *vm, int cpu);
};
enum { CPU_SIG_INIT, CPU_SIG_STARTUP, CPU_SIG_NMI };

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
/*
 * A device's state in one line for `info devices` (vmdbg__devices_describe):
 * writes at most len bytes into buf.  Devices register one with
 * devices__register_describe() (after their ranges); the order of
 * registration is the order of the lines.
 */
typedef int (*describe_fn)(const void *opaque, char *buf, size_t len);
#define MAX_DESCRIBE 16
struct dev_describe {
	describe_fn fn;
	const void *opaque;
};
int devices__register_describe(struct vmdbg *vm, describe_fn fn, const void *opaque);
/* A device's whole state is the len bytes at p (no pointers that change
 * while it runs): time travel saves and restores them (snapshot.c). */
#define MAX_STATE_REGIONS 16
struct state_region {
	void *p;
	size_t len;
};
int devices__register_state(struct vmdbg *vm, void *p, size_t len);
int pic__describe(const void *opaque, char *buf, size_t len);
int pit__describe(const void *opaque, char *buf, size_t len);
int uart__describe(const void *opaque, char *buf, size_t len);
int lapic__describe(const void *opaque, char *buf, size_t len);
int ioapic__describe(const void *opaque, char *buf, size_t len);
int acpi_pm__describe(const void *opaque, char *buf, size_t len);

/* Registers the standard PC devices below; unwinds on failure. */
int devices__init(struct vmdbg *vm);
void devices__exit(struct vmdbg *vm);

/* The standard devices (devices/ *.c).  Each init registers its ranges. */
struct uart;
struct uart *uart__init(struct vmdbg *vm, uint16_t base);
void uart__exit(struct uart *u);
/* Host side: queue input bytes, read what the guest sent. */
int uart__push_input(struct uart *u, const uint8_t *buf, size_t len);
/* Would a received byte interrupt the guest (IER receive interrupt on)? */
bool uart__input_irq(const struct uart *u);
int misc_devices__init(struct vmdbg *vm);	/* debug-exit, post, i8042, cmos, hypercall */
void misc_devices__exit(struct vmdbg *vm);	/* frees vm->misc */

/* VGA text mode (devices/vga.c): the screen is guest RAM at 0xB8000; the
 * helpers below are what the BIOS's int 0x10 does to it. */
struct vga;
struct vga *vga__init(struct vmdbg *vm);	/* sets vm->vga */
void vga__exit(struct vmdbg *vm);
void vga__get_cursor(const struct vga *v, unsigned *row, unsigned *col);
void vga__set_cursor(struct vga *v, unsigned row, unsigned col);
void vga__cursor_shape(const struct vga *v, uint8_t *start, uint8_t *end);
void vga__set_cursor_shape(struct vga *v, uint8_t start, uint8_t end);
void vga__scroll(struct vga *v, int lines, uint8_t attr, unsigned top, unsigned left,
		 unsigned bottom, unsigned right);
void vga__reset_text(struct vga *v);
void vga__write_at_cursor(struct vga *v, uint8_t ch, uint8_t attr, bool keep_attr,
			  unsigned count);
void vga__teletype(struct vga *v, uint8_t ch);
void vga__advance(struct vga *v);

/* The i8042 and its PS/2 keyboard (devices/kbd.c, scancode.c). */
struct kbd;
struct kbd *kbd__init(struct vmdbg *vm);	/* sets vm->kbd */
void kbd__exit(struct vmdbg *vm);
/* Host side: queue typed characters (all or nothing; -ENOSPC). */
int kbd__push_keys(struct kbd *k, const uint8_t *buf, size_t len);
/* Did the guest set the keyboard up (command byte, 0xAE, 0xF4, int 0x16)? */
bool kbd__guest_uses(const struct kbd *k);
/* int 0x16: the next keystroke as AH scan code | AL char, or -1. */
int kbd__bios_key(struct kbd *k, bool peek);
unsigned kbd__pending(const struct kbd *k);
/* Would a typed key interrupt the guest (keyboard set up, IRQ1 enabled)? */
bool kbd__input_irq(const struct kbd *k);
#define SCANCODE_MAX 8
/* One keystroke typing c in scan code set 1 or 2; returns the byte count
 * (0 when no key types c). */
int scancode__keystroke(uint8_t c, int set, uint8_t out[SCANCODE_MAX]);
/* int 0x16's word for c (set 1 scan code << 8 | character), or -1. */
int scancode__bios_key(uint8_t c);

/* BIOS services (devices/bios.c): real-mode IVT entries point to one stub
 * per vector in the BIOS area, `out PORT_BIOS, al; iret`; the out runs
 * the service as one VMDBG_DEV_BIOS record.  bios__install() writes the
 * IVT, the stubs and the video part of the BIOS data area (boot sectors). */
#define PORT_BIOS		0xE6
#define BIOS_STUB_BASE		VMDBG_BIOS_STUBS	/* F000:F000, 4 bytes a vector */
#define BIOS_STUB_END		(BIOS_STUB_BASE + 256 * 4)
int bios__register(struct vmdbg *vm);		/* the port, from devices__init() */
int bios__install(struct vmdbg *vm);
/* Entry i of the PC memory map (E820 types: 1 RAM, 2 reserved); -ENOENT
 * past the last. */
int bios__e820(const struct vmdbg *vm, unsigned i, uint64_t *base, uint64_t *len,
	       uint32_t *type);
/* Is linear address la, in real mode, one of the installed stubs? */
bool bios__is_stub(const struct vmdbg *vm, uint64_t la);
/* The record's detail text (names.c). */
void bios__detail(const struct vmdbg_trap *t, char *buf, size_t len);
/* A port handler's return value: it reported the access itself. */
#define IO_RECORDED		1

/* The 8259A pair (devices/pic.c): ports 0x20/0x21 and 0xA0/0xA1, the slave
 * on IRQ2.  Drives vm->intr.  Only irq.c calls set_irq and ack. */
struct pic;
struct pic *pic__init(struct vmdbg *vm);
void pic__exit(struct pic *p);
void pic__set_irq(struct pic *p, int irq, bool level);
/* The INTA cycle: the vector of the highest-priority request (IRR -> ISR),
 * or the spurious IRQ7 vector when nothing is requested. */
int pic__ack(struct pic *p);

/* The 8254 (devices/pit.c): ports 0x40-0x43, channel 0 on IRQ0. */
struct pit;
struct pit *pit__init(struct vmdbg *vm);
void pit__exit(struct pit *p);
/* Bring the counters to virtual time now: raise IRQ0 on a terminal count. */
void pit__poll(struct pit *p, uint64_t now);
/* Is counter 0 counting?  Lets the exit path skip reading the clock. */
bool pit__armed(const struct pit *p);
/* Virtual time of channel 0's next IRQ0 edge, or UINT64_MAX for none. */
uint64_t pit__next_event(const struct pit *p);

/* The local APIC (devices/lapic.c), MMIO at IA32_APIC_BASE.  irq.c asks
 * it for the vector to deliver and whether the PIC's INTR passes LINT0. */
#define LAPIC_DEFAULT_BASE	0xfee00000ULL
#define LAPIC_BASE_BSP		(1ULL << 8)
#define LAPIC_BASE_ENABLE	(1ULL << 11)
#define LAPIC_BASE_ADDR_MASK	0xfffff000ULL
struct lapic;
/* One local APIC per CPU (vm->lapics[], APIC ID = CPU index), all at the
 * same address: an access reaches the running CPU's (vm->lapic). */
struct lapic *lapic__init(struct vmdbg *vm);
void lapic__exit(struct lapic *a);	/* all of them */
/* The vector CPU cpu's APIC would give it now (or the PIC's ExtINT
 * through its LINT0): can an interrupt wake that CPU? */
bool lapic__cpu_intr(const struct vmdbg *vm, int cpu);
uint64_t lapic__get_base(const struct lapic *a);
int lapic__set_base(struct lapic *a, uint64_t v);	/* -EINVAL: #GP */
/* The vector the APIC presents (IRR above PPR), or -1. */
int lapic__pending(const struct lapic *a);
/* The INTA cycle for an APIC vector: IRR -> ISR; the spurious vector when
 * nothing is deliverable. */
int lapic__ack(struct lapic *a);
/* LINT0 lets the PIC's INTR through (APIC disabled, or LINT0 unmasked). */
bool lapic__accept_pic(const struct lapic *a);
/* An APIC-bus message (I/O APIC, IPI): set IRR, and TMR when level. */
void lapic__accept(struct lapic *a, int vector, bool level);
bool lapic__match(const struct lapic *a, uint8_t dest, bool logical);
void lapic__poll(struct lapic *a, uint64_t now);
uint64_t lapic__next_event(const struct lapic *a);


/* The I/O APIC (devices/ioapic.c), MMIO at 0xFEC00000. */
#define IOAPIC_BASE		0xfec00000ULL
#define IOAPIC_PINS		24
struct ioapic;
struct ioapic *ioapic__init(struct vmdbg *vm);
void ioapic__exit(struct ioapic *io);
void ioapic__set_irq(struct ioapic *io, int pin, bool level);
void ioapic__eoi(struct ioapic *io, int vector);
uint64_t ioapic__entry(const struct ioapic *io, int pin);


/* ACPI PM1a and SMI_CMD ports (devices/acpi.c); sets vm->acpi. */
int acpi_pm__init(struct vmdbg *vm);
void acpi_pm__exit(struct vmdbg *vm);
/* The BIOS data area, EBDA, MP and ACPI tables (tables/firmware.c), written
 * after the image is loaded, around it. */
int firmware__write(struct vmdbg *vm, const struct vmdbg_image_info *img);

/* Fixed ports. */
#define PORT_UART0		0x3F8
#define PORT_DEBUG_EXIT		0xF4
#define PORT_POST		0x80
#define PORT_I8042_DATA		0x60
#define PORT_I8042_CMD		0x64
#define PORT_CMOS_INDEX		0x70
#define PORT_CMOS_DATA		0x71
#define PORT_PIC_MASTER		0x20
#define PORT_PIC_SLAVE		0xA0
#define PORT_PIT		0x40	/* counters 0-2 at 0x40-0x42, control 0x43 */
#define PORT_SYSCTL_B		0x61	/* counter 2's gate and output, the speaker */
#define IRQ_PIT			0
#define IRQ_CASCADE		2
/* Hypercall port: a 32-bit OUT of the call number; the argument is in EBX
 * (RBX), read by vmdbg from the registers.  An IN returns the result of the
 * last call (0 for success, all ones for an unknown call).  It was 0x510
 * until fw_cfg took that port; QEMU's pc claims nothing at 0x5010. */
#define PORT_HYPERCALL		0x5010
/* QEMU's fw_cfg (devices/fw_cfg.c): selector, data, DMA at 0x510-0x51b. */
#define PORT_FW_CFG		0x0510
int fw_cfg__init(struct vmdbg *vm);	/* sets vm->fw_cfg */
void fw_cfg__exit(struct vmdbg *vm);

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
	bool branch;		/* may go elsewhere than the next instruction by
				 * itself: j*, call, ret, loop*, iret*, sys*,
				 * int*, rsm (not enter, leave) */
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

/* A Linux bzImage (bzimage.c): detect by its setup header, load it with
 * cfg.initrd and cfg.append and enter it at its 64-bit entry point. */
bool bzimage__detect(const uint8_t *data, size_t len);
int bzimage__load(struct vmdbg *vm, const uint8_t *data, size_t len, struct vmdbg_regs *regs,
		  struct vmdbg_image_info *info, char *err, size_t errlen);

/* Attach cfg.disks, and the image at image_path (may be NULL) as the
 * primary master when it is a boot disk (disks.c; the order is there). */
int disks__attach(struct vmdbg *vm, const char *image_path, struct vmdbg_image_info *info);

/* The physical memory map (e820.c): the PC layout for this RAM size,
 * shared by the multiboot information and the BIOS's int 0x15 E820. */
#define E820_RAM		1
#define E820_RESERVED		2
#define E820_EBDA		0x9fc00	/* conventional memory ends here */
struct e820_entry {
	uint64_t addr, len;
	uint32_t type;
};
/* Fills out[0..max) and returns the number of entries in the map. */
int boot__e820(const struct vmdbg *vm, struct e820_entry *out, int max);

/*
 * Boot structures vmdbg builds for 32/64-bit entry: one 32 KiB area, at
 * 0x1000 unless the image needs that memory; then at BOOT_AREA_HIGH, just
 * below the EBDA, or else above the image (loader.c picks).  The offsets:
 * GDT +0, PML4 +0x1000, PDPT +0x2000, four page directories +0x3000-0x6fff,
 * multiboot information +0x7000 (mmap +0x100, module list +0x200, strings
 * +0x300).  The BOOT_*_ADDR values are those of the default place.
 */
#define BOOT_AREA_LEN		0x8000
#define BOOT_AREA_HIGH		0x97000
#define BOOT_GDT_ADDR		0x1000
#define BOOT_PML4_ADDR		0x2000
#define BOOT_PDPT_ADDR		0x3000
#define BOOT_PD_ADDR		0x4000	/* four tables: 0x4000-0x7fff, 4 GiB */
#define BOOT_MBI_ADDR		0x8000	/* multiboot info, mmap at +0x100 */
#define BOOT_OFF_PML4		0x1000
#define BOOT_OFF_MBI		0x7000
#define BOOT_STACK_TOP		0x80000	/* initial RSP for ELF64 and flat 64 */
#define BOOT_RESERVED_END	0x9000	/* the default boot area ends here */

/* The multiboot information (multiboot.c) at mbi in guest RAM: memory
 * sizes, boot device, command line, modules, the e820 map, loader name. */
struct mb_module {
	uint32_t start, end;		/* where the loader put it */
	const char *string;		/* "FILE ARGS" as given */
};
int multiboot__write_info(struct vmdbg *vm, uint32_t mbi, const char *cmdline,
			  const struct mb_module *mods, int nmods, char *err, size_t errlen);
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
int boot__write_gdt(struct vmdbg *vm, uint64_t gdt);
int boot__write_page_tables(struct vmdbg *vm, uint64_t pml4);	/* PDPT, PDs follow */
enum vmdbg_mode regs__mode(const struct vmdbg_regs *r);
int regs__cpl(const struct vmdbg_regs *r);

/* ---- the VMM core (vmm.c) -------------------------------------------- */

/* Polling detection (poll.c): identical unclaimed reads in a row. */
#define POLL_WARN_MAX	8
struct poll_state {
	uint64_t addr, count;
	uint8_t cls, size;
	int nwarned;
	uint8_t warned_cls[POLL_WARN_MAX];
	uint64_t warned[POLL_WARN_MAX];
};
struct vmdbg_trap;
/* Every record, from vmm__trap(): says once per address when the guest
 * polls an unclaimed port or MMIO address POLL_LIMIT times in a row. */
void poll__note(struct vmdbg *vm, const struct vmdbg_trap *t);

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
	struct dev_describe describe[MAX_DESCRIBE];
	int nr_describe;
	struct uart *uart;
	void *misc;			/* misc devices state */
	struct vga *vga;
	struct kbd *kbd;
	bool bios;			/* bios__install() ran */
	bool syscall_vector_set;	/* --syscall-vector N ... */
	uint8_t syscall_vector;		/* ... N */
	uint64_t want_at;		/* vmm__want_input(): next non-blocking time */
	struct ide *ide;		/* ATA disks (devices/ide.h) */
	/* vmm__io() while an emu string instruction or a kvm string exit
	 * runs: its elements become one record (vmm__io_batch_end). */
	bool io_batch;
	struct vmdbg_trap io_batch_trap;

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
	bool deadline_backstop;		/* kvm: deadline_ns is --max-steps' backstop */
	bool step_budget_on;
	uint64_t step_budget;		/* instructions left in vmdbg__step */

	volatile sig_atomic_t stop_requested;
	struct vmdbg_stop pending_stop;	/* set by devices */

	bool loaded;
	struct vmdbg_regs entry_regs;
	struct vmdbg_image_info image;

	uint32_t stop_check;		/* calls since the deadline was read */
	struct poll_state poll;
	char err[256];

	/* External interrupts and virtual time (irq.c). */
	struct pic *pic;
	struct pit *pit;
	struct lapic *lapic;
	struct ioapic *ioapic;
	void *acpi;			/* ACPI PM registers (devices/acpi.c) */
	void *fw_cfg;			/* devices/fw_cfg.c */
	bool pic_intr;			/* the PIC asserts INTR (vmm__set_intr) */
	bool intr;			/* the CPU's INTR: the PIC through LINT0,
					 * or an APIC vector (irq.c) */
	uint64_t idle_ns;		/* virtual time skipped by hlt (vmm__idle) */
	uint64_t timer_at;		/* emu: vmm__poll() when insns reaches this */
	uint64_t poll_at;		/* emu: look at timers and INTR when insns
					 * reaches this: 0 while INTR, else timer_at */
	uint64_t clock_ns;		/* kvm: host ns spent inside run() so far */
	uint64_t clock_start;		/* kvm: host ns when run() began, 0 outside */

	/* The debugger (debug/): breakpoints and the trap ring, reached by
	 * the core and the backends through dbg_ops only. */
	const struct dbg_ops *dbg_ops;
	struct debug *dbg;
	unsigned dbg_active;		/* DBG_* bits: what the backends must check */
	bool dbg_hit;			/* a hit waits for vmm__should_stop() */

	/* Time travel (snapshot.c, timetravel.c): NULL while not recording. */
	struct state_region state[MAX_STATE_REGIONS];
	int nr_state;
	struct timetravel *tt;
	uint8_t *dirty;			/* per RAM page: written since the last
					 * snapshot (vmm__gpa_ptr), or NULL */
	uint64_t tt_at;			/* emu: timetravel__hook() when insns
					 * reaches this (in timer_at); ~0 none */
	uint64_t events;		/* events delivered (vmm.c deliver()) */
	/* Several CPUs (cfg.cpus, emu/smp.c): cpu is the one running (its
	 * records say so, vm->lapic is its APIC); slice_end the retired-
	 * instruction count at which its quantum ends (UINT64_MAX with one
	 * CPU); idle_wake, when set, says whether hlt's idling may stop (any
	 * CPU can take an interrupt) instead of vm->intr. */
	int ncpus, cpu;
	struct lapic *lapics[VMDBG_MAX_CPUS];
	uint64_t slice_end;
	bool (*idle_wake)(struct vmdbg *vm);
	bool sched_unlocked;		/* set scheduler-locking off */
	size_t cpu_state_size;		/* time travel: bytes of save_cpu's buffer
					 * (be->cpu_state_size, or more: smp.c) */
};

/* emu: the next retired-instruction count at which the run loop must look
 * outside the instruction stream without INTR: a timer event, time
 * travel's hook, the end of the running CPU's quantum. */
static inline uint64_t vmm__next_poll(const struct vmdbg *vm)
{
	uint64_t at = vm->timer_at < vm->tt_at ? vm->timer_at : vm->tt_at;

	/* --max-steps on emu: its instruction is a poll point, so the lean
	 * run loop stops there without a check after every instruction */
	if (vm->max_steps && vm->time_is_insns && vm->max_steps < at)
		at = vm->max_steps;
	return at < vm->slice_end ? at : vm->slice_end;
}

/* Bounds-checked pointer into guest RAM for reading only, or NULL. */
static inline const void *vmm__gpa_ptr_ro(const struct vmdbg *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

/* Bounds-checked pointer into guest RAM, or NULL.  The caller may write
 * there: while time travel records, the pages are marked dirty (a page
 * only read costs one page copy at the next snapshot, nothing else). */
static inline void *vmm__gpa_ptr(struct vmdbg *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	if (__builtin_expect(vm->dirty != NULL, 0) && len)
		for (uint64_t p = gpa >> 12; p <= (gpa + len - 1) >> 12; p++)
			vm->dirty[p] = 1;
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
/*
 * A string instruction (ins/outs, with or without rep) is one record that
 * says how many elements it moved: between begin and end, vmm__io() still
 * calls the device for every element but keeps the record; end reports it
 * (count = elements, value = the first one), or nothing when no element
 * moved.  end may be called when no batch is open (a fault path).
 */
void vmm__io_batch_begin(struct vmdbg *vm);
void vmm__io_batch_end(struct vmdbg *vm);
int vmm__mmio(struct vmdbg *vm, const struct trap_origin *o, uint64_t addr,
	      int size, bool is_write, uint64_t *val);
/* Stamp seq and time on t, then deliver it to the callback. */
void vmm__trap(struct vmdbg *vm, struct vmdbg_trap *t);
void vmm__serial_out(struct vmdbg *vm, const uint8_t *buf, size_t len);
void vmm__input(struct vmdbg *vm, enum vmdbg_input_kind kind, uint64_t value);
/* The guest looks for console input: a VMDBG_EV_WANT_INPUT event, so the
 * frontend can queue what the user typed.  dev: who asked (kbd, uart,
 * bios, cpu for a hlt); blocking: the guest cannot go on without it.  Non-blocking calls are rate-limited here. */
void vmm__want_input(struct vmdbg *vm, enum vmdbg_device dev, bool blocking);
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
/* The deadline passed: the stop for --timeout, or for the wall-clock
 * backstop of --max-steps on kvm (vm->deadline_backstop). */
void vmm__deadline_stop(struct vmdbg *vm, struct vmdbg_stop *stop);

/* ---- time travel (timetravel.c) ---------------------------------------- */

struct timetravel;
/* emu's run loop, between instructions, when insns reaches vm->tt_at:
 * snapshots, recorded inputs due, a goto's target (sets pending_stop). */
void timetravel__hook(struct vmdbg *vm);
/* vmm.c's deliver(), vm->events counted: should the frontend see this
 * event (false: it has it already, the past is re-executed); and after the
 * callback: the recorded inputs queued there, a goto's record. */
bool timetravel__deliver(struct vmdbg *vm);
void timetravel__after_event(struct vmdbg *vm, const struct vmdbg_event *ev);
/* Before the furthest point the run reached. */
bool timetravel__past(const struct vmdbg *vm);
/* run() starts; an input, a register or memory write from the frontend
 * (the future is dropped when it changes the past). */
void timetravel__run_begin(struct vmdbg *vm);
void timetravel__run_end(struct vmdbg *vm);
void timetravel__input(struct vmdbg *vm, int kind, const void *buf, size_t len);
void timetravel__changed(struct vmdbg *vm);
void timetravel__destroy(struct vmdbg *vm);

/* ---- external interrupts and virtual time (irq.c) ----------------------- */

/*
 * Devices drive ISA IRQ lines 0-15 (edge triggered: a rising edge latches a
 * request in the PIC).  Return 0, -EINVAL for a bad line, -ENODEV without a
 * PIC.  Called from device handlers inside backend->run() or from the host
 * between runs.
 */
int vmm__raise_irq(struct vmdbg *vm, int irq);
int vmm__lower_irq(struct vmdbg *vm, int irq);
/* A device's IRQ output at level; *line keeps it: the line moves only on a
 * change (no PIC: nothing happens). */
void vmm__irq_line(struct vmdbg *vm, int irq, bool *line, bool level);
/* The backend takes an interrupt (vm->intr, IF=1, no interrupt shadow):
 * the vector to deliver (the PIC's INTA cycle). */
int vmm__irq_ack(struct vmdbg *vm);
/* Virtual time in ns: emu, instructions retired (1 insn = 1 ns) plus idle
 * time; kvm, host ns spent inside run() plus idle time. */
uint64_t vmm__vtime(const struct vmdbg *vm);
/* The PIC's INTR output (devices/pic.c). */
void vmm__set_intr(struct vmdbg *vm, bool level);
/* The local APIC's state changed (IRR, ISR, TPR, LVT, enable): recompute
 * vm->intr. */
void vmm__intr_changed(struct vmdbg *vm);
/* A timer was reprogrammed: recompute vm->timer_at and vm->poll_at. */
void vmm__timers_changed(struct vmdbg *vm);
/* Bring the timers to vmm__vtime() (may raise IRQs; sets vm->intr). */
void vmm__poll(struct vmdbg *vm);
/* hlt with IF=1 and no interrupt waiting: advance the virtual time to the
 * next timer event and poll.  Returns true when an interrupt now waits
 * (vm->intr), false when none can come (no timer, or its IRQ is masked or
 * still in service): the guest is halted forever. */
bool vmm__idle(struct vmdbg *vm);
/* run() brackets backend->run() with these (the kvm clock). */
void vmm__clock_begin(struct vmdbg *vm);
void vmm__clock_end(struct vmdbg *vm);

/* ---- the debugger's hooks ---------------------------------------------- */

/*
 * The debugger (vmdbg/debug/) sits above the core: it reads registers and
 * memory through the backend table and keeps the breakpoint table.  The core
 * and the backends reach it only through this table of hooks, which
 * debug__init() installs in vm->dbg_ops; every member is set.  All run on
 * the thread that called vmdbg__run()/vmdbg__step().
 */

/* vm->dbg_active bits. */
#define DBG_INSN	1	/* exec, exec-phys, priv or internal bps: ->insn()
				 * before every instruction (emu; kvm in DBG_STEP) */
#define DBG_WATCH	2	/* watchpoints: emu calls ->watch_access() */
#define DBG_CATCH	4	/* catchpoints (matched in ->trap()) */
#define DBG_STEP	8	/* kvm: a kind only single-stepping sees (priv, phys) */

/* The instruction about to run, for ->insn(). */
struct debug_insn {
	uint64_t lin;		/* linear address */
	uint64_t pa;		/* physical address, when have_pa */
	bool have_pa;
	uint8_t cpl;
	unsigned priv_class;	/* enum vmdbg_priv_class bits, 0 if none */
	uint16_t insn;		/* enum vmdbg_insn */
};

/* kvm: breakpoints that need a debug register or an int3. */
struct debug_hw {
	uint64_t lin;
	int dr;			/* debug register 0-3, or -1: an int3 (execute) */
	uint8_t type;		/* DR7 R/W: 0 execute, 1 write, 3 read or write */
	uint8_t len;		/* 1, 2, 4 or 8 */
};

struct dbg_ops {
	/* run() brackets backend->run() with these: resume rules (step over
	 * the breakpoint the guest stopped on), the stop's RIP, temporary
	 * breakpoints. */
	void (*run_begin)(struct vmdbg *vm);
	void (*run_end)(struct vmdbg *vm, struct vmdbg_stop *stop);
	/* Every trap record (vmm__trap): the ring of recent traps, catchpoints. */
	void (*trap)(struct vmdbg *vm, const struct vmdbg_trap *t);
	/* vmm__should_stop() when vm->dbg_hit: conditions, ignore counts; may
	 * set vm->pending_stop. */
	void (*resolve)(struct vmdbg *vm);
	/* Before an instruction runs (vm->dbg_active & DBG_INSN).  Returns true
	 * when the guest stops before it: vm->pending_stop holds the stop. */
	bool (*insn)(struct vmdbg *vm, const struct debug_insn *x);
	/* emu, before a data access to linear [lin, lin+size) at cpl (only
	 * when DBG_WATCH).  Notes a watchpoint hit; returns true when the page
	 * holds a watched range, so the access must not be cached in the TLB. */
	bool (*watch_access)(struct vmdbg *vm, uint64_t lin, int size, bool write, int cpl);
	/* kvm: the breakpoints to arm in debug registers or as int3. */
	int (*hw_slots)(struct vmdbg *vm, struct debug_hw *out, int max);
	/* kvm: debug register dr fired (or the int3 at lin when dr is -1).
	 * Returns true when it was an execute breakpoint (step over it). */
	bool (*hw_hit)(struct vmdbg *vm, int dr, uint64_t lin);
	/* kvm, at the start of run(): resuming on a breakpoint that stopped
	 * the guest here; step over it once with the breakpoints off. */
	bool (*take_skip)(struct vmdbg *vm);
	/* kvm: vectors the catchpoints name, for the trap catcher to watch first. */
	int (*catch_vectors)(struct vmdbg *vm, int *vec, int max);
};

/* kvm_bp.c's answer to backend_ops.bp_caps: what this host's KVM gives
 * user breakpoints. */
#define BPCAP_INT3		1	/* int3 breakpoints are reported */
#define BPCAP_WATCH	2	/* debug-register data watchpoints fire */
#define BPCAP_HW_R3	4	/* execute breakpoints fire in ring 3 */
#define BPCAP_STEP_R3	8	/* ring-3 code can be single-stepped */

/* Host buffers between two PROT_NONE guard pages (guard.c): zeroed, ending
 * exactly at the trailing guard page (aligned to every power of two that
 * divides size), so an overrun faults at once.  NULL on failure.
 * guard__free takes the size given to alloc. */
void *guard__alloc(size_t size);
void guard__free(void *p, size_t size);

/* SHA-256 (sha256.c; the traces check a header's image with it too) */
#include "vmdbg/sha256.h"

#endif
