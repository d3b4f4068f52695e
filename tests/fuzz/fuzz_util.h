/*
 * Helpers shared by the libFuzzer harnesses (one per parser of untrusted
 * bytes, tests/fuzz/fuzz_*.c; README.md says how to build and run them).
 *
 * The library's parsers read files by path, as the tools do, so a harness
 * writes each input to one temporary file (created once per process,
 * rewritten in place, removed at exit) rather than growing the production
 * API with memory-buffer entry points. Some harnesses gzip the input first
 * so that the tokenizers behind the gzip reader get the same coverage as
 * the plain ones; zlib's own code is not what is being tested there.
 *
 * A broken invariant calls fuzz_fail, which aborts: libFuzzer reports it as
 * a crash and saves the input, like a sanitizer finding.
 */
#ifndef KS_FUZZ_UTIL_H
#define KS_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

static char fuzz_path_buf[4096];
static int fuzz_fd = -1;

static inline void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz invariant broken: %s\n", what);
	abort();
}

static inline void
fuzz_cleanup(void)
{
	if (fuzz_fd >= 0) {
		close(fuzz_fd);
		unlink(fuzz_path_buf);
	}
}

/*
 * The temporary file's path, created on first use in $TMPDIR, else in
 * /dev/shm when it exists (the writers fsync before renaming, which costs
 * milliseconds on a disk and would slow the round trips tenfold), else /tmp.
 */
static inline const char *
fuzz_path(void)
{
	if (fuzz_fd < 0) {
		const char *base = getenv("TMPDIR");

		if (base == NULL || *base == '\0')
			base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fuzz_path_buf, sizeof(fuzz_path_buf), "%s/kensho-fuzz-XXXXXX", base);
		fuzz_fd = mkstemp(fuzz_path_buf);
		if (fuzz_fd < 0) {
			perror("mkstemp");
			abort();
		}
		atexit(fuzz_cleanup);
	}
	return fuzz_path_buf;
}

/* Replaces the temporary file's contents with data[0 .. n). */
static inline void
fuzz_write_file(const uint8_t *data, size_t n)
{
	size_t off = 0;

	fuzz_path();
	if (ftruncate(fuzz_fd, 0) != 0) {
		perror("ftruncate");
		abort();
	}
	while (off < n) {
		ssize_t w = pwrite(fuzz_fd, data + off, n - off, (off_t)off);

		if (w <= 0) {
			perror("pwrite");
			abort();
		}
		off += (size_t)w;
	}
}

/*
 * Appends one gzip member holding src[0 .. n) to *buf (of *len bytes,
 * malloc'ed, possibly NULL).
 */
static inline void
fuzz_gzip_append(uint8_t **buf, size_t *len, const uint8_t *src, size_t n)
{
	z_stream zs;
	size_t bound;
	uint8_t *grown;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fuzz_fail("deflateInit2");
	bound = deflateBound(&zs, (uLong)n) + 32;
	grown = realloc(*buf, *len + bound);
	if (grown == NULL)
		fuzz_fail("out of memory");
	*buf = grown;
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)n;
	zs.next_out = *buf + *len;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		fuzz_fail("deflate");
	*len += bound - zs.avail_out;
	deflateEnd(&zs);
}

/*
 * Writes data[0 .. n) to the temporary file, gzip-compressed when gzip is
 * nonzero, and returns the file's path.
 */
static inline const char *
fuzz_write_maybe_gzip(const uint8_t *data, size_t n, int gzip)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (!gzip) {
		fuzz_write_file(data, n);
		return fuzz_path();
	}
	fuzz_gzip_append(&buf, &len, data, n);
	fuzz_write_file(buf, len);
	free(buf);
	return fuzz_path();
}

#endif
