/*
 * qemu_bench.c - run a bench guest under QEMU TCG (the peer of vmdbg's emu
 * backend) and time it from fork to exit.
 *
 *   qemu_bench [--qemu PATH] [--log FILE] IMAGE COUNT
 *
 * IMAGE is a multiboot bench guest (bench/guests/); a copy with COUNT
 * patched in is written next to it and booted with
 *   qemu-system-x86_64 -accel tcg -m 64 -kernel COPY
 *     -device isa-debug-exit,iobase=0xf4,iosize=0x04 (no display, no serial)
 * --log FILE adds `-d int -D FILE`: QEMU logs every interrupt (the peer of
 * a vmdbg trace).  The time includes QEMU's start-up and its BIOS: run.sh
 * takes it out by also running a small COUNT.
 *
 * Prints: ns=WALL cpu_ns=USER+SYS status=S [log_bytes=N]
 */
#include "bench.h"

#include <getopt.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

static const char *prog = "qemu_bench";

int main(int argc, char **argv)
{
	enum { O_QEMU = 256, O_LOG };
	static const struct option lopts[] = {
		{ "qemu", required_argument, 0, O_QEMU },
		{ "log", required_argument, 0, O_LOG },
		{ 0, 0, 0, 0 },
	};
	const char *qemu = "qemu-system-x86_64", *log = NULL, *image;
	const char *args[32];
	char copy[4096];
	struct rusage ru;
	uint64_t t0, t1, cpu;
	uint32_t count;
	uint8_t *img;
	size_t len;
	pid_t pid;
	int opt, n = 0, st, status;

	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case O_QEMU:
			qemu = optarg;
			break;
		case O_LOG:
			log = optarg;
			break;
		default:
			bench_die(prog, "usage: qemu_bench [--qemu PATH] [--log FILE] IMAGE COUNT");
		}
	}
	if (optind + 2 != argc)
		bench_die(prog, "usage: qemu_bench [--qemu PATH] [--log FILE] IMAGE COUNT");
	image = argv[optind];
	count = bench_parse_count(prog, argv[optind + 1]);

	img = bench_read_file(image, &len);
	if (!img)
		bench_die(prog, "%s: %s", image, strerror(errno));
	if (bench_patch_count(img, len, count) < 0)
		bench_die(prog, "%s: no count marker \"%s\"", image, BENCH_COUNT_MARK);
	snprintf(copy, sizeof(copy), "%s.qemu-%u", image, count);
	if (bench_write_file(copy, img, len) < 0)
		bench_die(prog, "%s: %s", copy, strerror(errno));
	free(img);

	args[n++] = qemu;
	args[n++] = "-accel";
	args[n++] = "tcg";
	args[n++] = "-nodefaults";
	args[n++] = "-m";
	args[n++] = "64";
	args[n++] = "-display";
	args[n++] = "none";
	args[n++] = "-serial";
	args[n++] = "none";
	args[n++] = "-monitor";
	args[n++] = "none";
	args[n++] = "-no-reboot";
	args[n++] = "-device";
	args[n++] = "isa-debug-exit,iobase=0xf4,iosize=0x04";
	args[n++] = "-kernel";
	args[n++] = copy;
	if (log) {
		unlink(log);
		args[n++] = "-d";
		args[n++] = "int";
		args[n++] = "-D";
		args[n++] = log;
	}
	args[n] = NULL;

	t0 = bench_now_ns();
	pid = fork();
	if (pid < 0)
		bench_die(prog, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(qemu, (char *const *)args);
		fprintf(stderr, "%s: %s: %s\n", prog, qemu, strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		bench_die(prog, "wait4: %s", strerror(errno));
	t1 = bench_now_ns();
	unlink(copy);
	if (!WIFEXITED(st))
		bench_die(prog, "%s: killed by signal %d", qemu, WTERMSIG(st));
	status = WEXITSTATUS(st);
	if (status != 1)
		bench_die(prog, "%s %s: exit status %d, want 1 (debug exit 0)", qemu, image, status);
	cpu = (uint64_t)ru.ru_utime.tv_sec * 1000000000ULL + (uint64_t)ru.ru_utime.tv_usec * 1000 +
	      (uint64_t)ru.ru_stime.tv_sec * 1000000000ULL + (uint64_t)ru.ru_stime.tv_usec * 1000;
	printf("ns=%llu cpu_ns=%llu status=%d", (unsigned long long)(t1 - t0),
	       (unsigned long long)cpu, status);
	if (log)
		printf(" log_bytes=%llu", (unsigned long long)bench_file_size(log));
	putchar('\n');
	return 0;
}
