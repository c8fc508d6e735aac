/*
 * trace_header.c - the trace file header of a live run, filled the same way
 * by `vmdbg run/record --trace` (main.c) and the debugger's --trace and
 * `trace start` (session.c): image hash, memory, backend, load options, and
 * each attached disk with its SHA-256 (FORMAT.md 1.1).
 */
#include "frontends/cli/cli.h"
#include "traces/trace.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sha256.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One file the boot read (FORMAT.md 1.2): its size and SHA-256 now. */
static int add_file(struct trace_header *h, uint8_t kind, const char *spec, char *err,
		    size_t errlen)
{
	struct trace_file *f = &h->files[h->nfiles];
	char path[512];
	uint8_t *data;
	size_t len;
	int ret;

	if (h->nfiles >= TRACE_MAX_FILES)
		return 0;
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(spec, " "), spec);
	if ((ret = regfile__read(path, REGFILE_MAX_IMAGE, kind == TRACE_FILE_INITRD ? "initrd" :
				 "module", &data, &len, err, errlen)) < 0)
		return ret;
	f->kind = kind;
	f->size = len;
	sha256(data, len, f->sha256);
	free(data);
	snprintf(f->spec, sizeof(f->spec), "%s", spec);
	h->nfiles++;
	return 0;
}

int cli__trace_header(struct vmdbg *vm, const struct vmdbg_config *cfg,
		      const struct vmdbg_image_info *info, const char *image, int step,
		      struct trace_header *h, char *err, size_t errlen)
{
	struct vmdbg_disk_info di;
	const char *base;
	int n;

	memset(h, 0, sizeof(*h));
	memcpy(h->image_sha256, info->sha256, sizeof(h->image_sha256));
	h->mem_size = vmdbg__mem_size(vm);
	h->flags = step ? TRACE_F_STEP_MODE : 0;
	snprintf(h->backend, sizeof(h->backend), "%s", vmdbg__backend_name(vm));
	n = snprintf(h->load_opts, sizeof(h->load_opts), "--mem %" PRIu64, h->mem_size);
	if (cfg->have_load && n > 0 && (size_t)n < sizeof(h->load_opts))
		snprintf(h->load_opts + n, sizeof(h->load_opts) - (size_t)n,
			 " --load 0x%" PRIx64 " --entry 0x%" PRIx64 " --mode %d",
			 cfg->load_addr, cfg->have_entry ? cfg->entry : cfg->load_addr,
			 cfg->mode ? cfg->mode : 32);
	/* it changes the records' classes: a replay needs it */
	n = (int)strlen(h->load_opts);
	if (cfg->have_syscall_vector && (size_t)n < sizeof(h->load_opts))
		snprintf(h->load_opts + n, sizeof(h->load_opts) - (size_t)n, " --syscall-vector %d",
			 cfg->syscall_vector);
	/* 1.4: several CPUs, and the schedule a replay must run again */
	h->cpus = (uint8_t)vmdbg__cpus(vm);
	if (h->cpus > 1) {
		h->schedule = (uint8_t)cfg->schedule;
		h->quantum = cfg->quantum ? cfg->quantum : VMDBG_QUANTUM;
		h->seed = cfg->seed;
	}
	/* the base name: the same run recorded from two directories gives the
	 * same file; replay and trace show look for it where they are and next
	 * to the trace */
	base = strrchr(image, '/');
	snprintf(h->image_name, sizeof(h->image_name), "%s", base && base[1] ? base + 1 : image);
	for (int i = 0; i < VMDBG_MAX_DISKS; i++) {
		struct trace_disk *td = &h->disks[h->ndisks];
		int ret = vmdbg__disk_info(vm, i, 1, &di);

		if (ret == -ENOENT)	/* no disk there */
			continue;
		if (ret < 0) {
			snprintf(err, errlen, "%s", vmdbg__last_error(vm));
			return ret;
		}
		td->index = (uint8_t)i;
		td->snapshot = (uint8_t)di.snapshot;
		td->size = di.size;
		memcpy(td->sha256, di.sha256, sizeof(td->sha256));
		snprintf(td->name, sizeof(td->name), "%s", di.path);
		h->ndisks++;
	}
	/* what else the boot read: a replay needs the same */
	snprintf(h->cmdline, sizeof(h->cmdline), "%s", cfg->cmdline ? cfg->cmdline : "");
	snprintf(h->append, sizeof(h->append), "%s", cfg->append ? cfg->append : "");
	for (int i = 0; i < cfg->nmodules; i++)
		if (add_file(h, TRACE_FILE_MODULE, cfg->modules[i], err, errlen) < 0)
			return -EIO;
	if (cfg->initrd && add_file(h, TRACE_FILE_INITRD, cfg->initrd, err, errlen) < 0)
		return -EIO;
	return 0;
}
