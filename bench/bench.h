/*
 * bench.h - helpers shared by the bench programs (bench/NAME.c; each is its
 * own program, so everything here is static inline).  The programs print
 * one line of key=value pairs; bench/run.sh puts them in the table.
 */
#ifndef VMDBG_BENCH_H
#define VMDBG_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The marker in front of a bench guest's 32-bit iteration count
 * (bench/guests/bench.h: COUNT_WORD). */
#define BENCH_COUNT_MARK	"VBCOUNT:"

__attribute__((format(printf, 2, 3), noreturn))
static inline void bench_die(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process (all threads), user and system. */
static inline uint64_t bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The whole file in a malloc'ed buffer; NULL with errno on failure. */
static inline uint8_t *bench_read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !(buf = malloc(st.st_size ? (size_t)st.st_size : 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(buf);
			close(fd);
			errno = n < 0 ? errno : EIO;
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

static inline int bench_write_file(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;
	size_t done = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n <= 0) {
			int rc = n < 0 ? -errno : -EIO;

			close(fd);
			return rc;
		}
		done += (size_t)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

static inline uint64_t bench_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Set the guest's iteration count (exactly one marker in the image).
 * Returns 0, or -1 when the image has no marker or more than one. */
static inline int bench_patch_count(uint8_t *img, size_t len, uint32_t count)
{
	const size_t mlen = sizeof(BENCH_COUNT_MARK) - 1;
	uint8_t *at = NULL;

	for (size_t i = 0; i + mlen + 4 <= len; i++) {
		if (memcmp(img + i, BENCH_COUNT_MARK, mlen))
			continue;
		if (at)
			return -1;
		at = img + i;
	}
	if (!at)
		return -1;
	for (int b = 0; b < 4; b++)
		at[mlen + b] = (uint8_t)(count >> (8 * b));
	return 0;
}

static inline uint32_t bench_parse_count(const char *prog, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v == 0 || v > 0xffffffffULL)
		bench_die(prog, "%s: expected an iteration count from 1 to 2^32-1", s);
	return (uint32_t)v;
}

#endif
