#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU has the SHA extensions (SHA-NI) and SSE4.1, else 0.
int csha256_has_shani(void);

/// Compresses `blocks` 64-byte blocks into `state` (a, b, …, h) with SHA-NI.
/// Call only when csha256_has_shani() returned 1.
void csha256_compress_shani(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Compresses two independent messages of `blocks` blocks each, interleaved (faster than
/// two calls: the second hides the first's instruction latency). Same precondition.
void csha256_compress_shani_x2(uint32_t state_a[8], const uint8_t *data_a,
                               uint32_t state_b[8], const uint8_t *data_b, size_t blocks);

#endif
