/* SPDX-License-Identifier: MIT */
/*
 * package: base packages, a tar (libarchive, pax restricted) compressed
 * with zstd (formats/SPEC.md §6).  Writing is reproducible: entries in
 * tree order, owner 0/0, mtime 0, no extended attributes, so the same tree
 * always gives the same bytes.
 *
 * Extraction is the second wall after the package's SHA-256 was checked:
 * ferry decompresses with libzstd itself (window and output capped by the
 * listing), hands libarchive a plain tar stream, and every entry must be
 * exactly the next entry of the expected tree: same path, type, mode and
 * size; file contents are hashed while written and compared.  Anything
 * else (links, devices, FIFOs, setuid, extra or missing entries, PAX size
 * tricks) is refused with FY_E_UNSAFE or FY_E_INTEGRITY.  Files are created
 * with openat(O_CREAT|O_EXCL|O_NOFOLLOW) below a fresh directory, parent by
 * parent, never through a symlink.
 */
#ifndef FERRY_PACKAGE_H
#define FERRY_PACKAGE_H

#include <stdint.h>

#include "core/err.h"
#include "formats/tree.h"

struct package_opts {
	int	level;		/* zstd level, 1..22 (default 19) */
	int	workers;	/* zstd worker threads, 0 = single */
};

/* Write the tree t, read from srcdirfd, as a base package to outfd. */
int	package_write_base(int srcdirfd, const struct tree *t,
	    const struct package_opts *o, int outfd, struct fy_err *e);

/* Extract the base package read from pkgfd (positioned at 0) into the
 * empty directory dstdirfd.  `where` names the package in errors.  On
 * success dstdirfd holds exactly t (files fsync'ed when `sync` is set). */
int	package_extract_base(int pkgfd, const char *where, const struct tree *t,
	    int dstdirfd, int sync, struct fy_err *e);

#endif
