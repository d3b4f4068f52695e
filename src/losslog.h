/*
 * The training curve (-loss-log): one tab-separated line per progress
 * interval, written as training goes.
 *
 * Unlike the vectors, the log is not written to a temporary name and
 * renamed: it is meant to be read while it grows (tail -f, a plot every
 * minute), so each line is flushed as soon as it is written, and a run
 * that stops (a signal, a failure) leaves every line written so far. A new
 * training truncates the file; a resumed one (-resume) appends to it after
 * a comment line that marks the resume point, so one file holds the whole
 * curve. The columns:
 *
 *   seconds  wall-clock seconds since this run started training
 *   words    corpus words processed, all runs of a resumed training counted
 *   epoch    the epoch the interval ended in, from 1
 *   lr       the learning rate at the interval's end
 *   loss     mean loss per example over the interval (nan when none)
 *   words_s  words per second over the interval, all threads together
 *
 * Lines starting with '#' are comments.
 */
#ifndef KS_LOSSLOG_H
#define KS_LOSSLOG_H

#include <stdint.h>

#include "status.h"

struct ks_losslog;

/*
 * Opens path ("-" is standard output): truncated and given the header
 * when resumed_words is 0, else opened for appending, and given the
 * header only if empty, and a line "# resumed at word N" either way. On
 * success *out owns the log (ks_losslog_close).
 */
int ks_losslog_open(struct ks_losslog **out, const char *path, uint64_t resumed_words,
		    struct ks_err *err);

/*
 * Writes and flushes one line. After a write error the log stops
 * writing; ks_losslog_close reports the error.
 */
void ks_losslog_line(struct ks_losslog *l, double seconds, uint64_t words, uint64_t epoch,
		     double lr, double loss, double words_per_s);

/*
 * Writes a comment line ("# " and text), flushed.
 */
void ks_losslog_comment(struct ks_losslog *l, const char *text);

/*
 * Closes the log and frees l (accepts NULL). Returns KS_ERR_WRITE, naming
 * the file, if any write or the close failed.
 */
int ks_losslog_close(struct ks_losslog *l, struct ks_err *err);

#endif
