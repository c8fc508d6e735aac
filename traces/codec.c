/*
 * codec.c - the fixed parts of trace files: varints, CRCs, the file header
 * and chunk headers (FORMAT.md describes every byte).  Records are coded in
 * record.c.
 */
#include "traces/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- varints ---------------------------------------------------------- */

size_t codec__put_uv(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

size_t codec__get_uv(const uint8_t *p, size_t len, uint64_t *v)
{
	uint64_t r = 0;

	for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
		uint64_t b = p[i] & 0x7f;

		/* the 10th byte may only carry bit 63 */
		if (i == VARINT_MAX - 1 && b > 1)
			return 0;
		r |= b << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = r;
			return i + 1;
		}
	}
	return 0;
}

size_t codec__read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

uint32_t codec__crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	uLong c = crc;

	/* zlib takes uInt lengths; chunks are far below 4 GiB anyway */
	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;

		c = crc32(c, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)c;
}

/* ---- file header ------------------------------------------------------ */

static size_t put_str(uint8_t *p, const char *s, size_t field)
{
	size_t n = strnlen(s, field - 1);

	put_le16(p, (uint16_t)n);
	memcpy(p + 2, s, n);
	return 2 + n;
}

size_t codec__encode_header(const struct trace_header *h, uint8_t *out)
{
	uint8_t *b = out + TRACE_FIXED_LEN;
	size_t n = 0;

	memcpy(out, TRACE_MAGIC, TRACE_MAGIC_LEN);
	put_le16(out + 8, TRACE_VERSION_MAJOR);
	put_le16(out + 10, h->cpus > 1 ? TRACE_VERSION_MINOR_SMP : TRACE_VERSION_MINOR);

	memcpy(b, h->image_sha256, 32);
	put_le64(b + 32, h->mem_size);
	put_le64(b + 40, (uint64_t)h->created);
	put_le32(b + 48, h->flags);
	n = 52;
	n += put_str(b + n, h->backend, sizeof(h->backend));
	n += put_str(b + n, h->load_opts, sizeof(h->load_opts));
	n += put_str(b + n, h->image_name, sizeof(h->image_name));
	n += put_str(b + n, h->creator, sizeof(h->creator));
	/* 1.1: the disks */
	b[n++] = (uint8_t)(h->ndisks > 4 ? 4 : h->ndisks < 0 ? 0 : h->ndisks);
	for (int i = 0; i < h->ndisks && i < 4; i++) {
		const struct trace_disk *d = &h->disks[i];

		b[n++] = d->index;
		b[n++] = d->snapshot;
		put_le64(b + n, d->size);
		memcpy(b + n + 8, d->sha256, 32);
		n += 40;
		n += put_str(b + n, d->name, sizeof(d->name));
	}
	/* 1.2: the command lines and the boot's files */
	n += put_str(b + n, h->cmdline, sizeof(h->cmdline));
	n += put_str(b + n, h->append, sizeof(h->append));
	b[n++] = (uint8_t)(h->nfiles > TRACE_MAX_FILES ? TRACE_MAX_FILES :
			   h->nfiles < 0 ? 0 : h->nfiles);
	for (int i = 0; i < h->nfiles && i < TRACE_MAX_FILES; i++) {
		const struct trace_file *f = &h->files[i];

		b[n++] = f->kind;
		put_le64(b + n, f->size);
		memcpy(b + n + 8, f->sha256, 32);
		n += 40;
		n += put_str(b + n, f->spec, sizeof(f->spec));
	}
	/* 1.4: the CPUs and the schedule, only for more than one CPU, so a
	 * one-CPU file stays 1.3 byte for byte */
	if (h->cpus > 1) {
		b[n++] = h->cpus;
		b[n++] = h->schedule;
		put_le64(b + n, h->quantum);
		put_le64(b + n + 8, h->seed);
		n += 16;
	}

	put_le32(out + 12, (uint32_t)n);
	put_le32(b + n, codec__crc32(0, out, TRACE_FIXED_LEN + n));
	return TRACE_FIXED_LEN + n + 4;
}

/* Copies a string field; a longer one than the struct holds is cut. */
static int get_str(const uint8_t *p, size_t len, size_t *pos, char *dst, size_t field,
		   const char *what, char *err, size_t errlen)
{
	size_t n;

	if (len - *pos < 2) {
		snprintf(err, errlen, "header ends inside the %s field", what);
		return -EBADMSG;
	}
	n = get_le16(p + *pos);
	*pos += 2;
	if (n > len - *pos) {
		snprintf(err, errlen, "header field %s is %zu bytes, only %zu left in the header",
			 what, n, len - *pos);
		return -EBADMSG;
	}
	memcpy(dst, p + *pos, n < field ? n : field - 1);
	dst[n < field ? n : field - 1] = '\0';
	*pos += n;
	return 0;
}

int codec__decode_header_body(const uint8_t *p, size_t len, struct trace_header *h,
			      char *err, size_t errlen)
{
	size_t pos = 52;
	int ret;

	if (len < TRACE_BODY_MIN) {
		snprintf(err, errlen, "header body is %zu bytes, version 1 needs at least %d",
			 len, TRACE_BODY_MIN);
		return -EBADMSG;
	}
	memcpy(h->image_sha256, p, 32);
	h->mem_size = get_le64(p + 32);
	h->created = (int64_t)get_le64(p + 40);
	h->flags = get_le32(p + 48);
	if ((ret = get_str(p, len, &pos, h->backend, sizeof(h->backend), "backend",
			   err, errlen)) ||
	    (ret = get_str(p, len, &pos, h->load_opts, sizeof(h->load_opts), "load options",
			   err, errlen)) ||
	    (ret = get_str(p, len, &pos, h->image_name, sizeof(h->image_name), "image name",
			   err, errlen)) ||
	    (ret = get_str(p, len, &pos, h->creator, sizeof(h->creator), "creator",
			   err, errlen)))
		return ret;
	/* 1.1: the disks (a 1.0 body ends here) */
	if (pos < len) {
		unsigned nd = p[pos++];

		if (nd > 4) {
			snprintf(err, errlen, "header says %u disks, at most 4", nd);
			return -EBADMSG;
		}
		for (unsigned i = 0; i < nd; i++) {
			struct trace_disk *d = &h->disks[i];

			if (len - pos < 42) {
				snprintf(err, errlen, "header ends inside disk %u", i);
				return -EBADMSG;
			}
			d->index = p[pos];
			d->snapshot = p[pos + 1];
			d->size = get_le64(p + pos + 2);
			memcpy(d->sha256, p + pos + 10, 32);
			pos += 42;
			if ((ret = get_str(p, len, &pos, d->name, sizeof(d->name), "disk name",
					   err, errlen)))
				return ret;
		}
		h->ndisks = (int)nd;
	}
	/* 1.2: the command lines and the boot's files (a 1.1 body ends here) */
	if (pos < len) {
		unsigned nf;

		if ((ret = get_str(p, len, &pos, h->cmdline, sizeof(h->cmdline), "command line",
				   err, errlen)) ||
		    (ret = get_str(p, len, &pos, h->append, sizeof(h->append), "Linux command line",
				   err, errlen)))
			return ret;
		if (pos >= len) {
			snprintf(err, errlen, "header ends before its number of boot files");
			return -EBADMSG;
		}
		nf = p[pos++];
		if (nf > TRACE_MAX_FILES) {
			snprintf(err, errlen, "header says %u boot files, at most %d", nf,
				 TRACE_MAX_FILES);
			return -EBADMSG;
		}
		for (unsigned i = 0; i < nf; i++) {
			struct trace_file *f = &h->files[i];

			if (len - pos < 41) {
				snprintf(err, errlen, "header ends inside boot file %u", i);
				return -EBADMSG;
			}
			f->kind = p[pos];
			f->size = get_le64(p + pos + 1);
			memcpy(f->sha256, p + pos + 9, 32);
			pos += 41;
			if ((ret = get_str(p, len, &pos, f->spec, sizeof(f->spec), "boot file name",
					   err, errlen)))
				return ret;
			if (f->kind != TRACE_FILE_MODULE && f->kind != TRACE_FILE_INITRD) {
				snprintf(err, errlen, "boot file %u has unknown kind %u", i, f->kind);
				return -EBADMSG;
			}
		}
		h->nfiles = (int)nf;
	}
	/* 1.4: the CPUs and the schedule (older files: one CPU) */
	h->cpus = 1;
	if (len - pos >= 18) {
		h->cpus = p[pos];
		h->schedule = p[pos + 1];
		h->quantum = get_le64(p + pos + 2);
		h->seed = get_le64(p + pos + 10);
		if (h->cpus < 1 || h->cpus > VMDBG_MAX_CPUS || h->schedule > VMDBG_SCHED_RANDOM ||
		    !h->quantum || h->quantum > (1ULL << 32)) {
			snprintf(err, errlen, "header says %u CPUs, schedule %u, quantum %llu: out of "
				 "range (1-%d CPUs, 0-1, 1-2^32)", h->cpus, h->schedule,
				 (unsigned long long)h->quantum, VMDBG_MAX_CPUS);
			return -EBADMSG;
		}
		pos += 18;
	}
	/* bytes after the known fields belong to a later minor version */
	return 0;
}

/* ---- chunk headers ---------------------------------------------------- */

void codec__put_chunk_hdr(uint8_t *out, struct chunk_hdr *c)
{
	memcpy(out, CHUNK_MAGIC, 4);
	put_le32(out + 4, c->payload_len);
	put_le32(out + 8, c->nrec);
	put_le32(out + 12, c->ntraps);
	put_le64(out + 16, c->first_seq);
	put_le64(out + 24, c->first_rec);
	put_le64(out + 32, c->base_time);
	put_le32(out + 40, c->payload_crc);
	c->hdr_crc = codec__crc32(0, out, 44);
	put_le32(out + 44, c->hdr_crc);
}

void codec__get_chunk_hdr(const uint8_t *in, struct chunk_hdr *c)
{
	c->payload_len = get_le32(in + 4);
	c->nrec = get_le32(in + 8);
	c->ntraps = get_le32(in + 12);
	c->first_seq = get_le64(in + 16);
	c->first_rec = get_le64(in + 24);
	c->base_time = get_le64(in + 32);
	c->payload_crc = get_le32(in + 40);
	c->hdr_crc = get_le32(in + 44);
}
