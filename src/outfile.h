/*
 * Output files that are never left half-written.
 *
 * A regular file (or a path that does not exist yet) is written to a
 * temporary name in the same directory and renamed over the final name
 * only by ks_outfile_commit, after every write, the flush, fsync and close
 * have succeeded. A failure or ks_outfile_abort removes the temporary file
 * and leaves any previous file under the final name untouched.
 *
 * A symbolic link is followed (paths.h): the temporary file goes beside
 * its target, which it replaces, and the link stays. A replaced file keeps
 * its permission bits (and owner and group where the process may set
 * them). "-" means standard output, a name for a descriptor the process
 * holds (/dev/stdout, /dev/fd/N) is written through that descriptor, and a
 * path that exists but is not a regular file (a pipe, /dev/full, a
 * character device) is written in place: none of these is ever replaced
 * or renamed over. Write errors are still checked, so /dev/full fails
 * cleanly.
 *
 * ks_outfile_open writes gzip when the name ends in ".gz".
 */
#ifndef KS_OUTFILE_H
#define KS_OUTFILE_H

#include <stdio.h>

#include "status.h"

struct ks_outfile;

/*
 * Opens path for writing. On success *out owns the handle, to be ended by
 * exactly one of ks_outfile_commit or ks_outfile_abort.
 */
int ks_outfile_open(struct ks_outfile **out, const char *path, struct ks_err *err);

/* Whether ks_outfile_open writes path as gzip: its name ends in ".gz". */
int ks_outfile_wants_gzip(const char *path);

/* As ks_outfile_open, but never compressed, whatever the name (checkpoints). */
int ks_outfile_open_plain(struct ks_outfile **out, const char *path, struct ks_err *err);

/*
 * Checks, before hours of work, that ks_outfile_open(path) can succeed
 * later: "-" and descriptors must be open for writing, existing
 * non-directory special files writable; otherwise the directory of the
 * file (links followed) must exist and be writable. Creates nothing.
 */
int ks_outfile_check(const char *path, struct ks_err *err);

/*
 * Flushes, checks every error seen on the stream, syncs and closes, but
 * does not put the file in place: after it only ks_outfile_commit (which
 * then just renames) or ks_outfile_abort may follow. Lets a caller finish
 * several files before any replaces an older one. On failure f must still
 * be aborted.
 */
int ks_outfile_finish(struct ks_outfile *f, struct ks_err *err);

/* The stream to write to; valid until finish, commit or abort. */
FILE *ks_outfile_stream(struct ks_outfile *f);

/* The path as given by the user, for messages. */
const char *ks_outfile_path(const struct ks_outfile *f);

/*
 * Flushes, checks every error seen on the stream, syncs, closes and renames
 * the temporary file into place. Frees f in every case; on failure nothing
 * appears under the final name.
 */
int ks_outfile_commit(struct ks_outfile *f, struct ks_err *err);

/* Discards what was written and frees f. Accepts NULL. */
void ks_outfile_abort(struct ks_outfile *f);

#endif
