/*
 * regfile.h - open a file that vmdbg reads (an image, a script, a symbol
 * file, a source file, a trace, a disk) only when it is a regular file no
 * larger than the limit for its kind, so that `source /dev/zero` or a trace
 * header naming a FIFO cannot make vmdbg read forever or hang.  Shared by
 * the engine and the frontends; nothing here prints.
 */
#ifndef VMDBG_REGFILE_H
#define VMDBG_REGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The limits (README "Safety"). */
#define REGFILE_MAX_IMAGE	(256ULL << 20)	/* guest image; also at most guest RAM */
#define REGFILE_MAX_SYMBOLS	(256ULL << 20)	/* ELF symbol file, System.map */
#define REGFILE_MAX_SCRIPT	(16ULL << 20)	/* -x FILE, source FILE */
#define REGFILE_MAX_SOURCE	(16ULL << 20)	/* a source file for list and the TUI */
#define REGFILE_MAX_TRACE	(64ULL << 30)	/* trace file (read chunk by chunk) */

/*
 * Opens path read-only (O_CLOEXEC; O_NONBLOCK while checking, so that a
 * FIFO cannot block the open) and checks that it is a regular file of at
 * most max bytes.  what names the kind in the message ("symbol file").
 * Returns 0 with *fd and *size set, or a negative errno with err holding
 * "PATH: problem", one line: "PATH: not a regular file", "PATH: 3.2 GiB is
 * larger than the 256 MiB limit for a symbol file", "PATH: No such file or
 * directory".  The size is checked at open; the caller reads at most *size.
 */
int regfile__open(const char *path, uint64_t max, const char *what, int *fd, uint64_t *size,
		  char *err, size_t errlen);

/* The same as a stdio stream ("r", close-on-exec); NULL with errno set on failure. */
FILE *regfile__fopen(const char *path, uint64_t max, const char *what, char *err, size_t errlen);

/*
 * Reads the whole file into a malloc'ed buffer (*data, *len; free() it).
 * Returns 0 or a negative errno with err as regfile__open's.
 */
int regfile__read(const char *path, uint64_t max, const char *what, uint8_t **data, size_t *len,
		  char *err, size_t errlen);

/* "512 bytes", "16 MiB", "3.2 GiB": a size for people. */
void regfile__size_str(uint64_t n, char *buf, size_t len);

#endif
