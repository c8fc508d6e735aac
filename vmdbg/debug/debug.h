/*
 * debug.h - private to the debugger engine, which spans debug.c (the
 * breakpoint table), debug_hit.c (hits, stops, catchpoints, the trap ring),
 * debug_kvm.c (debug registers and int3 on kvm) and debug_step.c (nexti,
 * run_until).  Nothing else includes it.
 */
#ifndef VMDBG_DEBUG_H
#define VMDBG_DEBUG_H

#include "vmdbg/internal.h"

#include <stdbool.h>
#include <stdint.h>

#define RING_SIZE	4096
#define MAX_BPS		256
#define MAX_DRS		4

struct bp {
	int id;
	struct vmdbg_bp_spec spec;
	bool enabled;
	uint64_t hits;
	int dr;			/* kvm: the debug register it holds, -1 none */
	char how[96];
	/* A hit waiting for the stop point (resolve). */
	bool pending;
	bool temp_done;		/* temporary and reported: delete */
	bool seen;		/* tested in this resolve already */
	struct vmdbg_trap trap;	/* catch: the record */
	unsigned priv_class;	/* priv: the class bit matched */
	uint16_t insn;
	uint64_t watch_addr;
	uint64_t watch_old;
	int watch_dir;		/* 0 unknown (kvm), VMDBG_DIR_IN read, _OUT write */
	uint64_t last;		/* kvm watch: the value at the last look */
};

/* One address of the internal one-shot breakpoint. */
struct until_pt {
	uint64_t lin;
	bool depth;		/* only where SP >= sp at the CPL of the arming */
	uint64_t sp;
	int dr;			/* kvm */
};

/* The internal one-shot breakpoint of nexti and run_until: up to
 * VMDBG_UNTIL_MAX addresses (until LOC and the current frame's return). */
struct until {
	bool on, hit;
	bool nexti;
	int n;
	struct until_pt pt[VMDBG_UNTIL_MAX];
	uint64_t spmask;
	int cpl;
	uint64_t hit_lin;	/* the address that stopped it */
};

struct debug {
	/* What debug__insn() looks at for every instruction first, rebuilt
	 * on every change (debug__rebuild). */
	bool skip_valid;	/* resume rule: the first instruction ... */
	uint64_t skip_lin;	/* ... at this address runs without stopping */
	struct until until;
	int nexec, nphys;
	unsigned priv_mask;
	int nwatch, ncatch;
	uint64_t exec_lin[MAX_BPS];	/* sorted */
	uint64_t exec_pa[MAX_BPS];	/* sorted */
	/* Where the guest last stopped. */
	bool stopped;
	uint64_t stop_lin;
	/* Several CPUs: the resume rule per CPU (the one that stopped the
	 * machine, or was stepped alone, sits where it stopped until it runs
	 * again; the selected CPU's is skip_valid/skip_lin above). */
	bool cpu_stopped[VMDBG_MAX_CPUS], cpu_skip[VMDBG_MAX_CPUS];
	uint64_t cpu_stop_lin[VMDBG_MAX_CPUS];
	/* The table, in id order. */
	int nbp;
	int next_id;
	struct bp bp[MAX_BPS];
	/* The last RING_SIZE trap records while ring_on (a debugger session
	 * turns it on: vmdbg__keep_trap_ring); else only the last one, in
	 * last, which stays in cache where a 320 KiB ring does not (issue 16:
	 * the ring was 19.5% of an untraced int+iret). */
	uint64_t nring;
	uint64_t ring_floor;	/* ring entries below this index are gone
				 * (time travel took the newer ones back) */
	bool ring_on;
	struct vmdbg_trap last;
	struct vmdbg_trap ring[RING_SIZE];
};

/* Does the backend break through the CPU's own debug facilities (kvm:
 * debug registers, int3, single-step) rather than checking every
 * instruction itself (emu)? */
static inline bool debug__is_kvm(const struct vmdbg *vm)
{
	return vm->be->bp_caps != NULL;
}

/* The backend's BPCAP_* bits (0 for emu, which needs none). */
static inline unsigned debug__caps(const struct vmdbg *vm)
{
	return vm->be->bp_caps ? vm->be->bp_caps() : 0;
}

/* The linear address of CS:RIP. */
static inline uint64_t debug__linear_pc(const struct vmdbg_regs *r)
{
	if (regs__mode(r) == VMDBG_MODE_LONG64)
		return r->rip;
	return (r->cs.base + r->rip) & 0xffffffffULL;
}

static inline bool debug__cpl_ok(const struct bp *b, int cpl)
{
	return b->spec.cpl < 0 || b->spec.cpl == cpl;
}

static inline bool debug__in_sorted(const uint64_t *v, int n, uint64_t key)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (v[mid] == key)
			return true;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* The debugger's entry points for the rest of the engine.  engine.c calls
 * init and destroy; init installs vm->dbg_ops, through which the core and
 * the backends call the hooks below (see struct dbg_ops in internal.h). */
int debug__init(struct vmdbg *vm);
void debug__destroy(struct vmdbg *vm);
void debug__run_begin(struct vmdbg *vm);
void debug__run_end(struct vmdbg *vm, struct vmdbg_stop *stop);
void debug__trap(struct vmdbg *vm, const struct vmdbg_trap *t);
void debug__resolve(struct vmdbg *vm);
bool debug__insn(struct vmdbg *vm, const struct debug_insn *x);
bool debug__watch_access(struct vmdbg *vm, uint64_t lin, int size, bool write, int cpl);
int debug__hw_slots(struct vmdbg *vm, struct debug_hw *out, int max);
bool debug__hw_hit(struct vmdbg *vm, int dr, uint64_t lin);
bool debug__take_skip(struct vmdbg *vm);
int debug__catch_vectors(struct vmdbg *vm, int *vec, int max);

/* eval.c: evaluate expr; dry: syntax only (no registers or memory). */
int eval__expr(struct vmdbg *vm, const char *expr, bool dry, uint64_t *value);

/* debug.c */
struct bp *debug__find_bp(struct vmdbg *vm, int id);
/* Recompute the lookup tables and vm->dbg_active, tell the backend. */
void debug__rebuild(struct vmdbg *vm);
void debug__ring_rewind(struct vmdbg *vm, uint64_t seq);
bool debug__cur_lin(struct vmdbg *vm, uint64_t *lin);

/* debug_hit.c */
void debug__mark(struct vmdbg *vm, struct bp *b);
/* The internal breakpoint's stack-depth test (nexti). */
/* Does the one-shot breakpoint stop here at lin (kvm: or debug register
 * dr, -1 none)?  Sets until.hit and until.hit_lin when it does. */
bool debug__until_here(struct vmdbg *vm, uint64_t lin, int dr);
/* Is lin one of the one-shot breakpoint's addresses (at any depth)? */
bool debug__until_has(const struct vmdbg *vm, uint64_t lin);
/* The value a watchpoint shows: the whole range when it fits 8 bytes,
 * else the (up to) 8 bytes at the accessed address at. */
uint64_t debug__watch_value(struct vmdbg *vm, const struct bp *b, uint64_t at);

/* debug_kvm.c */
/* A debug register no enabled breakpoint (or the internal one) holds, or -1. */
int debug__free_dr(struct vmdbg *vm);
/* "kvm: ... needs a debug register, and all 4 are taken ..." */
int debug__no_dr_error(struct vmdbg *vm, const char *what);
/* Does this kind take a debug register on this host? */
bool debug__needs_dr(const struct vmdbg *vm, const struct vmdbg_bp_spec *s);

#endif
