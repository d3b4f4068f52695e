/*
 * The training curve (see losslog.h).
 */
#include "losslog.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ks_losslog {
	FILE *f;
	char *path;
	int is_stdout;
	int failed;		/* errno of the first failure, or 0 */
};

static void
losslog_check(struct ks_losslog *l)
{
	if (!l->failed && (ferror(l->f) || fflush(l->f) != 0))
		l->failed = errno ? errno : EIO;
}

int
ks_losslog_open(struct ks_losslog **out, const char *path, uint64_t resumed_words,
		struct ks_err *err)
{
	struct ks_losslog *l;
	struct stat st;
	int empty;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->path = strdup(path)) == NULL) {
		free(l);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	l->is_stdout = strcmp(path, "-") == 0;
	if (l->is_stdout)
		l->f = stdout;
	else
		l->f = fopen(path, resumed_words > 0 ? "a" : "w");
	if (l->f == NULL) {
		int e = errno;

		free(l->path);
		free(l);
		return ks_err_errno(err, KS_ERR_OPEN, e, "-loss-log %s: cannot open", path);
	}
	empty = resumed_words == 0 || l->is_stdout ||
		(fstat(fileno(l->f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	if (empty)
		fprintf(l->f, "# kensho loss log\nseconds\twords\tepoch\tlr\tloss\twords_s\n");
	if (resumed_words > 0)
		fprintf(l->f, "# resumed at word %" PRIu64 "\n", resumed_words);
	losslog_check(l);
	*out = l;
	return KS_OK;
}

void
ks_losslog_line(struct ks_losslog *l, double seconds, uint64_t words, uint64_t epoch,
		double lr, double loss, double words_per_s)
{
	if (l == NULL || l->failed)
		return;
	if (isnan(loss))
		fprintf(l->f, "%.3f\t%" PRIu64 "\t%" PRIu64 "\t%.6g\tnan\t%.0f\n", seconds, words,
			epoch, lr, words_per_s);
	else
		fprintf(l->f, "%.3f\t%" PRIu64 "\t%" PRIu64 "\t%.6g\t%.6f\t%.0f\n", seconds, words,
			epoch, lr, loss, words_per_s);
	losslog_check(l);
}

void
ks_losslog_comment(struct ks_losslog *l, const char *text)
{
	if (l == NULL || l->failed)
		return;
	fprintf(l->f, "# %s\n", text);
	losslog_check(l);
}

int
ks_losslog_close(struct ks_losslog *l, struct ks_err *err)
{
	int failed, rc = KS_OK;

	if (l == NULL)
		return KS_OK;
	losslog_check(l);
	failed = l->failed;
	if (!l->is_stdout && fclose(l->f) != 0 && !failed)
		failed = errno ? errno : EIO;
	if (failed)
		rc = ks_err_errno(err, KS_ERR_WRITE, failed, "-loss-log %s: cannot write", l->path);
	free(l->path);
	free(l);
	return rc;
}
