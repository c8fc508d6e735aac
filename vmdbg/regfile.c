/*
 * regfile.c - open a file vmdbg reads only when it is a regular file within
 * the size limit for its kind (regfile.h).  Without it, `symbol-file
 * /dev/zero` grew to gigabytes and a trace header naming a FIFO hung
 * `trace show` in open(2) (issue 9).
 */
#include "vmdbg/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void regfile__size_str(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 " byte%s", n, n == 1 ? "" : "s");
		return;
	}
	while (u < 5 && n >> (10 * (u + 2)))
		u++;
	if (!(n & ((1ULL << (10 * (u + 1))) - 1)))
		snprintf(buf, len, "%" PRIu64 " %s", n >> (10 * (u + 1)), unit[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)n / (double)(1ULL << (10 * (u + 1))),
			 unit[u]);
}

int regfile__open(const char *path, uint64_t max, const char *what, int *fd, uint64_t *size,
		  char *err, size_t errlen)
{
	char have[32], lim[32];
	struct stat st;
	int f, ret;

	*fd = -1;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
	f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(f, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		ret = -EFBIG;
		regfile__size_str((uint64_t)st.st_size, have, sizeof(have));
		regfile__size_str(max, lim, sizeof(lim));
		snprintf(err, errlen, "%s: %s is larger than the %s limit for a%s %s", path, have,
			 lim, strchr("aeiou", what[0]) ? "n" : "", what);
		goto fail;
	}
	/* Regular files ignore O_NONBLOCK; drop it anyway for whoever reads. */
	fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK);
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
fail:
	close(f);
	return ret;
}

FILE *regfile__fopen(const char *path, uint64_t max, const char *what, char *err, size_t errlen)
{
	uint64_t size;
	FILE *f;
	int fd, ret;

	if ((ret = regfile__open(path, max, what, &fd, &size, err, errlen)) < 0) {
		errno = -ret;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(ret));
		close(fd);
		errno = ret;
	}
	return f;
}

int regfile__read(const char *path, uint64_t max, const char *what, uint8_t **data, size_t *len,
		  char *err, size_t errlen)
{
	uint64_t size, got = 0;
	uint8_t *buf;
	ssize_t n;
	int fd, ret;

	*data = NULL;
	*len = 0;
	if ((ret = regfile__open(path, max, what, &fd, &size, err, errlen)) < 0)
		return ret;
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory for %" PRIu64 " bytes", path, size);
		close(fd);
		return -ENOMEM;
	}
	/* At most the size fstat gave: a file that grows meanwhile is cut. */
	while (got < size) {
		n = read(fd, buf + got, (size_t)(size - got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: read failed at offset %" PRIu64 "%s%s", path,
				 got, n < 0 ? ": " : " (the file shrank)",
				 n < 0 ? strerror(errno) : "");
			free(buf);
			close(fd);
			return ret;
		}
		got += (uint64_t)n;
	}
	close(fd);
	*data = buf;
	*len = (size_t)got;
	return 0;
}
