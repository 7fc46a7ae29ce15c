/* SPDX-License-Identifier: MIT */
/*
 * package: base packages, a tar (libarchive, pax restricted) compressed
 * with zstd (formats/SPEC.md §6).  Writing is reproducible: entries in
 * tree order, owner 0/0, mtime 0, no extended attributes, so the same tree
 * always gives the same bytes.
 *
 * Extraction is the second wall after the package's SHA-256 was checked:
 * ferry decompresses with libzstd itself (window at most
 * 2^LIMIT_BASE_WINDOW_LOG, decompressed output capped by a tar size bound
 * computed from the listing), hands libarchive a plain tar stream, and
 * every entry must be exactly the next entry of the expected tree: same
 * path, type, mode and size; file contents are hashed while written and
 * compared.  Anything else (links, devices, FIFOs, setuid, xattrs/ACLs,
 * sparse entries, extra or missing entries, PAX size tricks, data after
 * the tar or after the one zstd frame) is refused.  Files are created
 * with openat(O_CREAT|O_EXCL|O_NOFOLLOW) below a fresh directory, parent
 * by parent, never through a symlink; libarchive never writes to disk.
 */
#ifndef FERRY_PACKAGE_H
#define FERRY_PACKAGE_H

#include <stdint.h>

#include "core/err.h"
#include "formats/tree.h"

struct package_opts {
	int	level;		/* zstd level, 1..22 (default 19) */
	int	workers;	/* zstd worker threads, 0 = single, <= 256 */
};

/*
 * Write the tree t (sorted, as tree_sort() leaves it), read from
 * srcdirfd, as a base package to outfd (written sequentially from its
 * current offset).  o == NULL means { 19, 0 }.  The same (t, bytes, o)
 * always gives the same output, and every workers >= 1 gives the same
 * bytes (zstd's multi-threaded format); workers 0 gives other, equally
 * valid bytes, so mkmedia must keep 0 or >= 1 fixed per medium.  Errors: FY_E_USAGE (bad opts),
 * FY_E_INTEGRITY (a file's size or SHA-256 differs from t), FY_E_UNSAFE
 * (a symlink or non-regular file where t has a file), FY_E_IO,
 * FY_E_NOSPACE, FY_E_INTERNAL.  On failure outfd holds garbage.
 */
int	package_write_base(int srcdirfd, const struct tree *t,
	    const struct package_opts *o, int outfd, struct fy_err *e);

/* What package_write_base_copy() reports after each chunk it packs. */
typedef void (*package_progress_fn)(void *arg, uint64_t bytes_done);

/*
 * Ingest in one pass: t comes from tree_scan_shallow() (paths, types,
 * modes and sizes; no hashes).  Each file is read once from srcdirfd,
 * written to the same path under copydirfd (directories created; each
 * file fsync'ed unless syncfs() reports errors, see core/syncfs.h), packed
 * and hashed: its SHA-256 is filled into t.  The package's own SHA-256
 * and size are returned in pkg_sha and pkg_size.  A file whose size
 * differs from t fails with FY_E_INTEGRITY ("changed while being
 * copied"); the output and the copies are then to be discarded.
 * `progress` (may be NULL) gets the bytes of file data done so far.
 */
int	package_write_base_copy(int srcdirfd, struct tree *t, int copydirfd,
	    const struct package_opts *o, int outfd, uint8_t *pkg_sha,
	    uint64_t *pkg_size, package_progress_fn progress, void *arg,
	    struct fy_err *e);

/*
 * Extract the base package read from pkgfd (positioned at 0) into the
 * empty directory dstdirfd.  `where` names the package in errors.  On
 * success dstdirfd holds exactly t, modes from t (files and directories
 * fsync'ed, bottom-up, when `sync` is set).  On failure it holds a
 * partial tree the caller removes.  Errors: FY_E_UNSAFE (forbidden entry,
 * path or type; entry not in t; duplicate; output larger than t allows;
 * zstd window > 2^LIMIT_BASE_WINDOW_LOG), FY_E_INTEGRITY (entry missing,
 * or type, mode, size or SHA-256 differs from t; zstd checksum),
 * FY_E_FORMAT (not zstd, truncated, trailing data, damaged tar),
 * FY_E_IO, FY_E_NOSPACE, FY_E_INTERNAL.  Messages name the entry as
 * "entry <path>: ..." with `where` = the package.
 */
int	package_extract_base(int pkgfd, const char *where, const struct tree *t,
	    int dstdirfd, int sync, struct fy_err *e);
/*
 * The same for a copy of the package that is read once and then thrown
 * away (applymedia's spool in memory, a memfd): what was read is cut out
 * of pkgfd (a hole punched behind the reader, every PACKAGE_FREE_STEP
 * bytes), so its pages are freed while the tree is written and serve the
 * files written.  pkgfd must be open for writing; where holes cannot be
 * punched it is read as by package_extract_base().  Afterwards pkgfd no
 * longer holds the package.
 */
#define PACKAGE_FREE_STEP	(4u << 20)
int	package_extract_base_once(int pkgfd, const char *where,
	    const struct tree *t, int dstdirfd, int sync, struct fy_err *e);

#endif
