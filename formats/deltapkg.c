/* SPDX-License-Identifier: MIT */
/*
 * deltapkg: the delta package container (formats/SPEC.md §7): an
 * uncompressed, reproducible tar whose first member delta.json says, for
 * every file of the target tree in order, whether it is copied from an old
 * path or decoded from the next blob member.  Invariant: apply writes a
 * file only after its bytes matched the target listing's size and
 * SHA-256 (a copy: while copying), creates nothing the target listing
 * does not name, and ends with tree_verify_shallow() of the whole tree
 * (nothing extra or missing; types, sizes, modes); a package that names
 * anything else is refused.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "core/digest.h"
#include "core/i18n.h"
#include "core/io.h"
#include "formats/archive_dl.h"
#include "formats/deltapkg.h"
#include "formats/deltapkg_int.h"
#include "formats/limits.h"

/* A base name's extension: from its last dot, or its last but one when
 * the part between is letters only ("ghes-3.19.deref.json" ->
 * ".deref.json", "a-1.2.js" -> ".js"); "" without one. */
const char *
deltapkg_ext_of(const char *b)
{
	const char *d = strrchr(b, '.'), *e;

	if (d == NULL || d == b)
		return "";
	for (e = d - 1; e > b && *e != '.'; e--)
		;
	/* a second extension of letters only (".deref.json", ".tar.gz") */
	if (e > b && *e == '.') {
		const char *k;

		for (k = e + 1; k < d && ((*k >= 'a' && *k <= 'z') ||
		    (*k >= 'A' && *k <= 'Z')); k++)
			;
		if (k == d)
			return e;
	}
	return d;
}

static size_t
common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] != '\0' && a[n] == b[n])
		n++;
	return n;
}

/* The old file a new file is encoded against: the same path, else the
 * first old file with the same base name (a move), else, for an added
 * file, the old file of the same extension whose base name shares the
 * longest prefix with its own (of at least 2 bytes; of equals, the last
 * in listing order, often the newest release): a new release of a family of files (ghes-3.19.json
 * beside ghes-3.18.json) is then a delta, not a whole file.  The encoder
 * still stores the file whole when that is smaller.  Every package format
 * uses this rule (deltapkg_int.h). */
const struct tree_entry *
deltapkg_pick_base(const struct tree *from, const char *path)
{
	const struct tree_entry *x = tree_find(from, path), *best = NULL;
	const char *b = strrchr(path, '/'), *c, *ext;
	size_t i, cp, bestcp = 2;

	if (x != NULL && x->type == TREE_FILE)
		return x;
	b = b ? b + 1 : path;
	for (i = 0; i < from->n; i++) {
		x = &from->v[i];
		c = strrchr(x->path, '/');
		if (x->type == TREE_FILE && strcmp(c ? c + 1 : x->path, b) == 0)
			return x;
	}
	ext = deltapkg_ext_of(b);
	if (*ext == '\0')
		return NULL;
	for (i = 0; i < from->n; i++) {
		x = &from->v[i];
		if (x->type != TREE_FILE)
			continue;
		c = strrchr(x->path, '/');
		c = c ? c + 1 : x->path;
		if (strcmp(deltapkg_ext_of(c), ext) != 0 ||
		    (cp = common_prefix(c, b)) < bestcp)
			continue;
		best = x;
		bestcp = cp;
	}
	return best;
}

/* The old file with this content, preferring the same path. */
const struct tree_entry *
deltapkg_pick_copy(const struct tree *from, const struct tree_entry *t)
{
	const struct tree_entry *x = tree_find(from, t->path);

	if (x != NULL && x->type == TREE_FILE && x->size == t->size &&
	    memcmp(x->sha256, t->sha256, DIGEST_LEN) == 0)
		return x;
	x = tree_find_sha(from, t->sha256);
	return (x != NULL && x->size == t->size) ? x : NULL;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The largest blob apply accepts for a file of n bytes (§7.4). */
static uint64_t
blob_max(uint64_t n)
{
	if (n >= ZSTD_MAX_INPUT_SIZE || n > SIZE_MAX)
		return UINT64_MAX;
	return (uint64_t)ZSTD_compressBound((size_t)n) + 1;
}

/* One file decoded against one old file: old + blob + the decoder's
 * bound for old and new (which counts new twice and its contexts). */
static uint64_t
file_bound(uint64_t old, uint64_t nw)
{
	return sat_add(blob_max(nw), delta_decode_mem_bound(old, nw));
}

uint64_t
deltapkg_blob_mem(uint64_t bloblen, uint64_t ref, uint64_t nw)
{
	return sat_add(bloblen, delta_decode_mem_bound(ref, nw));
}

uint64_t
deltapkg_mem_bound(const struct tree *from, const struct tree *to)
{
	uint64_t maxold = 0, so = 0, sn = 0, m = 0, b;
	size_t i;

	for (i = 0; i < from->n; i++)
		if (from->v[i].type == TREE_FILE) {
			if (from->v[i].size > maxold)
				maxold = from->v[i].size;
			so = sat_add(so, from->v[i].size);
		}
	for (i = 0; i < to->n; i++)
		if (to->v[i].type == TREE_FILE) {
			if ((b = file_bound(maxold, to->v[i].size)) > m)
				m = b;
			sn = sat_add(sn, to->v[i].size);
		}
	so = so < DELTAPKG_SOLID_MAX ? so : DELTAPKG_SOLID_MAX;
	sn = sn < DELTAPKG_SOLID_MAX ? sn : DELTAPKG_SOLID_MAX;
	if (sn > 0 && (b = file_bound(so, sn)) > m)
		m = b;
	return m;
}

/* The first package format whose blobs may use method m (formats/SPEC.md
 * §7): methods 1 to 3 since format 1, 4 since 2, 5 since 3, 6 since 4.
 * An unknown method is left to delta_decode to refuse. */
static int
first_format(uint8_t m)
{
	switch (m) {
	case DELTA_M_BSD2:
		return 2;
	case DELTA_M_BSD5:
		return 3;
	case DELTA_M_BSD6:
		return 4;
	default:
		return 1;
	}
}

int
deltapkg_blob_ok(const struct ctx *c, const uint8_t *blob, size_t len,
    const char *where)
{
	int need = len > 0 ? first_format(blob[0]) : 1;

	if (c->format < need)
		return fy_fail(c->e, FY_E_FORMAT, where, _("delta method %u in "
		    "a format-%d package (it needs format %d)"),
		    (unsigned)blob[0], c->format, need);
	return 0;
}

int
deltapkg_format_of(int dirfd, const char *path, struct fy_err *e)
{
	char magic[DELTAPKG_MAGIC_LEN];
	ssize_t n;
	int fd;

	if ((fd = io_open_regular(dirfd, path, NULL, e)) == -1)
		return -1;
	n = io_read_full(fd, magic, sizeof(magic), path, e);
	close(fd);
	if (n == -1)
		return -1;
	return deltapkg_magic(magic, (size_t)n, path, e);
}

int
deltapkg_magic(const char *p, size_t n, const char *where, struct fy_err *e)
{
	if (n < DELTAPKG_MAGIC_LEN || memcmp(p, DELTAPKG_MAGIC2, 3) != 0)
		return 1;	/* a tar: its first bytes are a member name */
	if ((uint8_t)p[3] < 2 || (uint8_t)p[3] > DELTAPKG_FORMAT_MAX)
		return fy_fail(e, FY_E_FORMAT, where, _("delta package format "
		    "%u is not supported (this ferry reads formats 1 to %d)"),
		    (unsigned)(uint8_t)p[3], DELTAPKG_FORMAT_MAX);
	return (uint8_t)p[3];
}
