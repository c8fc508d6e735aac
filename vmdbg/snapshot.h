/*
 * snapshot.h - time travel's private header: the snapshot store
 * (snapshot.c) and the recorder's calls (timetravel.c) that the reverse
 * commands (reverse.c) use.
 */
#ifndef VMDBG_SNAPSHOT_H
#define VMDBG_SNAPSHOT_H

#include "vmdbg/internal.h"

/* A point of a run: instructions retired and events delivered. */
struct snap_pos {
	uint64_t insns, events, seq;
};

static inline struct snap_pos snap_pos__here(const struct vmdbg *vm)
{
	return (struct snap_pos){ vm->insns, vm->events, vm->seq };
}

/* a is before b */
static inline bool snap_pos__before(const struct snap_pos *a, const struct snap_pos *b)
{
	return a->insns < b->insns || (a->insns == b->insns && a->events < b->events);
}

struct snapstore;
/* Keeps a copy of RAM as the base; NULL when out of memory. */
struct snapstore *snapstore__new(struct vmdbg *vm);
void snapstore__free(struct snapstore *s);
/* A snapshot of the machine now, at pos, after the input log's first
 * ninputs entries: 0 or -ENOMEM (nothing kept). */
int snapstore__take(struct snapstore *s, const struct snap_pos *pos, uint64_t ninputs);
/* Put the machine in snapshot k's state. */
int snapstore__restore(struct snapstore *s, int k);
/* Re-execution reached snapshot k's point. */
void snapstore__passed(struct snapstore *s, int k);
/* Drop snapshots i.. (the changed past's future); the oldest one. */
void snapstore__truncate(struct snapstore *s, int i);
void snapstore__drop_oldest(struct snapstore *s);
int snapstore__count(const struct snapstore *s);
const struct snap_pos *snapstore__pos(const struct snapstore *s, int i);
uint64_t snapstore__ninputs(const struct snapstore *s, int i);
uint64_t snapstore__bytes(const struct snapstore *s);
int snapstore__ref(const struct snapstore *s);

/* timetravel.c: 0, or -ENOTSUP (not emu) / -ENOENT (not recording). */
int timetravel__check(struct vmdbg *vm);
int timetravel__restore(struct vmdbg *vm, int k);
int timetravel__snap_before(struct vmdbg *vm, const struct snap_pos *pos, bool strict);
struct snapstore *timetravel__store(struct vmdbg *vm);
int timetravel__run_to(struct vmdbg *vm, bool at_insn, uint64_t target, bool with_bp,
		       struct vmdbg_stop *stop);

#endif
