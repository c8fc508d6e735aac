/*
 * test_cdata.c - the C data model (symbols/cdata.h): built-in types and C
 * type names, DWARF types and variables of the lecture32 kernel at -O0,
 * scopes, call-frame information, and the DWARF location-expression
 * machine on hand-built expressions.  Run from the top of the tree; $BUILD
 * names the build directory.
 */
#include "symbols/cdata.h"
#include "symbols/internal.h"

#include <errno.h>
#include <libdwarf/dwarf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const char *image(void)
{
	static char path[512];
	const char *build = getenv("BUILD");

	snprintf(path, sizeof(path), "%s/guests/lecture32-O0.img", build ? build : "build");
	return path;
}

static void name_is(const struct cdata *cd, uint32_t t, const char *want)
{
	char buf[256];

	cdata__type_name(cd, t, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_builtins(void **state)
{
	struct cdata *cd32 = cdata__new(4), *cd64 = cdata__new(8);
	uint32_t i, c, p;

	(void)state;
	assert_non_null(cd32);
	assert_non_null(cd64);
	assert_int_equal(cdata__type(cd32, cdata__find_type(cd32, "unsigned long"))->size, 4);
	assert_int_equal(cdata__type(cd64, cdata__find_type(cd64, "long unsigned int"))->size, 8);
	assert_int_equal(cdata__find_type(cd32, "long int"), cdata__find_type(cd32, "long"));
	assert_int_equal(cdata__find_type(cd32, "struct nosuch"), CTYPE_NONE);
	i = cdata__find_type(cd32, "int");
	c = cdata__find_type(cd32, "char");
	p = cdata__pointer_to(cd32, c);
	assert_int_equal(cdata__pointer_to(cd32, c), p);	/* made once */
	name_is(cd32, p, "char *");
	name_is(cd32, cdata__pointer_to(cd32, p), "char **");
	name_is(cd32, cdata__array_of(cd32, i, 4), "int [4]");
	name_is(cd32, cdata__array_of(cd32, p, 3), "char *[3]");
	name_is(cd32, cdata__pointer_to(cd32, cdata__array_of(cd32, i, 4)), "int (*)[4]");
	name_is(cd32, cdata__pointer_to(cd32, cdata__make_code_type(cd32)), "void (*)()");
	assert_int_equal(cdata__type(cd32, cdata__array_of(cd32, i, 4))->size, 16);
	cdata__free(cd32);
	cdata__free(cd64);
}

/* boot16.elf is assembly: DWARF lines but no variables, no types, no CFI.
 * Sorting the empty tables passed NULL to qsort (undefined behaviour,
 * which `make test SAN=1` aborts on; found by tests/fuzz/fuzz_symbols). */
static void test_no_variables(void **state)
{
	struct cdata *cd = cdata__new(4);
	char path[512], err[256] = "";
	const char *build = getenv("BUILD");

	(void)state;
	snprintf(path, sizeof(path), "%s/guests/boot16.elf", build ? build : "build");
	assert_int_equal(cdata__load_dwarf(cd, path, 0, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(cdata__nvars(cd), 0);
	assert_int_equal(cdata__ncfi(cd), 0);
	assert_null(cdata__lookup_var(cd, "x", 0x7c00));
	cdata__free(cd);
}

static void test_lecture32_types(void **state)
{
	struct cdata *cd = cdata__new(4);
	char err[256];
	uint32_t t, s;
	const struct ctype *c;
	const struct cvar *v;
	static const char *const names[17] = {
		"es", "ds", "edi", "esi", "ebp", "esp_unused", "ebx", "edx", "ecx", "eax",
		"vector", "error", "eip", "cs", "eflags", "user_esp", "user_ss",
	};

	(void)state;
	assert_true(cdata__load_dwarf(cd, image(), 0, err, sizeof(err)) > 0);
	assert_string_equal(err, "");
	t = cdata__find_type(cd, "struct trap_frame");
	assert_int_not_equal(t, CTYPE_NONE);
	c = cdata__type(cd, t);
	assert_int_equal(c->kind, CT_STRUCT);
	assert_int_equal(c->size, 68);
	assert_int_equal(c->n, 17);
	for (uint32_t i = 0; i < 17; i++) {
		const struct cmember *m = cdata__member(cd, c->first + i);

		assert_string_equal(m->name, names[i]);
		assert_int_equal(m->offset, 4 * i);
		name_is(cd, m->type, "uint32_t");
	}
	/* the typedef peels to gdb's spelling of gcc's "unsigned int" */
	name_is(cd, cdata__strip(cd, cdata__find_type(cd, "uint32_t")), "unsigned int");
	assert_int_equal(cdata__type(cd, cdata__find_type(cd, "struct tss32"))->size, 104);

	/* scopes: syscall_handler's parameter, globals from any function */
	s = cdata__find_function(cd, "syscall_handler");
	assert_int_not_equal(s, 0);
	v = cdata__lookup_var(cd, "f", cdata__scope(cd, s)->lo + 6);
	assert_non_null(v);
	assert_int_equal(v->kind, CV_PARAM);
	name_is(cd, v->type, "struct trap_frame *");
	name_is(cd, cdata__func_type(cd, s), "void (struct trap_frame *)");
	v = cdata__lookup_var(cd, "gdt", cdata__scope(cd, s)->lo);
	assert_non_null(v);
	assert_int_equal(v->kind, CV_GLOBAL);
	name_is(cd, v->type, "struct gdt_entry [6]");
	assert_null(cdata__lookup_var(cd, "f", 0));	/* no function at pc 0 */
	assert_true(cdata__ncfi(cd) > 0);
	cdata__free(cd);
}

/* A fake frame: ebp = 0x1000, esp = 0xff0, memory reads a pattern. */
static int fake_reg(void *ctx, int r, uint64_t *v)
{
	(void)ctx;
	if (r == 5)
		*v = 0x1000;
	else if (r == 4)
		*v = 0xff0;
	else if (r == 0)
		*v = 0x11223344;
	else
		return -1;
	return 0;
}

static int fake_mem(void *ctx, uint64_t a, void *buf, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = (uint8_t)(a + i);
	return 0;
}

/* One global variable whose location is the given operations. */
static struct cvar *with_ops(struct cdata *cd, const struct cop *ops, uint32_t n)
{
	long l = CDATA_PUSH(cd, locs), v = CDATA_PUSH(cd, vars);

	assert_true(l >= 0 && v >= 0);
	cd->locs[l] = (struct cloc){ 0, UINT64_MAX, (uint32_t)cd->nops, n };
	for (uint32_t i = 0; i < n; i++) {
		long k = CDATA_PUSH(cd, ops);	/* may move cd->ops */

		cd->ops[k] = ops[i];
	}
	cd->vars[v] = (struct cvar){ .name = "x", .type = 1, .kind = CV_GLOBAL, .loc = (uint32_t)l,
				     .nloc = 1 };
	return &cd->vars[v];
}

static void test_location_machine(void **state)
{
	struct cdata *cd = cdata__new(4);
	struct cdata_env env = { NULL, fake_reg, fake_mem, 0x100 };
	struct cplace p;
	char err[128];

	(void)state;
	/* breg5 -8: ebp - 8 in memory */
	struct cop a[] = { { DW_OP_breg5, (uint64_t)-8, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, a, 1), &env, &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CP_MEM);
	assert_int_equal(p.addr, 0xff8);
	/* reg0: in eax */
	struct cop b[] = { { DW_OP_reg0, 0, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, b, 1), &env, &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CP_REG);
	assert_int_equal(p.reg, 0);
	/* lit3 lit4 plus stack_value: the value 7 */
	struct cop c[] = { { DW_OP_lit3, 0, 0 }, { DW_OP_lit4, 0, 0 }, { DW_OP_plus, 0, 0 },
			   { DW_OP_stack_value, 0, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, c, 4), &env, &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CP_VALUE);
	assert_int_equal(p.bytes[0], 7);
	/* a composite: 2 bytes of eax, then 2 bytes from memory at ebp */
	struct cop d[] = { { DW_OP_reg0, 0, 0 }, { DW_OP_piece, 2, 0 }, { DW_OP_breg5, 0, 0 },
			   { DW_OP_piece, 2, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, d, 4), &env, &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CP_VALUE);
	assert_int_equal(p.len, 4);
	assert_memory_equal(p.bytes, "\x44\x33\x00\x01", 4);
	/* deref: the word at esp */
	struct cop e[] = { { DW_OP_breg4, 0, 0 }, { DW_OP_deref, 0, 0 }, { DW_OP_stack_value, 0, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, e, 3), &env, &p, err, sizeof(err)), 0);
	assert_memory_equal(p.bytes, "\xf0\xf1\xf2\xf3", 4);
	/* entry_value: unknowable here, so optimized out, never a guess */
	struct cop f[] = { { DW_OP_entry_value, 1, 0 }, { DW_OP_stack_value, 0, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, f, 2), &env, &p, err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(p.kind, CP_OPTIMIZED);
	/* an unknown register is a clear error */
	struct cop g[] = { { DW_OP_breg7, 0, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, g, 1), &env, &p, err, sizeof(err)),
			 -EFAULT);
	assert_string_equal(err, "register 7 is not known in this frame");
	/* stack underflow is an error, not a crash */
	struct cop h[] = { { DW_OP_plus, 0, 0 } };
	assert_int_equal(cdata__var_place(cd, with_ops(cd, h, 1), &env, &p, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "DWARF expression stack underflow");
	cdata__free(cd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_no_variables),
		cmocka_unit_test(test_lecture32_types),
		cmocka_unit_test(test_location_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
