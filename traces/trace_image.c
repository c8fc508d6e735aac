/*
 * trace_image.c - the image a trace header names, for symbols in `trace
 * show` and `vmdbg view`.  The header is untrusted: it could name a FIFO
 * (the open would hang), /dev/zero, or any ELF on the machine (issue 9).
 * So the file is used only when it is a regular file, within the image
 * limit, whose SHA-256 is the one the header holds, and when the name has
 * no ".." component.
 */
#include "traces/trace.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sanitize.h"
#include "vmdbg/sha256.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

static void hex8(const uint8_t *d, char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* 0 when path holds the image h was recorded from; else why (sanitized). */
static int check(const struct trace_header *h, const char *path, char *why, size_t len)
{
	char e[4400], safe[1100], have[17], want[17];
	uint8_t *data, d[32];
	size_t n;
	int ret;

	ret = regfile__read(path, REGFILE_MAX_IMAGE, "guest image", &data, &n, e, sizeof(e));
	if (ret < 0) {
		sanitize__str(why, len, e, SANITIZE_TERM);
		return ret;
	}
	sha256(data, n, d);
	free(data);
	if (memcmp(d, h->image_sha256, sizeof(d))) {
		hex8(d, have);
		hex8(h->image_sha256, want);
		snprintf(why, len, "%s is not the traced image (its sha256 is %s..., the trace's "
			 "%s...)", sanitize__str(safe, sizeof(safe), path, SANITIZE_TERM), have,
			 want);
		return -ESTALE;
	}
	return 0;
}

int trace_image__find(const struct trace_header *h, const char *trace_path, char *out,
		      size_t outlen, char *why, size_t whylen)
{
	const char *img = h->image_name, *slash = strrchr(trace_path, '/');
	char safe[1100], guess[4096], why2[1200];
	int ret;

	if (!img[0]) {
		snprintf(why, whylen, "the trace names no image");
		return -ENOENT;
	}
	if (has_dotdot(img)) {
		snprintf(why, whylen, "the image name in the trace, %s, has a '..' component",
			 sanitize__str(safe, sizeof(safe), img, SANITIZE_TERM));
		return -EPERM;
	}
	ret = check(h, img, why, whylen);
	/* not there: maybe next to the trace (a relative name only) */
	if (ret == -ENOENT && slash && img[0] != '/' &&
	    snprintf(guess, sizeof(guess), "%.*s/%s", (int)(slash - trace_path), trace_path,
		     img) < (int)sizeof(guess)) {
		int r2 = check(h, guess, why2, sizeof(why2));

		if (!r2) {
			img = guess;
			ret = 0;
		} else if (r2 != -ENOENT) {
			snprintf(why, whylen, "%s", why2);
			ret = r2;
		}
	}
	if (ret)
		return ret;
	if (snprintf(out, outlen, "%s", img) >= (int)outlen) {
		snprintf(why, whylen, "the image name is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}
