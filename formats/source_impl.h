/* SPDX-License-Identifier: MIT */
/*
 * source_impl: what a source backend (folder, ISO image, http) provides to
 * formats/source.c.  Not for use outside formats/source*.c.
 *
 * source.c owns everything that must be the same for every backend: the
 * path grammar (checked before a backend sees a path), the size bounds,
 * copy-while-hashing, the exact-size and SHA-256 checks, fsync and removal
 * of a failed copy.  A backend only delivers the bytes of one file, in
 * order, to a sink, and stops as soon as the sink refuses more.
 */
#ifndef FERRY_SOURCE_IMPL_H
#define FERRY_SOURCE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "formats/source.h"

#define SOURCE_CHUNK	(128 * 1024)	/* read size for media */

/*
 * Receives the bytes of one file.  write() returns 0, or -1 with `e`
 * filled when it takes no more (too long, disk full); the backend must
 * then stop reading and return -1 without touching `e`.
 */
struct source_sink {
	int	(*write)(struct source_sink *k, const void *buf, size_t len,
		    struct fy_err *e);
};

/* A growing list of names, sorted by source_list(). */
struct source_listing {
	char	**v;
	size_t	  n, cap;
};

struct source_ops {
	/* Deliver the whole of path (already checked by source_path_ok)
	 * to k.  A missing file is FY_E_INCOMPLETE, a symlink, device or
	 * other non-regular entry FY_E_UNSAFE, a read error FY_E_IO. */
	int	(*stream)(struct source *s, const char *path,
		    struct source_sink *k, struct fy_err *e);
	/* 1 exists, 0 does not, -1 error. */
	int	(*exists)(struct source *s, const char *path,
		    struct fy_err *e);
	/* Fill l with every entry (source_list_add); NULL: not supported. */
	int	(*list)(struct source *s, struct source_listing *l,
		    struct fy_err *e);
	void	(*free)(struct source *s);	/* backend state only */
};

struct source {
	const struct source_ops	*ops;
	enum source_kind	 kind;
	char			*name;		/* malloc'ed, for humans */
	int			 dirfd;		/* SOURCE_DIR: the folder */
	void			*impl;		/* backend state */
};

/* Append name (+ "!" when !regular); FY_E_FORMAT past LIMIT_FILES. */
int	source_list_add(struct source_listing *l, const char *name,
	    int regular, struct fy_err *e);

/* Relative, '/'-separated, no empty, "." or ".." component, no
 * backslash or control byte, each component <= LIMIT_NAME_BYTES, the
 * whole <= LIMIT_PATH_BYTES, depth <= LIMIT_PATH_DEPTH. */
int	source_path_ok(const char *path);

/* Message for a read error: EIO means the medium failed or went away. */
int	source_fail_read(struct fy_err *e, int err, const char *where);

/* Constructors: fill s->ops, s->name, s->impl (s->kind is set by the
 * caller).  Return 0, or -1 with e filled and nothing to free. */
int	source_dir_open(const char *spec, struct source *s, struct fy_err *e);
int	source_iso_open(const char *spec, struct source *s, struct fy_err *e);
/* Is spec a regular file libarchive reads as ISO 9660?  1, 0. */
int	source_iso_detect(const char *spec);
/* http:// and https:// (formats/source_http.c). */
int	source_http_open(const char *spec, struct source *s, struct fy_err *e);

#endif
