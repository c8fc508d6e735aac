/*
 * probe_cache.c - the probe's verdicts kept per host, so that `vmdbg run`
 * with --backend auto starts in milliseconds instead of running 14 probe
 * guests (about 1 s) every time.  The cache is a small text file in
 * $XDG_CACHE_HOME/vmdbg/ (~/.cache/vmdbg/), keyed by what decides the
 * verdicts: the kernel release, the KVM API version, the CPU model and
 * this vmdbg's version.  A cache whose key differs, or that does not parse
 * completely, is ignored and rewritten: it is never trusted blindly.
 * `vmdbg --probe` always probes and refreshes it.
 */
#include "vmdbg/kvm/kvm.h"
#include "vmdbg/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CACHE_MAGIC	"vmdbg-probe-cache 1"

void probe_cache__key(char *key, size_t len)
{
	struct utsname u;
	char model[160] = "?", line[256];
	int api = -1, fd;
	FILE *f;

	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		api = ioctl(fd, KVM_GET_API_VERSION, 0);
		close(fd);
	}
	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	snprintf(key, len, "vmdbg %s; probe items %d; kernel %s; KVM API %d; CPU %s",
		 VMDBG_VERSION, VMDBG_PROBE__COUNT, u.release, api, model);
}

int probe_cache__path(char *buf, size_t len)
{
	const char *env = getenv("VMDBG_PROBE_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg == '/')
		n = snprintf(buf, len, "%s/vmdbg/probe", xdg);
	else if (home && *home == '/')
		n = snprintf(buf, len, "%s/.cache/vmdbg/probe", home);
	else
		return -ENOENT;
	return n > 0 && (size_t)n < len && buf[0] ? 0 : -ENAMETOOLONG;
}

static void key_hash(const char *key, char hex[65])
{
	uint8_t h[32];

	sha256(key, strlen(key), h);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

int probe_cache__load(const char *path, const char *key, struct vmdbg_probe_result *r)
{
	char line[512], want[65];
	bool seen[VMDBG_PROBE__COUNT] = { false };
	int state = 0, nitems = 0;
	struct stat st;
	FILE *f;

	memset(r, 0, sizeof(*r));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* a regular file of sensible size only */
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 65536) {
		fclose(f);
		return -EINVAL;
	}
	key_hash(key, want);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		if (line[n] != '\n')
			goto bad;	/* overlong or truncated line */
		line[n] = 0;
		if (state == 0) {
			if (strcmp(line, CACHE_MAGIC))
				goto bad;
			state = 1;
		} else if (state == 1) {
			if (strncmp(line, "key ", 4) || strcmp(line + 4, want))
				goto bad;	/* another host, kernel or vmdbg */
			state = 2;
		} else if (!strncmp(line, "present ", 8)) {
			r->kvm_present = line[8] == '1' && !line[9];
		} else if (!strncmp(line, "error ", 6)) {
			snprintf(r->kvm_error, sizeof(r->kvm_error), "%s", line + 6);
		} else if (!strncmp(line, "item ", 5)) {
			char *end;
			long i = strtol(line + 5, &end, 10), v;

			if (*end != ' ' || i < 0 || i >= VMDBG_PROBE__COUNT || seen[i])
				goto bad;
			v = strtol(end + 1, &end, 10);
			if ((v != VMDBG_PROBE_OK && v != VMDBG_PROBE_GAP) || (*end && *end != ' '))
				goto bad;
			r->verdict[i] = (enum vmdbg_probe_verdict)v;
			snprintf(r->detail[i], sizeof(r->detail[i]), "%s", *end ? end + 1 : "");
			seen[i] = true;
			nitems++;
		} else {
			goto bad;
		}
	}
	fclose(f);
	/* complete: every item, or KVM absent with its reason */
	if (state == 2 && (r->kvm_present ? nitems == VMDBG_PROBE__COUNT : r->kvm_error[0] != 0))
		return 0;
	memset(r, 0, sizeof(*r));
	return -EINVAL;
bad:
	fclose(f);
	memset(r, 0, sizeof(*r));
	return -EINVAL;
}

/* mkdir -p of path's directory (the cache's parents may not exist yet). */
static void make_dirs(const char *path)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(dir, 0755);
		*p = '/';
	}
}

int probe_cache__save(const char *path, const char *key, const struct vmdbg_probe_result *r)
{
	char tmp[560], hex[65];
	FILE *f;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	make_dirs(path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	key_hash(key, hex);
	fprintf(f, "%s\nkey %s\npresent %d\n", CACHE_MAGIC, hex, r->kvm_present ? 1 : 0);
	if (r->kvm_error[0])
		fprintf(f, "error %.*s\n", (int)strcspn(r->kvm_error, "\n"), r->kvm_error);
	for (int i = 0; r->kvm_present && i < VMDBG_PROBE__COUNT; i++)
		fprintf(f, "item %d %d %.*s\n", i, (int)r->verdict[i],
			(int)strcspn(r->detail[i], "\n"), r->detail[i]);
	if (fclose(f) != 0)
		ret = -EIO;
	/* rename: a reader sees the old file or the new one, never half */
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
