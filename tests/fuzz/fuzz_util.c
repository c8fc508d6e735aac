/*
 * fuzz_util.c - the input file and output helpers of fuzz.h.
 */
#define _GNU_SOURCE
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

const char *fuzz__file(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("vmdbg-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("fuzz: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0) {
		perror("fuzz: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0) {
			perror("fuzz: pwrite");
			abort();
		}
		done += (size_t)n;
	}
	return path;
}

void fuzz__quiet_stdout(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	fflush(stdout);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
}
