/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_int: what deltapkg.c (write) and deltapkg_apply.c (apply)
 * share.  Not for use outside formats/deltapkg*.c.
 */
#ifndef FERRY_DELTAPKG_INT_H
#define FERRY_DELTAPKG_INT_H

#include <stdint.h>

#include "core/err.h"
#include "formats/delta.h"
#include "formats/tree.h"

struct archive;

#define INDEX_NAME	"delta.json"	/* first member: the index */
#define INDEX_FORMAT	1
#define BLOB_FMT	"blob/%06zu"	/* blob members, numbered from 1 */
#define BLOB_NAMELEN	32

/* Format 2 (formats/SPEC.md §7.5) starts with these 4 bytes; a format 1
 * package is a tar, whose first bytes are the index's name. */
#define DELTAPKG_MAGIC2	"FYD\x02"
/* Format 3 (§7.7): format 2 without the listing digests, a stored index
 * when that is smaller, method 5 blobs. */
#define DELTAPKG_MAGIC3	"FYD\x03"
/* Format 4 (§7.8): format 3 whose blobs may use method 6, and index
 * kind 6, a blob decoded against a reference of several files (old files
 * and new files written before).  Written only when a blob or a file
 * needs it; otherwise the package stays format 3. */
#define DELTAPKG_MAGIC4	"FYD\x04"
#define DELTAPKG_MAGIC_LEN 4
/* The newest package format this code reads and writes. */
#define DELTAPKG_FORMAT_MAX 4
/* Files one kind-6 reference may name (§7.8). */
#define DELTAPKG_REFS_MAX 4

/* Format 2 index entry kinds (the first byte of each entry). */
enum {
	K_COPY_SAME = 0,	/* the old file at the same path */
	K_COPY = 1,		/* varint i: old listing entry i */
	K_WHOLE = 2,		/* varint len: blob against an empty file */
	K_PATCH_SAME = 3,	/* varint len: blob against the same path */
	K_PATCH = 4,		/* varint i, varint len: against entry i */
	K_SOLID = 5,		/* bytes from the solid section */
	K_REFS = 6,		/* varint m, m varints 2i+s (s 0: old entry
				 * i, 1: new entry i written before), varint
				 * len: blob against their concatenation
				 * (format 4) */
	K_MAX = 6
};

/* One apply: what every step needs. */
struct ctx {
	const char		*where;
	const struct tree	*from, *to;
	struct archive		*a;		/* format 1 */
	int			 pkgfd;		/* formats 2 and 3 */
	int			 format;	/* 1 to 4 */
	int			 fromfd, dstfd, sync;
	struct fy_err		*e;
};

/* Create directory x (mode from the listing) below c->dstfd. */
int	deltapkg_make_dir(const struct ctx *c, const struct tree_entry *x);
/* Write x->size bytes of buf as the file x (O_EXCL, O_NOFOLLOW). */
int	deltapkg_write_file(const struct ctx *c, const struct tree_entry *x,
	    const uint8_t *buf);
/* Stream old file src to x, checking size and SHA-256 against x. */
int	deltapkg_copy_file(const struct ctx *c, const struct tree_entry *x,
	    const char *src);
/* The common tail: the tree equals `to`, directories synced. */
int	deltapkg_finish(const struct ctx *c);

int	deltapkg_write_v1(int fromfd, const struct tree *from, int tofd,
	    const struct tree *to, const struct delta_opts *o, int outfd,
	    struct fy_err *e);
int	deltapkg_write_v2(int fromfd, const struct tree *from, int tofd,
	    const struct tree *to, const struct delta_opts *o, int outfd,
	    struct fy_err *e);
/* Formats 2 and 3 (c->format); deltapkg_write_v2 writes o->format 2 or
 * 3. */
int	deltapkg_apply_v2(struct ctx *c);

/* A blob's method against the package's format: method 4 only in
 * format 2 and later, 5 in 3, 6 in 4 (FY_E_FORMAT). */
int	deltapkg_blob_ok(const struct ctx *c, const uint8_t *blob, size_t len,
	    const char *where);

/* Read dirfd/x->path whole (malloc'ed) and check it against the listing
 * entry x: FY_E_INTEGRITY when size or SHA-256 differ. */
int	deltapkg_read_listed(int dirfd, const struct tree_entry *x,
	    uint8_t **buf, struct fy_err *e);

/* Encoder choices shared by both formats (deltapkg.c): the old file
 * with the target's content, preferring the same path; and the old file a
 * changed file is encoded against (same path, else same base name). */
const struct tree_entry *deltapkg_pick_copy(const struct tree *from,
	    const struct tree_entry *t);
const struct tree_entry *deltapkg_pick_base(const struct tree *from,
	    const char *path);
/* A base name's extension: from its last dot, or its last but one when
 * the part between is letters only (".deref.json"); "" without one. */
const char *deltapkg_ext_of(const char *base);
/* Memory one blob needs to apply: the blob, then delta_decode_mem_bound()
 * of its reference and file (formats/SPEC.md §7.4), saturating. */
uint64_t deltapkg_blob_mem(uint64_t bloblen, uint64_t ref, uint64_t nw);

#endif
