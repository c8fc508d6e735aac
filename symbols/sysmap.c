/* Linux System.map (and /proc/kallsyms, which adds a [module] column). */
#include "symbols/symbols.h"
#include "symbols/internal.h"
#include "vmdbg/regfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* nm's type letters: upper case global, lower case local. */
static bool classify(char type, struct sym_rec *r)
{
	switch (tolower((unsigned char)type)) {
	case 't': case 'w': case 'i':
		r->pub.kind = SYMBOL_FUNC;
		break;
	case 'd': case 'b': case 'r': case 'g': case 's': case 'v': case 'c':
		r->pub.kind = SYMBOL_OBJECT;
		break;
	case 'a':
		/* Absolute values (per-CPU offsets, sizes) are not
		 * addresses: findable by name, never shown for one. */
		r->pub.kind = SYMBOL_OBJECT;
		r->flags = SYMF_NOADDR;
		break;
	default:
		return false;	/* U undefined, N debug, - stabs, ? unknown */
	}
	if (type == 'w' || type == 'W' || type == 'v' || type == 'V')
		r->bind = BIND_WEAK;
	else
		r->bind = islower((unsigned char)type) ? BIND_LOCAL : BIND_GLOBAL;
	return true;
}

int symtab__load_system_map(struct symtab *st, const char *path, uint64_t bias,
			    char *err, size_t errlen)
{
	struct symtab_mark mark;
	size_t added = 0, cap = 0;
	unsigned long lineno = 0;
	char *line = NULL;
	FILE *f;
	int ret = 0;

	symerr(err, errlen, "%s", "");
	symtab__mark(st, &mark);
	f = regfile__fopen(path, REGFILE_MAX_SYMBOLS, "symbol file", err, errlen);
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		struct sym_rec r = { .layer = LAYER_PRIMARY };
		char *p = line, *end, *name;
		unsigned long long addr;
		char type;

		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		errno = 0;
		addr = strtoull(p, &end, 16);
		if (end == p || errno || !isspace((unsigned char)*end))
			goto bad;
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
		type = *p++;
		if (!isalpha((unsigned char)type) && type != '?' && type != '-')
			goto bad;
		if (*p != ' ' && *p != '\t')
			goto bad;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (p == name)
			goto bad;
		*p = '\0';		/* drops a kallsyms "[module]" column */
		if (!classify(type, &r))
			continue;
		r.pub.addr = addr + bias;
		r.pub.source = SYMBOL_FROM_SYSMAP;
		if (!(r.pub.name = symtab__strdup(st, name)) || symtab__add(st, &r)) {
			symerr(err, errlen, "%s: out of memory", path);
			ret = -ENOMEM;
			goto out;
		}
		added++;
		continue;
bad:
		line[strcspn(line, "\n")] = '\0';
		symerr(err, errlen, "%s:%lu: expected \"ADDRESS TYPE NAME\", got \"%.60s\"",
		       path, lineno, line);
		ret = -EINVAL;
		goto out;
	}
	if (ferror(f)) {
		ret = -EIO;
		symerr(err, errlen, "%s: read error", path);
		goto out;
	}
	if (!added)
		symerr(err, errlen, "%s: no symbols", path);
out:
	if (ret)
		symtab__rollback(st, &mark);
	if (symtab__finalize(st) && !ret) {
		symerr(err, errlen, "%s: out of memory indexing symbols", path);
		ret = -ENOMEM;
	}
	free(line);
	fclose(f);
	return ret ? ret : (int)added;
}
