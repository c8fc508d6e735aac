/*
 * live.c - the guest running under the TUI.  The engine's run calls go to
 * one worker thread, always the same one (KVM pays a synchronize_rcu when
 * the thread calling KVM_RUN changes), while the main thread waits in the
 * TUI's poll loop: it reads keys (Ctrl-C becomes vmdbg__request_stop in the
 * signal handler), redraws the trap log and the console at most 20 times
 * a second, and never calls into the engine until the worker's notify pipe
 * says the run is over.  The guest is not sliced: it runs at full speed
 * and stops exactly where the engine says (breakpoints included).
 *
 * Trap records arrive in the event hook on the worker and go into a ring
 * without a lock (one writer; a reader checks that what it copied was not
 * overwritten meanwhile, seqlock style), so the guest pays a copy per
 * trap, not a mutex; serial output and messages, rarer, take the mutex.  Keys typed into
 * the console pane while the guest runs go through a single-producer
 * queue that the event hook drains into vmdbg__console_input(), on the
 * engine's own thread.
 */
#define _GNU_SOURCE
#include "frontends/tui/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS (50 * 1000000ull)	/* at most 20 redraws a second */

int live__init(struct tui *t)
{
	struct tui_live *l = &t->live;

	pthread_mutex_init(&l->mu, NULL);
	lines__init(&l->console, 2000);
	lines__init(&l->log, 200);
	l->ring = calloc(LIVE_RING, sizeof(*l->ring));
	if (!l->ring)
		return -1;
	t->worker.notify[0] = t->worker.notify[1] = -1;
	return 0;
}

static void worker_stop(struct tui *t)
{
	struct tui_worker *w = &t->worker;

	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	w->started = 0;
}

void live__free(struct tui *t)
{
	worker_stop(t);
	for (int i = 0; i < 2; i++)
		if (t->worker.notify[i] >= 0)
			close(t->worker.notify[i]);
	free(t->live.ring);
	t->live.ring = NULL;
	lines__free(&t->live.console);
	lines__free(&t->live.log);
}

uint64_t live__total(struct tui *t)
{
	return __atomic_load_n(&t->live.total, __ATOMIC_ACQUIRE);
}

int live__trap(struct tui *t, uint64_t pos, struct vmdbg_trap *out)
{
	struct tui_live *l = &t->live;
	uint64_t total = __atomic_load_n(&l->total, __ATOMIC_ACQUIRE);

	/* the oldest slot is next to be written: not readable */
	if (pos >= total || pos + LIVE_RING <= total)
		return -ERANGE;
	*out = l->ring[pos % LIVE_RING];
	/* Did the writer come round to this slot while we copied?  It stores
	 * total = pos + LIVE_RING before it touches the slot. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	total = __atomic_load_n(&l->total, __ATOMIC_RELAXED);
	return pos + LIVE_RING <= total ? -ERANGE : 0;
}

/* The guest's keys, queued while it runs (main thread side). */
void live__serial(struct tui *t, const char *p, size_t n)
{
	struct tui_live *l = &t->live;

	if (!t->running) {
		if (vmdbg__console_input(t->d->vm, p, n) < 0)
			tui__msg(t, "console: %s", vmdbg__last_error(t->d->vm));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned next = (l->in_tail + 1) % sizeof(l->in);

		if (next == __atomic_load_n(&l->in_head, __ATOMIC_ACQUIRE))
			break;	/* full: the guest does not read */
		l->in[l->in_tail] = (unsigned char)p[i];
		__atomic_store_n(&l->in_tail, next, __ATOMIC_RELEASE);
	}
}

/* Engine thread: hand queued keys to the guest (keyboard or UART). */
static void drain_input(struct tui *t)
{
	struct tui_live *l = &t->live;
	unsigned head = l->in_head, tail = __atomic_load_n(&l->in_tail, __ATOMIC_ACQUIRE);
	unsigned char buf[sizeof(l->in)];
	size_t n = 0;
	/* vmdbg__console_input() reports each byte's arrival through this
	 * very hook: do not drain the same bytes again from inside it. */
	static __thread int busy;

	if (busy)
		return;
	while (head != tail) {
		buf[n++] = l->in[head];
		head = (head + 1) % sizeof(l->in);
	}
	/* all or nothing: a full UART queue keeps them for the next event */
	busy = 1;
	if (n && vmdbg__console_input(t->d->vm, buf, n) == 0)
		__atomic_store_n(&l->in_head, head, __ATOMIC_RELEASE);
	busy = 0;
}

void live__event(void *ctx, const struct vmdbg_event *ev)
{
	struct tui *t = ctx;
	struct tui_live *l = &t->live;

	if (l->in_head != __atomic_load_n(&l->in_tail, __ATOMIC_RELAXED))
		drain_input(t);
	switch (ev->kind) {
	case VMDBG_EV_TRAP: {
		/* the only writer: plain reads of total are ours */
		uint64_t n = l->total;

		/* a fresh run (`run` after an exit) numbers from 0 again */
		if (ev->u.trap->seq == 0 && n) {
			n = 0;
			__atomic_store_n(&l->total, 0, __ATOMIC_RELEASE);
		}
		/* total = n is visible before the slot of record n - LIVE_RING
		 * changes (live__trap checks it), and the record before
		 * total = n + 1 */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		l->ring[n % LIVE_RING] = *ev->u.trap;
		__atomic_store_n(&l->total, n + 1, __ATOMIC_RELEASE);
		break;
	}
	case VMDBG_EV_SERIAL:
		pthread_mutex_lock(&l->mu);
		lines__add(&l->console, (const char *)ev->u.serial.data, ev->u.serial.len);
		pthread_mutex_unlock(&l->mu);
		break;
	case VMDBG_EV_LOG:
		if (ev->u.log.level < VMDBG_LOG_INFO)
			break;
		pthread_mutex_lock(&l->mu);
		lines__printf(&l->log, "vmdbg: %s\n", ev->u.log.msg);
		pthread_mutex_unlock(&l->mu);
		break;
	case VMDBG_EV_WANT_INPUT:
		/* The guest cannot go on without input (int 0x16, or halted
		 * with only the keyboard or UART to wake it): wait for keys
		 * typed in the console pane, or Ctrl-C. */
		while (ev->u.want.blocking && !vmdbg__stop_requested(t->d->vm) &&
		       l->in_head == __atomic_load_n(&l->in_tail, __ATOMIC_ACQUIRE))
			nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
		drain_input(t);
		break;
	case VMDBG_EV_INPUT:
		break;
	}
}

/* ---- the worker ------------------------------------------------------------------ */

static void *worker_main(void *arg)
{
	struct tui *t = arg;
	struct tui_worker *w = &t->worker;
	sigset_t set;

	/* Ctrl-C and resizes are the main thread's (its poll wakes up) */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->have_job && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		pthread_mutex_unlock(&w->mu);
		w->ret = session__engine_go(t->d, w->how, w->arg, &w->stop);
		pthread_mutex_lock(&w->mu);
		w->have_job = 0;
		if (write(w->notify[1], "", 1) < 0) {
			/* cannot happen with an empty pipe; the main thread
			 * also polls have_job */
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int worker_start(struct tui *t)
{
	struct tui_worker *w = &t->worker;

	if (w->started)
		return 0;
	if (pipe2(w->notify, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, worker_main, t) != 0)
		return -1;
	w->started = 1;
	return 0;
}

static int job_done(struct tui *t)
{
	int done;

	pthread_mutex_lock(&t->worker.mu);
	done = !t->worker.have_job;
	pthread_mutex_unlock(&t->worker.mu);
	return done;
}

int live__go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop)
{
	struct tui *t = d->ui_ctx;
	struct tui_worker *w = &t->worker;
	char c[64];

	if (worker_start(t) < 0)	/* no thread: run here, blind */
		return session__engine_go(d, how, arg, stop);
	memset(&w->stop, 0, sizeof(w->stop));
	pthread_mutex_lock(&w->mu);
	w->how = how;
	w->arg = arg;
	w->have_job = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	t->running = 1;
	t->need_redraw = 1;
	/* A quick command (one step, a short `next`) ends before the first
	 * redraw is due: no flicker.  A long one (many steps) redraws every
	 * REDRAW_NS across its runs. */
	if (term__now_ns() - t->cmd_start_ns < REDRAW_NS)
		t->last_draw_ns = term__now_ns();
	while (!job_done(t)) {
		struct pollfd p = { w->notify[0], POLLIN, 0 };
		uint64_t now = term__now_ns();
		int wait = now - t->last_draw_ns >= REDRAW_NS ? 0
			   : (int)((REDRAW_NS - (now - t->last_draw_ns)) / 1000000) + 1;

		if (poll(&p, 1, 0) > 0)
			break;
		tui__poll(t, wait);
		if (term__now_ns() - t->last_draw_ns >= REDRAW_NS) {
			tui__draw(t);
			t->last_draw_ns = term__now_ns();
		}
	}
	pthread_mutex_lock(&w->mu);
	while (w->have_job) {	/* the notify byte may still be on its way */
		pthread_mutex_unlock(&w->mu);
		poll(NULL, 0, 1);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	while (read(w->notify[0], c, sizeof(c)) > 0)
		;
	t->running = 0;
	t->need_redraw = 1;
	t->msg[0] = 0;		/* "stopping the guest..." is over */
	*stop = w->stop;
	return w->ret;
}
