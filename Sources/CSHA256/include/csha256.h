#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU has the SHA extensions (SHA-NI) and SSE4.1, else 0.
int csha256_has_shani(void);

/// Compresses `blocks` 64-byte blocks into `state` (a, b, …, h) with SHA-NI.
/// Call only when csha256_has_shani() returned 1.
void csha256_compress_shani(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
