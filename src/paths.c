/*
 * What a path names (see paths.h).
 *
 * Links are followed one hop at a time with lstat and readlink rather than
 * with realpath, for two reasons: realpath fails on a dangling link, whose
 * target is exactly the file an output should create; and a hop through
 * /dev/fd/N or /proc/self/fd/N (where /dev/stdout leads) names a descriptor
 * the process holds, which must be written through, not reopened: reopening
 * truncates a file that the shell opened for appending, and renaming over
 * the file behind it would leave the descriptor on the old one.
 */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Links followed before a path is taken for a loop, as the kernel's limit. */
#define PATH_MAX_HOPS 40

/* Parses a decimal descriptor number filling all of s; -1 if it is not one. */
static int
path_parse_fd(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > INT_MAX / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= INT_MAX ? (int)v : -1;
}

/* The descriptor p names (/dev/stdout, /dev/fd/N, /proc/self/fd/N), or -1. */
static int
path_fd_name(const char *p)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/",
						"/proc/thread-self/fd/" };
	char own[64];
	size_t i;

	if (strcmp(p, "/dev/stdin") == 0)
		return 0;
	if (strcmp(p, "/dev/stdout") == 0)
		return 1;
	if (strcmp(p, "/dev/stderr") == 0)
		return 2;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
			return path_parse_fd(p + strlen(prefixes[i]));
	snprintf(own, sizeof(own), "/proc/%ld/fd/", (long)getpid());
	if (strncmp(p, own, strlen(own)) == 0)
		return path_parse_fd(p + strlen(own));
	return -1;
}

/* The path a link at cur with contents link leads to (relative to cur's directory). */
static char *
path_join_link(const char *cur, const char *link)
{
	const char *slash = strrchr(cur, '/');
	size_t dir_len, link_len = strlen(link);
	char *p;

	if (link[0] == '/' || slash == NULL)
		return strdup(link);
	dir_len = (size_t)(slash - cur) + 1;
	p = malloc(dir_len + link_len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, cur, dir_len);
	memcpy(p + dir_len, link, link_len + 1);
	return p;
}

/* Reads the link at cur into a new string. */
static char *
path_readlink(const char *cur, size_t size_hint)
{
	size_t cap = size_hint > 0 ? size_hint + 1 : 256;

	for (;;) {
		char *buf = malloc(cap);
		ssize_t n;

		if (buf == NULL)
			return NULL;
		n = readlink(cur, buf, cap);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		if (cap > (size_t)1 << 20) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		cap *= 2;
	}
}

/* Checks that descriptor fd is open for writing; path names it in the message. */
static int
path_check_fd(int fd, const char *path, struct ks_err *err)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return ks_err_set(err, KS_ERR_OPEN, "%s: %s is closed", path,
				  fd == 1 ? "standard output" : "the descriptor");
	if ((fl & O_ACCMODE) == O_RDONLY)
		return ks_err_set(err, KS_ERR_OPEN, "%s: %s is open for reading only", path,
				  fd == 1 ? "standard output" : "the descriptor");
	return KS_OK;
}

int
ks_path_target(struct ks_target *t, const char *path, struct ks_err *err)
{
	struct stat st;
	char *cur;
	int hops;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (strcmp(path, "-") == 0) {
		t->kind = KS_TARGET_FD;
		t->fd = 1;
		return path_check_fd(1, "-", err);
	}
	if ((cur = strdup(path)) == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	for (hops = 0; hops <= PATH_MAX_HOPS; hops++) {
		char *link, *next;
		int fd = path_fd_name(cur);

		if (fd >= 0) {
			free(cur);
			t->kind = KS_TARGET_FD;
			t->fd = fd;
			return path_check_fd(fd, path, err);
		}
		if (lstat(cur, &st) != 0) {
			int e = errno;

			if (e == ENOENT) {
				t->kind = KS_TARGET_REPLACE;
				t->path = cur;
				return KS_OK;
			}
			free(cur);
			return ks_err_errno(err, KS_ERR_OPEN, e, "%s", path);
		}
		if (!S_ISLNK(st.st_mode))
			break;
		link = path_readlink(cur, (size_t)st.st_size);
		if (link == NULL) {
			int e = errno;

			free(cur);
			return ks_err_errno(err, KS_ERR_OPEN, e, "%s: cannot read the link", path);
		}
		next = path_join_link(cur, link);
		free(link);
		free(cur);
		if ((cur = next) == NULL)
			return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	if (hops > PATH_MAX_HOPS) {
		free(cur);
		return ks_err_errno(err, KS_ERR_OPEN, ELOOP, "%s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		free(cur);
		return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", path);
	}
	t->path = cur;
	if (!S_ISREG(st.st_mode)) {
		t->kind = KS_TARGET_IN_PLACE;
		return KS_OK;
	}
	t->kind = KS_TARGET_REPLACE;
	t->exists = 1;
	t->mode = st.st_mode & 07777;
	t->uid = st.st_uid;
	t->gid = st.st_gid;
	return KS_OK;
}

void
ks_target_free(struct ks_target *t)
{
	if (t == NULL)
		return;
	free(t->path);
	t->path = NULL;
}

char *
ks_path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* What one use names, for comparison. */
struct path_id {
	int known;		/* dev, ino and type are set: the file exists */
	dev_t dev;
	ino_t ino;
	mode_t type;
	dev_t rdev;
	char *canon;		/* an output that does not exist yet: its absolute final path */
};

/* The absolute path of a file that does not exist yet: its directory's real path and its name. */
static char *
path_canon_new(const char *p)
{
	const char *slash = strrchr(p, '/');
	const char *name = slash ? slash + 1 : p;
	char *dir, *real, *out;
	size_t a, b;

	if ((dir = ks_path_dir(p)) == NULL)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return NULL;
	a = strlen(real);
	b = strlen(name);
	out = malloc(a + b + 2);
	if (out != NULL) {
		memcpy(out, real, a);
		out[a] = '/';
		memcpy(out + a + 1, name, b + 1);
	}
	free(real);
	return out;
}

static void
path_id_from_stat(struct path_id *id, const struct stat *st)
{
	id->known = 1;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->type = st->st_mode & S_IFMT;
	id->rdev = st->st_rdev;
}

/*
 * Fills id for one use. Anything that cannot be identified (an input that
 * does not exist, a closed descriptor) is left unknown: the code that opens
 * it reports that better.
 */
static int
path_identify(struct path_id *id, const struct ks_path_use *u, struct ks_err *err)
{
	struct ks_target t;
	struct stat st;
	int rc;

	memset(id, 0, sizeof(*id));
	if (!u->output) {
		if (strcmp(u->path, "-") == 0 ? fstat(0, &st) == 0 : stat(u->path, &st) == 0)
			path_id_from_stat(id, &st);
		return KS_OK;
	}
	if ((rc = ks_path_target(&t, u->path, err)) != KS_OK)
		return rc;
	if (t.kind == KS_TARGET_FD) {
		if (fstat(t.fd, &st) == 0)
			path_id_from_stat(id, &st);
	} else if (t.kind == KS_TARGET_REPLACE && !t.exists) {
		id->canon = path_canon_new(t.path);
	} else if (stat(t.path, &st) == 0) {
		path_id_from_stat(id, &st);
	}
	ks_target_free(&t);
	return KS_OK;
}

/* Whether two uses, at least one an output, would lose data by being one file. */
static int
path_clash(const struct ks_path_use *a, const struct path_id *ia,
	   const struct ks_path_use *b, const struct path_id *ib)
{
	if (a->group != 0 && a->group == b->group)
		return 0;
	if (ia->canon != NULL || ib->canon != NULL)
		return ia->canon != NULL && ib->canon != NULL && strcmp(ia->canon, ib->canon) == 0;
	if (!ia->known || !ib->known || ia->dev != ib->dev || ia->ino != ib->ino)
		return 0;
	if (!a->output || !b->output)
		return ia->type == S_IFREG;
	/* Two outputs into /dev/null lose nothing. */
	return !(ia->type == S_IFCHR && major(ia->rdev) == 1 && minor(ia->rdev) == 3);
}

int
ks_path_check_distinct(const struct ks_path_use *uses, size_t n, struct ks_err *err)
{
	struct path_id *ids;
	size_t i, j;
	int rc = KS_OK;

	if (n == 0)
		return KS_OK;
	ids = calloc(n, sizeof(*ids));
	if (ids == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	for (i = 0; i < n && rc == KS_OK; i++)
		rc = path_identify(&ids[i], &uses[i], err);
	for (j = 1; j < n && rc == KS_OK; j++)
		for (i = 0; i < j && rc == KS_OK; i++) {
			const struct ks_path_use *a = &uses[i], *b = &uses[j];

			if (!a->output && !b->output)
				continue;
			if (!path_clash(a, &ids[i], b, &ids[j]))
				continue;
			if (a->output && b->output)
				rc = ks_err_set(err, KS_ERR_USAGE,
						"%s %s and %s %s name the same file: one would "
						"overwrite the other", a->option, a->path,
						b->option, b->path);
			else
				rc = ks_err_set(err, KS_ERR_USAGE,
						"%s %s and %s %s name the same file: the output "
						"would overwrite the input", a->option, a->path,
						b->option, b->path);
		}
	for (i = 0; i < n; i++)
		free(ids[i].canon);
	free(ids);
	return rc;
}
