/* SPDX-License-Identifier: MIT */
/*
 * deltapkg: a delta package turns one version's tree into the next
 * (formats/SPEC.md §7).  Every file of the target tree is either copied
 * from the old tree (same SHA-256 at any path: unchanged, renamed or
 * copied), or decoded from a delta blob against one old file, or stored
 * whole.  Removed files are simply absent from the target listing; modes
 * come from the target listing.  The package must be SHA-256-checked
 * before deltapkg_apply() reads it.
 */
#ifndef FERRY_DELTAPKG_H
#define FERRY_DELTAPKG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "formats/delta.h"
#include "formats/tree.h"

/* Write the package turning `from` (files under fromfd) into `to` (files
 * under tofd) to outfd: format 1 (a tar, §7.1) when o->format is 1,
 * format 2 (§7.5) when it is 2, format 3 (§7.7) when it is 3, else
 * format 4 (§7.8, the default), which is written as format 3 when no
 * blob uses method 6 and no file a reference of several files (kind 6). */
int	deltapkg_write(int fromfd, const struct tree *from, int tofd,
	    const struct tree *to, const struct delta_opts *o, int outfd,
	    struct fy_err *e);
/* The format of the package dirfd/path: 1 to 4 (by its first bytes);
 * FY_E_FORMAT for "FYD" and a format number this code does not know. */
int	deltapkg_format_of(int dirfd, const char *path, struct fy_err *e);
/* The same for the package's first n bytes p. */
int	deltapkg_magic(const char *p, size_t n, const char *where,
	    struct fy_err *e);
/* Apply the package (format 1 to 4) read from pkgfd: fromfd holds exactly `from`; dstfd is
 * an empty directory that will hold exactly `to` (verified file by file;
 * fsync'ed when `sync`). */
int	deltapkg_apply(int pkgfd, const char *where, int fromfd,
	    const struct tree *from, const struct tree *to, int dstfd, int sync,
	    struct fy_err *e);

/* Solid sections (format 2, formats/SPEC.md §7.5): the concatenation of
 * the old files and that of the new files are each at most this long. */
#define DELTAPKG_SOLID_MAX	((uint64_t)32 << 20)

/* Upper bound of the memory applying any package (format 1 or 2) from
 * `from` to `to` needs, the buffers of old and new files included
 * (formats/SPEC.md §7.4); saturates at UINT64_MAX. */
uint64_t deltapkg_mem_bound(const struct tree *from, const struct tree *to);

#endif
