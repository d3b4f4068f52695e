/*
 * Atomic output files (see outfile.h).
 *
 * Where output goes is paths.c's answer: symbolic links are followed, so
 * the temporary file is created with mkstemp beside the link's target and
 * renamed over the target (the link stays a link), within one file system
 * so that rename() is atomic. A file that is replaced keeps its permission
 * bits and, where the process may set them, its owner and group; a new one
 * gets what a plain fopen would have created (0666 less the umask).
 *
 * A name ending in ".gz" is written as gzip through a stdio cookie over
 * zlib, so every writer keeps its FILE stream. zlib writes to a copy of the
 * descriptor, which gzclose closes after the gzip trailer; the original
 * stays open so that the whole file can be synced before the rename.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "paths.h"

struct ks_outfile {
	FILE *stream;
	char *path;		/* final name as given */
	char *target;		/* the file renamed over (links followed); NULL in place */
	char *tmp_path;		/* NULL when writing in place */
	int sync_fd;		/* gzip output: the descriptor to sync and close, else -1 */
	int is_stdout;
	int gzip;		/* written as gzip */
};

static mode_t
outfile_default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int
ks_outfile_wants_gzip(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

static ssize_t
outfile_gz_write(void *cookie, const char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		unsigned chunk = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
		int w = gzwrite((gzFile)cookie, buf + done, chunk);

		if (w <= 0) {
			errno = errno ? errno : EIO;
			return done > 0 ? (ssize_t)done : -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static int
outfile_gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : (errno = errno ? errno : EIO, -1);
}

/*
 * Opens the stream over fd (which f then owns): plain stdio, or gzip when
 * the name asks for it.
 */
static int
outfile_stream_open(struct ks_outfile *f, int fd)
{
	cookie_io_functions_t io = { NULL, outfile_gz_write, NULL, outfile_gz_close };
	gzFile gz;
	int copy;

	if (!f->gzip) {
		f->stream = fdopen(fd, "w");
		if (f->stream == NULL)
			return -1;
		return 0;
	}
	if ((copy = dup(fd)) < 0)
		return -1;
	if ((gz = gzdopen(copy, "wb6")) == NULL) {
		close(copy);
		errno = errno ? errno : ENOMEM;
		return -1;
	}
	f->stream = fopencookie(gz, "w", io);
	if (f->stream == NULL) {
		int e = errno;

		gzclose(gz);
		errno = e;
		return -1;
	}
	f->sync_fd = fd;
	return 0;
}

static void
outfile_free(struct ks_outfile *f)
{
	free(f->tmp_path);
	free(f->target);
	free(f->path);
	free(f);
}

/* Ends a failed open: closes what is open, removes the temporary file, frees f. */
static int
outfile_open_failed(struct ks_outfile *f, int fd, int e, struct ks_err *err)
{
	int rc = ks_err_errno(err, KS_ERR_OPEN, e, "%s", f->path);

	if (fd >= 0 && f->stream == NULL)
		close(fd);
	if (f->tmp_path != NULL)
		unlink(f->tmp_path);
	outfile_free(f);
	return rc;
}

/* Opens path; gzip says whether a name ending in ".gz" is written as gzip. */
static int
outfile_open(struct ks_outfile **out, const char *path, int gzip, struct ks_err *err)
{
	struct ks_outfile *f;
	struct ks_target t;
	int fd, rc;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->path = strdup(path)) == NULL) {
		free(f);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	f->sync_fd = -1;
	f->gzip = gzip && ks_outfile_wants_gzip(path);
	if ((rc = ks_path_target(&t, path, err)) != KS_OK) {
		outfile_free(f);
		return rc;
	}
	if (t.kind == KS_TARGET_FD && t.fd == 1) {
		f->stream = stdout;
		f->is_stdout = 1;
		*out = f;
		return KS_OK;
	}
	if (t.kind == KS_TARGET_FD) {
		fd = dup(t.fd);
	} else if (t.kind == KS_TARGET_IN_PLACE) {
		fd = open(t.path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	} else {
		size_t n = strlen(t.path);

		f->tmp_path = malloc(n + sizeof(".tmp.XXXXXX"));
		if (f->tmp_path == NULL) {
			ks_target_free(&t);
			outfile_free(f);
			return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
		}
		memcpy(f->tmp_path, t.path, n);
		memcpy(f->tmp_path + n, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
		fd = mkstemp(f->tmp_path);
		if (fd < 0) {
			int e = errno;

			free(f->tmp_path);
			f->tmp_path = NULL;
			ks_target_free(&t);
			outfile_free(f);
			return ks_err_errno(err, KS_ERR_OPEN, e, "%s: cannot create output file", path);
		}
		if (t.exists) {
			/* Owner first: chown may clear the mode's set-id bits. */
			(void)!fchown(fd, t.uid, t.gid);
			(void)fchmod(fd, t.mode);
		} else {
			(void)fchmod(fd, outfile_default_mode());
		}
		f->target = t.path;
		t.path = NULL;
	}
	ks_target_free(&t);
	if (fd < 0 || outfile_stream_open(f, fd) != 0)
		return outfile_open_failed(f, fd, errno, err);
	*out = f;
	return KS_OK;
}

int
ks_outfile_open(struct ks_outfile **out, const char *path, struct ks_err *err)
{
	return outfile_open(out, path, 1, err);
}

int
ks_outfile_open_plain(struct ks_outfile **out, const char *path, struct ks_err *err)
{
	return outfile_open(out, path, 0, err);
}

int
ks_outfile_check(const char *path, struct ks_err *err)
{
	struct ks_target t;
	struct stat st;
	const char *p;
	char *dir;
	int rc;

	if ((rc = ks_path_target(&t, path, err)) != KS_OK)
		return rc;
	if (t.kind == KS_TARGET_FD) {
		ks_target_free(&t);
		return KS_OK;
	}
	p = t.path;
	if (t.kind == KS_TARGET_IN_PLACE) {
		rc = access(p, W_OK) == 0 ? KS_OK : ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
		ks_target_free(&t);
		return rc;
	}
	if ((dir = ks_path_dir(p)) == NULL) {
		ks_target_free(&t);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	if (stat(dir, &st) != 0)
		rc = ks_err_errno(err, KS_ERR_OPEN, errno, "%s: cannot write in directory %s", path, dir);
	else if (!S_ISDIR(st.st_mode))
		rc = ks_err_set(err, KS_ERR_OPEN, "%s: %s is not a directory", path, dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = ks_err_errno(err, KS_ERR_OPEN, errno, "%s: cannot write in directory %s", path, dir);
	free(dir);
	ks_target_free(&t);
	return rc;
}

FILE *
ks_outfile_stream(struct ks_outfile *f)
{
	return f->stream;
}

const char *
ks_outfile_path(const struct ks_outfile *f)
{
	return f->path;
}

int
ks_outfile_finish(struct ks_outfile *f, struct ks_err *err)
{
	int failed, e = 0;

	if (f->stream == NULL)
		return KS_OK;
	errno = 0;
	failed = fflush(f->stream) != 0 || ferror(f->stream);
	if (failed)
		e = errno ? errno : EIO;
	if (f->is_stdout) {
		clearerr(f->stream);
	} else {
		/* A gzip stream is closed first: its trailer comes with the close. */
		if (!failed && f->sync_fd < 0 && f->tmp_path != NULL &&
		    fsync(fileno(f->stream)) != 0) {
			failed = 1;
			e = errno;
		}
		errno = 0;
		if (fclose(f->stream) != 0 && !failed) {
			failed = 1;
			e = errno ? errno : EIO;
		}
	}
	f->stream = NULL;
	if (f->sync_fd >= 0) {
		if (!failed && f->tmp_path != NULL && fsync(f->sync_fd) != 0) {
			failed = 1;
			e = errno;
		}
		if (close(f->sync_fd) != 0 && !failed) {
			failed = 1;
			e = errno;
		}
		f->sync_fd = -1;
	}
	if (failed)
		return ks_err_errno(err, KS_ERR_WRITE, e, "%s: cannot write", f->path);
	return KS_OK;
}

int
ks_outfile_commit(struct ks_outfile *f, struct ks_err *err)
{
	int rc = ks_outfile_finish(f, err);

	if (rc == KS_OK && f->tmp_path != NULL && rename(f->tmp_path, f->target) != 0)
		rc = ks_err_errno(err, KS_ERR_WRITE, errno, "%s: cannot write", f->path);
	if (rc != KS_OK && f->tmp_path != NULL)
		unlink(f->tmp_path);
	outfile_free(f);
	return rc;
}

void
ks_outfile_abort(struct ks_outfile *f)
{
	if (f == NULL)
		return;
	if (f->stream != NULL && !f->is_stdout)
		fclose(f->stream);
	if (f->sync_fd >= 0)
		close(f->sync_fd);
	if (f->tmp_path != NULL)
		unlink(f->tmp_path);
	outfile_free(f);
}
