/* The Check suites, one per module, chained by check_main.c. */
#ifndef KS_TEST_SUITES_H
#define KS_TEST_SUITES_H

#include <check.h>
#include <stddef.h>

Suite *ks_suite_status(void);
Suite *ks_suite_config(void);
Suite *ks_suite_corpus(void);
Suite *ks_suite_vocab(void);
Suite *ks_suite_sampler(void);
Suite *ks_suite_kernels(void);
Suite *ks_suite_huffman(void);
Suite *ks_suite_positions(void);
Suite *ks_suite_classes(void);
Suite *ks_suite_vecfile(void);
Suite *ks_suite_train(void);
Suite *ks_suite_dist(void);
Suite *ks_suite_checkpoint(void);
Suite *ks_suite_eval(void);
Suite *ks_suite_project(void);
Suite *ks_suite_phrases(void);
Suite *ks_suite_lossplot(void);
Suite *ks_suite_model(void);

/* A fresh temporary directory for one test (removed by the caller's rm -rf). */
const char *ks_test_tmpdir(void);

/* Writes a corpus of n_lines lines of words_per_line words drawn from w0 .. w(vocab-1). */
void ks_test_write_corpus(const char *path, int n_lines, int words_per_line, int vocab);

/* Writes len bytes of data to path, replacing it. Fails the test on any error. */
void ks_test_write_file(const char *path, const void *data, size_t len);

/* The whole file at path, NUL-terminated, its size in *len; free() it. Fails the test if unreadable. */
void *ks_test_slurp(const char *path, size_t *len);

#endif
