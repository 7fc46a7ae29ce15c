/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_int: what deltapkg.c (write) and deltapkg_apply.c (apply)
 * share.  Not for use outside formats/deltapkg*.c.
 */
#ifndef FERRY_DELTAPKG_INT_H
#define FERRY_DELTAPKG_INT_H

#include <stdint.h>

#include "core/err.h"
#include "formats/tree.h"

#define INDEX_NAME	"delta.json"	/* first member: the index */
#define INDEX_FORMAT	1
#define BLOB_FMT	"blob/%06zu"	/* blob members, numbered from 1 */
#define BLOB_NAMELEN	32

/* Read dirfd/x->path whole (malloc'ed) and check it against the listing
 * entry x: FY_E_INTEGRITY when size or SHA-256 differ. */
int	deltapkg_read_listed(int dirfd, const struct tree_entry *x,
	    uint8_t **buf, struct fy_err *e);

#endif
