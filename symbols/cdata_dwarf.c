/*
 * cdata_dwarf.c - fills a struct cdata from DWARF 4/5 through libdwarf:
 * every type a variable or a named declaration uses, the globals, each
 * function's parameters and locals with their lexical blocks, location
 * expressions and lists (decoded into struct cop arrays so evaluation needs
 * no libdwarf), and the call-frame information rows of .debug_frame and
 * .eh_frame.  Types are read on demand by DIE offset, so a type used
 * before its definition (or by itself, through a pointer) is read once.
 */
#include "symbols/cdata.h"
#include "symbols/internal.h"

#include <errno.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH	64	/* lexical nesting beyond this is corrupt */
#define MAX_TYPE_DEPTH	256	/* type chains beyond this are corrupt */
#define MAX_MEMBERS	4096	/* per struct; more is corrupt */
#define MAX_OPS		256	/* per location expression */

struct tmap_ent {
	Dwarf_Off off;
	uint32_t type;		/* + 1; 0: empty */
};

struct cdw {
	struct cdata *cd;
	Dwarf_Debug dbg;
	Dwarf_Error de;
	uint64_t bias;
	unsigned version;
	Dwarf_Addr cu_base;
	struct tmap_ent *map;	/* DIE offset -> type, open addressing */
	size_t map_cap, map_n;
	int type_depth;
	char msg[200];
	char lasterr[160];	/* libdwarf's message of the last DW_DLV_ERROR */
};

static int fail(struct cdw *w, const char *what)
{
	if (w->lasterr[0])
		snprintf(w->msg, sizeof(w->msg), "%s: %s", what, w->lasterr);
	else
		snprintf(w->msg, sizeof(w->msg), "%s", what);
	w->lasterr[0] = 0;
	return -EINVAL;
}

/* Every libdwarf call goes through this: an error object is freed at once
 * (its message kept for fail()), also one libdwarf built while answering
 * OK or NO_ENTRY (dwarf.c).  With libdwarf's allocation tree off, as
 * dwarf.c runs it, nothing else would free it. */
static int res_of(struct cdw *w, int res)
{
	if (w->de) {
		if (res == DW_DLV_ERROR)
			snprintf(w->lasterr, sizeof(w->lasterr), "%s", dwarf_errmsg(w->de));
		dwarf_dealloc_error(w->dbg, w->de);
		w->de = NULL;
	}
	return res;
}

/* ---- the offset -> type map ------------------------------------------------ */

static size_t slot(Dwarf_Off off, size_t cap)
{
	return (size_t)((off * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
}

static uint32_t map_get(const struct cdw *w, Dwarf_Off off)
{
	if (!w->map_cap)
		return CTYPE_NONE;
	for (size_t i = slot(off, w->map_cap);; i = (i + 1) & (w->map_cap - 1)) {
		if (!w->map[i].type)
			return CTYPE_NONE;
		if (w->map[i].off == off)
			return w->map[i].type - 1;
	}
}

static int map_put(struct cdw *w, Dwarf_Off off, uint32_t type)
{
	if ((w->map_n + 1) * 2 > w->map_cap) {
		size_t cap = w->map_cap ? w->map_cap * 2 : 1024;
		struct tmap_ent *m = calloc(cap, sizeof(*m));

		if (!m)
			return -ENOMEM;
		for (size_t i = 0; i < w->map_cap; i++) {
			size_t j;

			if (!w->map[i].type)
				continue;
			for (j = slot(w->map[i].off, cap); m[j].type; j = (j + 1) & (cap - 1))
				;
			m[j] = w->map[i];
		}
		free(w->map);
		w->map = m;
		w->map_cap = cap;
	}
	for (size_t i = slot(off, w->map_cap);; i = (i + 1) & (w->map_cap - 1)) {
		if (!w->map[i].type || w->map[i].off == off) {
			w->map_n += !w->map[i].type;
			w->map[i] = (struct tmap_ent){ off, type + 1 };
			return 0;
		}
	}
}

/* ---- attributes ---------------------------------------------------------------- */

static const char *die_name(struct cdw *w, Dwarf_Die die)
{
	char *n;

	if (res_of(w, dwarf_diename(die, &n, &w->de)) == DW_DLV_OK)
		return n;
	return NULL;
}

static bool has_attr(struct cdw *w, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Bool b = 0;

	return res_of(w, dwarf_hasattr(die, at, &b, &w->de)) == DW_DLV_OK && b;
}

/* An unsigned constant attribute; false when absent or not a constant. */
static bool attr_udata(struct cdw *w, Dwarf_Die die, Dwarf_Half at, uint64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Unsigned u;
	Dwarf_Signed s;
	bool ok = false;

	if (res_of(w, dwarf_attr(die, at, &a, &w->de)) != DW_DLV_OK)
		return false;
	if (res_of(w, dwarf_formudata(a, &u, &w->de)) == DW_DLV_OK) {
		*v = u;
		ok = true;
	} else if (res_of(w, dwarf_formsdata(a, &s, &w->de)) == DW_DLV_OK) {
		*v = (uint64_t)s;
		ok = true;
	}
	dwarf_dealloc_attribute(a);
	return ok;
}

static bool attr_sdata(struct cdw *w, Dwarf_Die die, Dwarf_Half at, int64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Half form = 0;
	Dwarf_Unsigned u;
	Dwarf_Signed s;
	bool ok = false;

	if (res_of(w, dwarf_attr(die, at, &a, &w->de)) != DW_DLV_OK)
		return false;
	res_of(w, dwarf_whatform(a, &form, &w->de));
	/* DW_FORM_data1..8 carry no sign: an enumerator 0xffffffff of an
	 * unsigned enum is not -1 */
	if (form != DW_FORM_sdata && form != DW_FORM_implicit_const &&
	    res_of(w, dwarf_formudata(a, &u, &w->de)) == DW_DLV_OK) {
		*v = (int64_t)u;
		ok = true;
	} else if (res_of(w, dwarf_formsdata(a, &s, &w->de)) == DW_DLV_OK) {
		*v = s;
		ok = true;
	}
	dwarf_dealloc_attribute(a);
	return ok;
}

/* The DIE a reference attribute points at; NULL when absent. */
static Dwarf_Die attr_die(struct cdw *w, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
	Dwarf_Attribute a;
	Dwarf_Off o;
	Dwarf_Die t = NULL;

	if (res_of(w, dwarf_attr(die, at, &a, &w->de)) != DW_DLV_OK)
		return NULL;
	if (res_of(w, dwarf_global_formref(a, &o, &w->de)) == DW_DLV_OK &&
	    res_of(w, dwarf_offdie_b(w->dbg, o, 1, &t, &w->de)) == DW_DLV_OK && off)
		*off = o;
	dwarf_dealloc_attribute(a);
	return t;
}

/* DW_AT_name of the DIE or of what its abstract_origin/specification names. */
static Dwarf_Die origin_of(struct cdw *w, Dwarf_Die die)
{
	Dwarf_Die o = attr_die(w, die, DW_AT_abstract_origin, NULL);

	return o ? o : attr_die(w, die, DW_AT_specification, NULL);
}

/* ---- types ------------------------------------------------------------------------- */

static uint32_t type_at(struct cdw *w, Dwarf_Off off);

/* The type DW_AT_type names, CTYPE_VOID when it names none. */
static uint32_t type_attr(struct cdw *w, Dwarf_Die die)
{
	Dwarf_Attribute a;
	Dwarf_Off o;
	int res;

	if (res_of(w, dwarf_attr(die, DW_AT_type, &a, &w->de)) != DW_DLV_OK)
		return CTYPE_VOID;
	res = res_of(w, dwarf_global_formref(a, &o, &w->de));
	dwarf_dealloc_attribute(a);
	if (res != DW_DLV_OK)
		return CTYPE_VOID;
	return type_at(w, o);
}

/*
 * types[t].target = target, with target computed first: type_attr() may
 * grow (realloc) cd->types, so `w->cd->types[t].target = type_attr(..)`
 * could store through the old array (the order of the two sides is
 * unspecified; gcc took the address first: ASan's use-after-free).
 */
static void set_target(struct cdw *w, long t, uint32_t target)
{
	w->cd->types[t].target = target;
}

static long new_type(struct cdw *w, Dwarf_Off off, enum ctype_kind k, const char *name)
{
	long i = CDATA_PUSH(w->cd, types);

	if (i < 0 || map_put(w, off, (uint32_t)i) < 0)
		return -ENOMEM;
	w->cd->types[i].kind = k;
	w->cd->types[i].name = cdata__strdup(w->cd, name);
	w->cd->types[i].target = CTYPE_VOID;
	return i;
}

struct pending_member {
	const char *name;
	uint32_t type;
	uint64_t offset;
	uint16_t bit_size, bit_offset;
};

/* DW_AT_data_member_location: a constant, or DWARF 2's
 * DW_OP_plus_uconst N expression. */
static uint64_t member_offset(struct cdw *w, Dwarf_Die m)
{
	Dwarf_Attribute a;
	Dwarf_Unsigned u;
	Dwarf_Loc_Head_c head;
	Dwarf_Unsigned cnt;
	uint64_t off = 0;

	if (attr_udata(w, m, DW_AT_data_member_location, &off))
		return off;
	if (res_of(w, dwarf_attr(m, DW_AT_data_member_location, &a, &w->de)) != DW_DLV_OK)
		return 0;
	if (res_of(w, dwarf_get_loclist_c(a, &head, &cnt, &w->de)) == DW_DLV_OK) {
		Dwarf_Small lle, src;
		Dwarf_Unsigned rlo, rhi, nops, eoff, doff, o1, o2, o3, br;
		Dwarf_Bool unav;
		Dwarf_Addr lo, hi;
		Dwarf_Locdesc_c desc;
		Dwarf_Small atom;

		if (cnt && res_of(w, dwarf_get_locdesc_entry_d(head, 0, &lle, &rlo, &rhi, &unav, &lo,
							       &hi, &nops, &desc, &src, &eoff,
							       &doff, &w->de)) == DW_DLV_OK &&
		    nops == 1 &&
		    res_of(w, dwarf_get_location_op_value_c(desc, 0, &atom, &o1, &o2, &o3, &br,
							    &w->de)) == DW_DLV_OK &&
		    atom == DW_OP_plus_uconst)
			off = o1;
		dwarf_loc_head_c_dealloc(head);
	}
	(void)u;
	dwarf_dealloc_attribute(a);
	return off;
}

static int read_members(struct cdw *w, Dwarf_Die die, long t)
{
	struct pending_member *pm = NULL;
	size_t n = 0, cap = 0;
	Dwarf_Die c, next;
	int ret = 0;

	if (res_of(w, dwarf_child(die, &c, &w->de)) != DW_DLV_OK)
		return 0;
	while (c) {
		Dwarf_Half tag = 0;

		res_of(w, dwarf_tag(c, &tag, &w->de));
		if (tag == DW_TAG_member && n < MAX_MEMBERS) {
			struct pending_member m = { .name = die_name(w, c) };
			uint64_t v, byte_size = 0;

			m.name = cdata__strdup(w->cd, m.name);
			m.type = type_attr(w, c);
			m.offset = member_offset(w, c);
			if (attr_udata(w, c, DW_AT_bit_size, &v) && v && v < 65536) {
				m.bit_size = (uint16_t)v;
				if (attr_udata(w, c, DW_AT_data_bit_offset, &v)) {
					/* DWARF 4+: bits from the start of the struct */
					m.offset = v / 8;
					m.bit_offset = (uint16_t)(v % 8);
				} else if (attr_udata(w, c, DW_AT_bit_offset, &v)) {
					/* DWARF 2/3: from the msb of a byte_size unit */
					if (!attr_udata(w, c, DW_AT_byte_size, &byte_size))
						byte_size = cdata__type(w->cd, cdata__strip(w->cd, m.type)) ?
							    cdata__type(w->cd, cdata__strip(w->cd, m.type))->size : 4;
					if (v + m.bit_size <= byte_size * 8) {
						uint64_t lsb = byte_size * 8 - v - m.bit_size;

						m.offset += lsb / 8;
						m.bit_offset = (uint16_t)(lsb % 8);
					}
				}
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct pending_member *p = realloc(pm, nc * sizeof(*p));

				if (!p) {
					ret = -ENOMEM;
					dwarf_dealloc_die(c);
					break;
				}
				pm = p;
				cap = nc;
			}
			pm[n++] = m;
		}
		next = NULL;
		res_of(w, dwarf_siblingof_b(w->dbg, c, 1, &next, &w->de));
		dwarf_dealloc_die(c);
		c = next;
	}
	/* members of one struct sit together: pushed only after every member
	 * type (which may push members of other structs) was read */
	if (!ret) {
		w->cd->types[t].first = (uint32_t)w->cd->nmembers;
		for (size_t i = 0; i < n; i++) {
			long k = CDATA_PUSH(w->cd, members);

			if (k < 0) {
				ret = -ENOMEM;
				break;
			}
			w->cd->members[k] = (struct cmember){ pm[i].name, pm[i].type, pm[i].offset,
							      pm[i].bit_size, pm[i].bit_offset };
		}
		w->cd->types[t].n = (uint32_t)n;
	}
	free(pm);
	return ret;
}

static int read_enumerators(struct cdw *w, Dwarf_Die die, long t)
{
	Dwarf_Die c, next;
	bool negative = false;

	w->cd->types[t].first = (uint32_t)w->cd->nenums;
	if (res_of(w, dwarf_child(die, &c, &w->de)) != DW_DLV_OK)
		return 0;
	while (c) {
		Dwarf_Half tag = 0;

		res_of(w, dwarf_tag(c, &tag, &w->de));
		if (tag == DW_TAG_enumerator && w->cd->types[t].n < MAX_MEMBERS) {
			long k = CDATA_PUSH(w->cd, enums);
			int64_t v = 0;

			if (k < 0) {
				dwarf_dealloc_die(c);
				return -ENOMEM;
			}
			attr_sdata(w, c, DW_AT_const_value, &v);
			negative |= v < 0;
			w->cd->enums[k] = (struct cenumerator){ cdata__strdup(w->cd, die_name(w, c)), v };
			w->cd->types[t].n++;
		}
		next = NULL;
		res_of(w, dwarf_siblingof_b(w->dbg, c, 1, &next, &w->de));
		dwarf_dealloc_die(c);
		c = next;
	}
	if (!w->cd->types[t].is_signed)
		w->cd->types[t].is_signed = negative;
	return 0;
}

/* Array dimensions from the DW_TAG_subrange_type children, outermost first. */
static int read_array(struct cdw *w, Dwarf_Die die, long t, uint32_t elem)
{
	uint64_t dims[8];
	int nd = 0;
	Dwarf_Die c, next;
	uint32_t inner = elem;

	if (res_of(w, dwarf_child(die, &c, &w->de)) == DW_DLV_OK) {
		while (c) {
			Dwarf_Half tag = 0;
			uint64_t v;

			res_of(w, dwarf_tag(c, &tag, &w->de));
			if (tag == DW_TAG_subrange_type && nd < 8) {
				dims[nd] = 0;
				if (attr_udata(w, c, DW_AT_count, &v))
					dims[nd] = v;
				else if (attr_udata(w, c, DW_AT_upper_bound, &v) && v != UINT64_MAX)
					dims[nd] = v + 1;
				nd++;
			}
			next = NULL;
			res_of(w, dwarf_siblingof_b(w->dbg, c, 1, &next, &w->de));
			dwarf_dealloc_die(c);
			c = next;
		}
	}
	if (!nd)
		dims[nd++] = 0;
	/* int a[2][3]: an array of 2 arrays of 3 ints */
	for (int i = nd - 1; i > 0; i--) {
		long k = CDATA_PUSH(w->cd, types);
		const struct ctype *e;

		if (k < 0)
			return -ENOMEM;
		e = cdata__type(w->cd, cdata__strip(w->cd, inner));
		w->cd->types[k] = (struct ctype){ .kind = CT_ARRAY, .target = inner, .count = dims[i],
						  .size = dims[i] * (e ? e->size : 0) };
		inner = (uint32_t)k;
	}
	{
		const struct ctype *e = cdata__type(w->cd, cdata__strip(w->cd, inner));

		w->cd->types[t].target = inner;
		w->cd->types[t].count = dims[0];
		w->cd->types[t].size = dims[0] * (e ? e->size : 0);
	}
	return 0;
}

static int read_params(struct cdw *w, Dwarf_Die die, long t)
{
	uint32_t tmp[64];
	uint32_t n = 0;
	Dwarf_Die c, next;

	if (res_of(w, dwarf_child(die, &c, &w->de)) == DW_DLV_OK) {
		while (c) {
			Dwarf_Half tag = 0;

			res_of(w, dwarf_tag(c, &tag, &w->de));
			if (tag == DW_TAG_formal_parameter && n < 64)
				tmp[n++] = type_attr(w, c);
			else if (tag == DW_TAG_unspecified_parameters)
				w->cd->types[t].varargs = true;
			next = NULL;
			res_of(w, dwarf_siblingof_b(w->dbg, c, 1, &next, &w->de));
			dwarf_dealloc_die(c);
			c = next;
		}
	}
	w->cd->types[t].first = (uint32_t)w->cd->nparams;
	for (uint32_t i = 0; i < n; i++) {
		long k = CDATA_PUSH(w->cd, params);

		if (k < 0)
			return -ENOMEM;
		w->cd->params[k] = tmp[i];
	}
	w->cd->types[t].n = n;
	return 0;
}

static uint32_t type_die(struct cdw *w, Dwarf_Die die, Dwarf_Off off)
{
	Dwarf_Half tag = 0;
	const char *name = die_name(w, die);
	uint64_t size = 0, enc = 0;
	long t;

	res_of(w, dwarf_tag(die, &tag, &w->de));
	attr_udata(w, die, DW_AT_byte_size, &size);
	switch (tag) {
	case DW_TAG_base_type:
		attr_udata(w, die, DW_AT_encoding, &enc);
		t = new_type(w, off, enc == DW_ATE_boolean ? CT_BOOL : enc == DW_ATE_float ? CT_FLOAT :
			     CT_INT, name ? cdata__base_name(name) : NULL);
		if (t < 0)
			return CTYPE_NONE;
		w->cd->types[t].size = size;
		w->cd->types[t].is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char ||
					    enc == DW_ATE_float;
		w->cd->types[t].is_char = enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char ||
					  (enc == DW_ATE_UTF && size == 1);
		return (uint32_t)t;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		t = new_type(w, off, CT_PTR, NULL);
		if (t < 0)
			return CTYPE_NONE;
		w->cd->types[t].size = size ? size : (uint64_t)w->cd->addr_size;
		set_target(w, t, type_attr(w, die));
		return (uint32_t)t;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_typedef:
		t = new_type(w, off, tag == DW_TAG_const_type ? CT_CONST :
			     tag == DW_TAG_volatile_type ? CT_VOLATILE : CT_TYPEDEF,
			     tag == DW_TAG_typedef ? name : NULL);
		if (t < 0)
			return CTYPE_NONE;
		set_target(w, t, type_attr(w, die));
		{
			const struct ctype *tt = cdata__type(w->cd, cdata__strip(w->cd,
									      w->cd->types[t].target));

			w->cd->types[t].size = tt ? tt->size : 0;
		}
		return (uint32_t)t;
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type: {
		/* transparent for printing */
		uint32_t target;

		if (map_put(w, off, CTYPE_VOID) < 0)
			return CTYPE_NONE;
		target = type_attr(w, die);
		map_put(w, off, target);
		return target;
	}
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		t = new_type(w, off, tag == DW_TAG_union_type ? CT_UNION : CT_STRUCT, name);
		if (t < 0)
			return CTYPE_NONE;
		w->cd->types[t].size = size;
		w->cd->types[t].incomplete = has_attr(w, die, DW_AT_declaration);
		if (read_members(w, die, t) < 0)
			return CTYPE_NONE;
		return (uint32_t)t;
	case DW_TAG_enumeration_type:
		t = new_type(w, off, CT_ENUM, name);
		if (t < 0)
			return CTYPE_NONE;
		w->cd->types[t].size = size;
		set_target(w, t, type_attr(w, die));
		{
			const struct ctype *u = cdata__type(w->cd, cdata__strip(w->cd,
									     w->cd->types[t].target));

			w->cd->types[t].is_signed = u && u->kind == CT_INT && u->is_signed;
			if (!size && u)
				w->cd->types[t].size = u->size;
		}
		if (read_enumerators(w, die, t) < 0)
			return CTYPE_NONE;
		return (uint32_t)t;
	case DW_TAG_array_type: {
		uint32_t elem;

		t = new_type(w, off, CT_ARRAY, NULL);
		if (t < 0)
			return CTYPE_NONE;
		elem = type_attr(w, die);
		if (read_array(w, die, t, elem) < 0)
			return CTYPE_NONE;
		return (uint32_t)t;
	}
	case DW_TAG_subroutine_type:
		t = new_type(w, off, CT_FUNC, NULL);
		if (t < 0)
			return CTYPE_NONE;
		w->cd->types[t].size = 1;
		set_target(w, t, type_attr(w, die));
		if (read_params(w, die, t) < 0)
			return CTYPE_NONE;
		return (uint32_t)t;
	case DW_TAG_unspecified_type:
	default:
		t = new_type(w, off, CT_VOID, name ? name : "void");
		return t < 0 ? CTYPE_NONE : (uint32_t)t;
	}
}

static uint32_t type_at(struct cdw *w, Dwarf_Off off)
{
	uint32_t t = map_get(w, off);
	Dwarf_Die die;

	if (t != CTYPE_NONE)
		return t;
	if (w->type_depth >= MAX_TYPE_DEPTH)
		return CTYPE_VOID;
	if (res_of(w, dwarf_offdie_b(w->dbg, off, 1, &die, &w->de)) != DW_DLV_OK)
		return CTYPE_VOID;
	w->type_depth++;
	t = type_die(w, die, off);
	w->type_depth--;
	dwarf_dealloc_die(die);
	return t == CTYPE_NONE ? CTYPE_VOID : t;
}

/* ---- locations -------------------------------------------------------------------- */

/* DW_AT_location or DW_AT_frame_base into the location table. */
static int read_loc(struct cdw *w, Dwarf_Die die, Dwarf_Half at, uint32_t *first, uint32_t *n)
{
	Dwarf_Attribute a;
	Dwarf_Loc_Head_c head;
	Dwarf_Unsigned cnt;
	int ret = 0;

	*first = (uint32_t)w->cd->nlocs;
	*n = 0;
	if (res_of(w, dwarf_attr(die, at, &a, &w->de)) != DW_DLV_OK)
		return 0;
	if (res_of(w, dwarf_get_loclist_c(a, &head, &cnt, &w->de)) != DW_DLV_OK) {
		dwarf_dealloc_attribute(a);
		return 0;	/* a form vmdbg cannot read: no location */
	}
	for (Dwarf_Unsigned i = 0; i < cnt && !ret; i++) {
		Dwarf_Small lle = 0, src = 0;
		Dwarf_Unsigned rlo, rhi, nops = 0, eoff, doff;
		Dwarf_Bool unav = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c desc;
		long k;

		if (res_of(w, dwarf_get_locdesc_entry_d(head, i, &lle, &rlo, &rhi, &unav, &lo, &hi,
							&nops, &desc, &src, &eoff, &doff,
							&w->de)) != DW_DLV_OK)
			break;
		if (!nops || nops > MAX_OPS || unav)
			continue;	/* no location for this range */
		k = CDATA_PUSH(w->cd, locs);
		if (k < 0) {
			ret = -ENOMEM;
			break;
		}
		w->cd->locs[k].lo = src == 0 ? 0 : lo + w->bias;
		w->cd->locs[k].hi = src == 0 ? UINT64_MAX : hi + w->bias;
		w->cd->locs[k].op = (uint32_t)w->cd->nops;
		for (Dwarf_Unsigned j = 0; j < nops; j++) {
			Dwarf_Small atom = 0;
			Dwarf_Unsigned o1 = 0, o2 = 0, o3 = 0, br = 0;
			long o;

			if (res_of(w, dwarf_get_location_op_value_c(desc, j, &atom, &o1, &o2, &o3,
								    &br, &w->de)) != DW_DLV_OK)
				break;
			o = CDATA_PUSH(w->cd, ops);
			if (o < 0) {
				ret = -ENOMEM;
				break;
			}
			/* an address operand moves with the bias */
			if (atom == DW_OP_addr || atom == DW_OP_addrx || atom == DW_OP_GNU_addr_index)
				o1 += w->bias;
			w->cd->ops[o] = (struct cop){ atom, o1, o2 };
			w->cd->locs[k].nops++;
		}
		(*n)++;
	}
	dwarf_loc_head_c_dealloc(head);
	dwarf_dealloc_attribute(a);
	return ret;
}

/* ---- scopes and variables -------------------------------------------------------- */

static int add_var(struct cdw *w, Dwarf_Die die, enum cvar_kind kind, uint32_t scope)
{
	Dwarf_Die o = NULL;
	const char *name = die_name(w, die);
	uint32_t type;
	long k;
	int ret;

	if (!name && (o = origin_of(w, die)))
		name = die_name(w, o);
	if (!name) {
		if (o)
			dwarf_dealloc_die(o);
		return 0;
	}
	type = has_attr(w, die, DW_AT_type) || !o ? type_attr(w, die) : type_attr(w, o);
	k = CDATA_PUSH(w->cd, vars);
	if (k < 0) {
		if (o)
			dwarf_dealloc_die(o);
		return -ENOMEM;
	}
	w->cd->vars[k].name = cdata__strdup(w->cd, name);
	if (o)
		dwarf_dealloc_die(o);
	w->cd->vars[k].type = type;
	w->cd->vars[k].kind = kind;
	w->cd->vars[k].scope = scope;
	ret = read_loc(w, die, DW_AT_location, &w->cd->vars[k].loc, &w->cd->vars[k].nloc);
	return ret;
}

static long add_scope(struct cdw *w, enum cscope_kind kind, uint32_t parent, Dwarf_Die die)
{
	long s = CDATA_PUSH(w->cd, scopes);
	uint64_t lo = 0, hi = 0;

	if (s < 0)
		return -ENOMEM;
	if (dwarf__die_bounds(w->dbg, die, w->version, w->cu_base, &lo, &hi) < 0)
		lo = hi = 0;
	w->cd->scopes[s].kind = kind;
	w->cd->scopes[s].parent = parent;
	w->cd->scopes[s].func = kind == CS_FUNC ? (uint32_t)s :
				w->cd->scopes[parent].kind >= CS_FUNC ? w->cd->scopes[parent].func : 0;
	w->cd->scopes[s].lo = lo == hi ? 0 : lo + w->bias;
	w->cd->scopes[s].hi = lo == hi ? 0 : hi + w->bias;
	return s;
}

static bool has_code(struct cdw *w, Dwarf_Die die)
{
	return has_attr(w, die, DW_AT_low_pc) || has_attr(w, die, DW_AT_ranges);
}

static bool is_type_tag(Dwarf_Half tag)
{
	return tag == DW_TAG_base_type || tag == DW_TAG_typedef || tag == DW_TAG_structure_type ||
	       tag == DW_TAG_union_type || tag == DW_TAG_enumeration_type ||
	       tag == DW_TAG_class_type;
}

static int walk(struct cdw *w, Dwarf_Die parent_die, uint32_t scope, int depth);

static int visit(struct cdw *w, Dwarf_Die c, uint32_t scope, int depth)
{
	const struct cscope *sc = &w->cd->scopes[scope];
	Dwarf_Half tag = 0;
	Dwarf_Off off = 0;
	long s;
	int ret = 0;

	res_of(w, dwarf_tag(c, &tag, &w->de));
	switch (tag) {
	case DW_TAG_subprogram:
		if (!has_code(w, c))
			break;
		s = add_scope(w, CS_FUNC, scope, c);
		if (s < 0)
			return (int)s;
		{
			const char *name = die_name(w, c);
			Dwarf_Die o = NULL;

			if (!name && (o = origin_of(w, c)))
				name = die_name(w, o);
			uint64_t dl = 0;

			w->cd->scopes[s].name = cdata__strdup(w->cd, name);
			if (attr_udata(w, c, DW_AT_decl_line, &dl) || (o && attr_udata(w, o, DW_AT_decl_line, &dl)))
				w->cd->scopes[s].decl_line = (uint32_t)dl;
			w->cd->scopes[s].decl_type = has_attr(w, c, DW_AT_type) || !o ?
						     type_attr(w, c) : type_attr(w, o);
			if (o)
				dwarf_dealloc_die(o);
		}
		ret = read_loc(w, c, DW_AT_frame_base, &w->cd->scopes[s].frame_base,
			       &w->cd->scopes[s].nframe_base);
		if (!ret)
			ret = walk(w, c, (uint32_t)s, depth + 1);
		break;
	case DW_TAG_lexical_block:
		if (sc->kind != CS_FUNC && sc->kind != CS_BLOCK)
			break;
		s = add_scope(w, CS_BLOCK, scope, c);
		if (s < 0)
			return (int)s;
		ret = walk(w, c, (uint32_t)s, depth + 1);
		break;
	case DW_TAG_formal_parameter:
		if (sc->kind == CS_FUNC)
			ret = add_var(w, c, CV_PARAM, scope);
		break;
	case DW_TAG_variable:
		if (sc->kind == CS_UNIT)
			ret = add_var(w, c, CV_GLOBAL, scope);
		else if (sc->kind == CS_FUNC || sc->kind == CS_BLOCK)
			ret = add_var(w, c, CV_LOCAL, scope);
		break;
	default:
		/* named types at unit level, so that `ptype struct proc` finds a
		 * type no variable uses */
		if (sc->kind == CS_UNIT && is_type_tag(tag) &&
		    res_of(w, dwarf_dieoffset(c, &off, &w->de)) == DW_DLV_OK)
			type_at(w, off);
		break;
	}
	return ret;
}

static int walk(struct cdw *w, Dwarf_Die parent_die, uint32_t scope, int depth)
{
	Dwarf_Die c, next;
	int ret = 0;

	if (depth > MAX_DEPTH)
		return fail(w, "DIEs nested too deep");
	if (res_of(w, dwarf_child(parent_die, &c, &w->de)) != DW_DLV_OK)
		return 0;
	while (c && !ret) {
		ret = visit(w, c, scope, depth);
		next = NULL;
		if (!ret && res_of(w, dwarf_siblingof_b(w->dbg, c, 1, &next, &w->de)) == DW_DLV_ERROR)
			ret = fail(w, "reading a sibling DIE");
		dwarf_dealloc_die(c);
		c = next;
	}
	if (c)
		dwarf_dealloc_die(c);
	return ret;
}

/* ---- call-frame information ------------------------------------------------------- */

static void cfi_rows(struct cdw *w, Dwarf_Fde fde)
{
	const int ra_col = w->cd->addr_size == 8 ? 16 : 8;
	const int fp_col = w->cd->addr_size == 8 ? 6 : 5;
	Dwarf_Addr low = 0, pc;
	Dwarf_Unsigned len = 0;
	Dwarf_Ptr bytes;
	Dwarf_Unsigned blen;
	Dwarf_Off cie_off, fde_off;
	Dwarf_Signed cie_idx;

	if (res_of(w, dwarf_get_fde_range(fde, &low, &len, &bytes, &blen, &cie_off, &cie_idx,
					  &fde_off, &w->de)) != DW_DLV_OK || !len)
		return;
	for (pc = low; pc < low + len;) {
		Dwarf_Small vt = 0;
		Dwarf_Signed rel = 0, reg = 0, offv = 0;
		Dwarf_Ptr blk;
		Dwarf_Addr row_pc = 0, next_pc = 0;
		Dwarf_Bool more = 0;
		struct cfi_row r = { .cfa_reg = -1 };
		long k;

		if (res_of(w, dwarf_get_fde_info_for_cfa_reg3_b(fde, pc, &vt, &rel, &reg, &offv, &blk,
								 &row_pc, &more, &next_pc,
								 &w->de)) != DW_DLV_OK)
			return;
		if (vt == DW_EXPR_OFFSET && rel) {
			r.cfa_reg = (int)reg;
			r.cfa_off = offv;
		}
		if (res_of(w, dwarf_get_fde_info_for_reg3_b(fde, (Dwarf_Half)ra_col, pc, &vt, &rel,
							     &reg, &offv, &blk, &row_pc, &more,
							     &next_pc, &w->de)) == DW_DLV_OK &&
		    vt == DW_EXPR_OFFSET && rel && reg == DW_FRAME_CFA_COL3) {
			r.ra_saved = true;
			r.ra_off = offv;
		}
		if (res_of(w, dwarf_get_fde_info_for_reg3_b(fde, (Dwarf_Half)fp_col, pc, &vt, &rel,
							     &reg, &offv, &blk, &row_pc, &more,
							     &next_pc, &w->de)) == DW_DLV_OK &&
		    vt == DW_EXPR_OFFSET && rel && reg == DW_FRAME_CFA_COL3) {
			r.fp_saved = true;
			r.fp_off = offv;
		}
		r.lo = pc + w->bias;
		r.hi = (more && next_pc > pc && next_pc < low + len ? next_pc : low + len) + w->bias;
		k = CDATA_PUSH(w->cd, cfi);
		if (k < 0)
			return;
		w->cd->cfi[k] = r;
		if (!more || next_pc <= pc)
			break;
		pc = next_pc;
	}
}

static void read_cfi(struct cdw *w, bool eh)
{
	Dwarf_Cie *cies;
	Dwarf_Fde *fdes;
	Dwarf_Signed ncie, nfde;
	int res;

	res = eh ? dwarf_get_fde_list_eh(w->dbg, &cies, &ncie, &fdes, &nfde, &w->de) :
		   dwarf_get_fde_list(w->dbg, &cies, &ncie, &fdes, &nfde, &w->de);
	if (res_of(w, res) != DW_DLV_OK)
		return;
	for (Dwarf_Signed i = 0; i < nfde; i++)
		cfi_rows(w, fdes[i]);
	dwarf_fde_cie_list_dealloc(w->dbg, cies, ncie, fdes, nfde);
}

/* ---- the load --------------------------------------------------------------------- */

int cdata__load_dwarf(struct cdata *cd, const char *path, uint64_t bias,
		      char *err, size_t errlen)
{
	struct cdw w = { .cd = cd, .bias = bias };
	size_t nvars = cd->nvars, nbad = 0;
	int res, ret = 0, old_flag, fd;

	if (errlen)
		err[0] = 0;
	/* the same checks as every file vmdbg reads (README "Safety") */
	if ((ret = elf__open_dwarf(path, &fd, err, errlen)) < 0)
		return ret;
	/* dwarf.c turns libdwarf's allocation tree off process-wide; this
	 * reader leans on it (dwarf_finish() frees what it misses).  The tree
	 * is not what makes libdwarf 20210528 free twice on the file in
	 * tests/fuzz/known/: it does so with the tree off too. */
	old_flag = dwarf_set_de_alloc_flag(1);
	res = res_of(&w, dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &w.dbg,
				      &w.de));
	if (res == DW_DLV_NO_ENTRY) {
		dwarf_set_de_alloc_flag(old_flag);
		close(fd);
		return 0;
	}
	if (res != DW_DLV_OK) {
		fail(&w, "opening");
		symerr(err, errlen, "%s: unreadable DWARF (%s)", path, w.msg);
		dwarf_set_de_alloc_flag(old_flag);
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		Dwarf_Unsigned hdr_len, typeoff, next;
		Dwarf_Half ver, addr_size, len_size, ext_size, unit_type;
		Dwarf_Sig8 sig;
		Dwarf_Off abbrev;
		Dwarf_Die cu;
		long s;

		res = res_of(&w, dwarf_next_cu_header_d(w.dbg, 1, &hdr_len, &ver, &abbrev, &addr_size,
							&len_size, &ext_size, &sig, &typeoff, &next,
							&unit_type, &w.de));
		if (res != DW_DLV_OK) {
			if (res == DW_DLV_ERROR) {
				fail(&w, "reading a unit header");
				nbad++;
			}
			break;
		}
		w.version = ver;
		if (res_of(&w, dwarf_siblingof_b(w.dbg, NULL, 1, &cu, &w.de)) != DW_DLV_OK) {
			fail(&w, "reading the unit DIE");
			nbad++;
			continue;
		}
		if (res_of(&w, dwarf_lowpc(cu, &w.cu_base, &w.de)) != DW_DLV_OK)
			w.cu_base = 0;
		s = add_scope(&w, CS_UNIT, 0, cu);
		if (s < 0)
			ret = (int)s;
		else if (walk(&w, cu, (uint32_t)s, 0) < 0)
			nbad++;
		dwarf_dealloc_die(cu);
		if (ret == -ENOMEM)
			break;
	}
	read_cfi(&w, false);
	read_cfi(&w, true);
	if (dwarf_finish(w.dbg, &w.de) == DW_DLV_ERROR)
		dwarf_dealloc_error(NULL, w.de);
	dwarf_set_de_alloc_flag(old_flag);
	close(fd);
	free(w.map);
	cdata__finalize(cd);
	if (ret < 0) {
		symerr(err, errlen, "%s: out of memory reading DWARF data", path);
		return ret;
	}
	if (nbad)
		symerr(err, errlen, "%s: corrupt DWARF data, %zu unit(s) skipped (%s)", path, nbad,
		       w.msg);
	return (int)(cd->nvars - nvars);
}
