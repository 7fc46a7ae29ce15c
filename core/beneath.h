/* SPDX-License-Identifier: MIT */
/*
 * beneath: create directories and files below a root directory fd by
 * walking a clean relative path one component at a time with
 * openat(O_DIRECTORY|O_NOFOLLOW), so nothing is ever created through a
 * symbolic link or outside the root.  The caller checks the path grammar
 * first (tree_path_ok); these functions refuse "..", "." and "" anyway.
 */
#ifndef FERRY_BENEATH_H
#define FERRY_BENEATH_H

#include <sys/types.h>

#include "core/err.h"

/* Open (and with `create`, make 0755) the directory root/rel; returns an
 * fd.  rel "" or "." is root itself (dup'ed). */
int	beneath_dir(int root, const char *rel, int create, struct fy_err *e);
/* The directory holding root/rel ("a/b/c" -> root/a/b, "c" -> root
 * dup'ed), walked as beneath_dir; *leaf points at rel's last component.
 * A component on the way that is a symbolic link or no directory is
 * FY_E_UNSAFE naming that component's path ("pkg: is a symbolic link:
 * not followed", "pkg: is not a folder"): for targets that came back
 * from the field (mkmedia build --out STICK, mkmedia mirror). */
int	beneath_parent(int root, const char *rel, int create,
	    const char **leaf, struct fy_err *e);
/* Create root/rel as a new regular file (O_EXCL), parents created;
 * returns a write fd. */
int	beneath_create(int root, const char *rel, mode_t mode,
	    struct fy_err *e);
/* Open root/rel for reading, never through a symlink; regular files only. */
int	beneath_open(int root, const char *rel, struct fy_err *e);

#endif
