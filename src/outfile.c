/*
 * Atomic output files (see outfile.h).
 *
 * The temporary file is created with mkstemp beside the final name so that
 * rename() stays within one file system and is atomic; its mode is set to
 * what a plain fopen would have created (0666 less the umask).
 */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ks_outfile {
	FILE *stream;
	char *path;		/* final name as given */
	char *tmp_path;		/* NULL when writing in place */
	int is_stdout;
};

static mode_t
outfile_default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int
ks_outfile_open(struct ks_outfile **out, const char *path, struct ks_err *err)
{
	struct ks_outfile *f;
	struct stat st;
	int fd;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->path = strdup(path)) == NULL) {
		free(f);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	if (strcmp(path, "-") == 0) {
		f->stream = stdout;
		f->is_stdout = 1;
		*out = f;
		return KS_OK;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			free(f->path);
			free(f);
			return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", path);
		}
		f->stream = fopen(path, "w");
		if (f->stream == NULL) {
			int e = errno;

			free(f->path);
			free(f);
			return ks_err_errno(err, KS_ERR_OPEN, e, "%s", path);
		}
		*out = f;
		return KS_OK;
	}
	f->tmp_path = malloc(strlen(path) + sizeof(".tmp.XXXXXX"));
	if (f->tmp_path == NULL) {
		free(f->path);
		free(f);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	strcpy(f->tmp_path, path);
	strcat(f->tmp_path, ".tmp.XXXXXX");
	fd = mkstemp(f->tmp_path);
	if (fd < 0) {
		int e = errno;

		free(f->tmp_path);
		free(f->path);
		free(f);
		return ks_err_errno(err, KS_ERR_OPEN, e, "%s: cannot create output file", path);
	}
	(void)fchmod(fd, outfile_default_mode());
	f->stream = fdopen(fd, "w");
	if (f->stream == NULL) {
		int e = errno;

		close(fd);
		unlink(f->tmp_path);
		free(f->tmp_path);
		free(f->path);
		free(f);
		return ks_err_errno(err, KS_ERR_OPEN, e, "%s", path);
	}
	*out = f;
	return KS_OK;
}

int
ks_outfile_check(const char *path, struct ks_err *err)
{
	struct stat st;
	const char *slash;
	char *dir;
	int rc = KS_OK;

	if (strcmp(path, "-") == 0)
		return KS_OK;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", path);
		if (!S_ISREG(st.st_mode))
			return access(path, W_OK) == 0 ? KS_OK
				: ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	if (stat(dir, &st) != 0)
		rc = ks_err_errno(err, KS_ERR_OPEN, errno, "%s: cannot write in directory %s", path, dir);
	else if (!S_ISDIR(st.st_mode))
		rc = ks_err_set(err, KS_ERR_OPEN, "%s: %s is not a directory", path, dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = ks_err_errno(err, KS_ERR_OPEN, errno, "%s: cannot write in directory %s", path, dir);
	free(dir);
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

static void
outfile_free(struct ks_outfile *f)
{
	free(f->tmp_path);
	free(f->path);
	free(f);
}

int
ks_outfile_finish(struct ks_outfile *f, struct ks_err *err)
{
	int failed, e = 0;

	if (f->stream == NULL)
		return KS_OK;
	failed = fflush(f->stream) != 0 || ferror(f->stream);
	if (failed)
		e = errno ? errno : EIO;
	if (!failed && f->tmp_path != NULL && fsync(fileno(f->stream)) != 0) {
		failed = 1;
		e = errno;
	}
	if (f->is_stdout) {
		clearerr(f->stream);
	} else if (fclose(f->stream) != 0 && !failed) {
		failed = 1;
		e = errno;
	}
	f->stream = NULL;
	if (failed)
		return ks_err_errno(err, KS_ERR_WRITE, e, "%s: cannot write", f->path);
	return KS_OK;
}

int
ks_outfile_commit(struct ks_outfile *f, struct ks_err *err)
{
	int rc = ks_outfile_finish(f, err);

	if (rc == KS_OK && f->tmp_path != NULL && rename(f->tmp_path, f->path) != 0)
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
	if (f->tmp_path != NULL)
		unlink(f->tmp_path);
	outfile_free(f);
}
