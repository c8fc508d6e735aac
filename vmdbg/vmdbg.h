/*
 * vmdbg.h - the one API the frontends see.
 *
 * The engine (libvmdbg.a) hosts a small VMM with two CPU backends (kvm and
 * emu), runs an x86 guest, and reports every trap as a struct vmdbg_trap
 * through the event callback.  It never prints: errors come back as negative
 * errno values plus a message from vmdbg__last_error().
 */
#ifndef VMDBG_VMDBG_H
#define VMDBG_VMDBG_H

#include <stddef.h>
#include <stdint.h>

#define VMDBG_VERSION "0.1.0"

struct vmdbg;

enum vmdbg_backend_kind {
	VMDBG_BACKEND_AUTO = 0,
	VMDBG_BACKEND_KVM,
	VMDBG_BACKEND_EMU,
};

/* General purpose registers in x86 encoding order. */
enum vmdbg_gpr {
	VMDBG_RAX, VMDBG_RCX, VMDBG_RDX, VMDBG_RBX,
	VMDBG_RSP, VMDBG_RBP, VMDBG_RSI, VMDBG_RDI,
	VMDBG_R8, VMDBG_R9, VMDBG_R10, VMDBG_R11,
	VMDBG_R12, VMDBG_R13, VMDBG_R14, VMDBG_R15,
};

/* A segment register as KVM describes it (struct kvm_segment). */
struct vmdbg_seg {
	uint64_t base;
	uint32_t limit;		/* byte granular, already scaled by G */
	uint16_t sel;
	uint8_t type, s, dpl, present, db, l, g, avl, unusable;
};

struct vmdbg_dtable {
	uint64_t base;
	uint16_t limit;
};

struct vmdbg_regs {
	uint64_t gpr[16];
	uint64_t rip, rflags;
	struct vmdbg_seg es, cs, ss, ds, fs, gs, ldt, tr;	/* es..gs in encoding order */
	struct vmdbg_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
};

/* CPU mode, derived from CR0/EFER/CS. */
enum vmdbg_mode {
	VMDBG_MODE_REAL = 16,	/* also used for 16-bit protected mode code */
	VMDBG_MODE_PROT32 = 32,
	VMDBG_MODE_LONG64 = 64,
};

/* ---- trap records ---------------------------------------------------- */

enum vmdbg_trap_class {
	VMDBG_TC_IO,
	VMDBG_TC_MMIO,
	VMDBG_TC_HLT,
	VMDBG_TC_EXCEPTION,
	VMDBG_TC_SOFTINT,	/* int n, int3, into */
	VMDBG_TC_SYSCALL,	/* syscall, sysenter (int 0x80 is a softint) */
	VMDBG_TC_INTERRUPT,	/* external interrupt */
	VMDBG_TC_HYPERCALL,
	VMDBG_TC_MSR,
	VMDBG_TC_CPUID,
	VMDBG_TC_PRIV,		/* a privileged or sensitive instruction (step mode) */
	VMDBG_TC_RETURN,	/* iret, sysret, sysexit back to the app */
	VMDBG_TC_SHUTDOWN,	/* triple fault, or halted forever */
	VMDBG_TC_RESET,
	VMDBG_TC__COUNT
};

enum vmdbg_disposition {
	VMDBG_DISP_REFLECTED,	/* delivered to the guest OS (IDT, syscall entry) */
	VMDBG_DISP_EMULATED,	/* a vmdbg device or CPU model answered it */
	VMDBG_DISP_KVM,		/* handled inside the host kernel */
	VMDBG_DISP_HARDWARE,	/* ran directly on the CPU */
	VMDBG_DISP_ESCALATED,	/* raised, but delivering it faulted (#DF, triple fault) */
	VMDBG_DISP__COUNT
};

/* What a classic trap-and-emulate VMM with a de-privileged guest OS does. */
enum vmdbg_classic {
	VMDBG_CLASSIC_NONE,
	VMDBG_CLASSIC_REFLECTS,	/* trap from the app: pass to the guest OS */
	VMDBG_CLASSIC_EMULATES,	/* privileged insn of the guest OS: emulate */
	VMDBG_CLASSIC_HOLE,	/* sensitive but unprivileged: would NOT trap */
	VMDBG_CLASSIC__COUNT
};

/* Who answered an emulated trap.  Numbers are stored in trace files. */
enum vmdbg_device {
	VMDBG_DEV_NONE = 0,
	VMDBG_DEV_UART,
	VMDBG_DEV_DEBUG_EXIT,
	VMDBG_DEV_POST,
	VMDBG_DEV_I8042,
	VMDBG_DEV_CMOS,
	VMDBG_DEV_HYPERCALL,
	VMDBG_DEV_UNCLAIMED,
	VMDBG_DEV_CPU,		/* vmdbg's CPU model: cpuid, msr, hlt, ... */
	VMDBG_DEV_PIC,
	VMDBG_DEV_PIT,
	VMDBG_DEV_LAPIC,	/* local APIC, MMIO 0xFEE00000 */
	VMDBG_DEV_IOAPIC,	/* I/O APIC, MMIO 0xFEC00000 */
	VMDBG_DEV_ACPI,		/* ACPI PM1a event/control ports */
	VMDBG_DEV_FWCFG,	/* QEMU fw_cfg, ports 0x510-0x51b */
	VMDBG_DEV_VGA,		/* VGA text mode: CRTC and the other 0x3Bx-0x3Dx ports */
	VMDBG_DEV_KBD,		/* the i8042 with its PS/2 keyboard (0x60, 0x64) */
	VMDBG_DEV_BIOS,		/* a BIOS service (int 0x10, 0x15, ...) vmdbg ran */
	VMDBG_DEV_IDE,		/* the ATA/IDE disk controller */
	VMDBG_DEV__COUNT
};

/* Privileged and sensitive instructions vmdbg names.  Stored in traces. */
enum vmdbg_insn {
	VMDBG_INSN_NONE = 0,
	VMDBG_INSN_HLT, VMDBG_INSN_CLI, VMDBG_INSN_STI,
	VMDBG_INSN_PUSHF, VMDBG_INSN_POPF,
	VMDBG_INSN_IN, VMDBG_INSN_OUT, VMDBG_INSN_INS, VMDBG_INSN_OUTS,
	VMDBG_INSN_LGDT, VMDBG_INSN_LIDT, VMDBG_INSN_LLDT, VMDBG_INSN_LTR,
	VMDBG_INSN_SGDT, VMDBG_INSN_SIDT, VMDBG_INSN_SLDT, VMDBG_INSN_STR,
	VMDBG_INSN_SMSW, VMDBG_INSN_LMSW, VMDBG_INSN_CLTS,
	VMDBG_INSN_MOV_CR, VMDBG_INSN_MOV_DR, VMDBG_INSN_INVLPG,
	VMDBG_INSN_WBINVD, VMDBG_INSN_INVD,
	VMDBG_INSN_RDMSR, VMDBG_INSN_WRMSR, VMDBG_INSN_CPUID,
	VMDBG_INSN_RDTSC, VMDBG_INSN_RDTSCP, VMDBG_INSN_RDPMC,
	VMDBG_INSN_SYSCALL, VMDBG_INSN_SYSRET, VMDBG_INSN_SYSENTER,
	VMDBG_INSN_SYSEXIT, VMDBG_INSN_IRET, VMDBG_INSN_INT,
	VMDBG_INSN_INT3, VMDBG_INSN_INTO, VMDBG_INSN_UD2,
	VMDBG_INSN_LAR, VMDBG_INSN_LSL, VMDBG_INSN_VERR, VMDBG_INSN_VERW,
	VMDBG_INSN_MOV_FROM_SREG, VMDBG_INSN_MOV_TO_SREG, VMDBG_INSN_PUSH_SREG,
	VMDBG_INSN_POP_SREG, VMDBG_INSN_SWAPGS,
	VMDBG_INSN_VMCALL, VMDBG_INSN_XSETBV,
	VMDBG_INSN__COUNT
};

/* Classes for `break priv` (bit mask). */
enum vmdbg_priv_class {
	VMDBG_PC_HLT = 1 << 0,
	VMDBG_PC_INTR = 1 << 1,	/* cli sti popf pushf */
	VMDBG_PC_IO = 1 << 2,	/* in out ins outs */
	VMDBG_PC_CR = 1 << 3,	/* mov cr, clts, lmsw */
	VMDBG_PC_MSR = 1 << 4,
	VMDBG_PC_DESC = 1 << 5,	/* lgdt lidt lldt ltr and the stores */
	VMDBG_PC_TLB = 1 << 6,	/* invlpg, mov cr3 */
	VMDBG_PC_SYS = 1 << 7,	/* syscall sysret sysenter sysexit iret int */
	VMDBG_PC_HOLE = 1 << 8,	/* sensitive-unprivileged */
	VMDBG_PC_ALL = (1 << 9) - 1,
};

enum vmdbg_dir {
	VMDBG_DIR_NONE = 0,
	VMDBG_DIR_IN = 1,	/* port in, memory read, rdmsr */
	VMDBG_DIR_OUT = 2,	/* port out, memory write, wrmsr */
};

/*
 * One trap.  Which fields mean something depends on cls:
 *   io:        addr = port, dir, size, value, device; a string instruction
 *              (ins/outs, rep or not) is one record: count = the elements
 *              it moved, value = the first element; 0 for in/out
 *   mmio:      addr = guest physical address, dir, size, value, device
 *   exception: vector, error code (has_error), cr2 for #PF
 *   softint:   vector; syscall: addr = system call number (rax/eax)
 *   hypercall: addr = call number, value = argument
 *   msr:       addr = MSR number, dir, value
 *   cpuid:     addr = leaf (eax), value = subleaf (ecx)
 *   priv:      insn
 *   return:    insn (iret/sysret/sysexit), handler = return target
 * For reflected traps handler is the guest handler's RIP.
 */
struct vmdbg_trap {
	uint64_t seq;		/* 0, 1, 2, ... per run */
	uint64_t time;		/* instructions retired (emu) or exits (kvm) */
	uint64_t rip;		/* origin: RIP of the trapping instruction */
	uint64_t addr;
	uint64_t value;
	uint64_t handler;
	uint64_t cr2;
	uint32_t error_code;
	uint16_t vector;
	uint16_t insn;		/* enum vmdbg_insn */
	uint8_t cls;		/* enum vmdbg_trap_class */
	uint8_t disposition;	/* enum vmdbg_disposition */
	uint8_t classic;	/* enum vmdbg_classic */
	uint8_t device;		/* enum vmdbg_device */
	uint8_t cpl;		/* origin CPL: 0 guest OS, 3 guest app */
	uint8_t dir;		/* enum vmdbg_dir */
	uint8_t size;		/* access size in bytes */
	uint8_t mode;		/* enum vmdbg_mode at origin */
	uint8_t has_error;
	uint8_t time_is_insns;	/* 1 when time counts instructions */
	uint8_t cpu;		/* the CPU it happened on (0: the BSP, or one CPU) */
	uint32_t count;		/* io: elements of a string instruction, else 0 */
};

/* ---- events ---------------------------------------------------------- */

enum vmdbg_event_kind {
	VMDBG_EV_TRAP,		/* u.trap valid only during the callback */
	VMDBG_EV_SERIAL,	/* bytes the guest wrote to the UART */
	VMDBG_EV_INPUT,		/* a nondeterministic input consumed by the guest */
	VMDBG_EV_LOG,		/* engine message for the user */
	VMDBG_EV_WANT_INPUT,	/* the guest looks for console input: the frontend
				 * may call vmdbg__console_input() in the callback */
};

enum vmdbg_input_kind {
	VMDBG_INPUT_SERIAL = 1,	/* bytes read from the UART RBR */
	VMDBG_INPUT_IRQ = 2,	/* an interrupt injected at this time */
	VMDBG_INPUT_CMOS = 3,	/* wall-clock value read from the CMOS */
	VMDBG_INPUT_TSC = 4,	/* a time stamp value given to the guest */
	VMDBG_INPUT_KBD = 5,	/* a scan code byte read from the i8042 (0x60), or
				 * 0x10000 | AX for a key the BIOS's int 0x16 gave */
	/* Arrivals: a byte the host handed to a device's queue
	 * (vmdbg__serial_input, vmdbg__key_input), one input per byte at the
	 * time it was queued, so a replay queues it at the same instruction
	 * and a guest polling LSR or 0x64 sees it when the recorded one did. */
	VMDBG_INPUT_SERIAL_ARRIVAL = 6,
	VMDBG_INPUT_KEY_ARRIVAL = 7,
};

enum vmdbg_log_level { VMDBG_LOG_DEBUG, VMDBG_LOG_INFO, VMDBG_LOG_WARN, VMDBG_LOG_ERROR };

struct vmdbg_event {
	enum vmdbg_event_kind kind;
	union {
		const struct vmdbg_trap *trap;
		struct {
			const uint8_t *data;
			size_t len;
		} serial;
		struct {
			enum vmdbg_input_kind kind;
			uint64_t time;
			uint64_t value;
		} input;
		struct {
			enum vmdbg_log_level level;
			const char *msg;
		} log;
		struct {
			/* 1: the guest cannot go on without input (int 0x16
			 * read key, hlt with nothing else to wake it); 0: it
			 * polled an empty keyboard or UART. */
			int blocking;
			/* who asked: VMDBG_DEV_KBD, _UART, _BIOS (int 0x16),
			 * _CPU (a hlt) */
			int device;
		} want;
	} u;
};

typedef void (*vmdbg_event_fn)(void *ctx, const struct vmdbg_event *ev);

/* ---- stops ----------------------------------------------------------- */

enum vmdbg_stop_reason {
	VMDBG_STOP_NONE = 0,
	VMDBG_STOP_EXIT,	/* guest wrote the debug-exit port */
	VMDBG_STOP_SHUTDOWN,	/* triple fault */
	VMDBG_STOP_RESET,	/* guest asked for a reset (i8042 0xFE) */
	VMDBG_STOP_HALTED,	/* hlt with interrupts off and nothing pending */
	VMDBG_STOP_BREAKPOINT,
	VMDBG_STOP_STEP,	/* step count done */
	VMDBG_STOP_GAP,		/* the backend cannot run this instruction here */
	VMDBG_STOP_UNSUPPORTED,	/* emu: instruction vmdbg does not implement */
	VMDBG_STOP_LIMIT,	/* --max-steps reached */
	VMDBG_STOP_TIMEOUT,
	VMDBG_STOP_USER,	/* vmdbg__request_stop() */
	VMDBG_STOP_ERROR,	/* host-side failure */
	VMDBG_STOP_POWEROFF,	/* the guest entered ACPI S5 through PM1a_CNT */
};

struct vmdbg_stop {
	enum vmdbg_stop_reason reason;
	int exit_status;	/* for EXIT: value * 2 + 1 */
	uint64_t rip;
	char msg[256];		/* one line, for the user */
	/* For VMDBG_STOP_BREAKPOINT: */
	int bp_id;		/* the breakpoint/watchpoint/catchpoint, 0 for none */
	unsigned priv_class;	/* `break priv`: the enum vmdbg_priv_class bit matched */
	uint16_t insn;		/* `break priv`: the instruction (enum vmdbg_insn) */
	int has_trap;		/* catchpoint: trap is the record that matched */
	struct vmdbg_trap trap;
	uint64_t watch_addr;	/* watchpoint: the address accessed ... */
	uint64_t watch_old, watch_new;	/* ... and the value before and after */
};

/* ---- configuration --------------------------------------------------- */

#define VMDBG_MEM_MIN	(2ULL << 20)
#define VMDBG_MEM_MAX	(3ULL << 30)	/* below the 32-bit MMIO hole */
#define VMDBG_MAX_DISKS		4
#define VMDBG_MAX_MODULES	16

struct vmdbg_config {
	enum vmdbg_backend_kind backend;
	uint64_t mem_size;	/* bytes; 0 means 64 MiB; else a multiple of 4 KiB
				 * from VMDBG_MEM_MIN to VMDBG_MEM_MAX */
	/* flat binaries (--load/--entry/--mode); 0 means "detect" */
	uint64_t load_addr;
	uint64_t entry;
	int mode;		/* 16, 32, 64 or 0 */
	int have_load, have_entry;
	int have_syscall_vector, syscall_vector;	/* --syscall-vector N */
	/* ATA disks (--disk FILE[,index=N]): index 0-3 is primary master,
	 * primary slave, secondary master, secondary slave; -1 takes the next
	 * free one (after a boot-disk image, which is primary master). */
	struct {
		const char *path;
		int index;
	} disks[VMDBG_MAX_DISKS];
	int ndisks;
	int snapshot;		/* 1: disk writes stay in memory; 0: to the files */
	/* multiboot: --cmdline, --module FILE[ ARGS] (strings live as long as
	 * the vmdbg) */
	const char *cmdline;
	const char *modules[VMDBG_MAX_MODULES];
	int nmodules;
	/* Linux bzImage: --initrd FILE, --append "CMDLINE" (strings live as
	 * long as the vmdbg) */
	const char *initrd;
	const char *append;
	uint64_t snapshot_mem;	/* time travel: bytes of snapshots; 0: 512 MiB */
	uint64_t snapshot_interval;	/* instructions between them; 0: adaptive */
	/* Multiprocessor guests (emu only): --cpus N (0 or 1: one CPU), the
	 * scheduler's quantum in retired instructions (0: VMDBG_QUANTUM),
	 * --schedule (VMDBG_SCHED_*) and its --seed. */
	int cpus;
	uint64_t quantum;
	int schedule;
	uint64_t seed;
};

#define VMDBG_MAX_CPUS		8
#define VMDBG_QUANTUM		4096
enum vmdbg_schedule { VMDBG_SCHED_ROUND_ROBIN = 0, VMDBG_SCHED_RANDOM = 1 };

enum vmdbg_image_format {
	VMDBG_IMG_NONE = 0,
	VMDBG_IMG_BOOTSECTOR,
	VMDBG_IMG_MULTIBOOT,
	VMDBG_IMG_ELF64,
	VMDBG_IMG_FLAT,
	VMDBG_IMG_BZIMAGE,
};

struct vmdbg_image_info {
	enum vmdbg_image_format format;
	uint64_t entry;
	uint64_t load_lo, load_hi;	/* physical range loaded */
	uint64_t file_size;
	uint8_t sha256[32];
	int mode;			/* entry mode: 16, 32, 64 */
	char detected[128];		/* what the loader saw, one line ("boot sector
					 * (disk image, also primary master)") */
};

/* An attached disk, for the trace header and `info`.  sha256 is of the file
 * as it is on the host (in snapshot mode: unchanged by the guest). */
struct vmdbg_disk_info {
	int index;			/* 0-3 */
	char path[256];
	uint64_t size;			/* bytes */
	int snapshot;
	uint8_t sha256[32];
};

/* ---- the API --------------------------------------------------------- */

/* Returns NULL on failure; *err (if given) then holds a message. */
struct vmdbg *vmdbg__create(const struct vmdbg_config *cfg, char *err, size_t errlen);
void vmdbg__destroy(struct vmdbg *vm);

/* The callback is called on the thread that calls run/step. */
void vmdbg__set_callback(struct vmdbg *vm, vmdbg_event_fn fn, void *ctx);

/* Message for the last failed call, one line, never NULL. */
const char *vmdbg__last_error(const struct vmdbg *vm);

int vmdbg__load(struct vmdbg *vm, const char *path, struct vmdbg_image_info *info);
int vmdbg__load_buffer(struct vmdbg *vm, const uint8_t *data, size_t len,
		       struct vmdbg_image_info *info);

/* Disk index (0-3): 0 and *out filled (with_sha: the file hashed too, which
 * reads it whole), -ENOENT when no disk is there.  The disks are attached
 * by vmdbg__load() from cfg.disks (and the image when it is a boot disk). */
/* "primary master", "primary slave", "secondary master", "secondary slave". */
const char *vmdbg__disk_slot_name(int index);
int vmdbg__disk_info(struct vmdbg *vm, int index, int with_sha, struct vmdbg_disk_info *out);

const char *vmdbg__backend_name(const struct vmdbg *vm);
/* Why auto chose this backend (one line), or "" for an explicit choice. */
const char *vmdbg__backend_reason(const struct vmdbg *vm);

/* Step mode: every instruction is decoded, privileged and hole
 * instructions become VMDBG_TC_PRIV records. */
void vmdbg__set_step_mode(struct vmdbg *vm, int on);
/* 0 means no limit. */
void vmdbg__set_limits(struct vmdbg *vm, uint64_t max_steps, uint64_t timeout_ms);

int vmdbg__run(struct vmdbg *vm, struct vmdbg_stop *stop);
int vmdbg__step(struct vmdbg *vm, uint64_t n, struct vmdbg_stop *stop);
/* Step N instructions, running a call, int n, syscall or rep-string at the
 * current instruction to its end as one step (gdb's nexti): to the next
 * instruction's address at the same stack depth and CPL.  Each finished
 * step is VMDBG_STOP_STEP ("step done"); a breakpoint or any other stop
 * on the way ends it early.  On kvm it needs a free debug register (or
 * int3) unless single-stepping anyway. */
int vmdbg__nexti(struct vmdbg *vm, uint64_t n, struct vmdbg_stop *stop);
/* Continue with a one-shot internal breakpoint at linear address va (user
 * breakpoints still stop).  Used for finish, until and advance.  Reaching
 * va is VMDBG_STOP_STEP ("reached 0x..."), at any stack depth. */
int vmdbg__run_until(struct vmdbg *vm, uint64_t va, struct vmdbg_stop *stop);
/* The same, but va counts only where SP >= min_sp at the current CPL:
 * finish under recursion stops in the caller of this frame, not when a
 * deeper call of the same function returns to the same address. */
int vmdbg__run_until_sp(struct vmdbg *vm, uint64_t va, uint64_t min_sp, struct vmdbg_stop *stop);
/* The one-shot stops of vmdbg__run_until_any: va, and with min_sp only
 * where SP >= min_sp at the current CPL (0: at any depth). */
#define VMDBG_UNTIL_MAX 2
struct vmdbg_until {
	uint64_t va;
	uint64_t min_sp;
};
/* Continue until one of n (1..VMDBG_UNTIL_MAX) addresses is reached
 * (gdb's until/advance LOC: LOC, or the current frame's return address
 * above its stack pointer, whichever comes first); VMDBG_STOP_STEP
 * "reached 0x..." names the one reached.  On kvm each address needs a
 * debug register unless int3 or single-stepping is used. */
int vmdbg__run_until_any(struct vmdbg *vm, const struct vmdbg_until *at, int n,
			 struct vmdbg_stop *stop);
/*
 * Time travel (emu only): while recording, the engine keeps whole-machine
 * snapshots (copy-on-write RAM pages) and a log of the inputs, and goes
 * back by restoring one and executing forward again.  vmdbg__record(vm, 1)
 * starts at the current point (-ENOTSUP on kvm: "reverse execution needs
 * --backend emu"; -EROFS with a disk that writes to its file), 0 stops and
 * frees the history.  Writing registers, memory or input at a point in the
 * past drops the history after it.  The goto and reverse calls stop as
 * runs do (VMDBG_STOP_STEP at the point, a breakpoint for
 * reverse-continue) and return 0, VMDBG_HISTORY_START when they stopped at
 * the start of the history instead (gdb: "No more reverse-execution
 * history."), or a negative errno with a one-line message (-ERANGE outside
 * the history, -ENOENT when not recording).
 */
#define VMDBG_HISTORY_START	1
struct vmdbg_history {
	int recording;
	uint64_t first_insn, end_insn;	/* instructions of the recorded span */
	uint64_t first_seq, end_seq;	/* records first_seq .. end_seq - 1 */
	uint64_t snapshots, bytes, limit;	/* memory held and its bound */
	uint64_t interval;		/* instructions between snapshots now */
	uint64_t inputs;		/* input arrivals logged */
	uint64_t now_seq;		/* the next record's number here */
};
int vmdbg__record(struct vmdbg *vm, int on);
/* Returns h->recording. */
int vmdbg__history(struct vmdbg *vm, struct vmdbg_history *h);
int vmdbg__goto_insn(struct vmdbg *vm, uint64_t insns, struct vmdbg_stop *stop);
/* Just after record seq was made, as a catchpoint on it stops. */
int vmdbg__goto_record(struct vmdbg *vm, uint64_t seq, struct vmdbg_stop *stop);
int vmdbg__reverse_stepi(struct vmdbg *vm, uint64_t n, struct vmdbg_stop *stop);
/* Back to the last breakpoint, watchpoint or catchpoint hit before now. */
int vmdbg__reverse_continue(struct vmdbg *vm, struct vmdbg_stop *stop);
/* A 64-bit hash (FNV-1a by words) of all guest RAM, for comparing states. */
uint64_t vmdbg__ram_hash(struct vmdbg *vm);

/* Async-signal-safe: makes a running vmdbg__run() return VMDBG_STOP_USER. */
void vmdbg__request_stop(struct vmdbg *vm);
/* Has a stop been requested in this run?  For an event callback that waits
 * (VMDBG_EV_WANT_INPUT) to give up. */
int vmdbg__stop_requested(const struct vmdbg *vm);

int vmdbg__get_regs(struct vmdbg *vm, struct vmdbg_regs *regs);
int vmdbg__set_regs(struct vmdbg *vm, const struct vmdbg_regs *regs);
int vmdbg__read_phys(struct vmdbg *vm, uint64_t gpa, void *buf, size_t len);
int vmdbg__write_phys(struct vmdbg *vm, uint64_t gpa, const void *buf, size_t len);
uint64_t vmdbg__mem_size(const struct vmdbg *vm);

/*
 * Multiprocessor guests (cfg.cpus > 1, emu).  The registers, memory
 * reads through paging and vmdbg__step() act on the selected CPU: the one
 * that stopped the machine last (a breakpoint's CPU), or the one
 * vmdbg__select_cpu() chose since.  One CPU: 1, CPU 0, and select only 0.
 */
int vmdbg__cpus(const struct vmdbg *vm);
int vmdbg__cpu(const struct vmdbg *vm);
int vmdbg__select_cpu(struct vmdbg *vm, int cpu);	/* -EINVAL: no such CPU */
/* What CPU cpu does now, one word: "running", "halted", "wait-for-SIPI". */
const char *vmdbg__cpu_state(const struct vmdbg *vm, int cpu);
/* Scheduler locking (gdb's words): on (the default), vmdbg__step() runs
 * only the selected CPU; off, the scheduler runs every CPU as in a run. */
void vmdbg__set_scheduler_locking(struct vmdbg *vm, int on);
int vmdbg__scheduler_locking(const struct vmdbg *vm);

/* Counters: instructions retired (emu; 0 on kvm), exits (kvm). */
uint64_t vmdbg__insn_count(const struct vmdbg *vm);
uint64_t vmdbg__exit_count(const struct vmdbg *vm);

/* Feed bytes to the guest's UART receive buffer. */
int vmdbg__serial_input(struct vmdbg *vm, const void *buf, size_t len);
/* Characters typed on the PS/2 keyboard: each is one keystroke (make and
 * break codes, Shift or Ctrl around it when needed). */
int vmdbg__key_input(struct vmdbg *vm, const void *buf, size_t len);
/* Characters the user typed at the console: to the keyboard when the guest
 * has set it up (wrote the i8042 command byte, enabled the keyboard, or
 * called int 0x16) or is a boot sector (vmdbg's BIOS) that does not take
 * UART receive interrupts, else to the UART.  Returns 0 or a negative errno
 * (-ENOSPC: the queue is full, nothing was taken). */
int vmdbg__console_input(struct vmdbg *vm, const void *buf, size_t len);

/* Where a boot sector's IVT points for vmdbg's BIOS services: the stub
 * of vector v is at linear VMDBG_BIOS_STUBS + 4 * v (F000:F000 + 4 * v). */
#define VMDBG_BIOS_STUBS 0xFF000

/* The VGA text screen (80x25 at 0xB8000 + 2 * the CRTC start address). */
#define VMDBG_SCREEN_COLS 80
#define VMDBG_SCREEN_ROWS 25
struct vmdbg_screen {
	uint16_t cell[VMDBG_SCREEN_ROWS][VMDBG_SCREEN_COLS];	/* char | attr << 8 */
	int cursor_row, cursor_col;	/* from the CRTC cursor location */
	int cursor_visible;		/* on screen and not disabled (CRTC 0x0A bit 5) */
	int used;			/* some cell holds a visible character */
};
int vmdbg__screen(struct vmdbg *vm, struct vmdbg_screen *s);

/* System calls.  A software interrupt from ring 3 (which only a DPL-3 gate
 * lets through; not int3 or into), syscall and sysenter are system calls,
 * numbered by EAX.  vmdbg__set_syscall_vector(vm, N) replaces the rule for
 * int n: only int N is a system call, from any ring; -1 restores it. */
void vmdbg__set_syscall_vector(struct vmdbg *vm, int vector);
int vmdbg__syscall_vector(const struct vmdbg *vm);
/* Is this record a system call under that rule (vector -1: the default)? */
int vmdbg__trap_is_syscall(const struct vmdbg_trap *t, int syscall_vector);

/* ---- debugger: breakpoints, watchpoints, catchpoints -------------------- */

/*
 * Addresses are linear: segment bases are not added (in real mode a
 * breakpoint on CS:IP is at CS * 16 + IP), as gdb does on x86.
 *
 * Stops: exec, exec-phys and priv stop before the instruction runs (RIP is
 * on it); watch stops after the instruction that accessed the range;
 * catch stops right after the trap is delivered (at the handler's first
 * instruction for a reflected trap, after the instruction for an emulated
 * one).  Several at once: all count a hit, the lowest id is reported.
 * Resuming where the guest last stopped runs that instruction once
 * without stopping (gdb's rule); a first run stops at a breakpoint on the
 * entry.  A hit counts only when its condition is true; then an ignore
 * count (spec.ignore, decremented) passes it.  A condition that cannot be
 * evaluated stops with the error in stop->msg.  cpl applies to every kind
 * (catch: the record's origin CPL).  None of these calls may be made from
 * the event callback.
 *
 * Backends (bp_info.how says which applies):
 *   emu  everything exact; breakpoints are checked before every
 *        instruction, watchpoints on every data access, any number.
 *   kvm  exec: int3 where the probe says KVM reports it, else a debug
 *        register (4, shared with the reflected-trap catcher; user
 *        breakpoints take them first, a fifth is refused).  priv and
 *        exec-phys: the guest is single-stepped (exact, slow); refused
 *        with --cpl 3 where the host cannot step ring 3.  watch: a debug
 *        register where the probe says data watchpoints fire (1, 2, 4 or 8
 *        aligned bytes, write or read-or-write), else refused.  catch:
 *        every record; reflected traps are seen on the vectors the catcher
 *        watches, and it watches the ones catchpoints name first.
 *
 * Watchpoints follow gdb: `watch` (write) stops only when the value
 * changed, `rwatch` on reads, `awatch` on any access.  watch_old/new are
 * the watched range's value when len <= 8, else the 8 bytes at watch_addr.
 */

enum vmdbg_bp_kind {
	VMDBG_BP_EXEC = 1,	/* addr: linear (virtual) address of an instruction */
	VMDBG_BP_EXEC_PHYS,	/* addr: guest physical address */
	VMDBG_BP_PRIV,		/* priv_mask: enum vmdbg_priv_class bits */
	VMDBG_BP_WATCH,		/* addr, len, access: data watchpoint (linear) */
	VMDBG_BP_CATCH,		/* catch: a trap record filter */
};

enum vmdbg_access { VMDBG_ACC_READ = 1, VMDBG_ACC_WRITE = 2, VMDBG_ACC_RW = 3 };

/* A trap record filter; -1 (or lo > hi) in a field means "any"
 * (vmdbg__catch_init() sets them all so).  vector matches exception,
 * softint and interrupt records only; lo..hi the addr of io, mmio, msr,
 * hypercall and cpuid records only. */
struct vmdbg_catch {
	int cls;		/* enum vmdbg_trap_class */
	int vector;		/* exception / interrupt vector */
	int64_t nr;		/* syscall number: record addr (class syscall, or
				 * eax of an int n system call with syscall = 1) */
	uint64_t lo, hi;	/* port or MMIO address range (inclusive) */
	int disposition;	/* enum vmdbg_disposition */
	int syscall;		/* 1: any system call (vmdbg__trap_is_syscall());
				 * cls is then ignored */
	int device;		/* enum vmdbg_device that answered; 0: any */
};

struct vmdbg_bp_spec {
	enum vmdbg_bp_kind kind;
	uint64_t addr;
	uint64_t len;		/* watch: 1, 2, 4 or 8 (emu: any up to 4096) */
	enum vmdbg_access access;
	unsigned priv_mask;	/* 0 means VMDBG_PC_ALL */
	int cpl;		/* -1 any, else stop only at this CPL */
	struct vmdbg_catch catch_;
	int temporary;		/* delete after the first stop */
	uint64_t ignore;	/* pass this many hits before stopping (counts down) */
	char cond[128];		/* "" or an expression: $rax == 4 && $cpl == 3 */
};

struct vmdbg_bp_info {
	int id;
	struct vmdbg_bp_spec spec;
	int enabled;
	uint64_t hits;
	char how[96];		/* how the backend implements it, e.g. "kvm: DR1, ...",
				 * or "disabled" */
};

/* Returns the new id (> 0) or a negative errno; vmdbg__last_error() says why
 * (e.g. "kvm: data watchpoints do not fire on this host's KVM"). */
int vmdbg__bp_insert(struct vmdbg *vm, const struct vmdbg_bp_spec *spec);
int vmdbg__bp_delete(struct vmdbg *vm, int id);
int vmdbg__bp_enable(struct vmdbg *vm, int id, int enabled);
int vmdbg__bp_set_condition(struct vmdbg *vm, int id, const char *cond);
int vmdbg__bp_set_ignore(struct vmdbg *vm, int id, uint64_t count);
/* Fills up to max entries in id order; returns how many exist. */
int vmdbg__bp_list(struct vmdbg *vm, struct vmdbg_bp_info *out, int max);
/* A filter that matches every record: set the fields you want after it. */
void vmdbg__catch_init(struct vmdbg_catch *c);
/* "hlt", "intr", "io", ... for one enum vmdbg_priv_class bit (NULL if not
 * exactly one), and back (also "all"); -1 when unknown. */
const char *vmdbg__priv_class_name(unsigned bit);
int vmdbg__priv_class_from_name(const char *s);

/* Evaluate an expression: registers ($rax, $eax, $ax, $al, $ah, $r8..$r15
 * and their d/w/b forms, $rip/$eip/$ip/$pc, $eflags, $cs..$gs selectors,
 * $fs_base, $gs_base, $cr0, $cr2, $cr3, $cr4, $cr8, $efer, $cpl), numbers
 * (C syntax, 'c'), memory through the guest page tables (*ADDR reads 4
 * bytes in 16/32-bit mode, 8 in long mode; *1 ADDR, *2, *4, *8 give the
 * size; ADDR is linear), the operators + - * / % & | ^ << >> == != < <=
 * > >= && || ! ~ unary -, and parentheses, all on unsigned 64-bit values
 * with C's precedence; && and || short-circuit. */
int vmdbg__eval(struct vmdbg *vm, const char *expr, uint64_t *value);

/* ---- inspection ------------------------------------------------------- */

/* The devices and their state, one line each (the PIC's masks and
 * requests, the local APIC and I/O APIC, the PIT, the UART, ACPI): fn is
 * called once per line; the line is valid only during the call.  Returns
 * the number of lines. */
typedef void (*vmdbg_line_fn)(void *ctx, const char *line);
int vmdbg__devices_describe(struct vmdbg *vm, vmdbg_line_fn fn, void *ctx);

/* Read/write linear addresses through the guest's page tables (current
 * CR3 and paging mode; none in real mode).  The walk neither sets accessed
 * or dirty bits nor checks permissions.  -EFAULT names the first unmapped
 * address and the level that was not present. */
int vmdbg__read_virt(struct vmdbg *vm, uint64_t va, void *buf, size_t len);
int vmdbg__write_virt(struct vmdbg *vm, uint64_t va, const void *buf, size_t len);

/* One level of a page walk, for `info pagetable`. */
struct vmdbg_walk_level {
	char name[8];		/* the table: "PML5", "PML4", "PDPT", "PD", "PT" */
	uint64_t table;		/* physical address of the table */
	unsigned index;
	uint64_t entry;		/* the raw entry */
	int present, writable, user, nx, large, accessed, dirty;
};

struct vmdbg_walk {
	int paging;		/* 0: paging off, pa == va */
	int nlevels;
	struct vmdbg_walk_level level[5];
	int ok;			/* translation succeeded */
	uint64_t pa;
	char fault[96];		/* why not: "PDE not present" */
};

/* The walk for linear va: real mode (none), 32-bit (PD, PT; 4 MiB pages),
 * PAE (PDPT, PD, PT) and 4/5-level paging.  Returns 0 with walk->ok 0 and
 * walk->fault ("PDE not present") when va is not mapped. */
int vmdbg__translate(struct vmdbg *vm, uint64_t va, struct vmdbg_walk *walk);

/* Disassemble one instruction at a linear address in the current mode.
 * Returns its length, or a negative errno.  intel = 0 for AT&T syntax.
 * Text as objdump writes it ("mov $0x1, %eax", "call 0x10015"); branch
 * targets are absolute, from the linear address. */
int vmdbg__disas(struct vmdbg *vm, uint64_t va, int intel, char *buf, size_t len);
/* Same on bytes: mode 16, 32 or 64, runtime_address for branch targets. */
int vmdbg__disas_bytes(const uint8_t *code, size_t n, int mode, uint64_t runtime_address,
		       int intel, char *buf, size_t len);
/* The last n trap records, oldest first; returns how many were copied.
 * The engine keeps a ring of 4096 only after vmdbg__keep_trap_ring(vm,
 * true) (a debugger session; it costs a copy per trap): otherwise only the
 * last record, so n is at most 1. */
int vmdbg__recent_traps(struct vmdbg *vm, struct vmdbg_trap *out, int n);
/* Turn the ring of recent trap records on or off (off at creation).
 * Records from before the switch are lost but the last one. */
void vmdbg__keep_trap_ring(struct vmdbg *vm, int on);

/* ---- KVM probe ------------------------------------------------------- */

enum vmdbg_probe_item {
	VMDBG_PROBE_REAL_INT,		/* int n in real mode */
	VMDBG_PROBE_REAL_INT80,		/* int 0x80 in real mode */
	VMDBG_PROBE_PM32_INT,		/* int n in 32-bit protected mode */
	VMDBG_PROBE_PM32_IRET,		/* iret in 32-bit protected mode */
	VMDBG_PROBE_PAGING32,		/* 32-bit two-level paging */
	VMDBG_PROBE_LONG_MODE,		/* entering long mode */
	VMDBG_PROBE_LM_INT,		/* int n in long mode */
	VMDBG_PROBE_SYSCALL_R3,		/* syscall from ring 3 */
	VMDBG_PROBE_SW_BP,		/* int3 software breakpoints */
	VMDBG_PROBE_HW_BP,		/* debug-register execute breakpoints */
	VMDBG_PROBE_WATCH,		/* debug-register data watchpoints */
	VMDBG_PROBE_SINGLESTEP,		/* KVM_GUESTDBG_SINGLESTEP */
	VMDBG_PROBE_HW_BP_R3,		/* execute breakpoints on ring-3 code */
	VMDBG_PROBE_SINGLESTEP_R3,	/* single-stepping ring-3 code */
	VMDBG_PROBE__COUNT
};

enum vmdbg_probe_verdict {
	VMDBG_PROBE_UNTESTED = 0,
	VMDBG_PROBE_OK,
	VMDBG_PROBE_GAP,
};

struct vmdbg_probe_result {
	int kvm_present;		/* /dev/kvm opened */
	char kvm_error[128];		/* why not, when kvm_present == 0 */
	enum vmdbg_probe_verdict verdict[VMDBG_PROBE__COUNT];
	char detail[VMDBG_PROBE__COUNT][96];	/* what was seen, one line */
	char irqchip[160];		/* which interrupt controllers kvm runs with */
	int from_cache;			/* the verdicts came from the host's cache */
};

/* Runs the probe guests (each in its own throw-away VM), or takes the
 * verdicts from this host's probe cache ($XDG_CACHE_HOME/vmdbg/probe, or
 * $VMDBG_PROBE_CACHE; keyed by kernel release, KVM API version, CPU model
 * and vmdbg version; a stale or corrupt cache is probed again and
 * rewritten).  Returns 0, or a negative errno when /dev/kvm is unusable
 * (result->kvm_error says why). */
int vmdbg__probe(struct vmdbg_probe_result *result);
/* The same, always probing, and refreshing the cache (vmdbg --probe). */
int vmdbg__probe_refresh(struct vmdbg_probe_result *result);
const char *vmdbg__probe_item_name(enum vmdbg_probe_item item);
/* One line naming every gap, or "" when there is none. */
void vmdbg__probe_summary(const struct vmdbg_probe_result *r, char *buf, size_t len);

/* ---- names and formatting (no printing) ------------------------------ */

const char *vmdbg__class_name(unsigned cls);

/* Linux system-call numbering (vmdbg/syscalls.c): i386 for int 0x80 and
 * sysenter, x86-64 for syscall. */
enum vmdbg_abi { VMDBG_ABI_I386, VMDBG_ABI_X86_64 };
/* "write" for 4 (i386) or 1 (x86-64); NULL when unknown. */
const char *vmdbg__syscall_name(enum vmdbg_abi abi, long nr);
/* The number of a call by name, -1 when unknown. */
long vmdbg__syscall_number(enum vmdbg_abi abi, const char *name);
const char *vmdbg__disposition_name(unsigned d);
const char *vmdbg__classic_name(unsigned c);
const char *vmdbg__device_name(unsigned dev);
const char *vmdbg__insn_name(unsigned insn);
const char *vmdbg__exception_name(unsigned vector);	/* "#PF" or NULL */
/* Parse the names back; return -1 when unknown. */
int vmdbg__class_from_name(const char *s);
/* "uart", "lapic", ... -> enum vmdbg_device, or -1. */
int vmdbg__device_from_name(const char *s);
int vmdbg__disposition_from_name(const char *s);

/* One aligned line (no newline) for a trap record.  Returns strlen. */
size_t vmdbg__format_trap(const struct vmdbg_trap *t, char *buf, size_t len);
/* Its first columns, seq and time and the space after them (at most 40
 * bytes, no NUL): the rest of the line depends on neither, so a caller
 * may keep it per site.  Returns the length. */
size_t vmdbg__format_trap_head(const struct vmdbg_trap *t, char *buf);
/* The same with a CPU column ("cpu1 ") after the time when cpu_column is
 * set: for a machine or trace of more than one CPU. */
size_t vmdbg__format_trap_cpu(const struct vmdbg_trap *t, int cpu_column, char *buf, size_t len);
/* Its short middle part: "int 0x80 eax=0x4", "#PF err=0x6 cr2=0x800000". */
void vmdbg__format_trap_detail(const struct vmdbg_trap *t, char *buf, size_t len);
const char *vmdbg__stop_reason_name(enum vmdbg_stop_reason r);

#endif
