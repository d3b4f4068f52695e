/* Overflow-checked allocation (see mem.h). */
#include "mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
ks_mul_size(size_t a, size_t b, size_t *out)
{
	if (b != 0 && a > SIZE_MAX / b)
		return -1;
	*out = a * b;
	return 0;
}

void *
ks_malloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (ks_mul_size(n, size, &bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(bytes ? bytes : 1);
}

void *
ks_calloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (ks_mul_size(n, size, &bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	return calloc(n ? n : 1, size ? size : 1);
}

void *
ks_realloc_array(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (ks_mul_size(n, size, &bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes ? bytes : 1);
}

void *
ks_aligned_calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (ks_mul_size(n, size, &bytes) != 0 || bytes > SIZE_MAX - 64) {
		errno = ENOMEM;
		return NULL;
	}
	bytes = (bytes + 63) & ~(size_t)63;
	if (bytes == 0)
		bytes = 64;
	if (posix_memalign(&p, 64, bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	memset(p, 0, bytes);
	return p;
}
