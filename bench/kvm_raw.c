/*
 * kvm_raw.c - the peer of vmdbg's kvm backend: a bare KVM VM built here
 * (no vmdbg code), running the same bench boot sector in the same way
 * (real mode at 0000:7C00, 64 MiB RAM), and nothing but a KVM_RUN loop.
 *
 *   kvm_raw out  [--sync-regs] IMAGE COUNT   exit round trip: every `out`
 *                              is one KVM_EXIT_IO, answered and resumed at once
 *   kvm_raw step [--sync-regs] IMAGE COUNT   KVM_SET_GUEST_DEBUG single-step:
 *                              one KVM_EXIT_DEBUG per instruction
 *
 * --sync-regs (a diagnostic, not the peer) has KVM copy the registers and
 * special registers into kvm_run on every exit, as vmdbg does.
 *
 * The guest is bench/guests/out16.S or loop16.S with COUNT patched in.
 * Prints: ns=WALL cpu_ns=CPU exits=N io=N debug=N status=S.  The times
 * cover the KVM_RUN loop only; VM creation is not timed, as in
 * vmdbg_bench.c.
 */
#include "bench.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define RAM_SIZE	(64ULL << 20)
#define LOAD_ADDR	0x7c00
#define TSS_ADDR	0xfffbd000ULL
#define IDENT_ADDR	0xfffbc000ULL

static const char *prog = "kvm_raw";

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int rc = ioctl(fd, req, arg);

	if (rc < 0)
		bench_die(prog, "%s: %s", what, strerror(errno));
	return rc;
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region mr = { 0 };
	struct kvm_guest_debug dbg = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	uint64_t ident = IDENT_ADDR, t0, t1, c0, c1, exits = 0, io = 0, debug = 0;
	uint8_t *img, *ram;
	size_t len;
	uint32_t count;
	int kvm, vm, vcpu, mmap_size, step, sync = 0, status = -1;

	if (argc == 5 && !strcmp(argv[2], "--sync-regs")) {
		sync = 1;
		argv[2] = argv[1];
		argv++;
		argc--;
	}
	if (argc != 4 || (strcmp(argv[1], "out") && strcmp(argv[1], "step")))
		bench_die(prog, "usage: kvm_raw out|step [--sync-regs] IMAGE COUNT");
	step = !strcmp(argv[1], "step");
	count = bench_parse_count(prog, argv[3]);
	img = bench_read_file(argv[2], &len);
	if (!img)
		bench_die(prog, "%s: %s", argv[2], strerror(errno));
	if (len != 512 || img[510] != 0x55 || img[511] != 0xaa)
		bench_die(prog, "%s: not a 512-byte boot sector", argv[2]);
	if (bench_patch_count(img, len, count) < 0)
		bench_die(prog, "%s: no count marker \"%s\"", argv[2], BENCH_COUNT_MARK);

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		bench_die(prog, "/dev/kvm: %s", strerror(errno));
	vm = xioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0)
		xioctl(vm, KVM_SET_TSS_ADDR, (void *)(uintptr_t)TSS_ADDR, "KVM_SET_TSS_ADDR");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0)
		xioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident, "KVM_SET_IDENTITY_MAP_ADDR");
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		bench_die(prog, "mmap guest RAM: %s", strerror(errno));
	memcpy(ram + LOAD_ADDR, img, len);
	mr.slot = 0;
	mr.guest_phys_addr = 0;
	mr.memory_size = RAM_SIZE;
	mr.userspace_addr = (uintptr_t)ram;
	xioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr, "KVM_SET_USER_MEMORY_REGION");
	vcpu = xioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	mmap_size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		bench_die(prog, "mmap kvm_run: %s", strerror(errno));

	/* Real mode at 0000:7C00, DL = 0x80, SS:SP = 0000:7C00: what vmdbg's
	 * boot-sector loader does. */
	xioctl(vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = sregs.es.base = sregs.ss.base = sregs.fs.base = sregs.gs.base = 0;
	sregs.ds.selector = sregs.es.selector = sregs.ss.selector = 0;
	sregs.fs.selector = sregs.gs.selector = 0;
	xioctl(vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = LOAD_ADDR;
	regs.rsp = LOAD_ADDR;
	regs.rdx = 0x80;
	regs.rflags = 0x2;
	xioctl(vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");
	if (step) {
		dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		xioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg, "KVM_SET_GUEST_DEBUG");
	}

	c0 = bench_cpu_ns();
	if (sync) {
		if ((ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) &
		     (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) != (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS))
			bench_die(prog, "KVM_CAP_SYNC_REGS: not supported");
		run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	}

	t0 = bench_now_ns();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			bench_die(prog, "KVM_RUN: %s", strerror(errno));
		}
		exits++;
		if (run->exit_reason == KVM_EXIT_IO) {
			io++;
			if (run->io.port == 0xf4 && run->io.direction == KVM_EXIT_IO_OUT) {
				status = ((uint8_t *)run + run->io.data_offset)[0] * 2 + 1;
				break;
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_DEBUG) {
			debug++;
			continue;
		}
		bench_die(prog, "unexpected KVM exit reason %u after %llu exits",
			  run->exit_reason, (unsigned long long)exits);
	}
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();
	printf("ns=%llu cpu_ns=%llu exits=%llu io=%llu debug=%llu status=%d\n",
	       (unsigned long long)(t1 - t0), (unsigned long long)(c1 - c0),
	       (unsigned long long)exits,
	       (unsigned long long)io, (unsigned long long)debug, status);
	return status == 1 ? 0 : 1;
}
