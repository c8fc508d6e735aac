/*
 * cexpr.h - typed C expressions (cexpr.c) and their gdb-style printing
 * (cprint.c) for the command line and the TUI.  Values come from DWARF
 * (symbols/cdata.h) through the selected frame (struct cframe).
 */
#ifndef VMDBG_CEXPR_H
#define VMDBG_CEXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dbg;
struct cdata;
struct cdata_env;
struct cvar;

/* A value: in guest memory (an address: read when printed), immediate
 * bytes (registers, arithmetic, DWARF stack values), or optimized out. */
enum cval_where { VAL_IMM, VAL_MEM, VAL_OPT };

struct cval {
	uint32_t type;
	enum cval_where where;
	uint64_t addr;		/* VAL_MEM: guest virtual address */
	uint8_t imm[64];	/* VAL_IMM: little-endian bytes */
	uint16_t bit_size, bit_off;
	uint8_t nodebug;	/* an ELF symbol without DWARF type */
	uint8_t is_text;	/* a function symbol */
	char name[64];		/* nodebug: the symbol, for gdb's message */
};

/* One frame of the backtrace: level 0 is the stopped CPU's registers;
 * outer frames know what unwinding recovered (pc, sp, fp).  regs in DWARF
 * numbering (symbols/cdata.h), known: a bit per register. */
#define CFRAME_REGS 17
struct cframe {
	struct dbg *d;
	int level;		/* its number in bt */
	uint8_t full;		/* all registers known (the CPU's) */
	uint8_t pc_is_return;	/* pc is a return address: look up pc - 1 */
	uint64_t pc, sp, fp;
	uint64_t regs[CFRAME_REGS];
	uint32_t known;
};

/* Evaluate s in frame fr.  0, or -1 with gdb's message in err. */
int cexpr__eval(struct dbg *d, struct cdata *cd, const struct cframe *fr, const char *s,
		struct cval *v, char *err, size_t errlen);
/* The type of an expression or a type name (ptype, whatis), without
 * reading memory. */
int cexpr__type_of(struct dbg *d, struct cdata *cd, const struct cframe *fr, const char *s,
		   uint32_t *type, char *err, size_t errlen);
/* A type name at *sp: 1 and *sp moved past it, 0 when there is none, -1
 * when it names an unknown base type, -2 an unknown struct, union or enum
 * (*sp then at its tag). */
int cexpr__parse_type(struct cdata *cd, const char **sp, uint32_t *out);
/* n bytes of v from byte off. */
int cexpr__read(struct dbg *d, const struct cval *v, uint64_t off, void *buf, size_t n,
		char *err, size_t errlen);
/* A scalar's value, sign-extended by its type. */
int cexpr__int(struct dbg *d, struct cdata *cd, const struct cval *v, uint64_t *out,
	       char *err, size_t errlen);
/* A variable's value in frame f (VAL_OPT when optimized out here). */
int cexpr__var_value(struct dbg *d, struct cdata *cd, const struct cframe *f,
		     const struct cvar *var, struct cval *v, char *err, size_t errlen);
void cexpr__env(const struct cframe *f, struct cdata_env *env);
/* Does the engine know $name as a register ($eax, $cr3, $cpl, ...)? */
int cexpr__is_register(struct dbg *d, const char *name);
/* `void ()`, the type of code without DWARF ($pc, ELF functions). */
uint32_t cexpr__code_type(struct cdata *cd);
/* The DWARF type of function name, CTYPE_NONE when DWARF has none. */
uint32_t cexpr__function_type(struct cdata *cd, const char *name);

/* ---- frames (cframe.c) ------------------------------------------------- */

/* Frame 0 from the CPU; -1 when the registers cannot be read. */
int cframe__innermost(struct dbg *d, struct cdata *cd, struct cframe *f);
/* An outer frame's registers from its pc, sp and fp. */
void cframe__set_regs(struct cdata *cd, struct cframe *f);
/* The caller of f by call-frame information; -1 where none covers f. */
int cframe__cfi_caller(struct dbg *d, struct cdata *cd, const struct cframe *f,
		       struct cframe *up);
/* The selected frame (frame N, up, down), rebuilt from the CPU and the
 * backtrace; -1 when it is gone or is a trap marker. */
int cframe__selected(struct dbg *d, struct cdata *cd, struct cframe *f);

/* ---- printing (cprint.c) ------------------------------------------------- */

/* A growing string. */
struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};
__attribute__((format(printf, 2, 3)))
void sbuf__printf(struct sbuf *b, const char *fmt, ...);
void sbuf__free(struct sbuf *b);

/* gdb's value syntax ("{eax = 4, ebx = 1}", "(struct f *) 0x106fbc",
 * "0x40023d \"hi\"").  fmt: 0 natural, or x d u o t c a z. */
int cprint__value(struct dbg *d, struct cdata *cd, const struct cval *v, char fmt,
		  struct sbuf *out);
/* A frame argument as gdb's `print frame-arguments scalars` shows it:
 * "..." for a struct, union or array. */
void cprint__scalar(struct dbg *d, struct cdata *cd, const struct cval *v, struct sbuf *out);
/* ptype: the type with its outermost struct/union/enum expanded. */
void cprint__ptype(struct cdata *cd, uint32_t t, struct sbuf *out);

#endif
