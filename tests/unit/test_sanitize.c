/*
 * test_sanitize.c - the one sanitizer (vmdbg/sanitize.c) in each mode, on
 * terminal escapes, C1 controls, bad UTF-8 and truncation; and the file
 * checks every reader uses (vmdbg/regfile.c): not a regular file, too
 * large, the size in words; and the rule for the image a trace header
 * names (traces/trace_image.c).
 */
#include "traces/trace.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sanitize.h"
#include "vmdbg/sha256.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static void check(const char *in, size_t n, enum sanitize_mode mode, const char *want)
{
	char got[256];
	size_t len = sanitize__buf(got, sizeof(got), in, n, mode);

	if (strcmp(got, want))
		fail_msg("mode %d: got '%s', wanted '%s'", mode, got, want);
	assert_int_equal(len, strlen(want));
}

#define CHECK(lit, mode, want) check(lit, sizeof(lit) - 1, mode, want)

static void test_terminal(void **state)
{
	(void)state;
	CHECK("uart_putc", SANITIZE_TERM, "uart_putc");
	/* an OSC retitle and a CSI clear: ESC and BEL escaped, no ESC left */
	CHECK("\x1b]0;pwned\x07\x1b[2Jx", SANITIZE_TERM, "\\x1b]0;pwned\\x07\\x1b[2Jx");
	CHECK("a\tb\r\nc\x7f", SANITIZE_TERM, "a\\x09b\\x0d\\x0ac\\x7f");
	CHECK("a\tb\n", SANITIZE_TERM_TAB, "a\tb\\x0a");
	CHECK("nul\0x", SANITIZE_TERM, "nul\\x00x");
	/* a backslash stays: a source line reads as written */
	CHECK("printf(\"\\n\")", SANITIZE_TERM_TAB, "printf(\"\\n\")");
	/* UTF-8 text stays; the 8-bit CSI (0x9b alone, or U+009B) does not */
	CHECK("caf\xc3\xa9 \xe2\x94\x82", SANITIZE_TERM, "caf\xc3\xa9 \xe2\x94\x82");
	CHECK("\x9b" "31m", SANITIZE_TERM, "\\x9b31m");
	CHECK("\xc2\x9b" "31m", SANITIZE_TERM, "\\xc2\\x9b31m");
	/* overlong, surrogate, cut-off and out-of-range sequences */
	CHECK("\xc0\xaf", SANITIZE_TERM, "\\xc0\\xaf");
	CHECK("\xed\xa0\x80", SANITIZE_TERM, "\\xed\\xa0\\x80");
	CHECK("\xe2\x94", SANITIZE_TERM, "\\xe2\\x94");
	CHECK("\xf4\x90\x80\x80", SANITIZE_TERM, "\\xf4\\x90\\x80\\x80");
}

static void test_c_json_csv(void **state)
{
	(void)state;
	CHECK("hi\n\t\"q\"\\\x1b\xff", SANITIZE_C, "hi\\n\\t\\\"q\\\"\\\\\\033\\377");
	CHECK("a\"b\\c\x1b\n\xc2\x9b\xff\xc3\xa9", SANITIZE_JSON,
	      "a\\\"b\\\\c\\u001b\\u000a\\u009b\\\\xff\xc3\xa9");
	CHECK("plain", SANITIZE_CSV, "plain");
	CHECK("a,b", SANITIZE_CSV, "\"a,b\"");
	CHECK("say \"hi\"\n", SANITIZE_CSV, "\"say \"\"hi\"\"\\x0a\"");
	CHECK(" lead", SANITIZE_CSV, "\" lead\"");
	CHECK("", SANITIZE_CSV, "");
	/* SVG/XML: the five specials as entities, controls and C1 as text */
	CHECK("<a href=\"x\">&'\x1b\xc2\x9b\xff\xc3\xa9", SANITIZE_XML,
	      "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\x1b\\xc2\\x9b\\xff\xc3\xa9");
}

static void test_truncation(void **state)
{
	char b[8];

	(void)state;
	/* cut before an escape that does not fit, never inside one */
	assert_int_equal(sanitize__buf(b, sizeof(b), "abcd\x1b", 5, SANITIZE_TERM), 8);
	assert_string_equal(b, "abcd");
	assert_int_equal(sanitize__buf(b, 6, "abcdefgh", 8, SANITIZE_TERM), 8);
	assert_string_equal(b, "abcde");
	/* a quoted CSV field keeps its closing quote */
	assert_int_equal(sanitize__buf(b, sizeof(b), "a,bcdefgh", 9, SANITIZE_CSV), 11);
	assert_string_equal(b, "\"a,bcd\"");
	assert_int_equal(sanitize__buf(NULL, 0, "\x1b", 1, SANITIZE_TERM), 4);
	assert_string_equal(sanitize__str(b, sizeof(b), "ok", SANITIZE_TERM), "ok");
}

static void test_size_str(void **state)
{
	static const struct { uint64_t n; const char *s; } v[] = {
		{ 0, "0 bytes" }, { 1, "1 byte" }, { 1023, "1023 bytes" }, { 1024, "1 KiB" },
		{ 1536, "1.5 KiB" }, { 256ULL << 20, "256 MiB" }, { 3435973837ULL, "3.2 GiB" },
		{ 64ULL << 30, "64 GiB" }, { UINT64_MAX, "16.0 EiB" },
	};
	char b[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		regfile__size_str(v[i].n, b, sizeof(b));
		if (strcmp(b, v[i].s))
			fail_msg("%llu bytes: got '%s', wanted '%s'", (unsigned long long)v[i].n,
				 b, v[i].s);
	}
}

static void test_regfile(void **state)
{
	char path[] = "/tmp/vmdbg-regfile-XXXXXX", dir[] = "/tmp/vmdbg-regdir-XXXXXX";
	char fifo[64], err[256];
	uint8_t *data;
	uint64_t size;
	size_t len;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	assert_int_equal(regfile__read(path, 5, "script", &data, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	assert_int_equal(regfile__open(path, 4, "symbol file", &fd, &size, err, sizeof(err)),
			 -EFBIG);
	assert_int_equal(fd, -1);
	assert_true(strstr(err, ": 5 bytes is larger than the 4 bytes limit for a symbol file"));
	assert_int_equal(truncate(path, 3435973837LL), 0);	/* sparse: 3.2 GiB */
	assert_int_equal(regfile__open(path, REGFILE_MAX_IMAGE, "image", &fd, &size, err,
				       sizeof(err)), -EFBIG);
	assert_true(strstr(err, ": 3.2 GiB is larger than the 256 MiB limit for an image"));
	unlink(path);
	assert_int_equal(regfile__open(path, 1, "x", &fd, &size, err, sizeof(err)), -ENOENT);
	assert_true(strstr(err, ": No such file or directory"));

	assert_non_null(mkdtemp(dir));
	assert_int_equal(regfile__open(dir, 1 << 20, "script", &fd, &size, err, sizeof(err)),
			 -EINVAL);
	assert_true(strstr(err, ": not a regular file"));
	/* a FIFO without a writer: refused at once, not waited on */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(regfile__fopen(fifo, 1 << 20, "script", err, sizeof(err)));
	assert_string_equal(err + strlen(fifo), ": not a regular file");
	assert_int_equal(regfile__open("/dev/zero", 1 << 20, "script", &fd, &size, err,
				       sizeof(err)), -EINVAL);
	assert_string_equal(err, "/dev/zero: not a regular file");
	unlink(fifo);
	rmdir(dir);
}

static void test_trace_image(void **state)
{
	char dir[] = "/tmp/vmdbg-trimg-XXXXXX", img[96], trace[96], out[256], why[512];
	struct trace_header h = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(trace, sizeof(trace), "%s/t.vtr", dir);
	f = fopen(img, "w");
	assert_non_null(f);
	fputs("abc", f);
	fclose(f);
	sha256("abc", 3, h.image_sha256);

	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)),
			 -ENOENT);
	assert_string_equal(why, "the trace names no image");
	snprintf(h.image_name, sizeof(h.image_name), "%s", img);
	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, img);
	/* a relative name that is not here: found next to the trace */
	snprintf(h.image_name, sizeof(h.image_name), "img");
	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, img);
	/* '..' is refused even when it leads to the right file */
	snprintf(h.image_name, sizeof(h.image_name), "%s/../%s", dir, img + 5);
	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)),
			 -EPERM);
	assert_true(strstr(why, "has a '..' component"));
	snprintf(h.image_name, sizeof(h.image_name), "%s", img);
	h.image_sha256[0] ^= 1;
	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)),
			 -ESTALE);
	assert_true(strstr(why, "/img is not the traced image (its sha256 is ba7816bf8f01cfea"
			   "..., the trace's bb7816bf8f01cfea...)"));
	unlink(img);
	assert_int_equal(mkfifo(img, 0600), 0);
	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why + strlen(img), ": not a regular file");
	/* the reason is safe to print: escapes in the name are shown */
	snprintf(h.image_name, sizeof(h.image_name), "\x1b]0;x\a");
	assert_int_equal(trace_image__find(&h, trace, out, sizeof(out), why, sizeof(why)),
			 -ENOENT);
	assert_string_equal(why, "\\x1b]0;x\\x07: No such file or directory");
	unlink(img);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminal),
		cmocka_unit_test(test_c_json_csv),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_size_str),
		cmocka_unit_test(test_regfile),
		cmocka_unit_test(test_trace_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
