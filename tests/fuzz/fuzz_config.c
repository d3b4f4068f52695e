/*
 * Fuzzes the trainer's command-line parser (ks_config_parse in
 * src/config.c). The input is split at NUL bytes into the arguments after
 * argv[0], each in its own allocation so that reading past one is caught.
 * When parsing succeeds the help text, which prints the current values, is
 * written to /dev/null.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	char *argv[MAX_ARGS + 2];
	int argc = 1, i, rc;
	size_t start = 0, end;
	struct ks_config cfg;
	enum ks_config_action action;
	struct ks_err err;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		fuzz_fail("cannot open /dev/null");
	argv[0] = strdup("kensho");
	while (start < size && argc <= MAX_ARGS) {
		for (end = start; end < size && data[end] != '\0'; end++)
			;
		argv[argc] = malloc(end - start + 1);
		if (argv[argc] == NULL)
			fuzz_fail("out of memory");
		memcpy(argv[argc], data + start, end - start);
		argv[argc][end - start] = '\0';
		argc++;
		start = end + 1;
	}
	argv[argc] = NULL;

	ks_config_defaults(&cfg);
	rc = ks_config_parse(&cfg, argc, argv, &action, &err);
	if (rc == KS_OK) {
		if (action == KS_ACTION_TRAIN && (cfg.n_train == 0 || cfg.size <= 0 || cfg.alpha < 0))
			fuzz_fail("an invalid config accepted");
		ks_config_help(&cfg, argv[0], devnull);
	} else if (rc != KS_ERR_USAGE) {
		fuzz_fail("unexpected status");
	} else if (strlen(err.msg) == 0) {
		fuzz_fail("an error without a message");
	}
	ks_config_free(&cfg);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
