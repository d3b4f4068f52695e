/*
 * Runs every unit suite. Fixtures are read relative to KS_SRCDIR (set by
 * make check) so that out-of-tree builds and make distcheck work.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

/* The run's directory, made by main; every test's directory is made in it. */
static char run[256];

const char *
ks_test_tmpdir(void)
{
	static char dir[sizeof(run) + 32];

	snprintf(dir, sizeof(dir), "%s/kensho-test-XXXXXX", run);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

void
ks_test_write_corpus(const char *path, int n_lines, int words_per_line, int vocab)
{
	FILE *f = fopen(path, "w");
	int i, j;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n_lines; i++) {
		for (j = 0; j < words_per_line; j++)
			fprintf(f, "%sw%d", j ? " " : "", (i * 7 + j * j + j) % vocab);
		fputc('\n', f);
	}
	ck_assert_int_eq(fclose(f), 0);
}

void
ks_test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void *
ks_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_ge(size, 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * Every test's directory is made inside one directory of the run, under
 * $TMPDIR, which is removed at the end when every test passed (and kept,
 * and named, when one failed), so a run leaves nothing in /tmp. TMPDIR is
 * pointed at it too, for the library's own temporary files (phrases.c).
 */
int
main(void)
{
	const char *base = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	snprintf(run, sizeof(run), "%s/kensho-check-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(run) == NULL || setenv("TMPDIR", run, 1) != 0) {
		perror(run);
		return EXIT_FAILURE;
	}
	sr = srunner_create(ks_suite_status());

	srunner_add_suite(sr, ks_suite_config());
	srunner_add_suite(sr, ks_suite_corpus());
	srunner_add_suite(sr, ks_suite_vocab());
	srunner_add_suite(sr, ks_suite_sampler());
	srunner_add_suite(sr, ks_suite_kernels());
	srunner_add_suite(sr, ks_suite_huffman());
	srunner_add_suite(sr, ks_suite_model());
	srunner_add_suite(sr, ks_suite_positions());
	srunner_add_suite(sr, ks_suite_classes());
	srunner_add_suite(sr, ks_suite_vecfile());
	srunner_add_suite(sr, ks_suite_train());
	srunner_add_suite(sr, ks_suite_dist());
	srunner_add_suite(sr, ks_suite_checkpoint());
	srunner_add_suite(sr, ks_suite_eval());
	srunner_add_suite(sr, ks_suite_project());
	srunner_add_suite(sr, ks_suite_phrases());
	srunner_add_suite(sr, ks_suite_lossplot());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed == 0 && nftw(run, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		perror(run);
	else if (failed != 0)
		fprintf(stderr, "the failed run's files are kept in %s\n", run);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
