/*
 * test_probe_cache.c - the probe's per-host cache (vmdbg/kvm/probe_cache.c):
 * a saved result reads back, a cache made under another key (another
 * kernel, KVM or CPU) or a damaged one is ignored, and vmdbg__probe() takes
 * its verdicts from a valid cache without probing.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vmdbg-probe-cache.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* a directory that does not exist yet: save makes it */
	snprintf(path, sizeof(path), "%s/sub/probe", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void fake_result(struct vmdbg_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	r->kvm_present = 1;
	for (int i = 0; i < VMDBG_PROBE__COUNT; i++) {
		r->verdict[i] = i % 3 ? VMDBG_PROBE_OK : VMDBG_PROBE_GAP;
		snprintf(r->detail[i], sizeof(r->detail[i]), "fake detail %d", i);
	}
}

static void test_roundtrip_and_key(void **state)
{
	struct vmdbg_probe_result w, r;

	(void)state;
	fake_result(&w);
	assert_int_equal(probe_cache__save(path, "key A", &w), 0);
	assert_int_equal(probe_cache__load(path, "key A", &r), 0);
	assert_memory_equal(r.verdict, w.verdict, sizeof(w.verdict));
	assert_memory_equal(r.detail, w.detail, sizeof(w.detail));
	assert_int_equal(r.kvm_present, 1);
	/* another key: a changed kernel, KVM, CPU or vmdbg version */
	assert_int_equal(probe_cache__load(path, "key B", &r), -EINVAL);
	assert_int_equal(r.verdict[0], VMDBG_PROBE_UNTESTED);
}

static void damage(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_damaged(void **state)
{
	struct vmdbg_probe_result w, r;
	char good[8192], *line;
	FILE *f;
	size_t n;

	(void)state;
	fake_result(&w);
	assert_int_equal(probe_cache__save(path, "key A", &w), 0);
	f = fopen(path, "r");
	n = fread(good, 1, sizeof(good) - 1, f);
	fclose(f);
	good[n] = 0;
	/* cut short: an item missing */
	line = strstr(good, "item 13");
	assert_non_null(line);
	{
		char cut[8192];

		snprintf(cut, sizeof(cut), "%.*s", (int)(line - good), good);
		damage(cut);
		assert_int_equal(probe_cache__load(path, "key A", &r), -EINVAL);
	}
	/* a verdict out of range, an unknown line, a bad magic, no newline */
	damage(strstr(good, "key") ? "vmdbg-probe-cache 1\nkey x\n" : "");
	assert_int_equal(probe_cache__load(path, "key A", &r), -EINVAL);
	damage("vmdbg-probe-cache 9\n");
	assert_int_equal(probe_cache__load(path, "key A", &r), -EINVAL);
	{
		char bad[8192];
		char *v = strstr(good, "item 0 2");

		assert_non_null(v);
		snprintf(bad, sizeof(bad), "%s", good);
		bad[v - good + 7] = '7';
		damage(bad);
		assert_int_equal(probe_cache__load(path, "key A", &r), -EINVAL);
		snprintf(bad, sizeof(bad), "%sfrob 1\n", good);
		damage(bad);
		assert_int_equal(probe_cache__load(path, "key A", &r), -EINVAL);
		snprintf(bad, sizeof(bad), "%s", good);
		bad[strlen(bad) - 1] = 0;	/* the last line without its newline */
		damage(bad);
		assert_int_equal(probe_cache__load(path, "key A", &r), -EINVAL);
	}
	/* not a regular file */
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_not_equal(probe_cache__load(path, "key A", &r), 0);
	rmdir(path);
}

static void test_probe_uses_cache(void **state)
{
	struct vmdbg_probe_result w, r;
	char key[512];

	(void)state;
	/* a valid cache for this host, with verdicts no real probe gives */
	fake_result(&w);
	probe_cache__key(key, sizeof(key));
	assert_int_equal(probe_cache__save(path, key, &w), 0);
	setenv("VMDBG_PROBE_CACHE", path, 1);
	assert_int_equal(vmdbg__probe(&r), 0);
	assert_int_equal(r.from_cache, 1);
	assert_memory_equal(r.verdict, w.verdict, sizeof(w.verdict));
	assert_string_equal(r.detail[5], "fake detail 5");
	unsetenv("VMDBG_PROBE_CACHE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_and_key),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_probe_uses_cache),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
