/*
 * disk.c - the backing store of an ATA disk: a regular host file, read and
 * written by 512-byte sector with pread/pwrite.
 *
 * Snapshot mode (--snapshot, the default while recording a trace) opens the
 * file read-only and keeps every written sector in memory instead: a sorted
 * table of 64 KiB chunks, each copied from the file on its first write.  A
 * guest writes little, so the table stays short and a binary search finds a
 * chunk; the file is never changed, and a replay starts from the same disk.
 */
#include "vmdbg/devices/ide.h"
#include "vmdbg/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_SECTORS	128
#define CHUNK_BYTES	(CHUNK_SECTORS * IDE_SECTOR)

struct chunk {
	uint64_t index;		/* chunk number: lba / CHUNK_SECTORS */
	uint8_t *data;		/* CHUNK_BYTES */
};

struct disk {
	int fd;
	bool snapshot;
	uint64_t bytes;		/* file size */
	uint64_t sectors;	/* rounded up to whole sectors */
	struct chunk *chunks;	/* snapshot: sorted by index */
	size_t nchunks, cap;
	char path[4096];
};

struct disk *disk__open(const char *path, bool snapshot, char *err, size_t errlen)
{
	struct disk *d;
	struct stat st;
	int fd;

	/* a directory, device or FIFO is named as such, before open() says
	 * something less clear (EISDIR) or blocks (a FIFO) */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "disk %s: not a regular file (a disk must be an image file)",
			 path);
		return NULL;
	}
	fd = open(path, (snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "disk %s: %s%s", path, strerror(errno),
			 !snapshot && (errno == EACCES || errno == EROFS) ?
			 " (writes go to the file; --snapshot keeps them in memory)" : "");
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "disk %s: not a regular file (a disk must be an image file)",
			 path);
		close(fd);
		return NULL;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "disk %s: the file is empty (0 bytes)", path);
		close(fd);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "disk %s: out of memory", path);
		close(fd);
		return NULL;
	}
	d->fd = fd;
	d->snapshot = snapshot;
	d->bytes = (uint64_t)st.st_size;
	d->sectors = (d->bytes + IDE_SECTOR - 1) / IDE_SECTOR;
	snprintf(d->path, sizeof(d->path), "%s", path);
	return d;
}

void disk__close(struct disk *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nchunks; i++)
		free(d->chunks[i].data);
	free(d->chunks);
	close(d->fd);
	free(d);
}

uint64_t disk__sectors(const struct disk *d)
{
	return d->sectors;
}

uint64_t disk__bytes(const struct disk *d)
{
	return d->bytes;
}

const char *disk__path(const struct disk *d)
{
	return d->path;
}

bool disk__snapshot(const struct disk *d)
{
	return d->snapshot;
}

/* Bytes of the file at [off, off+len): short reads past its end are zeros. */
static int file_read(struct disk *d, uint64_t off, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(d->fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset(buf + got, 0, len - got);
	return 0;
}

/* The snapshot chunk with this index, or the position to insert it. */
static struct chunk *find_chunk(struct disk *d, uint64_t index, size_t *pos)
{
	size_t lo = 0, hi = d->nchunks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->chunks[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	if (lo < d->nchunks && d->chunks[lo].index == index)
		return &d->chunks[lo];
	return NULL;
}

static struct chunk *make_chunk(struct disk *d, uint64_t index)
{
	struct chunk *c;
	size_t pos;
	uint8_t *data;

	c = find_chunk(d, index, &pos);
	if (c)
		return c;
	if (d->nchunks == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct chunk *n = realloc(d->chunks, cap * sizeof(*n));

		if (!n)
			return NULL;
		d->chunks = n;
		d->cap = cap;
	}
	data = malloc(CHUNK_BYTES);
	if (!data || file_read(d, index * CHUNK_BYTES, data, CHUNK_BYTES) < 0) {
		free(data);
		return NULL;
	}
	memmove(&d->chunks[pos + 1], &d->chunks[pos], (d->nchunks - pos) * sizeof(*c));
	d->chunks[pos] = (struct chunk){ .index = index, .data = data };
	d->nchunks++;
	return &d->chunks[pos];
}

static bool in_range(const struct disk *d, uint64_t lba, uint32_t n)
{
	return lba <= d->sectors && n <= d->sectors - lba;
}

int disk__read(struct disk *d, uint64_t lba, uint32_t n, uint8_t *buf)
{
	if (!in_range(d, lba, n))
		return -ERANGE;
	for (uint32_t i = 0; i < n; i++, lba++, buf += IDE_SECTOR) {
		size_t pos;
		struct chunk *c = d->nchunks ? find_chunk(d, lba / CHUNK_SECTORS, &pos) : NULL;
		int ret;

		if (c) {
			memcpy(buf, c->data + (lba % CHUNK_SECTORS) * IDE_SECTOR, IDE_SECTOR);
			continue;
		}
		ret = file_read(d, lba * IDE_SECTOR, buf, IDE_SECTOR);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int disk__write(struct disk *d, uint64_t lba, uint32_t n, const uint8_t *buf)
{
	if (!in_range(d, lba, n))
		return -ERANGE;
	for (uint32_t i = 0; i < n; i++, lba++, buf += IDE_SECTOR) {
		uint64_t off = lba * IDE_SECTOR;
		size_t len = IDE_SECTOR, done = 0;

		if (d->snapshot) {
			struct chunk *c = make_chunk(d, lba / CHUNK_SECTORS);

			if (!c)
				return -ENOMEM;
			memcpy(c->data + (lba % CHUNK_SECTORS) * IDE_SECTOR, buf, IDE_SECTOR);
			continue;
		}
		/* the last partial sector: the file keeps its size */
		if (off + len > d->bytes)
			len = (size_t)(d->bytes - off);
		while (done < len) {
			ssize_t w = pwrite(d->fd, buf + done, len - done, (off_t)(off + done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return w < 0 ? -errno : -EIO;
			done += (size_t)w;
		}
	}
	return 0;
}

int disk__flush(struct disk *d)
{
	if (d->snapshot)
		return 0;
	return fdatasync(d->fd) < 0 ? -errno : 0;
}

int disk__sha256(struct disk *d, uint8_t out[32])
{
	void *p = mmap(NULL, d->bytes, PROT_READ, MAP_PRIVATE, d->fd, 0);

	/* sha256() takes the whole buffer: map the file (read-only, so the
	 * snapshot's original) instead of copying it. */
	if (p == MAP_FAILED)
		return -errno;
	sha256(p, d->bytes, out);
	munmap(p, d->bytes);
	return 0;
}

/*
 * Time travel: the in-memory overlay of a snapshot disk as one buffer
 * (the chunk count, then each chunk's index and bytes), and back.  A disk
 * that writes to its file cannot go back in time: the caller refuses to
 * record with one (timetravel.c).
 */
void *disk__save(const struct disk *d, size_t *bytes)
{
	size_t n = d->nchunks, len = sizeof(uint64_t) + n * (sizeof(uint64_t) + CHUNK_BYTES);
	uint8_t *buf = malloc(len), *p = buf;

	if (!buf)
		return NULL;
	memcpy(p, &(uint64_t){ n }, sizeof(uint64_t));
	p += sizeof(uint64_t);
	for (size_t i = 0; i < n; i++) {
		memcpy(p, &d->chunks[i].index, sizeof(uint64_t));
		memcpy(p + sizeof(uint64_t), d->chunks[i].data, CHUNK_BYTES);
		p += sizeof(uint64_t) + CHUNK_BYTES;
	}
	*bytes = len;
	return buf;
}

int disk__restore(struct disk *d, const void *buf)
{
	const uint8_t *p = buf;
	uint64_t n;

	memcpy(&n, p, sizeof(n));
	p += sizeof(n);
	for (size_t i = 0; i < d->nchunks; i++)
		free(d->chunks[i].data);
	d->nchunks = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t index;
		struct chunk *c;

		memcpy(&index, p, sizeof(index));
		c = make_chunk(d, index);
		if (!c)
			return -ENOMEM;
		memcpy(c->data, p + sizeof(index), CHUNK_BYTES);
		p += sizeof(index) + CHUNK_BYTES;
	}
	return 0;
}
