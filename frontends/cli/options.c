/*
 * options.c - the run options shared by `vmdbg run`, `record` and the
 * debugger (--backend, --mem, --load, --entry, --mode, --max-steps,
 * --timeout, --syscall-vector): one parser, so every command reads them the same way.
 */
#include "frontends/cli/cli.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 1, 2)))
static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("vmdbg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	int shift = 0;

	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (shift && v > (~0ULL >> shift))
		return -1;	/* does not fit in 64 bits */
	v <<= shift;
	if (*end == 'i' || *end == 'B')
		end += (end[0] == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int cli__run_option(const char *name, const char *arg, struct vmdbg_config *cfg,
		    uint64_t *max_steps, double *timeout)
{
	uint64_t v;
	char *end;

	if (!strcmp(name, "backend")) {
		if (!strcmp(arg, "kvm"))
			cfg->backend = VMDBG_BACKEND_KVM;
		else if (!strcmp(arg, "emu"))
			cfg->backend = VMDBG_BACKEND_EMU;
		else if (!strcmp(arg, "auto"))
			cfg->backend = VMDBG_BACKEND_AUTO;
		else
			return err("--backend %s: expected kvm, emu or auto", arg), -1;
	} else if (!strcmp(name, "mem")) {
		if (parse_u64(arg, &v) < 0)
			return err("--mem %s: expected a size such as 64M", arg), -1;
		/* bad input, not vmdbg__create's internal error (issue 9) */
		if (v < VMDBG_MEM_MIN || v > VMDBG_MEM_MAX || (v & 0xfff))
			return err("--mem %s: guest memory must be a multiple of 4K from 2M to 3G", arg), -1;
		cfg->mem_size = v;
	} else if (!strcmp(name, "load")) {
		if (parse_u64(arg, &cfg->load_addr) < 0)
			return err("--load %s: expected an address", arg), -1;
		cfg->have_load = 1;
	} else if (!strcmp(name, "entry")) {
		if (parse_u64(arg, &cfg->entry) < 0)
			return err("--entry %s: expected an address", arg), -1;
		cfg->have_entry = 1;
	} else if (!strcmp(name, "mode")) {
		cfg->mode = atoi(arg);
		if (cfg->mode != 16 && cfg->mode != 32 && cfg->mode != 64)
			return err("--mode %s: expected 16, 32 or 64", arg), -1;
	} else if (!strcmp(name, "max-steps")) {
		if (parse_u64(arg, max_steps) < 0)
			return err("--max-steps %s: expected a count", arg), -1;
	} else if (!strcmp(name, "syscall-vector")) {
		if (parse_u64(arg, &v) < 0 || v > 255)
			return err("--syscall-vector %s: expected a vector 0-255", arg), -1;
		cfg->have_syscall_vector = 1;
		cfg->syscall_vector = (int)v;
	} else if (!strcmp(name, "timeout")) {
		*timeout = strtod(arg, &end);
		if (*end || *timeout <= 0)
			return err("--timeout %s: expected seconds > 0", arg), -1;
	} else {
		return err("--%s: not an option", name), -1;
	}
	return 0;
}
