/*
 * kvm_vm.c - a KVM VM with one vCPU and one RAM slot, used by the kvm
 * backend and by each probe guest.  Knows ioctls, not traps.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* KVM wants these three pages below 4 GiB outside RAM on Intel hosts that
 * run real mode through vm86 (no unrestricted guest). */
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000ULL
#define KVM_TSS_ADDR		0xfffbd000ULL
#define KVM_MAX_RAM		0xfffbc000ULL

/* The tick signal: a real-time signal nobody else in vmdbg uses. */
#define KVM_TICK_SIGNAL		(SIGRTMIN + 5)

/*
 * The signal handler sets immediate_exit on the kvm_run of the thread it
 * interrupts: a tick that lands between our checks and KVM_RUN then makes
 * KVM_RUN return -EINTR at once instead of being lost.
 */
static __thread struct kvm_run *volatile tick_run;
static volatile sig_atomic_t tick_count;
static pthread_once_t tick_once = PTHREAD_ONCE_INIT;
static int tick_install_err;

static void tick_handler(int sig)
{
	struct kvm_run *run = tick_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
	tick_count++;
}

static void tick_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(KVM_TICK_SIGNAL, &sa, NULL) < 0)
		tick_install_err = -errno;
}

unsigned long kvm_vm__ticks(void)
{
	return (unsigned long)tick_count;
}

int kvm_vm__start_timer(struct kvm_vm *k, uint64_t first_ns, uint64_t period_ns)
{
	struct sigevent sev;
	struct itimerspec its;
	sigset_t set;
	pid_t tid;

	pthread_once(&tick_once, tick_install);
	if (tick_install_err)
		return tick_install_err;
	/* The caller's thread may block real-time signals; this one must
	 * get through to interrupt KVM_RUN. */
	sigemptyset(&set);
	sigaddset(&set, KVM_TICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	tid = (pid_t)syscall(SYS_gettid);
	if (k->have_timer && k->timer_tid != tid) {
		/* Run from another thread now: the tick must follow it. */
		timer_delete(k->timer);
		k->have_timer = false;
	}
	if (!k->have_timer) {
		memset(&sev, 0, sizeof(sev));
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = KVM_TICK_SIGNAL;
		sev._sigev_un._tid = tid;
		if (timer_create(CLOCK_MONOTONIC, &sev, &k->timer) < 0)
			return -errno;
		k->have_timer = true;
		k->timer_tid = tid;
	}
	if (first_ns == 0)
		first_ns = 1;
	its.it_value.tv_sec = first_ns / 1000000000ULL;
	its.it_value.tv_nsec = first_ns % 1000000000ULL;
	its.it_interval.tv_sec = period_ns / 1000000000ULL;
	its.it_interval.tv_nsec = period_ns % 1000000000ULL;
	if (timer_settime(k->timer, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

void kvm_vm__stop_timer(struct kvm_vm *k)
{
	struct itimerspec its;

	if (!k->have_timer)
		return;
	memset(&its, 0, sizeof(its));
	timer_settime(k->timer, 0, &its, NULL);
}

static int fail(char *err, size_t errlen, int rc, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, strerror(-rc));
	return rc;
}

static int set_cpuid(struct kvm_vm *k, char *err, size_t errlen)
{
	struct kvm_cpuid2 *cpuid = NULL;
	int n = 64, rc;

	/* KVM_GET_SUPPORTED_CPUID says E2BIG until the buffer is big enough. */
	for (;;) {
		free(cpuid);
		cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return fail(err, errlen, -ENOMEM, "KVM_GET_SUPPORTED_CPUID");
		cpuid->nent = n;
		if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		rc = -errno;
		if (rc != -E2BIG || n >= 4096) {
			free(cpuid);
			return fail(err, errlen, rc, "KVM_GET_SUPPORTED_CPUID");
		}
		n *= 2;
	}
	/* Without this a guest cannot enter long mode on some hosts. */
	rc = ioctl(k->vcpu_fd, KVM_SET_CPUID2, cpuid) < 0 ? -errno : 0;
	free(cpuid);
	return rc ? fail(err, errlen, rc, "KVM_SET_CPUID2") : 0;
}

int kvm_vm__open(struct kvm_vm *k, uint8_t *ram, uint64_t ram_size,
		 char *err, size_t errlen)
{
	struct kvm_userspace_memory_region mr;
	uint64_t ident = KVM_IDENTITY_MAP_ADDR;
	int rc, mmap_size, caps;

	memset(k, 0, sizeof(*k));
	k->kvm_fd = k->vm_fd = k->vcpu_fd = -1;
	if (ram_size == 0 || ram_size > KVM_MAX_RAM || (ram_size & 0xfff)) {
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: guest RAM of %llu bytes "
			 "is not a multiple of 4 KiB between 4 KiB and %llu MiB",
			 (unsigned long long)ram_size, KVM_MAX_RAM >> 20);
		return -EINVAL;
	}

	k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm_fd < 0) {
		rc = fail(err, errlen, -errno, "open /dev/kvm");
		goto out;
	}
	rc = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
	if (rc != KVM_API_VERSION) {
		snprintf(err, errlen, "KVM_GET_API_VERSION: want %d, got %d",
			 KVM_API_VERSION, rc);
		rc = -ENOTSUP;
		goto out;
	}
	k->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
	if (k->vm_fd < 0) {
		rc = fail(err, errlen, -errno, "KVM_CREATE_VM");
		goto out;
	}
	/* Only needed (and only present) on Intel; harmless to skip. */
	if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
		rc = fail(err, errlen, -errno, "KVM_SET_TSS_ADDR");
		goto out;
	}
	if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0) {
		rc = fail(err, errlen, -errno, "KVM_SET_IDENTITY_MAP_ADDR");
		goto out;
	}

	if (!ram) {
		/* The probe's RAM: between guard pages, as vmdbg__create()'s. */
		ram = guard__alloc(ram_size);
		if (!ram) {
			rc = fail(err, errlen, -ENOMEM, "mmap guest RAM");
			goto out;
		}
		k->own_ram = true;
	}
	k->ram = ram;
	k->ram_size = ram_size;
	memset(&mr, 0, sizeof(mr));
	mr.slot = 0;
	mr.guest_phys_addr = 0;
	mr.memory_size = ram_size;
	mr.userspace_addr = (uintptr_t)ram;
	if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
		rc = fail(err, errlen, -errno, "KVM_SET_USER_MEMORY_REGION");
		goto out;
	}
	k->nslots = 1;
	k->can_protect = ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;

	k->vcpu_fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, 0);
	if (k->vcpu_fd < 0) {
		rc = fail(err, errlen, -errno, "KVM_CREATE_VCPU");
		goto out;
	}
	mmap_size = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		rc = fail(err, errlen, mmap_size < 0 ? -errno : -EINVAL,
			  "KVM_GET_VCPU_MMAP_SIZE");
		goto out;
	}
	k->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu_fd, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		rc = fail(err, errlen, -errno, "mmap kvm_run");
		goto out;
	}
	k->run_size = mmap_size;

	rc = set_cpuid(k, err, errlen);
	if (rc)
		goto out;

	if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		snprintf(err, errlen, "KVM_CAP_IMMEDIATE_EXIT: not supported by this "
			 "host's KVM (needed to interrupt a running guest)");
		rc = -ENOTSUP;
		goto out;
	}

	/* Sync regs save a KVM_GET_REGS (and SREGS) ioctl on every exit. */
	caps = ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	if (caps > 0 && (caps & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
			(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) {
		k->sync = true;
		k->regs = &k->run->s.regs.regs;
		k->sregs = &k->run->s.regs.sregs;
		k->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	} else {
		k->regs = &k->own_regs;
		k->sregs = &k->own_sregs;
	}
	if (ioctl(k->vcpu_fd, KVM_GET_REGS, k->regs) < 0) {
		rc = fail(err, errlen, -errno, "KVM_GET_REGS");
		goto out;
	}
	if (ioctl(k->vcpu_fd, KVM_GET_SREGS, k->sregs) < 0) {
		rc = fail(err, errlen, -errno, "KVM_GET_SREGS");
		goto out;
	}
	return 0;
out:
	kvm_vm__close(k);
	return rc;
}

void kvm_vm__close(struct kvm_vm *k)
{
	if (k->have_timer) {
		timer_delete(k->timer);
		k->have_timer = false;
	}
	if (k->run) {
		if (tick_run == k->run)
			tick_run = NULL;
		munmap(k->run, k->run_size);
		k->run = NULL;
	}
	if (k->vcpu_fd >= 0)
		close(k->vcpu_fd);
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->kvm_fd >= 0)
		close(k->kvm_fd);
	k->kvm_fd = k->vm_fd = k->vcpu_fd = -1;
	if (k->own_ram && k->ram)
		guard__free(k->ram, k->ram_size);
	k->ram = NULL;
	k->regs = NULL;
	k->sregs = NULL;
}

int kvm_vm__run(struct kvm_vm *k)
{
	int rc = 0;

	if (k->sync) {
		k->run->kvm_dirty_regs = k->dirty;
	} else {
		if ((k->dirty & KVM_SYNC_X86_REGS) &&
		    ioctl(k->vcpu_fd, KVM_SET_REGS, k->regs) < 0)
			return -errno;
		if ((k->dirty & KVM_SYNC_X86_SREGS) &&
		    ioctl(k->vcpu_fd, KVM_SET_SREGS, k->sregs) < 0)
			return -errno;
	}
	k->dirty = 0;

	tick_run = k->run;
	if (ioctl(k->vcpu_fd, KVM_RUN, 0) < 0)
		rc = -errno;
	tick_run = NULL;
	k->run->immediate_exit = 0;

	if (k->sync) {
		k->run->kvm_dirty_regs = 0;
	} else {
		if (ioctl(k->vcpu_fd, KVM_GET_REGS, k->regs) < 0 && !rc)
			rc = -errno;
		if (ioctl(k->vcpu_fd, KVM_GET_SREGS, k->sregs) < 0 && !rc)
			rc = -errno;
	}
	return rc;
}

static int add_slot(struct kvm_vm *k, uint64_t start, uint64_t end, uint32_t flags)
{
	struct kvm_userspace_memory_region mr;

	if (end > k->ram_size)
		end = k->ram_size;
	if (start >= end)
		return 0;
	memset(&mr, 0, sizeof(mr));
	mr.slot = k->nslots;
	mr.flags = flags;
	mr.guest_phys_addr = start;
	mr.memory_size = end - start;
	mr.userspace_addr = (uintptr_t)k->ram + start;
	if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		return -errno;
	k->nslots++;
	return 0;
}

int kvm_vm__protect(struct kvm_vm *k, const uint64_t *pages, int n)
{
	struct kvm_userspace_memory_region mr;
	uint64_t p[2] = { 0, 0 }, at = 0;
	int rc = 0;

	if (!k->can_protect)
		return -ENOTSUP;
	for (int i = 0; i < n && i < 2; i++)
		if (pages[i] < k->ram_size)
			p[i] = (pages[i] & ~0xfffULL) + 1;
	if (p[0] > p[1] && p[1]) {
		uint64_t t = p[0];

		p[0] = p[1];
		p[1] = t;
	}
	if (p[0] == p[1])
		p[1] = 0;
	if (!p[0] && p[1]) {
		p[0] = p[1];
		p[1] = 0;
	}
	if (p[0] == k->prot[0] && p[1] == k->prot[1])
		return 0;
	/* Slots may not overlap: delete them all, then lay them anew. */
	memset(&mr, 0, sizeof(mr));
	for (int s = 0; s < k->nslots; s++) {
		mr.slot = s;
		if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
			return -errno;
	}
	k->nslots = 0;
	k->prot[0] = p[0];
	k->prot[1] = p[1];
	for (int i = 0; i < 2 && p[i] && !rc; i++) {
		rc = add_slot(k, at, p[i] - 1, 0);
		if (!rc)
			rc = add_slot(k, p[i] - 1, p[i] - 1 + 0x1000, KVM_MEM_READONLY);
		at = p[i] - 1 + 0x1000;
	}
	if (!rc)
		rc = add_slot(k, at, k->ram_size, 0);
	return rc;
}

int kvm_vm__set_debug(struct kvm_vm *k, uint32_t control, const uint64_t dr[4],
		      uint64_t dr7)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	if (dr)
		memcpy(dbg.arch.debugreg, dr, 4 * sizeof(uint64_t));
	dbg.arch.debugreg[7] = dr7;
	if (ioctl(k->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	k->debug_control = control;
	return 0;
}

int kvm_vm__get_msr(struct kvm_vm *k, uint32_t index, uint64_t *val)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	if (ioctl(k->vcpu_fd, KVM_GET_MSRS, &m) != 1)
		return -EIO;
	*val = m.e.data;
	return 0;
}

int kvm_vm__set_msr(struct kvm_vm *k, uint32_t index, uint64_t val)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	m.e.data = val;
	return ioctl(k->vcpu_fd, KVM_SET_MSRS, &m) == 1 ? 0 : -EIO;
}

int kvm_vm__get_events(struct kvm_vm *k, struct kvm_vcpu_events *ev)
{
	return ioctl(k->vcpu_fd, KVM_GET_VCPU_EVENTS, ev) < 0 ? -errno : 0;
}

int kvm_vm__set_events(struct kvm_vm *k, const struct kvm_vcpu_events *ev)
{
	return ioctl(k->vcpu_fd, KVM_SET_VCPU_EVENTS, ev) < 0 ? -errno : 0;
}
