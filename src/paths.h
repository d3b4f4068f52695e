/*
 * What a path names: where an output really goes, and whether two paths
 * are one file.
 *
 * An output path may be a symbolic link, a name for a descriptor the
 * process already has (/dev/stdout, /dev/fd/N, /proc/self/fd/N, or "-"),
 * a device or pipe, or a regular file that exists or not. Replacing the
 * link instead of its target loses data (the target is left stale, or a
 * system link such as /dev/stdout becomes a regular file), so outfile.c
 * asks ks_path_target where to write, and train.c asks ks_path_check_distinct
 * whether two of the files it reads and writes are one, comparing device
 * and inode where the file exists, not the spelling.
 */
#ifndef KS_PATHS_H
#define KS_PATHS_H

#include <stddef.h>
#include <sys/types.h>

#include "status.h"

/* How an output is written. */
enum ks_target_kind {
	/* A regular file, existing or not: written beside and renamed over. */
	KS_TARGET_REPLACE = 0,
	/* Something that is not a regular file (a device, a pipe): opened and written. */
	KS_TARGET_IN_PLACE,
	/* A descriptor the process holds ("-", /dev/stdout, /dev/fd/N): written through a copy of it. */
	KS_TARGET_FD
};

struct ks_target {
	enum ks_target_kind kind;
	/*
	 * REPLACE: the file to replace, every symbolic link followed (it may
	 * not exist yet); IN_PLACE: the path to open. Owned; NULL for FD.
	 */
	char *path;
	int fd;			/* FD: the descriptor */
	int exists;		/* REPLACE: the file exists already */
	mode_t mode;		/* REPLACE with exists: its permission bits */
	uid_t uid;		/* REPLACE with exists: its owner */
	gid_t gid;
};

/*
 * Works out where output to path goes, following symbolic links (dangling
 * ones too, to the file they would create). A directory, a link loop, a
 * closed or read-only descriptor give KS_ERR_OPEN naming path. On success
 * the caller owns t and frees it with ks_target_free; on failure t holds
 * nothing to free.
 */
int ks_path_target(struct ks_target *t, const char *path, struct ks_err *err);

/* Frees what ks_path_target allocated. */
void ks_target_free(struct ks_target *t);

/*
 * The directory part of path as a new string: "." for a bare name, "/"
 * for a name in the root. NULL when out of memory.
 */
char *ks_path_dir(const char *path);

/* One file named on a command line, for ks_path_check_distinct. */
struct ks_path_use {
	const char *path;	/* "-" is stdin for an input and stdout for an output */
	const char *option;	/* the option that named it, for messages ("-train") */
	int output;		/* nonzero when it is written */
	/*
	 * Uses with the same nonzero group may name one file: a checkpoint
	 * replaces the one it resumed from.
	 */
	int group;
};

/*
 * Refuses (KS_ERR_USAGE, naming both options) any output that is the same
 * file as an input or as another output: the same device and inode where
 * the file exists (for an input against an output, only regular files
 * count: a terminal on stdin and stdout is no clash), or the same final
 * path where an output does not exist yet. Two outputs that are the same
 * character device (/dev/null) are fine. Inputs that do not exist are left
 * to the code that opens them. Reads nothing and creates nothing.
 */
int ks_path_check_distinct(const struct ks_path_use *uses, size_t n, struct ks_err *err);

#endif
