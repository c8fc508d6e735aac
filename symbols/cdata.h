/*
 * cdata.h - the guest's C data from DWARF: types, variables (globals,
 * parameters, locals) with their scopes and location expressions, and the
 * call-frame information (.debug_frame / .eh_frame) that finds a frame's
 * canonical frame address and its caller's registers.
 *
 * Frontend-neutral, like symbols.h: nothing here prints.  A struct cdata
 * always knows the C base types (int, char, long, ...) of its address
 * size, so a frontend can cast and print without DWARF; cdata__load_dwarf()
 * adds what an ELF file describes.  Types are numbered: CTYPE_VOID, then
 * indices into the table.  The table grows (cdata__pointer_to() makes
 * pointer types on demand), so keep indices, not struct ctype pointers,
 * across calls.  Names point into the cdata and live until cdata__free().
 * Not thread-safe.
 *
 * Location expressions are evaluated against a struct cdata_env: the
 * frame's registers (DWARF numbering of the address size: i386 eax=0
 * ecx=1 edx=2 ebx=3 esp=4 ebp=5 esi=6 edi=7 eip=8; x86-64 rax=0 rdx=1
 * rcx=2 rbx=3 rsi=4 rdi=5 rbp=6 rsp=7 r8..r15=8..15 rip=16) and guest
 * virtual memory, both through callbacks.
 */
#ifndef VMDBG_CDATA_H
#define VMDBG_CDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cdata;

#define CTYPE_VOID	0u
#define CTYPE_NONE	UINT32_MAX	/* no such type */

enum ctype_kind {
	CT_VOID, CT_INT, CT_BOOL, CT_FLOAT, CT_PTR, CT_ARRAY, CT_STRUCT,
	CT_UNION, CT_ENUM, CT_TYPEDEF, CT_CONST, CT_VOLATILE, CT_FUNC,
};

struct ctype {
	enum ctype_kind kind;
	const char *name;	/* base, typedef, struct/union/enum tag; NULL: anonymous */
	uint64_t size;		/* bytes (arrays: the whole array; 0 unknown) */
	bool is_signed;		/* CT_INT, CT_ENUM */
	bool is_char;		/* CT_INT of a character encoding */
	bool incomplete;	/* a struct/union declaration without members */
	bool varargs;		/* CT_FUNC: ... */
	uint32_t target;	/* PTR, ARRAY element, TYPEDEF, CONST, VOLATILE,
				 * FUNC return, ENUM underlying (or CTYPE_VOID) */
	uint64_t count;		/* CT_ARRAY: elements; 0 unknown/flexible */
	uint32_t first, n;	/* members, enumerators or FUNC parameter types */
};

struct cmember {
	const char *name;	/* NULL: an anonymous struct/union member */
	uint32_t type;
	uint64_t offset;	/* bytes from the start of the struct */
	uint16_t bit_size;	/* 0: not a bit field */
	uint16_t bit_offset;	/* bit fields: bits from the lsb of the byte at offset */
};

struct cenumerator {
	const char *name;
	int64_t value;
};

enum cvar_kind { CV_GLOBAL, CV_PARAM, CV_LOCAL };

struct cvar {
	const char *name;
	uint32_t type;
	enum cvar_kind kind;
	uint32_t scope;		/* the scope it is declared in */
	uint32_t loc;		/* location: index into the location table, or */
	uint32_t nloc;		/* 0 entries: no location (optimized out) */
	uint32_t order;		/* declaration order, for info locals/args */
};

/* A function, a lexical block, or (index kept in func == own index for a
 * function) a compilation unit.  Scope 0 is the global scope. */
enum cscope_kind { CS_GLOBAL, CS_UNIT, CS_FUNC, CS_BLOCK };

struct cscope {
	enum cscope_kind kind;
	const char *name;	/* functions */
	uint32_t parent;
	uint32_t func;		/* the enclosing function scope (itself for one) */
	uint64_t lo, hi;	/* bounds of its code (union of its ranges) */
	uint32_t frame_base, nframe_base;	/* functions: DW_AT_frame_base */
	uint32_t first_var, nvars;		/* sorted by scope */
	uint32_t decl_type;	/* functions: return type */
	uint32_t ftype;		/* functions: the type cdata__func_type() made, 0 */
	uint32_t decl_line;	/* functions: DW_AT_decl_line, 0 unknown */
};

/* Registers and memory of one frame for location expressions. */
struct cdata_env {
	void *ctx;
	/* 0, or -1 when the register is not known in this frame. */
	int (*reg)(void *ctx, int dwreg, uint64_t *val);
	/* Guest virtual memory: 0 or -1. */
	int (*mem)(void *ctx, uint64_t addr, void *buf, size_t len);
	uint64_t pc;
};

/* Where a value lives, from a location expression. */
enum cplace_kind { CP_MEM, CP_REG, CP_VALUE, CP_OPTIMIZED };

struct cplace {
	enum cplace_kind kind;
	uint64_t addr;		/* CP_MEM */
	int reg;		/* CP_REG: DWARF register */
	/* CP_VALUE (DW_OP_stack_value, implicit values, pieces): the bytes */
	uint8_t bytes[64];
	size_t len;
};

struct cdata *cdata__new(int addr_size);	/* 4 or 8; NULL: no memory */
void cdata__free(struct cdata *cd);
int cdata__addr_size(const struct cdata *cd);

/*
 * Types, variables, scopes and call-frame information of an ELF file's
 * DWARF (4 or 5).  `bias` is added to every code and data address.  Returns
 * the number of variables added (>= 0) or a negative errno; err gets a
 * message (a corrupt unit is skipped and named, the rest is kept).
 */
int cdata__load_dwarf(struct cdata *cd, const char *path, uint64_t bias,
		      char *err, size_t errlen);

const struct ctype *cdata__type(const struct cdata *cd, uint32_t t);
const struct cmember *cdata__member(const struct cdata *cd, uint32_t i);
const struct cenumerator *cdata__enumerator(const struct cdata *cd, uint32_t i);
uint32_t cdata__param_type(const struct cdata *cd, uint32_t i);
/* Typedefs, const and volatile peeled off. */
uint32_t cdata__strip(const struct cdata *cd, uint32_t t);
/* A pointer to t (made once, then reused); CTYPE_NONE without memory. */
uint32_t cdata__pointer_to(struct cdata *cd, uint32_t t);
/* An array of n t's. */
uint32_t cdata__array_of(struct cdata *cd, uint32_t t, uint64_t n);
/* A base type by its C name ("int", "unsigned long", "char", "_Bool",
 * "uint32_t" through a typedef, ...), a tagged type ("struct proc", "union
 * u", "enum e") or a typedef name; CTYPE_NONE when unknown. */
uint32_t cdata__find_type(const struct cdata *cd, const char *name);
/* gdb's spelling of a C base type name ("long unsigned int" -> "unsigned
 * long"); other names unchanged. */
const char *cdata__base_name(const char *name);
/* The C spelling of a type, as gdb's whatis prints it ("struct
 * trap_frame *", "char [16]", "void (*)(int)").  Returns what snprintf
 * returns. */
int cdata__type_name(const struct cdata *cd, uint32_t t, char *buf, size_t len);
/* The same with every typedef spelled out (ptype: "unsigned int [32]"). */
int cdata__type_resolved(const struct cdata *cd, uint32_t t, char *buf, size_t len);
/* A declaration of name with type t: "char name[16]", "void (*fn)(int)". */
int cdata__type_decl(const struct cdata *cd, uint32_t t, const char *name, char *buf, size_t len);
/* The function scope named name (0: none), and its C type (made once:
 * its return type and the types of its parameters). */
uint32_t cdata__find_function(const struct cdata *cd, const char *name);
uint32_t cdata__func_type(struct cdata *cd, uint32_t scope);
/* Types made by the debugger itself ($_trap's struct): copies of the names
 * are kept.  CTYPE_NONE without memory. */
uint32_t cdata__add_struct(struct cdata *cd, const char *name, const struct cmember *m,
			   uint32_t n, uint64_t size);
uint32_t cdata__add_enum(struct cdata *cd, const char *name, const struct cenumerator *e,
			 uint32_t n, uint64_t size);
/* A new `void ()` type: code whose prototype is unknown. */
uint32_t cdata__make_code_type(struct cdata *cd);

/* The innermost scope whose code holds pc, or 0 (global). */
uint32_t cdata__scope_at(const struct cdata *cd, uint64_t pc);
const struct cscope *cdata__scope(const struct cdata *cd, uint32_t s);
const struct cvar *cdata__var(const struct cdata *cd, uint32_t v);
/* A variable by name as C sees it from pc: the scopes around pc inside
 * out, then the globals (the unit of pc first).  NULL when none. */
const struct cvar *cdata__lookup_var(const struct cdata *cd, const char *name, uint64_t pc);

/* Where var lives at env->pc.  0, or -ENOENT (no location at this pc:
 * optimized out, kind CP_OPTIMIZED), -EINVAL (an expression vmdbg cannot
 * evaluate; err says which operation), -EFAULT (a register or memory read
 * failed). */
int cdata__var_place(const struct cdata *cd, const struct cvar *var,
		     const struct cdata_env *env, struct cplace *out,
		     char *err, size_t errlen);

/*
 * Call-frame information.  The canonical frame address of the frame that
 * runs at env->pc, and, when known, where its caller's return address and
 * frame pointer were saved (addresses relative to the CFA, which
 * cdata__unwind() reads).  0 or -ENOENT (no CFI covers pc).
 */
int cdata__cfa(const struct cdata *cd, const struct cdata_env *env, uint64_t *cfa);
/* The caller's pc, stack pointer (= the CFA) and frame pointer.  *fp_known
 * is false when the callee did not save it (it is then unchanged). */
int cdata__unwind(const struct cdata *cd, const struct cdata_env *env,
		  uint64_t *ret_pc, uint64_t *caller_sp, uint64_t *caller_fp,
		  bool *fp_known);
size_t cdata__ncfi(const struct cdata *cd);
size_t cdata__nvars(const struct cdata *cd);
size_t cdata__ntypes(const struct cdata *cd);

#endif
