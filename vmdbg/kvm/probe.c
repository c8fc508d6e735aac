/*
 * probe.c - what this host's KVM can and cannot do, found by running tiny
 * guests (probe_guests.c), each in its own throw-away VM.  Results are
 * cached per process: the first vmdbg__probe() runs every item, in
 * parallel threads so that a hanging item costs its 1 s timeout once; the
 * backend asks single items with probe__item() and pays only for those.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

/* CPU modes each item is tried in, first failure wins.  Long mode first:
 * its failures are quick exits, real mode's can be 1 s hangs. */
static const int item_modes[VMDBG_PROBE__COUNT][5] = {
	[VMDBG_PROBE_SW_BP] = { 64, 32, 16, 3 },
	[VMDBG_PROBE_HW_BP] = { 64, 32, 16 },
	[VMDBG_PROBE_WATCH] = { 64, 32, 16, 3 },
	[VMDBG_PROBE_SINGLESTEP] = { 64, 32, 16 },
	[VMDBG_PROBE_HW_BP_R3] = { 3 },
	[VMDBG_PROBE_SINGLESTEP_R3] = { 3 },
};

static const char *const item_names[VMDBG_PROBE__COUNT] = {
	[VMDBG_PROBE_REAL_INT] = "int n in real mode",
	[VMDBG_PROBE_REAL_INT80] = "int 0x80 in real mode",
	[VMDBG_PROBE_PM32_INT] = "int n in 32-bit protected mode",
	[VMDBG_PROBE_PM32_IRET] = "iret in 32-bit protected mode",
	[VMDBG_PROBE_PAGING32] = "32-bit paging",
	[VMDBG_PROBE_LONG_MODE] = "entering long mode",
	[VMDBG_PROBE_LM_INT] = "int n in long mode",
	[VMDBG_PROBE_SYSCALL_R3] = "syscall from ring 3",
	[VMDBG_PROBE_SW_BP] = "int3 breakpoints",
	[VMDBG_PROBE_HW_BP] = "debug-register breakpoints",
	[VMDBG_PROBE_WATCH] = "data watchpoints",
	[VMDBG_PROBE_SINGLESTEP] = "single-step",
	[VMDBG_PROBE_HW_BP_R3] = "debug-register breakpoints in ring 3",
	[VMDBG_PROBE_SINGLESTEP_R3] = "single-step in ring 3",
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vmdbg_probe_result cache;
static bool cache_kvm_checked;
static int cache_kvm_err;
static struct kvm_quirks quirks;

const char *vmdbg__probe_item_name(enum vmdbg_probe_item item)
{
	if ((unsigned)item >= VMDBG_PROBE__COUNT)
		return "?";
	return item_names[item];
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case 16:
		return "real mode";
	case 32:
		return "32-bit protected mode";
	case 64:
		return "long mode";
	default:
		return "ring 3";
	}
}

/* Run one item (all its modes) without the lock. */
static enum vmdbg_probe_verdict run_item(enum vmdbg_probe_item item, char *d, size_t n)
{
	const int *modes = item_modes[item];
	char sub[96];
	int rc = 0;

	if (!modes[0])
		return probe_guest__run_mode(item, 0, d, n);
	for (int i = 0; i < 5 && modes[i]; i++) {
		rc = probe_guest__run_mode(item, modes[i], sub, sizeof(sub));
		if (rc != VMDBG_PROBE_OK) {
			/* The single-mode ring-3 items need no "in ring 3:". */
			if (modes[1] || rc < 0)
				snprintf(d, n, "in %s: %s", mode_name(modes[i]), sub);
			else
				snprintf(d, n, "%s", sub);
			return rc < 0 ? VMDBG_PROBE_GAP : (enum vmdbg_probe_verdict)rc;
		}
	}
	if (modes[1])
		snprintf(d, n, "%s (%s)", sub, modes[3] ? "all modes and ring 3" :
			 "real, 32-bit and long mode");
	else
		snprintf(d, n, "%s", sub);
	return VMDBG_PROBE_OK;
}

/*
 * vmdbg never creates KVM's in-kernel irqchip: its own 8259A, local APIC
 * and I/O APIC models (devices/) answer the port and MMIO exits on kvm as
 * on emu, so the trap records are the same.  Say whether the host offers
 * the in-kernel one anyway.
 */
static void describe_irqchip(char *buf, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int has = fd >= 0 ? ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) : -1;

	if (fd >= 0)
		close(fd);
	snprintf(buf, len, "interrupt controllers: vmdbg's user-space PIC, local APIC and I/O "
		 "APIC over KVM's exits (in-kernel irqchip %s, not used)",
		 has > 0 ? "available" : "absent");
}

/* Is KVM there at all?  Measures the quirks as a side effect.  Lock held. */
static int check_kvm_locked(void)
{
	if (!cache_kvm_checked) {
		cache_kvm_err = probe_guest__quirks(&quirks, cache.kvm_error,
						    sizeof(cache.kvm_error));
		cache.kvm_present = cache_kvm_err == 0;
		if (cache.kvm_present)
			cache.kvm_error[0] = 0;
		describe_irqchip(cache.irqchip, sizeof(cache.irqchip));
		cache_kvm_checked = true;
	}
	return cache_kvm_err;
}

const struct kvm_quirks *probe__quirks(char *err, size_t errlen)
{
	const struct kvm_quirks *q = NULL;

	pthread_mutex_lock(&cache_lock);
	if (check_kvm_locked() == 0)
		q = &quirks;
	else if (err && errlen)
		snprintf(err, errlen, "%s", cache.kvm_error);
	pthread_mutex_unlock(&cache_lock);
	return q;
}

static void store(enum vmdbg_probe_item item, enum vmdbg_probe_verdict v, const char *d)
{
	pthread_mutex_lock(&cache_lock);
	if (cache.verdict[item] == VMDBG_PROBE_UNTESTED) {
		cache.verdict[item] = v;
		snprintf(cache.detail[item], sizeof(cache.detail[item]), "%s", d);
	}
	pthread_mutex_unlock(&cache_lock);
}

enum vmdbg_probe_verdict probe__item(enum vmdbg_probe_item item)
{
	enum vmdbg_probe_verdict v;
	bool present;
	char d[96];

	if ((unsigned)item >= VMDBG_PROBE__COUNT)
		return VMDBG_PROBE_UNTESTED;
	pthread_mutex_lock(&cache_lock);
	v = cache.verdict[item];
	/* a verdict from the disk cache needs no KVM check */
	present = v != VMDBG_PROBE_UNTESTED || check_kvm_locked() == 0;
	pthread_mutex_unlock(&cache_lock);
	if (v != VMDBG_PROBE_UNTESTED || !present)
		return v;
	v = run_item(item, d, sizeof(d));
	store(item, v, d);
	return v;
}

const char *probe__detail(enum vmdbg_probe_item item)
{
	const char *d;

	if ((unsigned)item >= VMDBG_PROBE__COUNT)
		return "";
	pthread_mutex_lock(&cache_lock);
	d = cache.detail[item];
	pthread_mutex_unlock(&cache_lock);
	return d;
}

static void *item_thread(void *arg)
{
	probe__item((enum vmdbg_probe_item)(uintptr_t)arg);
	return NULL;
}

/* The disk cache, once per process (unless refreshing): true when it gave
 * every verdict. */
static bool load_disk_cache(void)
{
	static bool tried;
	struct vmdbg_probe_result r;
	char path[512], key[512];
	bool ok = false;

	pthread_mutex_lock(&cache_lock);
	if (!tried && probe_cache__path(path, sizeof(path)) == 0) {
		probe_cache__key(key, sizeof(key));
		if (probe_cache__load(path, key, &r) == 0) {
			cache = r;
			cache.from_cache = 1;
			if (!r.kvm_present) {
				cache_kvm_checked = true;
				cache_kvm_err = -ENODEV;
			}
			ok = true;
		}
	}
	tried = true;
	ok = ok || cache.from_cache;
	pthread_mutex_unlock(&cache_lock);
	return ok;
}

static void save_disk_cache(void)
{
	char path[512], key[512];
	struct vmdbg_probe_result r;

	if (probe_cache__path(path, sizeof(path)) < 0)
		return;
	probe_cache__key(key, sizeof(key));
	pthread_mutex_lock(&cache_lock);
	r = cache;
	pthread_mutex_unlock(&cache_lock);
	probe_cache__save(path, key, &r);	/* best effort: next start probes */
}

int vmdbg__probe(struct vmdbg_probe_result *result)
{
	if (load_disk_cache()) {
		pthread_mutex_lock(&cache_lock);
		if (result)
			*result = cache;
		pthread_mutex_unlock(&cache_lock);
		return cache.kvm_present ? 0 : -ENODEV;
	}
	return vmdbg__probe_refresh(result);
}

int vmdbg__probe_refresh(struct vmdbg_probe_result *result)
{
	pthread_t th[VMDBG_PROBE__COUNT];
	bool started[VMDBG_PROBE__COUNT] = { false };
	int rc;

	pthread_mutex_lock(&cache_lock);
	if (cache.from_cache) {
		/* probe again for real */
		memset(&cache, 0, sizeof(cache));
		cache_kvm_checked = false;
	}
	rc = check_kvm_locked();
	pthread_mutex_unlock(&cache_lock);
	if (rc == 0) {
		for (int i = 0; i < VMDBG_PROBE__COUNT; i++) {
			if (cache.verdict[i] != VMDBG_PROBE_UNTESTED)
				continue;
			started[i] = pthread_create(&th[i], NULL, item_thread,
						    (void *)(uintptr_t)i) == 0;
			if (!started[i])	/* no thread: run it here */
				probe__item((enum vmdbg_probe_item)i);
		}
		for (int i = 0; i < VMDBG_PROBE__COUNT; i++)
			if (started[i])
				pthread_join(th[i], NULL);
	}
	save_disk_cache();
	pthread_mutex_lock(&cache_lock);
	if (result)
		*result = cache;
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

/* Phrases for the summary line, in two groups. */
static bool is_feature(enum vmdbg_probe_item i)
{
	return i >= VMDBG_PROBE_SW_BP;
}

static void append(char *buf, size_t len, size_t *pos, const char *s)
{
	int n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, "%s", s);
	if (n > 0)
		*pos += (size_t)n;
}

void vmdbg__probe_summary(const struct vmdbg_probe_result *r, char *buf, size_t len)
{
	const enum vmdbg_probe_verdict *v = r->verdict;
	size_t pos = 0;
	int n = 0;

	if (!len)
		return;
	buf[0] = 0;
	if (!r->kvm_present) {
		snprintf(buf, len, "KVM is not usable: %s", r->kvm_error);
		return;
	}
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (int i = 0; i < VMDBG_PROBE__COUNT; i++) {
			const char *phrase = item_names[i];

			if (v[i] != VMDBG_PROBE_GAP || is_feature(i) != (pass == 1))
				continue;
			/* "int n and iret in 32-bit protected mode" reads better. */
			if (i == VMDBG_PROBE_PM32_INT && v[VMDBG_PROBE_PM32_IRET] == VMDBG_PROBE_GAP)
				phrase = "int n and iret in 32-bit protected mode";
			if (i == VMDBG_PROBE_PM32_IRET && v[VMDBG_PROBE_PM32_INT] == VMDBG_PROBE_GAP)
				continue;
			if (n++ == 0)
				append(buf, len, &pos, pass == 0 ? "this host's KVM cannot run: " :
				       pos ? "; and cannot give: " : "this host's KVM cannot give: ");
			else
				append(buf, len, &pos, ", ");
			append(buf, len, &pos, phrase);
		}
	}
}
