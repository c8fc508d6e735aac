/* DWARF 4 and 5 through libdwarf (Debian 20210528): functions and line
 * tables.  A compilation unit that fails to decode is rolled back and
 * skipped, so a corrupt section costs its own symbols and nothing else. */
#include "symbols/symbols.h"
#include "symbols/internal.h"

#include <errno.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lexical nesting deeper than this is corrupt data, not code. */
#define MAX_DEPTH	64
/* abstract_origin/specification chains longer than this are cycles. */
#define MAX_HOPS	8
/* A file number beyond this is not cached (corrupt, or a huge table). */
#define MAX_FILENO	65536

struct range {
	uint64_t lo, hi;
};

struct dw {
	struct symtab *st;
	Dwarf_Debug dbg;
	Dwarf_Error de;
	uint64_t bias;
	const struct elf_info *info;
	Dwarf_Half version;
	Dwarf_Unsigned line_version;
	bool gnu_producer;	/* GCC or GNU as made this unit */
	Dwarf_Addr cu_base;
	size_t added;
	char msg[256];		/* why the current unit failed */
	struct range *rng;
	size_t nrng, rng_cap;
	uint32_t *fmap;		/* file number -> interned id + 1 */
	size_t fmap_cap;
};

/* Records what failed, with libdwarf's message when there is one, and
 * frees that error.  Returns -EINVAL: the unit is corrupt. */
static int dw_fail(struct dw *d, const char *what)
{
	if (!d->de) {
		snprintf(d->msg, sizeof(d->msg), "%s", what);
		return -EINVAL;
	}
	snprintf(d->msg, sizeof(d->msg), "%s: %s", what, dwarf_errmsg(d->de));
	dwarf_dealloc_error(d->dbg, d->de);
	d->de = NULL;
	return -EINVAL;
}

/*
 * Every libdwarf call goes through this.  libdwarf 20210528 sometimes builds
 * an error and still answers DW_DLV_OK or DW_DLV_NO_ENTRY (corrupt
 * attribute forms, found by flipping bytes); with its allocation tree off
 * (see dwarf__load) nobody else would free it.
 */
static int dw_res(struct dw *d, int res)
{
	if (res != DW_DLV_ERROR && d->de) {
		dwarf_dealloc_error(d->dbg, d->de);
		d->de = NULL;
	}
	return res;
}

static int push_range(struct dw *d, uint64_t lo, uint64_t hi)
{
	if (d->nrng == d->rng_cap) {
		size_t cap = d->rng_cap ? d->rng_cap * 2 : 16;
		struct range *n = realloc(d->rng, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->rng = n;
		d->rng_cap = cap;
	}
	d->rng[d->nrng++] = (struct range){ lo, hi };
	return 0;
}

/* DW_AT_name, or the name of what DW_AT_abstract_origin (an out-of-line
 * copy of an inline function, an -O2 clone) or DW_AT_specification (a
 * definition of an earlier declaration) points at.  *name is NULL if none;
 * it points into libdwarf's string section until dwarf_finish(). */
static int die_name(struct dw *d, Dwarf_Die die, const char **name)
{
	Dwarf_Die cur = die, next;
	int hop, res, ret = 0;

	*name = NULL;
	for (hop = 0; hop < MAX_HOPS; hop++) {
		Dwarf_Attribute a;
		Dwarf_Off off;
		char *n;

		res = dw_res(d, dwarf_diename(cur, &n, &d->de));
		if (res == DW_DLV_OK) {
			*name = n;
			break;
		}
		if (res == DW_DLV_ERROR) {
			ret = dw_fail(d, "reading DW_AT_name");
			break;
		}
		res = dw_res(d, dwarf_attr(cur, DW_AT_abstract_origin, &a, &d->de));
		if (res == DW_DLV_NO_ENTRY)
			res = dw_res(d, dwarf_attr(cur, DW_AT_specification, &a, &d->de));
		if (res == DW_DLV_NO_ENTRY)
			break;
		if (res == DW_DLV_ERROR) {
			ret = dw_fail(d, "reading DW_AT_abstract_origin");
			break;
		}
		res = dw_res(d, dwarf_global_formref(a, &off, &d->de));
		dwarf_dealloc_attribute(a);
		if (res == DW_DLV_OK)
			res = dw_res(d, dwarf_offdie_b(d->dbg, off, 1, &next, &d->de));
		if (res != DW_DLV_OK) {
			ret = dw_fail(d, "following DW_AT_abstract_origin");
			break;
		}
		if (cur != die)
			dwarf_dealloc_die(cur);
		cur = next;
	}
	if (cur != die)
		dwarf_dealloc_die(cur);
	return ret;
}

/* DWARF 2-4: .debug_ranges, offsets relative to the unit's base address. */
static int ranges_v4(struct dw *d, Dwarf_Die die, Dwarf_Off off)
{
	Dwarf_Ranges *r;
	Dwarf_Signed n, i;
	Dwarf_Unsigned bytes;
	Dwarf_Off real;
	Dwarf_Addr base = d->cu_base;
	int res, ret = 0;

	res = dw_res(d, dwarf_get_ranges_b(d->dbg, off, die, &real, &r, &n, &bytes, &d->de));
	if (res != DW_DLV_OK)
		return dw_fail(d, "reading .debug_ranges");
	for (i = 0; i < n && !ret; i++) {
		if (r[i].dwr_type == DW_RANGES_END)
			break;
		if (r[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = r[i].dwr_addr2;
		else
			ret = push_range(d, base + r[i].dwr_addr1, base + r[i].dwr_addr2);
	}
	dwarf_ranges_dealloc(d->dbg, r, n);
	return ret;
}

/* DWARF 5: .debug_rnglists; libdwarf "cooks" every kind into addresses. */
static int ranges_v5(struct dw *d, Dwarf_Attribute a, Dwarf_Half form, Dwarf_Unsigned val)
{
	Dwarf_Rnglists_Head head;
	Dwarf_Unsigned n, i, off;
	int res, ret = 0;

	res = dw_res(d, dwarf_rnglists_get_rle_head(a, form, val, &head, &n, &off, &d->de));
	if (res != DW_DLV_OK)
		return dw_fail(d, "reading .debug_rnglists");
	for (i = 0; i < n && !ret; i++) {
		Dwarf_Unsigned raw1, raw2, lo, hi;
		Dwarf_Bool unavailable = 0;
		unsigned len, code;

		res = dw_res(d, dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &raw1,
								   &raw2, &unavailable, &lo, &hi,
								   &d->de));
		if (res != DW_DLV_OK) {
			ret = dw_fail(d, "reading a .debug_rnglists entry");
			break;
		}
		if (code == DW_RLE_end_of_list)
			break;
		if (unavailable || code == DW_RLE_base_address || code == DW_RLE_base_addressx)
			continue;
		ret = push_range(d, lo, hi);
	}
	dwarf_dealloc_rnglists_head(head);
	return ret;
}

/* The address ranges of a DIE into d->rng: low_pc/high_pc (high_pc an
 * address, or in DWARF 4+ a length), else DW_AT_ranges.  None: no code. */
static int die_ranges(struct dw *d, Dwarf_Die die)
{
	enum Dwarf_Form_Class cls;
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	Dwarf_Attribute a;
	Dwarf_Unsigned val;
	int res, ret;

	d->nrng = 0;
	res = dw_res(d, dwarf_lowpc(die, &lo, &d->de));
	if (res == DW_DLV_ERROR)
		return dw_fail(d, "reading DW_AT_low_pc");
	if (res == DW_DLV_OK) {
		res = dw_res(d, dwarf_highpc_b(die, &hi, &form, &cls, &d->de));
		if (res == DW_DLV_ERROR)
			return dw_fail(d, "reading DW_AT_high_pc");
		if (res == DW_DLV_NO_ENTRY)
			hi = lo;
		else if (cls == DW_FORM_CLASS_CONSTANT)
			hi += lo;
		return push_range(d, lo, hi);
	}
	res = dw_res(d, dwarf_attr(die, DW_AT_ranges, &a, &d->de));
	if (res == DW_DLV_NO_ENTRY)
		return 0;
	if (res == DW_DLV_ERROR)
		return dw_fail(d, "reading DW_AT_ranges");
	if (dw_res(d, dwarf_whatform(a, &form, &d->de)) != DW_DLV_OK) {
		ret = dw_fail(d, "reading the form of DW_AT_ranges");
		goto out;
	}
	if (form == DW_FORM_rnglistx || form == DW_FORM_data4 || form == DW_FORM_data8)
		res = dw_res(d, dwarf_formudata(a, &val, &d->de));
	else
		res = dw_res(d, dwarf_global_formref(a, &val, &d->de));
	if (res != DW_DLV_OK) {
		ret = dw_fail(d, "reading DW_AT_ranges");
		goto out;
	}
	if (d->version >= 5)
		ret = ranges_v5(d, a, form, val);
	else
		ret = ranges_v4(d, die, val);
out:
	dwarf_dealloc_attribute(a);
	return ret;
}

/* For cdata_dwarf.c: the lowest and highest address of a DIE's code (the
 * hull of its ranges).  0 with *lo == *hi when it has none, -EINVAL. */
int dwarf__die_bounds(Dwarf_Debug dbg, Dwarf_Die die, unsigned version, uint64_t cu_base,
		      uint64_t *lo, uint64_t *hi)
{
	struct dw d = { .dbg = dbg, .version = (Dwarf_Half)version, .cu_base = cu_base };
	int ret = die_ranges(&d, die);

	*lo = *hi = 0;
	for (size_t i = 0; !ret && i < d.nrng; i++) {
		if (d.rng[i].lo >= d.rng[i].hi)
			continue;
		if (*lo == *hi || d.rng[i].lo < *lo)
			*lo = d.rng[i].lo;
		if (d.rng[i].hi > *hi)
			*hi = d.rng[i].hi;
	}
	if (d.de)
		dwarf_dealloc_error(dbg, d.de);
	free(d.rng);
	return ret;
}

/* A DW_TAG_subprogram with code becomes one symbol per address range; only
 * the first (the entry, where GCC puts the hot part) is found by name. */
static int add_function(struct dw *d, Dwarf_Die die)
{
	const char *name, *copy = NULL;
	bool first = true;
	size_t i;
	int ret;

	if ((ret = die_ranges(d, die)) || !d->nrng)
		return ret;
	if ((ret = die_name(d, die, &name)) || !name)
		return ret;
	for (i = 0; i < d->nrng; i++) {
		struct sym_rec r = { .layer = LAYER_DWARF, .bind = BIND_GLOBAL };

		if (d->rng[i].hi <= d->rng[i].lo || !elf__in_text(d->info, d->rng[i].lo))
			continue;	/* empty, or discarded by the linker */
		if (!copy && !(copy = symtab__strdup(d->st, name)))
			return -ENOMEM;
		r.pub.name = copy;
		r.pub.addr = d->rng[i].lo + d->bias;
		r.pub.size = d->rng[i].hi - d->rng[i].lo;
		r.pub.kind = SYMBOL_FUNC;
		r.pub.source = SYMBOL_FROM_DWARF;
		r.flags = first ? 0 : SYMF_NONAME;
		if (symtab__add(d->st, &r))
			return -ENOMEM;
		first = false;
		d->added++;
	}
	return 0;
}

static int die_offset(struct dw *d, Dwarf_Die die, Dwarf_Off *off)
{
	if (dw_res(d, dwarf_dieoffset(die, off, &d->de)) != DW_DLV_OK)
		return dw_fail(d, "reading a DIE offset");
	return 0;
}

/*
 * Children of parent, recursively where functions can nest.  Offsets must
 * grow along a sibling chain: a corrupt DW_AT_sibling pointing backwards
 * would otherwise loop forever (found by flipping bytes in .debug_info).
 */
static int walk(struct dw *d, Dwarf_Die parent, int depth)
{
	Dwarf_Die die, sib;
	Dwarf_Off prev, off;
	Dwarf_Half tag;
	int res, ret;

	if ((ret = die_offset(d, parent, &prev)))
		return ret;
	res = dw_res(d, dwarf_child(parent, &die, &d->de));
	if (res == DW_DLV_NO_ENTRY)
		return 0;
	if (res == DW_DLV_ERROR)
		return dw_fail(d, "reading a DIE");
	for (;;) {
		if ((ret = die_offset(d, die, &off)))
			break;
		if (off <= prev) {
			ret = dw_fail(d, "a DW_AT_sibling points backwards");
			break;
		}
		prev = off;
		if (dw_res(d, dwarf_tag(die, &tag, &d->de)) != DW_DLV_OK) {
			ret = dw_fail(d, "reading a DIE tag");
			break;
		}
		if (tag == DW_TAG_subprogram)
			ret = add_function(d, die);
		/* Nested functions (GNU C), namespaces (C++). */
		if (!ret && (tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
			     tag == DW_TAG_namespace || tag == DW_TAG_module)) {
			if (depth >= MAX_DEPTH)
				ret = dw_fail(d, "DIEs nested too deep");
			else
				ret = walk(d, die, depth + 1);
		}
		if (ret)
			break;
		res = dw_res(d, dwarf_siblingof_b(d->dbg, die, 1, &sib, &d->de));
		dwarf_dealloc_die(die);
		die = NULL;
		if (res == DW_DLV_NO_ENTRY)
			break;
		if (res == DW_DLV_ERROR) {
			ret = dw_fail(d, "reading a sibling DIE");
			break;
		}
		die = sib;
	}
	if (die)
		dwarf_dealloc_die(die);
	return ret;
}

/* dir/name, with dir made absolute against the compilation directory. */
static int join_path(char *buf, size_t len, const char *comp_dir, const char *dir,
		     const char *name)
{
	int n;

	if (name[0] == '/' || (!dir && !comp_dir))
		n = snprintf(buf, len, "%s", name);
	else if (!dir || !*dir)
		n = snprintf(buf, len, "%s/%s", comp_dir, name);
	else if (dir[0] == '/' || !comp_dir)
		n = snprintf(buf, len, "%s/%s", dir, name);
	else
		n = snprintf(buf, len, "%s/%s/%s", comp_dir, dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * The path of a line-table file number, built from the file and directory
 * tables rather than by dwarf_linesrc(): libdwarf 20210528 starts the DWARF 5
 * file register at 0 instead of 1 (DWARF 5 table 6.4; fixed upstream for
 * libdwarf issue 137), so rows before a unit's first DW_LNS_set_file come
 * back as file 0.  GCC relies on the default 1 and never uses file 0 in
 * its line programs, so for a GNU producer 0 means 1.  (binutils 2.40
 * addr2line shares the bug; readelf and objdump do not.)
 */
static int file_id(struct dw *d, Dwarf_Line_Context ctx, Dwarf_Unsigned fileno,
		   uint32_t *id)
{
	const char *name, *dir = NULL, *comp_dir = NULL;
	Dwarf_Unsigned dirno, mtime, flen;
	Dwarf_Form_Data16 *md5;
	char path[4096];
	int res, ret;

	if (d->line_version >= 5 && d->gnu_producer && fileno == 0)
		fileno = 1;
	if (fileno < d->fmap_cap && d->fmap[fileno]) {
		*id = d->fmap[fileno] - 1;
		return 0;
	}
	res = dw_res(d, dwarf_srclines_files_data_b(ctx, (Dwarf_Signed)fileno, &name, &dirno,
						    &mtime, &flen, &md5, &d->de));
	if (res != DW_DLV_OK || !name)
		return dw_fail(d, "reading a line-table file entry");
	if (dw_res(d, dwarf_srclines_comp_dir(ctx, &comp_dir, &d->de)) == DW_DLV_ERROR)
		return dw_fail(d, "reading the compilation directory");
	/* DWARF 2-4: directory 0 is the compilation directory. */
	if (d->line_version >= 5 || dirno) {
		res = dw_res(d, dwarf_srclines_include_dir_data(ctx, (Dwarf_Signed)dirno, &dir,
								&d->de));
		if (res != DW_DLV_OK)
			return dw_fail(d, "reading a line-table directory entry");
	}
	if (join_path(path, sizeof(path), comp_dir, dir, name))
		return dw_fail(d, "a line-table path is too long");
	if ((ret = lines__intern_file(d->st, path, id)))
		return ret;
	if (fileno < MAX_FILENO) {
		if (fileno >= d->fmap_cap) {
			size_t cap = (size_t)fileno * 2 + 16;
			uint32_t *n = realloc(d->fmap, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			memset(n + d->fmap_cap, 0, (cap - d->fmap_cap) * sizeof(*n));
			d->fmap = n;
			d->fmap_cap = cap;
		}
		d->fmap[fileno] = *id + 1;
	}
	return 0;
}

/*
 * The unit's line table as rows [addr, next addr) -> file:line, plus the
 * is_stmt rows for breakpoints.  A sequence that starts outside the ELF's
 * code is a function the linker discarded (GNU ld leaves it at 0) and is
 * dropped whole.
 */
static int cu_lines(struct dw *d, Dwarf_Die cu_die)
{
	Dwarf_Line_Context ctx;
	Dwarf_Unsigned lversion;
	Dwarf_Small tables;
	Dwarf_Line *lines;
	Dwarf_Signed n, i;
	struct line_row prev = { 0 };
	bool in_seq = false, skip = false, have_prev = false;
	int res, ret = 0;

	res = dw_res(d, dwarf_srclines_b(cu_die, &lversion, &tables, &ctx, &d->de));
	if (res == DW_DLV_NO_ENTRY)
		return 0;
	if (res == DW_DLV_ERROR)
		return dw_fail(d, "reading .debug_line");
	d->line_version = lversion;
	if (dw_res(d, dwarf_srclines_from_linecontext(ctx, &lines, &n, &d->de)) != DW_DLV_OK) {
		ret = dw_fail(d, "reading .debug_line rows");
		goto out;
	}
	if (d->fmap_cap)
		memset(d->fmap, 0, d->fmap_cap * sizeof(*d->fmap));
	for (i = 0; i < n && !ret; i++) {
		Dwarf_Unsigned lineno, fileno;
		Dwarf_Bool stmt, end;
		Dwarf_Addr addr;
		uint32_t fid;

		if (dw_res(d, dwarf_lineaddr(lines[i], &addr, &d->de)) != DW_DLV_OK ||
		    dw_res(d, dwarf_lineno(lines[i], &lineno, &d->de)) != DW_DLV_OK ||
		    dw_res(d, dwarf_linebeginstatement(lines[i], &stmt, &d->de)) != DW_DLV_OK ||
		    dw_res(d, dwarf_lineendsequence(lines[i], &end, &d->de)) != DW_DLV_OK ||
		    dw_res(d, dwarf_line_srcfileno(lines[i], &fileno, &d->de)) != DW_DLV_OK) {
			ret = dw_fail(d, "reading a .debug_line row");
			break;
		}
		if (!in_seq) {
			in_seq = true;
			skip = !elf__in_text(d->info, addr);
			have_prev = false;
		}
		if (skip || lineno > UINT32_MAX) {
			if (end)
				in_seq = false;
			continue;
		}
		if (have_prev && addr > prev.start) {
			prev.end = addr + d->bias;
			prev.start += d->bias;
			if ((ret = lines__add_row(d->st, &prev)))
				break;
		}
		if (end) {
			in_seq = false;
			continue;
		}
		if ((ret = file_id(d, ctx, fileno, &fid)))
			break;
		if (stmt && lineno) {
			struct stmt_key k = { fid, (uint32_t)lineno, addr + d->bias };

			if ((ret = lines__add_stmt(d->st, &k)))
				break;
		}
		prev = (struct line_row){ .start = addr, .file = fid, .line = (uint32_t)lineno };
		have_prev = true;
	}
out:
	dwarf_srclines_dealloc_b(ctx);
	return ret;
}

static int do_cu(struct dw *d, Dwarf_Die cu_die)
{
	char *producer;
	int res, ret;

	res = dw_res(d, dwarf_die_text(cu_die, DW_AT_producer, &producer, &d->de));
	if (res == DW_DLV_ERROR)
		return dw_fail(d, "reading DW_AT_producer");
	d->gnu_producer = res == DW_DLV_OK && !strncmp(producer, "GNU ", 4);

	res = dw_res(d, dwarf_lowpc(cu_die, &d->cu_base, &d->de));
	if (res == DW_DLV_ERROR)
		return dw_fail(d, "reading the unit's DW_AT_low_pc");
	if (res == DW_DLV_NO_ENTRY)
		d->cu_base = 0;
	if ((ret = walk(d, cu_die, 0)))
		return ret;
	return cu_lines(d, cu_die);
}

int dwarf__load(struct symtab *st, int fd, const char *path, uint64_t bias,
		const struct elf_info *info, char *err, size_t errlen)
{
	struct dw d = { .st = st, .bias = bias, .info = info };
	size_t ncu = 0, nbad = 0;
	char first[320] = "";
	int res, ret = 0;

	if (info->bad_dwarf[0]) {
		symerr_append(err, errlen, "%s: corrupt DWARF (%s), not read", path,
			      info->bad_dwarf);
		return -EINVAL;
	}
	/* Without its allocation tree libdwarf loads a 100,000-function file
	 * in a third of the time (215 ms of CPU instead of 590).  The tree
	 * only lets dwarf_finish() sweep up what callers forget; this file
	 * hands everything back itself (dies, attributes, range lists, line
	 * contexts, errors: valgrind-clean on good DWARF).  The price: on
	 * corrupt DWARF, libdwarf's own error paths sometimes drop an error
	 * object (40 bytes, at most a few per unit) that nothing frees. */
	dwarf_set_de_alloc_flag(0);
	/* The descriptor the ELF reader checked, not the path again: the
	 * file cannot be swapped for a FIFO or a bigger one in between. */
	res = dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &d.dbg, &d.de);
	if (res == DW_DLV_NO_ENTRY)
		return 0;		/* no debug info: nothing to add */
	if (res != DW_DLV_OK) {
		dw_fail(&d, "opening");
		symerr_append(err, errlen, "%s: unreadable DWARF (%s)", path, d.msg);
		return -EINVAL;
	}
	for (;;) {
		Dwarf_Unsigned hdr_len, typeoff, next;
		Dwarf_Half addr_size, len_size, ext_size, unit_type;
		Dwarf_Sig8 sig;
		Dwarf_Off abbrev, die_off = 0;
		Dwarf_Die cu_die;
		struct symtab_mark mark;
		size_t added = d.added;

		res = dw_res(&d, dwarf_next_cu_header_d(d.dbg, 1, &hdr_len, &d.version, &abbrev,
							&addr_size, &len_size, &ext_size, &sig,
							&typeoff, &next, &unit_type, &d.de));
		if (res == DW_DLV_NO_ENTRY)
			break;
		if (res == DW_DLV_ERROR) {
			/* The chain of unit headers is broken: nothing after
			 * this point can be found. */
			dw_fail(&d, "reading a unit header");
			if (!first[0])
				snprintf(first, sizeof(first), "unit %zu: %s", ncu + 1, d.msg);
			ncu++;
			nbad++;
			break;
		}
		ncu++;
		symtab__mark(st, &mark);
		res = dw_res(&d, dwarf_siblingof_b(d.dbg, NULL, 1, &cu_die, &d.de));
		if (res != DW_DLV_OK) {
			ret = dw_fail(&d, "reading the unit DIE");
		} else {
			if (dw_res(&d, dwarf_dieoffset(cu_die, &die_off, &d.de)) == DW_DLV_ERROR)
				dw_fail(&d, "reading the unit DIE offset");	/* only for the message */
			ret = do_cu(&d, cu_die);
			dwarf_dealloc_die(cu_die);
		}
		if (ret) {
			symtab__rollback(st, &mark);
			d.added = added;
			nbad++;
			if (ret == -ENOMEM)
				snprintf(d.msg, sizeof(d.msg), "out of memory");
			if (!first[0])
				snprintf(first, sizeof(first), "unit at .debug_info+0x%llx: %s",
					 (unsigned long long)die_off, d.msg);
			if (ret == -ENOMEM)
				break;
			ret = 0;
		}
	}
	if (dwarf_finish(d.dbg, &d.de) == DW_DLV_ERROR)
		dwarf_dealloc_error(NULL, d.de);
	free(d.rng);
	free(d.fmap);
	if (nbad) {
		symerr_append(err, errlen, "%s: corrupt DWARF, skipped %zu of %zu units (%s)",
			      path, nbad, ncu, first);
		if (nbad == ncu && !d.added)
			return -EINVAL;
	}
	return (int)d.added;
}
