/*
 * server.c - the gdb stub's transport: a TCP listener (localhost unless
 * told otherwise, one client at a time) or stdin/stdout, the packet loop
 * of one connection, and the watcher thread that turns gdb's Ctrl-C
 * (0x03) into vmdbg__request_stop() while the guest runs.
 */
#include "frontends/gdbstub/gdbstub.h"
#include "frontends/gdbstub/internal.h"
#include "frontends/cli/dbg.h"
#include "frontends/cli/cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int gdbstub__send(struct gdbstub *g, const void *body, size_t len)
{
	size_t n;

	if (g->gone)
		return -1;
	n = gdbpkt__frame(body, len, 1, g->last, sizeof(g->last));
	if (!n)	/* cannot happen for bodies under GDBPKT_MAX; say so to gdb */
		n = gdbpkt__frame("E01", 3, 0, g->last, sizeof(g->last));
	g->last_len = n;
	if (write_all(g->out_fd, g->last, n) < 0) {
		g->gone = 1;
		return -1;
	}
	return 0;
}

int gdbstub__sendstr(struct gdbstub *g, const char *s)
{
	return gdbstub__send(g, s, strlen(s));
}

void gdbstub__console(struct gdbstub *g, const char *text, size_t len)
{
	/* 'O' + hex; gdb prints it.  Chunks stay well under PacketSize. */
	while (len) {
		size_t n = len > 2000 ? 2000 : len;

		g->body[0] = 'O';
		gdbpkt__hex_encode(text, n, g->body + 1);
		gdbstub__send(g, g->body, 1 + 2 * n);
		text += n;
		len -= n;
	}
}

/* ---- the Ctrl-C watcher ----------------------------------------------- */

/* Runs while the guest does: reads the connection (gdb sends only 0x03
 * then, in all-stop mode; other bytes are kept for the packet loop) or,
 * before gdb connected with --gdb-no-wait, waits for a connection; either
 * stops the guest. */
static void *watch(void *arg)
{
	struct gdbstub *g = arg;
	int fd = g->in_fd >= 0 ? g->in_fd : g->listen_fd;

	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { g->wake[0], POLLIN, 0 } };
		ssize_t n;
		size_t kept;

		if (fd < 0)
			p[0].fd = -1;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		if (g->in_fd < 0) {
			/* a gdb is knocking: stop the guest and go accept it */
			g->interrupted = 1;
			vmdbg__request_stop(g->d->vm);
			break;
		}
		if (g->in_len >= sizeof(g->in)) {
			/* gdb should not talk while the guest runs; drop the excess */
			g->in_len = g->in_pos = 0;
		}
		n = read(fd, g->in + g->in_len, sizeof(g->in) - g->in_len);
		kept = g->in_len;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g->gone = 1;
			vmdbg__request_stop(g->d->vm);
			break;
		}
		/* gdbserver --gdb-no-wait: gdb's first bytes mean it is here */
		if (g->connecting)
			vmdbg__request_stop(g->d->vm);
		/* 0x03 stops the guest and is used up here: the stop reply
		 * answers it.  Anything else waits for the packet loop. */
		for (ssize_t i = 0; i < n; i++) {
			uint8_t c = g->in[g->in_len + (size_t)i];

			if (c == 0x03) {
				g->interrupted = 1;
				vmdbg__request_stop(g->d->vm);
				continue;
			}
			g->in[kept++] = c;
		}
		g->in_len = kept;
	}
	return NULL;
}

int server__take_interrupt(struct gdbstub *g)
{
	size_t i = g->in_pos;

	/* Only right after the packet (and acks): a 0x03 further on may be
	 * data of a later X packet, which gdb does not escape. */
	while (i < g->in_len && g->in[i] == '+')
		i++;
	if (i >= g->in_len || g->in[i] != 0x03)
		return 0;
	memmove(g->in + i, g->in + i + 1, g->in_len - i - 1);
	g->in_len--;
	return 1;
}

int server__watch_start(struct gdbstub *g)
{
	g->interrupted = 0;
	if (pipe(g->wake) < 0)
		return -1;
	if (pthread_create(&g->watcher, NULL, watch, g)) {
		close(g->wake[0]);
		close(g->wake[1]);
		return -1;
	}
	return 0;
}

void server__watch_stop(struct gdbstub *g)
{
	char c = 0;

	if (write(g->wake[1], &c, 1) < 0)
		perror("vmdbg: gdb watcher");
	pthread_join(g->watcher, NULL);
	close(g->wake[0]);
	close(g->wake[1]);
}

/* ---- one connection ---------------------------------------------------- */

/* One gdb at a time: another connection is closed at once (while the
 * guest runs it waits in the backlog until the next stop). */
static void refuse_second(struct gdbstub *g)
{
	int fd = accept(g->listen_fd, NULL, NULL);

	if (fd < 0)
		return;
	close(fd);
	fprintf(stderr, "vmdbg: refused another gdb: one is connected already\n");
}

/* The next input byte, reading when none is buffered; -1 at the end. */
static int next_byte(struct gdbstub *g)
{
	ssize_t n;

	if (g->in_pos < g->in_len)
		return g->in[g->in_pos++];
	g->in_pos = g->in_len = 0;
	for (;;) {
		struct pollfd p[2] = { { g->in_fd, POLLIN, 0 }, { g->listen_fd, POLLIN, 0 } };

		if (poll(p, g->listen_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (g->listen_fd >= 0 && p[1].revents)
			refuse_second(g);
		if (p[0].revents)
			break;
	}
	do
		n = read(g->in_fd, g->in, sizeof(g->in));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	g->in_len = (size_t)n;
	return g->in[g->in_pos++];
}

static void session_loop(struct gdbstub *g)
{
	gdbpkt__init(&g->pkt);
	g->noack = 0;
	g->gone = 0;
	if (g->listen_fd >= 0)
		g->in_len = g->in_pos = 0;	/* stdio: keep what came while running */
	g->arch = target__arch(g);
	g->noted = 0;
	while (!g->gone && !g->killed) {
		int c = next_byte(g);

		if (c < 0)
			break;
		switch (gdbpkt__feed(&g->pkt, (uint8_t)c)) {
		case GDBPKT_PACKET:
			if (!g->noack && write_all(g->out_fd, "+", 1) < 0)
				g->gone = 1;
			else
				cmds__handle(g, g->pkt.buf, g->pkt.len);
			break;
		case GDBPKT_BADSUM:
			if (!g->noack && write_all(g->out_fd, "-", 1) < 0)
				g->gone = 1;
			break;
		case GDBPKT_NAK:
			if (g->last_len && write_all(g->out_fd, g->last, g->last_len) < 0)
				g->gone = 1;
			break;
		case GDBPKT_INTERRUPT: {
			/* Ctrl-C while stopped: report the stop again, as gdb
			 * waits for one. */
			char r[128];

			cmds__stop_reply(g, r, sizeof(r));
			gdbstub__sendstr(g, r);
			break;
		}
		default:
			break;
		}
	}
	/* gdb went away: the guest stays stopped; its breakpoints go, as gdb
	 * would have removed them. */
	target__bp_clear(g);
}

/* ---- listening ----------------------------------------------------------- */

int gdbstub__check_addr(const char *spec)
{
	const char *colon = strrchr(spec, ':'), *port = colon ? colon + 1 : spec;

	if (!strcmp(spec, "-"))
		return 0;
	if (!*port || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    atoi(port) > 65535 || (colon && (size_t)(colon - spec) >= 256))
		return fprintf(stderr, "vmdbg: --gdb %s: expected [HOST:]PORT\n", spec), -1;
	return 0;
}

static int listen_on(const char *spec, char *shown, size_t shownlen)
{
	char host[256] = "127.0.0.1";
	const char *port = spec, *colon = strrchr(spec, ':');
	struct addrinfo hints = { 0 }, *res = NULL;
	int fd = -1, one = 1, e;

	if (gdbstub__check_addr(spec) < 0)
		return -1;
	if (colon) {
		size_t n = (size_t)(colon - spec);

		if (n) {
			memcpy(host, spec, n);
			host[n] = 0;
		}
		port = colon + 1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &res)))
		return fprintf(stderr, "vmdbg: --gdb %s: %s\n", spec, gai_strerror(e)), -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		fprintf(stderr, "vmdbg: --gdb %s: %s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	/* Port 0 asks the kernel for a free one: say which (tests use it). */
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char pbuf[16];

		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
		    getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, pbuf, sizeof(pbuf),
				NI_NUMERICSERV) == 0)
			port = pbuf;
		snprintf(shown, shownlen, "%s:%s", host, port);
	}
	return fd;
}

static int accept_one(struct gdbstub *g)
{
	int fd, one = 1;

	do
		fd = accept(g->listen_fd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->in_fd = g->out_fd = fd;
	return 0;
}

/* Ctrl-C at vmdbg's own terminal: stops a running guest (gdb sees
 * SIGINT), else ends vmdbg, which is otherwise waiting for gdb. */
static void on_sigint(int sig)
{
	static const char msg[] = "vmdbg: interrupted\n";

	(void)sig;
	if (session_running_vm) {
		session__on_sigint();
		return;
	}
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* leaving anyway */
	}
	_exit(EXIT_INTERRUPTED);
}

int gdbstub__serve(struct dbg *d, const char *addr, int nowait)
{
	static struct gdbstub g;	/* large buffers: not on the stack */
	char shown[300];

	memset(&g, 0, sizeof(g));
	g.d = d;
	g.in_fd = g.out_fd = g.listen_fd = -1;
	/* A gdb that leaves mid-reply must not kill vmdbg. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_sigint);
	if (!strcmp(addr, "-")) {
		/* stdin/stdout carry the protocol; everything vmdbg would print
		 * on stdout (the guest's serial output) goes to stderr. */
		g.in_fd = STDIN_FILENO;
		g.out_fd = dup(STDOUT_FILENO);
		if (g.out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			return perror("vmdbg: gdbserver"), EXIT_INTERNAL;
		if (nowait) {
			g.connecting = 1;
			target__resume(&g, 0);
			g.connecting = 0;
		}
		session_loop(&g);
		return g.killed ? g.status : session__exit_status(d);
	}
	g.listen_fd = listen_on(addr, shown, sizeof(shown));
	if (g.listen_fd < 0)
		return EXIT_USAGE;
	fprintf(stderr, "vmdbg: waiting for gdb on %s (%s); in gdb: target remote %s\n", shown,
		strncmp(shown, "127.", 4) && strncmp(shown, "localhost", 9) && strncmp(shown, "::1", 3)
			? "reachable from other hosts" : "this host only", shown);
	if (nowait)
		target__resume(&g, 0);	/* until a gdb connects, or the guest stops */
	while (!g.killed) {
		if (accept_one(&g) < 0) {
			perror("vmdbg: accept");
			break;
		}
		fprintf(stderr, "vmdbg: gdb connected\n");
		session_loop(&g);
		close(g.in_fd);
		g.in_fd = g.out_fd = -1;
		if (!g.killed)
			fprintf(stderr, "vmdbg: gdb left; the guest stays stopped; waiting on %s\n",
				shown);
	}
	close(g.listen_fd);
	return g.killed ? g.status : session__exit_status(d);
}
