/*
 * cmds.c - the gdb stub's packet commands: a table from the packet's
 * first letters to a handler (QEMU gdbstub.c's GdbCmdParseEntry idea),
 * and the stop reply.  Every handler answers with exactly one reply; a
 * malformed packet gets "E NN", an unknown one the empty reply.
 *
 * Reverse execution: bs and bc run the engine's time travel (emu, while
 * the session records: ReverseStep+ and ReverseContinue+ in qSupported
 * then); the start of the history is the stop reason replaylog:begin,
 * which gdb shows as "No more reverse-execution history.".
 */
#include "frontends/gdbstub/internal.h"
#include "frontends/cli/dbg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E_BADARG "E16"	/* EINVAL: malformed packet */
#define E_FAULT "E0e"	/* EFAULT: memory not mapped */
#define E_NOSPC "E1c"	/* ENOSPC */

typedef void (*cmd_fn)(struct gdbstub *g, char *args, size_t len);

struct cmd {
	const char *prefix;	/* the packet starts with it */
	cmd_fn fn;
};

static void reply(struct gdbstub *g, const char *s)
{
	gdbstub__sendstr(g, s);
}

static void reply_err(struct gdbstub *g, int err)
{
	char b[8];

	snprintf(b, sizeof(b), "E%02x", (unsigned)(err < 0 ? -err : err) & 0xff);
	reply(g, b);
}

/* ---- stop replies --------------------------------------------------------- */

static const struct gdb_zbp *zbp_by_id(struct gdbstub *g, int id)
{
	for (int i = 0; i < g->nzbp; i++)
		if (g->zbp[i].id == id)
			return &g->zbp[i];
	return NULL;
}

void cmds__stop_reply(struct gdbstub *g, char *buf, size_t len)
{
	const struct vmdbg_stop *s = &g->d->last;
	const struct gdb_zbp *z;
	static const char *const watch[] = { "", "", "watch", "rwatch", "awatch" };
	/* the CPU that stopped the machine (threads.c) */
	int t = threads__current(g);

	if (!g->started || s->reason == VMDBG_STOP_NONE) {
		snprintf(buf, len, "T05thread:%02x;", t);
		return;
	}
	if (s->reason == VMDBG_STOP_STEP && !strcmp(s->msg, "No more reverse-execution history.")) {
		snprintf(buf, len, "T05replaylog:begin;thread:%02x;", t);
		return;
	}
	switch (s->reason) {
	case VMDBG_STOP_EXIT:
		/* gdb: "[Inferior 1 (process 1) exited with code N]" */
		snprintf(buf, len, "W%02x", (unsigned)((s->exit_status - 1) / 2) & 0xff);
		return;
	case VMDBG_STOP_USER:
		snprintf(buf, len, "T02thread:%02x;", t);
		return;
	case VMDBG_STOP_BREAKPOINT:
		z = zbp_by_id(g, s->bp_id);
		if (z && z->type == 0)
			snprintf(buf, len, "T05swbreak:;thread:%02x;", t);
		else if (z && z->type == 1)
			snprintf(buf, len, "T05hwbreak:;thread:%02x;", t);
		else if (z)
			snprintf(buf, len, "T05%s:%" PRIx64 ";thread:%02x;", watch[z->type],
				 s->watch_addr, t);
		else
			snprintf(buf, len, "T05thread:%02x;", t);
		return;
	default:
		/* step done, a vmdbg-only stop (catchpoint, break priv), a
		 * limit, or a guest that cannot go on: SIGTRAP, the reason
		 * went to gdb's console already and `monitor why` repeats it */
		snprintf(buf, len, "T05thread:%02x;", t);
		return;
	}
}

/* A stop gdb cannot name itself gets its readable reason on gdb's console. */
static int vmdbg_only(struct gdbstub *g)
{
	const struct vmdbg_stop *s = &g->d->last;

	switch (s->reason) {
	case VMDBG_STOP_STEP:
	case VMDBG_STOP_USER:
	case VMDBG_STOP_EXIT:
		return 0;
	case VMDBG_STOP_BREAKPOINT:
		return !zbp_by_id(g, s->bp_id) && (s->bp_id > 0 || s->has_trap || s->priv_class);
	default:
		return 1;
	}
}

/* One line on gdb's console, "vmdbg: WHY". */
static void say(struct gdbstub *g, const char *why)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "vmdbg: %s\n", why);

	gdbstub__console(g, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* After the guest ran (either way): what gdb cannot name, the mode note,
 * the stop reply. */
static void stopped(struct gdbstub *g, int say_why)
{
	char r[128];

	if (g->gone)
		return;
	if (say_why)
		say(g, target__why(g));
	target__mode_note(g);
	cmds__stop_reply(g, r, sizeof(r));
	reply(g, r);
}

static void resume(struct gdbstub *g, int step)
{
	target__resume(g, step);
	stopped(g, !g->gone && (vmdbg_only(g) || g->d->state == DBG_DEAD));
}

/* ---- handlers -------------------------------------------------------------- */

static void cmd_stop_reason(struct gdbstub *g, char *a, size_t n)
{
	char r[128];

	(void)a, (void)n;
	cmds__stop_reply(g, r, sizeof(r));
	reply(g, r);
}

static void cmd_read_regs(struct gdbstub *g, char *a, size_t n)
{
	struct vmdbg_regs r;
	uint8_t v[16];
	size_t o = 0;

	(void)a, (void)n;
	if (target__get_regs(g, &r) < 0)
		return reply(g, "E01");
	for (int i = 0; i < gdbregs__count(g->arch); i++) {
		size_t sz = gdbregs__size(g->arch, i);

		gdbregs__get(g->arch, i, &r, v);
		gdbpkt__hex_encode(v, sz, g->body + o);
		o += 2 * sz;
	}
	gdbstub__send(g, g->body, o);
}

static void cmd_write_regs(struct gdbstub *g, char *a, size_t n)
{
	struct vmdbg_regs r;
	uint8_t v[16];
	size_t o = 0;

	if (n != 2 * gdbregs__total(g->arch))
		return reply(g, E_BADARG);
	if (target__get_regs(g, &r) < 0)
		return reply(g, "E01");
	for (int i = 0; i < gdbregs__count(g->arch); i++) {
		size_t sz = gdbregs__size(g->arch, i);

		if (gdbpkt__hex_decode(a + o, sz, v) < 0)
			return reply(g, E_BADARG);
		gdbregs__set(g->arch, i, &r, v);
		o += 2 * sz;
	}
	if (target__set_regs(g, &r) < 0)
		return reply(g, "E01");
	reply(g, "OK");
}

/* "N" of p/P: a register of this connection's layout; -1 when not. */
static int regnum(struct gdbstub *g, const char **p)
{
	uint64_t num;

	if (gdbpkt__hex_u64(p, &num) < 0 || num >= (uint64_t)gdbregs__count(g->arch))
		return -1;
	return (int)num;
}

static void cmd_read_reg(struct gdbstub *g, char *a, size_t n)
{
	struct vmdbg_regs r;
	uint8_t v[16];
	const char *p = a;
	int num = regnum(g, &p);

	(void)n;
	if (num < 0 || *p)
		return reply(g, E_BADARG);
	if (target__get_regs(g, &r) < 0)
		return reply(g, "E01");
	gdbregs__get(g->arch, num, &r, v);
	gdbpkt__hex_encode(v, gdbregs__size(g->arch, num), g->body);
	gdbstub__send(g, g->body, 2 * gdbregs__size(g->arch, num));
}

static void cmd_write_reg(struct gdbstub *g, char *a, size_t n)
{
	struct vmdbg_regs r;
	uint8_t v[16];
	const char *p = a;
	int num = regnum(g, &p);

	if (num < 0 || *p++ != '=' || (size_t)(a + n - p) != 2 * gdbregs__size(g->arch, num) ||
	    gdbpkt__hex_decode(p, gdbregs__size(g->arch, num), v) < 0)
		return reply(g, E_BADARG);
	if (target__get_regs(g, &r) < 0)
		return reply(g, "E01");
	gdbregs__set(g->arch, num, &r, v);
	if (target__set_regs(g, &r) < 0)
		return reply(g, "E01");
	reply(g, "OK");
}

static void cmd_read_mem(struct gdbstub *g, char *a, size_t n)
{
	uint64_t addr, len;
	const char *rest;
	static uint8_t buf[GDBPKT_MAX / 2];
	size_t got;

	(void)n;
	if (gdbpkt__addr_len(a, &addr, &len, &rest) < 0 || *rest)
		return reply(g, E_BADARG);
	if (len > sizeof(buf))
		len = sizeof(buf);	/* a short reply: gdb asks for the rest */
	got = target__read(g, addr, buf, (size_t)len);
	if (!got && len)
		return reply(g, E_FAULT);
	gdbpkt__hex_encode(buf, got, g->body);
	gdbstub__send(g, g->body, 2 * got);
}

static void cmd_write_mem(struct gdbstub *g, char *a, size_t n)
{
	uint64_t addr, len;
	const char *rest;
	static uint8_t buf[GDBPKT_MAX / 2];

	if (gdbpkt__addr_len(a, &addr, &len, &rest) < 0 || *rest++ != ':' ||
	    len > sizeof(buf) || (size_t)(a + n - rest) != 2 * len ||
	    gdbpkt__hex_decode(rest, (size_t)len, buf) < 0)
		return reply(g, E_BADARG);
	if (len && target__write(g, addr, buf, (size_t)len) < 0)
		return reply(g, E_FAULT);
	reply(g, "OK");
}

/* X ADDR,LEN:BINARY - the packet layer removed the escapes already. */
static void cmd_write_bin(struct gdbstub *g, char *a, size_t n)
{
	uint64_t addr, len;
	const char *rest;

	if (gdbpkt__addr_len(a, &addr, &len, &rest) < 0 || *rest++ != ':' ||
	    (size_t)(a + n - rest) != len)
		return reply(g, E_BADARG);
	if (len && target__write(g, addr, rest, (size_t)len) < 0)
		return reply(g, E_FAULT);
	reply(g, "OK");
}

static void cmd_z(struct gdbstub *g, char *a, size_t n, int insert)
{
	uint64_t type, addr, kind;
	const char *p = a;
	int ret;

	(void)n;
	if (gdbpkt__hex_u64(&p, &type) < 0 || *p++ != ',' ||
	    gdbpkt__addr_len(p, &addr, &kind, &p) < 0 || (*p && *p != ';'))
		return reply(g, E_BADARG);
	if (type > 4)
		return reply(g, "");
	ret = insert ? target__bp_insert(g, (int)type, addr, kind)
		     : target__bp_remove(g, (int)type, addr, kind);
	if (ret == -ENOSYS)
		return reply(g, "");
	if (ret == -ENOSPC)
		return reply(g, E_NOSPC);
	if (ret < 0) {
		/* gdb takes no console output here (only while the target
		 * runs): `monitor why` says why ("kvm: data watchpoints do
		 * not fire on this host's KVM") */
		snprintf(g->refused, sizeof(g->refused), "gdb's Z%d at 0x%" PRIx64 " was refused: %s",
			 (int)type, addr, vmdbg__last_error(g->d->vm));
		return reply_err(g, ret);
	}
	reply(g, "OK");
}

static void cmd_Z(struct gdbstub *g, char *a, size_t n) { cmd_z(g, a, n, 1); }
static void cmd_zz(struct gdbstub *g, char *a, size_t n) { cmd_z(g, a, n, 0); }

/* c [ADDR], s [ADDR]: resume at ADDR when given. */
static void go_at(struct gdbstub *g, char *a, int step)
{
	uint64_t addr;
	const char *p = a;

	if (*a) {
		struct vmdbg_regs r;

		if (gdbpkt__hex_u64(&p, &addr) < 0 || *p)
			return reply(g, E_BADARG);
		if (target__get_regs(g, &r) < 0)
			return reply(g, "E01");
		r.rip = addr;
		if (target__set_regs(g, &r) < 0)
			return reply(g, "E01");
	}
	resume(g, step);
}

static void cmd_cont(struct gdbstub *g, char *a, size_t n) { (void)n; go_at(g, a, 0); }
static void cmd_step(struct gdbstub *g, char *a, size_t n) { (void)n; go_at(g, a, 1); }

/* C sig[;addr], S sig[;addr]: there are no signals to deliver to a guest. */
static void cmd_cont_sig(struct gdbstub *g, char *a, size_t n)
{
	char *semi = strchr(a, ';');

	(void)n;
	go_at(g, semi ? semi + 1 : a + strlen(a), 0);
}

static void cmd_step_sig(struct gdbstub *g, char *a, size_t n)
{
	char *semi = strchr(a, ';');

	(void)n;
	go_at(g, semi ? semi + 1 : a + strlen(a), 1);
}

/*
 * vCont;ACTION[:THREAD]...: a step of one thread (gdb's "vCont;s:2;c")
 * selects that CPU and steps it alone (scheduler locking, see the README);
 * otherwise the first action for all or the selected thread counts.
 */
static void cmd_vcont(struct gdbstub *g, char *a, size_t n)
{
	char act = 0;

	(void)n;
	if (*a == '?')
		return reply(g, "vCont;c;C;s;S;t");
	while (*a == ';') {
		char *colon, *next, tid[24] = "";

		a++;
		next = strchr(a, ';');
		colon = strchr(a, ':');
		if (colon && (!next || colon < next))
			snprintf(tid, sizeof(tid), "%.*s", (int)((next ? next : colon + strlen(colon)) -
								 colon - 1), colon + 1);
		if ((a[0] == 's' || a[0] == 'S') && tid[0]) {
			if (threads__select(g, tid) < 0)
				return reply(g, E_BADARG);
			return resume(g, 1);
		}
		if (!act && (!tid[0] || !strcmp(tid, "-1") || strtol(tid, NULL, 16) ==
			     threads__current(g)))
			act = a[0];
		a = next ? next : a + strlen(a);
	}
	switch (act) {
	case 'c': case 'C': return resume(g, 0);
	case 's': case 'S': return resume(g, 1);
	case 't': return cmd_stop_reason(g, NULL, 0);
	default: return reply(g, E_BADARG);
	}
}

static void cmd_supported(struct gdbstub *g, char *a, size_t n)
{
	struct vmdbg_history h;
	char r[200];

	(void)a, (void)n;
	snprintf(r, sizeof(r), "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
		 "vContSupported+;QStartNoAckMode+%s", GDBPKT_MAX,
		 vmdbg__history(g->d->vm, &h) ? ";ReverseStep+;ReverseContinue+" : "");
	reply(g, r);
}

/* bs, bc: backwards one instruction, to the previous hit. */
static void reverse(struct gdbstub *g, int step)
{
	if (target__reverse(g, step) < 0) {
		say(g, g->why);
		return reply(g, "E01");
	}
	stopped(g, !g->gone && vmdbg_only(g));
}

static void cmd_bs(struct gdbstub *g, char *a, size_t n) { (void)a, (void)n; reverse(g, 1); }
static void cmd_bc(struct gdbstub *g, char *a, size_t n) { (void)a, (void)n; reverse(g, 0); }

static void cmd_xfer_features(struct gdbstub *g, char *a, size_t n)
{
	uint64_t off, len;
	const char *rest, *doc;
	size_t doclen, body;

	(void)n;
	if (strncmp(a, "target.xml:", 11))
		return reply(g, "E00");	/* the protocol's "no such annex" */
	if (gdbpkt__addr_len(a + 11, &off, &len, &rest) < 0 || *rest)
		return reply(g, E_BADARG);
	/* The layout is chosen when gdb reads the description (at connect
	 * and at `unset tdesc filename`: target__arch). */
	g->arch = target__arch(g);
	g->noted = 0;
	doc = gdbregs__target_xml(g->arch, &doclen);
	body = gdbpkt__xfer_chunk(doc, doclen, off, len, g->body, GDBPKT_MAX / 2);
	gdbstub__send(g, g->body, body);
}

static void cmd_rcmd(struct gdbstub *g, char *a, size_t n)
{
	char cmd[1024], *out;
	size_t len;

	if (n % 2 || n / 2 >= sizeof(cmd) || gdbpkt__hex_decode(a, n / 2, cmd) < 0)
		return reply(g, E_BADARG);
	cmd[n / 2] = 0;
	if (memchr(cmd, 0, n / 2) || strchr(cmd, '\n'))
		return reply(g, E_BADARG);
	target__monitor(g, cmd, &out, &len);
	if (out)
		gdbstub__console(g, out, len);
	free(out);
	reply(g, "OK");
}

static void cmd_ok(struct gdbstub *g, char *a, size_t n) { (void)a, (void)n; reply(g, "OK"); }
static void cmd_empty(struct gdbstub *g, char *a, size_t n) { (void)a, (void)n; reply(g, ""); }
static void cmd_attached(struct gdbstub *g, char *a, size_t n) { (void)a, (void)n; reply(g, "1"); }
static void cmd_sthread(struct gdbstub *g, char *a, size_t n) { (void)a, (void)n; reply(g, "l"); }

static void cmd_noack(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply(g, "OK");
	g->noack = 1;
}

static void cmd_detach(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply(g, "OK");
	g->gone = 1;	/* the guest stays stopped; the port listens again */
}

static void cmd_kill(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	g->killed = 1;	/* `k` has no reply; vmdbg ends */
	g->status = session__exit_status(g->d);
}

static void cmd_vkill(struct gdbstub *g, char *a, size_t n)
{
	reply(g, "OK");
	cmd_kill(g, a, n);
}

/* Longest prefixes first where one is the start of another. */
static const struct cmd table[] = {
	{ "?", cmd_stop_reason },
	{ "g", cmd_read_regs },
	{ "G", cmd_write_regs },
	{ "p", cmd_read_reg },
	{ "P", cmd_write_reg },
	{ "m", cmd_read_mem },
	{ "M", cmd_write_mem },
	{ "X", cmd_write_bin },
	{ "Z", cmd_Z },
	{ "z", cmd_zz },
	{ "c", cmd_cont },
	{ "s", cmd_step },
	{ "C", cmd_cont_sig },
	{ "S", cmd_step_sig },
	{ "vCont", cmd_vcont },
	{ "bs", cmd_bs },
	{ "bc", cmd_bc },
	{ "vKill", cmd_vkill },
	{ "vMustReplyEmpty", cmd_empty },
	{ "k", cmd_kill },
	{ "D", cmd_detach },
	{ "H", threads__cmd_H },	/* Hg/Hc: the CPU (threads.c) */
	{ "T", threads__cmd_T },	/* thread alive */
	{ "qSupported", cmd_supported },
	{ "qXfer:features:read:", cmd_xfer_features },
	{ "qRcmd,", cmd_rcmd },
	{ "qAttached", cmd_attached },
	{ "qC", threads__cmd_qc },
	{ "qfThreadInfo", threads__cmd_fthread },
	{ "qThreadExtraInfo,", threads__cmd_extra },
	{ "qsThreadInfo", cmd_sthread },
	{ "qSymbol", cmd_ok },
	{ "QStartNoAckMode", cmd_noack },
};

void cmds__handle(struct gdbstub *g, char *pkt, size_t len)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t pl = strlen(table[i].prefix);

		if (len < pl || memcmp(pkt, table[i].prefix, pl))
			continue;
		/* qC must not take qCRC etc.; vCont not vContX: a letter after
		 * a multi-letter name makes it another packet */
		if (pl > 1 && len > pl && table[i].prefix[pl - 1] != ':' &&
		    table[i].prefix[pl - 1] != ',' &&
		    ((pkt[pl] >= 'a' && pkt[pl] <= 'z') || (pkt[pl] >= 'A' && pkt[pl] <= 'Z')))
			continue;
		table[i].fn(g, pkt + pl, len - pl);
		return;
	}
	reply(g, "");	/* unknown: the empty reply */
}
