/*
 * guard.c - host buffers fenced by guard pages.
 *
 * Guest RAM and every host buffer a guest-controlled value indexes (device
 * register files, the emu CPU state with its TLB, the decoded-instruction
 * cache and its per-page tables) live in their own mapping with one
 * PROT_NONE page on each side.  Every such index is bounds-checked in the
 * code; the guard pages are the second line: if a check is ever wrong, the
 * overrun faults at once (SIGSEGV) instead of quietly reading or writing
 * whatever the allocator put next to the buffer.
 *
 * The buffer ends exactly where the trailing guard page begins, so a read
 * one element past its end faults.  It is aligned to every power of two
 * that divides its size; a type's alignment divides its size, so an object
 * or array of any type is aligned, with no gap before the guard.  Put the guest-indexed array last in a struct allocated here.
 */
#include "vmdbg/internal.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page_size(void)
{
	static size_t ps;

	if (!ps) {
		long v = sysconf(_SC_PAGESIZE);

		ps = v > 0 ? (size_t)v : 4096;
	}
	return ps;
}

static size_t data_bytes(size_t size)
{
	size_t ps = page_size();

	return (size + ps - 1) / ps * ps;
}

void *guard__alloc(size_t size)
{
	size_t ps = page_size(), data, total, off;
	uint8_t *base;

	if (size == 0 || size > SIZE_MAX - 3 * ps)
		return NULL;
	data = data_bytes(size);
	total = data + 2 * ps;
	/* Anonymous memory comes zeroed; MAP_NORESERVE lets 3 GiB of guest
	 * RAM cost only what the guest touches. */
	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base, ps, PROT_NONE) < 0 || mprotect(base + ps + data, ps, PROT_NONE) < 0) {
		munmap(base, total);
		return NULL;
	}
	/* base + ps + data is page aligned, so the buffer's start is aligned
	 * to every power of two (up to a page) that divides size. */
	off = data - size;
	return base + ps + off;
}

void guard__free(void *p, size_t size)
{
	size_t ps = page_size();
	uintptr_t first;

	if (!p)
		return;
	first = (uintptr_t)p & ~(uintptr_t)(ps - 1);
	munmap((void *)(first - ps), data_bytes(size) + 2 * ps);
}
