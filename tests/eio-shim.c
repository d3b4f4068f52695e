/*
 * A fault injector for the shell tests, loaded with LD_PRELOAD: read(2) on
 * one chosen file fails with EIO once a given number of its bytes have been
 * read, as a failing disk would midway through a corpus.
 *
 *   KS_EIO_FILE   the file, by the path the program opens it with
 *   KS_EIO_AFTER  bytes delivered before the failure (default 0); the read
 *                 that would cross the limit is cut short at it, so the
 *                 failure comes exactly at that offset
 *   KS_EIO_OPEN   fail only after the Nth open of the file (1 = the
 *                 first); 0, the default, fails after every open. The
 *                 trainer opens a file once to check it, then again for
 *                 each pass over it: with -cache-mb 0, 2 fails the
 *                 counting pass and 3 the first epoch.
 *
 * It wraps open, open64, openat, openat64 and close to learn which
 * descriptor is the file, and read and __read_chk to fail. It is built only
 * for make check and never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define SHIM_MAX_FD 1024
#ifdef O_TMPFILE
#define SHIM_MODE_FLAGS (O_CREAT | O_TMPFILE)
#else
#define SHIM_MODE_FLAGS O_CREAT
#endif

static long long shim_done[SHIM_MAX_FD];	/* bytes read; -1: not watched */
static int shim_ready;
static int shim_opens;

static void
shim_init(void)
{
	int i;

	if (shim_ready)
		return;
	for (i = 0; i < SHIM_MAX_FD; i++)
		shim_done[i] = -1;
	shim_ready = 1;
}

static long long
shim_env(const char *name, long long dflt)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? strtoll(s, NULL, 10) : dflt;
}

/* Starts watching fd if path is the chosen file on the chosen open. */
static int
shim_opened(int fd, const char *path)
{
	const char *want = getenv("KS_EIO_FILE");
	long long which;

	shim_init();
	if (fd < 0 || fd >= SHIM_MAX_FD)
		return fd;
	shim_done[fd] = -1;
	if (want == NULL || path == NULL || strcmp(path, want) != 0)
		return fd;
	shim_opens++;
	which = shim_env("KS_EIO_OPEN", 0);
	if (which == 0 || which == shim_opens)
		shim_done[fd] = 0;
	return fd;
}

static mode_t
shim_mode(int flags, va_list ap)
{
	return (flags & SHIM_MODE_FLAGS) ? (mode_t)va_arg(ap, int) : 0;
}

#define SHIM_NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_opened(SHIM_NEXT("open", int (*)(const char *, int, ...))(path, flags, mode),
			   path);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_opened(SHIM_NEXT("open64", int (*)(const char *, int, ...))(path, flags, mode),
			   path);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_opened(SHIM_NEXT("openat", int (*)(int, const char *, int, ...))(dirfd, path,
										  flags, mode),
			   path);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_opened(SHIM_NEXT("openat64", int (*)(int, const char *, int, ...))(dirfd, path,
										    flags, mode),
			   path);
}

int
close(int fd)
{
	shim_init();
	if (fd >= 0 && fd < SHIM_MAX_FD)
		shim_done[fd] = -1;
	return SHIM_NEXT("close", int (*)(int))(fd);
}

ssize_t
read(int fd, void *buf, size_t count)
{
	ssize_t n;

	shim_init();
	if (fd >= 0 && fd < SHIM_MAX_FD && shim_done[fd] >= 0) {
		long long left = shim_env("KS_EIO_AFTER", 0) - shim_done[fd];

		if (left <= 0 && count > 0) {
			errno = EIO;
			return -1;
		}
		if ((long long)count > left)
			count = (size_t)left;
	}
	n = SHIM_NEXT("read", ssize_t (*)(int, void *, size_t))(fd, buf, count);
	if (n > 0 && fd >= 0 && fd < SHIM_MAX_FD && shim_done[fd] >= 0)
		shim_done[fd] += n;
	return n;
}

ssize_t
__read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	(void)buflen;
	return read(fd, buf, count);
}
