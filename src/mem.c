/* Overflow-checked allocation (see mem.h). */
#include "mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The size of a transparent huge page on x86-64 and most arm64 kernels. */
#define MEM_HUGE ((size_t)2 << 20)

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
	if (posix_memalign(&p, bytes >= MEM_HUGE ? MEM_HUGE : 64, bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	ks_advise_huge(p, bytes);
	memset(p, 0, bytes);
	return p;
}

void
ks_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = ((uintptr_t)p + MEM_HUGE - 1) & ~(uintptr_t)(MEM_HUGE - 1);
	uintptr_t end = ((uintptr_t)p + bytes) & ~(uintptr_t)(MEM_HUGE - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}
