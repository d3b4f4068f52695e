/*
 * Byte order of the floats in kensho's files (word2vec binary vectors and
 * checkpoints): little-endian, whatever the host. Big-endian hosts swap.
 */
#ifndef KS_BYTEORDER_H
#define KS_BYTEORDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Whether this host stores numbers little-endian, as the files do. */
static inline int
ks_host_is_le(void)
{
	const uint16_t one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/* Reverses the byte order of n floats in place (little- to big-endian or back). */
static inline void
ks_swap_floats(float *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, v + i, 4);
		u = (u >> 24) | ((u >> 8) & 0xff00) | ((u << 8) & 0xff0000) | (u << 24);
		memcpy(v + i, &u, 4);
	}
}

#endif
