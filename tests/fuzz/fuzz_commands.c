/*
 * fuzz_commands.c - libFuzzer harness for the debugger's command line
 * (frontends/cli/: the dispatcher of commands.c, the command groups,
 * parse.c's expressions and locations, and through them the engine's
 * breakpoints, stepping and memory commands): the input is a script, one
 * command per line, run as `vmdbg --batch -x SCRIPT` would run it, without
 * a terminal, on an emu VM with the boot sector and System.map of
 * fuzz_guest.h, or, when VMDBG_FUZZ_IMAGE names one (tests/fuzz/run.sh
 * sets build/guests/lecture32-O0.img), on that guest with its ELF symbols
 * and DWARF, so that print, ptype, info locals and file:line locations
 * reach the C data reader and C expressions.  Guest runs stop after 2000
 * steps (300000 on an image: lecture32 reaches its system-call handler) or
 * after 1 s.
 *
 * Commands that reach the host are not run: those that open or write host
 * files named by the input (source, trace, symbol-file, add-symbol-file,
 * directory, list, set logging), run a shell (shell, !), or define user
 * commands whose bodies would run such lines unseen (define, document).
 * The fuzzer would only try paths and programs on this machine; the file
 * readers have their own harnesses and tests.
 */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_guest.h"
#include "frontends/cli/dbg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINES	32
#define MAX_LINE	1024

static char image_path[512], map_path[64];
static int own_guest;		/* the boot sector: load map_path as symbols */

static void write_file(char *path, size_t len, const void *data, size_t size)
{
	int fd;

	snprintf(path, len, "/tmp/vmdbg-fuzz.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

static void cleanup(void)
{
	unlink(image_path);
	unlink(map_path);
}

static void setup(void)
{
	const char *image = getenv("VMDBG_FUZZ_IMAGE");
	uint8_t img[512];

	if (image && *image) {
		snprintf(image_path, sizeof(image_path), "%s", image);
	} else {
		own_guest = 1;
		fuzz_guest_image(img);
		write_file(image_path, sizeof(image_path), img, sizeof(img));
		write_file(map_path, sizeof(map_path), fuzz_guest_map,
			   strlen(fuzz_guest_map));
		atexit(cleanup);
	}
	if (!getenv("FUZZ_VERBOSE"))
		fuzz__quiet_stdout();
}

static int allowed(const char *line)
{
	static const char *const blocked[] = {
		"source", "trace", "symbol-file", "add-symbol-file", "directory", "list",
		"shell", "define", "document",
	};
	char word[64], sub[64];
	const char *name, *rest;

	if (*parse__skip(line) == '!')
		return 0;
	rest = parse__word(line, word, sizeof(word));
	/* x/4xw: the command word ends at '/' */
	word[strcspn(word, "/")] = 0;
	name = commands__resolve(word);
	if (!name)
		return 1;	/* unknown or ambiguous: the dispatcher says so */
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		if (!strcmp(name, blocked[i]))
			return 0;
	/* set logging [on|file F|...] writes a host file */
	parse__word(rest, sub, sizeof(sub));
	if (!strcmp(name, "set") && sub[0] && !strncmp("logging", sub, strlen(sub)))
		return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dbg d;
	struct dbg_opts o;
	char line[MAX_LINE];
	size_t at = 0;
	int n = 0;

	if (!image_path[0])
		setup();
	memset(&o, 0, sizeof(o));
	o.cfg.backend = VMDBG_BACKEND_EMU;
	o.cfg.mem_size = own_guest ? 2u << 20 : 16u << 20;
	o.image = image_path;
	o.batch = 1;
	o.quiet = 1;
	o.max_steps = own_guest ? 2000 : 300000;
	o.timeout = 1;
	memset(&d, 0, sizeof(d));
	d.opts = &o;
	if (session__open(&d) == 0 && (!own_guest || session__load_symbols(&d, map_path, 0) >= 0)) {
		while (at < size && n++ < MAX_LINES && !d.want_quit) {
			size_t len = 0;

			while (at < size && data[at] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = data[at] ? (char)data[at] : ' ';
				at++;
			}
			at++;
			line[len] = 0;
			if (allowed(line))
				commands__execute(&d, line);
		}
	}
	session__close(&d);
	return 0;
}
