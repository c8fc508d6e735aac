/*
 * sha256.h - SHA-256 (sha256.c): the image hash in trace headers, computed
 * by the loader and checked by the trace readers before they open the
 * image a header names.
 */
#ifndef VMDBG_SHA256_H
#define VMDBG_SHA256_H

#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);

#endif
