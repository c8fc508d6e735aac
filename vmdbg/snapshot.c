/*
 * snapshot.c - whole-machine snapshots for time travel (timetravel.c
 * decides when): the CPU through the backend's save_cpu op, every device's
 * state region (devices__register_state), the snapshot disks' overlays,
 * the core's counters and timers, and guest RAM as copy-on-write pages.
 *
 * RAM: base holds every page as it was at the oldest snapshot; each later
 * snapshot keeps a version of the pages written since the one before it
 * (vm->dirty, set by vmm__gpa_ptr(): emu takes a page's writes into its TLB
 * only through there, and track_writes() drops those TLB entries at every
 * snapshot and restore).  Each page's versions form a list, newest first,
 * so a page at snapshot k is its newest version made at or before k, or
 * the base.  Dropping the oldest snapshot folds the next one's pages into
 * the base.  The machine's RAM equals snapshot `ref` except for the pages
 * dirty since; a restore rewrites only those and the pages with a version
 * newer than the older of ref and the target.
 */
#include "vmdbg/snapshot.h"
#include "vmdbg/devices/ide.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE		4096

/* The core's part: counters, timers, interrupt lines, the stop a device
 * asked for, polling detection. */
struct core {
	uint64_t seq, insns, exits, events, idle_ns, timer_at, poll_at, want_at, clock_ns;
	bool pic_intr, intr, bios;
	struct vmdbg_stop pending_stop;
	struct poll_state poll;
};

struct pver {
	uint32_t snap;			/* id of the snapshot that made it */
	struct pver *older, *newer;	/* the page's versions */
	uint64_t pfn;
	uint8_t data[PAGE];
};

struct snap {
	uint32_t id;
	struct snap_pos pos;
	uint64_t ninputs;		/* the input log's length when taken */
	struct core core;
	uint8_t *cpu, *dev;
	void *disk[VMDBG_MAX_DISKS];
	size_t bytes;			/* everything it holds, pages included */
	struct pver **pages;		/* the versions it made */
	uint64_t npages;
};

struct snapstore {
	struct vmdbg *vm;
	uint64_t npages;
	uint8_t *base;
	struct pver **head;		/* per page: newest version, or NULL */
	struct snap **snaps;		/* oldest first; ids increase */
	int nsnaps, cap;
	uint32_t next_id;
	int ref;			/* index of the snapshot RAM derives from */
	uint64_t bytes;			/* held, the base included */
};

static void save_core(const struct vmdbg *vm, struct core *c)
{
	*c = (struct core){
		.seq = vm->seq, .insns = vm->insns, .exits = vm->exits, .events = vm->events,
		.idle_ns = vm->idle_ns, .timer_at = vm->timer_at, .poll_at = vm->poll_at,
		.want_at = vm->want_at, .clock_ns = vm->clock_ns, .pic_intr = vm->pic_intr,
		.intr = vm->intr, .bios = vm->bios, .pending_stop = vm->pending_stop,
		.poll = vm->poll,
	};
}

static void load_core(struct vmdbg *vm, const struct core *c)
{
	vm->seq = c->seq;
	vm->insns = c->insns;
	vm->exits = c->exits;
	vm->events = c->events;
	vm->idle_ns = c->idle_ns;
	vm->timer_at = c->timer_at;
	vm->poll_at = c->poll_at;
	vm->want_at = c->want_at;
	vm->clock_ns = c->clock_ns;
	vm->pic_intr = c->pic_intr;
	vm->intr = c->intr;
	vm->bios = c->bios;
	vm->pending_stop = c->pending_stop;
	vm->poll = c->poll;
}

static size_t dev_bytes(const struct vmdbg *vm)
{
	size_t n = 0;

	for (int i = 0; i < vm->nr_state; i++)
		n += vm->state[i].len;
	return n;
}

struct snapstore *snapstore__new(struct vmdbg *vm)
{
	struct snapstore *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->vm = vm;
	s->npages = vm->ram_size / PAGE;
	s->base = malloc(vm->ram_size);
	s->head = calloc(s->npages, sizeof(*s->head));
	if (!s->base || !s->head) {
		free(s->base);
		free(s->head);
		free(s);
		return NULL;
	}
	memcpy(s->base, vm->ram, vm->ram_size);
	s->bytes = vm->ram_size;
	s->ref = -1;
	return s;
}

static void free_snap(struct snap *p)
{
	for (int i = 0; i < VMDBG_MAX_DISKS; i++)
		free(p->disk[i]);
	free(p->cpu);
	free(p->dev);
	free(p->pages);
	free(p);
}

/* Frees the page versions of snapshot p (the newest ones of their pages):
 * their pages are marked dirty, since RAM may hold them. */
static void drop_newest_pages(struct snapstore *s, struct snap *p)
{
	for (uint64_t i = 0; i < p->npages; i++) {
		struct pver *v = p->pages[i];

		s->head[v->pfn] = v->older;
		if (v->older)
			v->older->newer = NULL;
		s->vm->dirty[v->pfn] = 1;
		free(v);
	}
	p->npages = 0;
}

void snapstore__free(struct snapstore *s)
{
	if (!s)
		return;
	while (s->nsnaps)
		snapstore__truncate(s, s->nsnaps - 1);
	free(s->snaps);
	free(s->head);
	free(s->base);
	free(s);
}

int snapstore__count(const struct snapstore *s)
{
	return s->nsnaps;
}

const struct snap_pos *snapstore__pos(const struct snapstore *s, int i)
{
	return &s->snaps[i]->pos;
}

uint64_t snapstore__ninputs(const struct snapstore *s, int i)
{
	return s->snaps[i]->ninputs;
}

uint64_t snapstore__bytes(const struct snapstore *s)
{
	return s->bytes;
}

int snapstore__ref(const struct snapstore *s)
{
	return s->ref;
}

/* The pages that may differ from the last snapshot: dirty ones, and when
 * RAM derives from an older one, those with a version after it. */
static bool changed(const struct snapstore *s, uint64_t pfn, uint32_t since)
{
	return s->vm->dirty[pfn] || (s->head[pfn] && s->head[pfn]->snap > since);
}

int snapstore__take(struct snapstore *s, const struct snap_pos *pos, uint64_t ninputs)
{
	struct vmdbg *vm = s->vm;
	struct snap *p, **grown;
	uint32_t since = s->ref >= 0 ? s->snaps[s->ref]->id : 0;
	uint64_t n = 0;

	if (s->nsnaps == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;

		grown = realloc(s->snaps, (size_t)cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		s->snaps = grown;
		s->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->id = s->next_id;
	p->pos = *pos;
	p->ninputs = ninputs;
	save_core(vm, &p->core);
	p->cpu = malloc(vm->cpu_state_size);
	p->dev = malloc(dev_bytes(vm) + 1);
	if (s->nsnaps) {
		for (uint64_t i = 0; i < s->npages; i++)
			n += changed(s, i, since);
		p->pages = malloc((n + 1) * sizeof(*p->pages));
	} else {
		p->pages = malloc(sizeof(*p->pages));	/* the first one: the base */
	}
	if (!p->cpu || !p->dev || !p->pages)
		goto err;
	vm->be->save_cpu(vm, p->cpu);
	for (int i = 0, off = 0; i < vm->nr_state; off += (int)vm->state[i].len, i++)
		memcpy(p->dev + off, vm->state[i].p, vm->state[i].len);
	p->bytes = sizeof(*p) + vm->cpu_state_size + dev_bytes(vm);
	for (int i = 0; vm->ide && i < VMDBG_MAX_DISKS; i++) {
		struct disk *d = ide__disk(vm->ide, i);
		size_t b = 0;

		if (!d)
			continue;
		p->disk[i] = disk__save(d, &b);
		if (!p->disk[i])
			goto err;
		p->bytes += b;
	}
	for (uint64_t i = 0; s->nsnaps && i < s->npages; i++) {
		struct pver *v;

		if (!changed(s, i, since))
			continue;
		v = malloc(sizeof(*v));
		if (!v)
			goto err_pages;
		v->snap = p->id;
		v->pfn = i;
		v->newer = NULL;
		v->older = s->head[i];
		if (v->older)
			v->older->newer = v;
		s->head[i] = v;
		memcpy(v->data, vm->ram + i * PAGE, PAGE);
		p->pages[p->npages++] = v;
		p->bytes += sizeof(*v) + sizeof(v);
	}
	memset(vm->dirty, 0, s->npages);
	vm->be->track_writes(vm);
	s->snaps[s->nsnaps++] = p;
	s->ref = s->nsnaps - 1;
	s->next_id++;
	s->bytes += p->bytes;
	return 0;

err_pages:
	drop_newest_pages(s, p);
err:
	free_snap(p);
	return -ENOMEM;
}

/* Drop snapshot i and every later one (the future after a change of the
 * past).  RAM keeps what it holds: it derives from the last one left. */
void snapstore__truncate(struct snapstore *s, int i)
{
	while (s->nsnaps > i) {
		struct snap *p = s->snaps[--s->nsnaps];

		drop_newest_pages(s, p);
		s->bytes -= p->bytes;
		free_snap(p);
	}
	if (s->ref >= s->nsnaps)
		s->ref = s->nsnaps - 1;
}

/* Drop the oldest snapshot: the next one's pages become the base. */
void snapstore__drop_oldest(struct snapstore *s)
{
	struct snap *old, *next;

	if (s->nsnaps < 2)
		return;
	old = s->snaps[0];
	next = s->snaps[1];
	for (uint64_t i = 0; i < next->npages; i++) {
		struct pver *v = next->pages[i];

		memcpy(s->base + v->pfn * PAGE, v->data, PAGE);
		if (s->ref == 0)
			s->vm->dirty[v->pfn] = 1;	/* RAM derives from `old` */
		if (v->newer)
			v->newer->older = NULL;
		else
			s->head[v->pfn] = NULL;
		free(v);
		next->bytes -= sizeof(*v) + sizeof(v);
		s->bytes -= sizeof(*v) + sizeof(v);
	}
	next->npages = 0;
	s->bytes -= old->bytes;
	free_snap(old);
	memmove(s->snaps, s->snaps + 1, (size_t)(s->nsnaps - 1) * sizeof(*s->snaps));
	s->nsnaps--;
	if (s->ref > 0)
		s->ref--;
}

int snapstore__restore(struct snapstore *s, int k)
{
	struct vmdbg *vm = s->vm;
	const struct snap *p = s->snaps[k];
	uint32_t since = s->ref >= 0 && s->snaps[s->ref]->id < p->id ? s->snaps[s->ref]->id : p->id;
	int ret = 0;

	for (uint64_t i = 0; i < s->npages; i++) {
		const struct pver *v;

		if (!changed(s, i, since))
			continue;
		for (v = s->head[i]; v && v->snap > p->id; v = v->older)
			;
		memcpy(vm->ram + i * PAGE, v ? v->data : s->base + i * PAGE, PAGE);
		if (vm->be->mem_written)
			vm->be->mem_written(vm, i * PAGE, PAGE);
	}
	memset(vm->dirty, 0, s->npages);
	load_core(vm, &p->core);
	for (int i = 0, off = 0; i < vm->nr_state; off += (int)vm->state[i].len, i++)
		memcpy(vm->state[i].p, p->dev + off, vm->state[i].len);
	for (int i = 0; vm->ide && i < VMDBG_MAX_DISKS; i++) {
		struct disk *d = ide__disk(vm->ide, i);

		if (d && p->disk[i] && disk__restore(d, p->disk[i]) < 0)
			ret = vmm__error(vm, -ENOMEM, "time travel: out of memory restoring disk %d", i);
	}
	vm->be->restore_cpu(vm, p->cpu);
	vm->be->track_writes(vm);
	s->ref = k;
	return ret;
}

/* Passing snapshot k while re-executing: RAM equals it again (emu is
 * deterministic), so the dirty pages count from there. */
void snapstore__passed(struct snapstore *s, int k)
{
	memset(s->vm->dirty, 0, s->npages);
	s->vm->be->track_writes(s->vm);
	s->ref = k;
}
