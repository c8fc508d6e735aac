/*
 * sanitize.h - the one sanitizer for text that comes from a guest or a
 * file (trace header strings and stop messages, symbol and file names from
 * ELF/DWARF/System.map, source lines, guest memory shown by x/s, guest
 * serial output in the TUI, trace export fields), so that such text cannot
 * send escape sequences to the user's terminal or break an export format.
 * Nothing here prints.
 */
#ifndef VMDBG_SANITIZE_H
#define VMDBG_SANITIZE_H

#include <stddef.h>

enum sanitize_mode {
	/* For a terminal: C0 controls, DEL, C1 controls (U+0080..U+009F) and
	 * bytes that are not UTF-8 become \xHH (one per byte); printable ASCII
	 * and valid UTF-8 stay.  A backslash stays as it is, so the result is
	 * for reading, not for decoding. */
	SANITIZE_TERM,
	SANITIZE_TERM_TAB,	/* the same, but a tab stays a tab (source lines) */
	/* The inside of a C string literal, as gdb's x/s prints it: \n \t \"
	 * \\, other bytes outside printable ASCII as \ooo. */
	SANITIZE_C,
	/* The inside of a JSON string: \" \\, controls and C1 as \u00XX,
	 * bytes that are not UTF-8 as the text \xHH (written "\\xHH"). */
	SANITIZE_JSON,
	/* A whole CSV field (RFC 4180): as SANITIZE_TERM, then in double
	 * quotes (inner quotes doubled) when it holds a comma, a quote or a
	 * leading or trailing space. */
	SANITIZE_CSV,
	/* XML/SVG text and attribute values: & < > " ' as entities, controls
	 * (which XML 1.0 forbids even as references) and bytes that are not
	 * UTF-8 as the text \xHH, C1 controls the same way. */
	SANITIZE_XML,
};

/*
 * Writes the sanitized form of src[0..n) to dst (at most len bytes with the
 * NUL; cut before an escape that does not fit; dst may be NULL when len is
 * 0).  Returns the length of the whole sanitized text, without the NUL, as
 * snprintf does.  Sanitizing never shortens: a result as long as the input
 * is the input unchanged.
 */
size_t sanitize__buf(char *dst, size_t len, const char *src, size_t n, enum sanitize_mode mode);

/* The same for a NUL-terminated string; returns dst. */
const char *sanitize__str(char *dst, size_t len, const char *s, enum sanitize_mode mode);

#endif
