/*
 * options.c - the run options shared by `vmdbg run`, `record` and the
 * debugger (--backend, --mem, --load, --entry, --mode, --max-steps,
 * --timeout, --syscall-vector, --disk, --snapshot, --no-snapshot, --cmdline,
 * --module, --initrd, --append, --cpus, --quantum, --schedule, --seed): one parser, so every command reads them the same way.
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

/* A refused --disk frees its copy: nothing else holds it (LeakSanitizer
 * in `make test SAN=1` reported it). */
static char *disk_copies[VMDBG_MAX_DISKS];

static int fail_disk(struct vmdbg_config *cfg, char *copy)
{
	cfg->disks[cfg->ndisks].path = NULL;
	disk_copies[cfg->ndisks] = NULL;
	free(copy);
	return -1;
}

/* --disk FILE[,index=N][,if=ide][,format=raw] (QEMU's -drive words). */
static int disk_option(const char *arg, struct vmdbg_config *cfg)
{
	char *copy, *opt, *save = NULL;
	int index = -1;

	if (cfg->ndisks >= VMDBG_MAX_DISKS)
		return err("--disk %s: at most %d disks (IDE primary and secondary, master "
			   "and slave)", arg, VMDBG_MAX_DISKS), -1;
	copy = strdup(arg);	/* lives as long as the config: the program's run */
	if (!copy)
		return err("--disk %s: out of memory", arg), -1;
	/* held here, not only in a config on main's stack, which is gone when
	 * LeakSanitizer looks at exit (`make test SAN=1`) */
	disk_copies[cfg->ndisks] = copy;
	cfg->disks[cfg->ndisks].path = strtok_r(copy, ",", &save);
	if (!cfg->disks[cfg->ndisks].path || !strncmp(cfg->disks[cfg->ndisks].path, "file=", 5)) {
		if (cfg->disks[cfg->ndisks].path)
			cfg->disks[cfg->ndisks].path += 5;
		if (!cfg->disks[cfg->ndisks].path || !*cfg->disks[cfg->ndisks].path)
			return err("--disk %s: expected FILE[,index=N]", arg), fail_disk(cfg, copy);
	}
	while ((opt = strtok_r(NULL, ",", &save))) {
		char *end;

		if (!strncmp(opt, "index=", 6)) {
			index = (int)strtol(opt + 6, &end, 0);
			if (*end || end == opt + 6 || index < 0 || index > 3)
				return err("--disk %s: index=%s, expected 0-3 (primary master, "
					   "primary slave, secondary master, secondary slave)", arg,
					   opt + 6), fail_disk(cfg, copy);
		} else if (strcmp(opt, "if=ide") && strcmp(opt, "format=raw") &&
			   strcmp(opt, "media=disk")) {
			return err("--disk %s: unknown option '%s' (index=N, if=ide, format=raw)",
				   arg, opt), fail_disk(cfg, copy);
		}
	}
	for (int i = 0; i < cfg->ndisks; i++)
		if (index >= 0 && cfg->disks[i].index == index)
			return err("--disk %s: index=%d is given twice", arg, index), fail_disk(cfg, copy);
	cfg->disks[cfg->ndisks].index = index;
	cfg->ndisks++;
	return 0;
}

int cli__parse_size(const char *s, uint64_t *out)
{
	return parse_u64(s, out);
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
	} else if (!strcmp(name, "disk")) {
		return disk_option(arg, cfg);
	} else if (!strcmp(name, "snapshot")) {
		cfg->snapshot = 1;
	} else if (!strcmp(name, "no-snapshot")) {
		cfg->snapshot = -1;
	} else if (!strcmp(name, "cmdline")) {
		cfg->cmdline = arg;
	} else if (!strcmp(name, "module")) {
		if (cfg->nmodules >= VMDBG_MAX_MODULES)
			return err("--module %s: at most %d modules", arg, VMDBG_MAX_MODULES), -1;
		cfg->modules[cfg->nmodules++] = arg;
	} else if (!strcmp(name, "initrd")) {
		cfg->initrd = arg;
	} else if (!strcmp(name, "append")) {
		cfg->append = arg;
	} else if (!strcmp(name, "cpus")) {
		if (parse_u64(arg, &v) < 0 || v < 1 || v > VMDBG_MAX_CPUS)
			return err("--cpus %s: expected 1-%d CPUs", arg, VMDBG_MAX_CPUS), -1;
		cfg->cpus = (int)v;
	} else if (!strcmp(name, "quantum")) {
		if (parse_u64(arg, &v) < 0 || v < 1 || v > (1ULL << 32))
			return err("--quantum %s: expected instructions, 1 to 2^32", arg), -1;
		cfg->quantum = v;
	} else if (!strcmp(name, "schedule")) {
		if (!strcmp(arg, "round-robin"))
			cfg->schedule = VMDBG_SCHED_ROUND_ROBIN;
		else if (!strcmp(arg, "random"))
			cfg->schedule = VMDBG_SCHED_RANDOM;
		else
			return err("--schedule %s: expected round-robin or random", arg), -1;
	} else if (!strcmp(name, "seed")) {
		if (parse_u64(arg, &cfg->seed) < 0)
			return err("--seed %s: expected a number", arg), -1;
	} else {
		return err("--%s: not an option", name), -1;
	}
	/* bad input, whichever of the two came first (not vmdbg__create's
	 * internal error) */
	if (cfg->cpus > 1 && cfg->backend == VMDBG_BACKEND_KVM)
		return err("--cpus %d needs --backend emu: the kvm backend runs one CPU",
			   cfg->cpus), -1;
	return 0;
}
