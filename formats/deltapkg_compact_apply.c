/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_compact_apply: applies a format-2, 3 or 4 delta package
 * (formats/SPEC.md §7.5, §7.7, §7.8; written by deltapkg_compact.c).
 * Invariant: every length, listing index and offset is checked against
 * the two listings and the package's size before a byte of a blob is
 * decoded; a file is written only after
 * its size and SHA-256 matched the target listing; the result is exactly
 * the target listing (tree_verify).
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "core/digest.h"
#include "core/io.h"
#include "formats/delta_bsd.h"
#include "formats/deltapkg.h"
#include "formats/deltapkg_int.h"
#include "formats/limits.h"
#include "formats/leb128.h"

#define HEAD_MAX	(DELTAPKG_MAGIC_LEN + LEB128_MAX)

/* One LEB128 value from *p (advanced) before end: 0, or -1 when it is
 * truncated, longer than 10 bytes or above 2^64 - 1. */
static int
get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	int n = leb128_get(*p, (size_t)(end - *p), v);

	if (n <= 0)
		return -1;
	*p += n;
	return 0;
}

struct rfile {
	const struct tree_entry	*t, *base;
	int			 kind;
	uint64_t		 off, len;	/* blob in the package */
	/* kind 6: the reference, in order: old or new listing entries */
	const struct tree_entry	*ref[DELTAPKG_REFS_MAX];
	int			 refnew[DELTAPKG_REFS_MAX];
	size_t			 nref;
	uint64_t		 refsz;
};

static int
bad(const struct ctx *c, const char *msg)
{
	return fy_fail(c->e, FY_E_FORMAT, c->where, "delta index: %s", msg);
}

/* An old listing entry by index: must be a file. */
static const struct tree_entry *
old_file(const struct ctx *c, uint64_t i)
{
	if (i >= c->from->n || c->from->v[i].type != TREE_FILE)
		return NULL;
	return &c->from->v[i];
}

/* Kind 6's reference (formats/SPEC.md §7.8): m files in order, each an
 * old file (2i) or a new file (2i + 1) of a lower listing index than this
 * entry's, ti: written and checked before this one.  A new file at ti or
 * above (itself, or one not written yet: what a cycle would need), a
 * directory, an index outside a listing, a file named twice: format. */
static int
parse_refs(const struct ctx *c, struct rfile *r, size_t ti, const uint8_t **p,
    const uint8_t *end)
{
	const struct tree_entry *x;
	uint64_t m, v, i;
	size_t k, j;

	if (get_varint(p, end, &m) == -1)
		return bad(c, "truncated");
	if (m == 0 || m > DELTAPKG_REFS_MAX)
		return fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta index: "
		    "a reference of %llu files, 1 to %d allowed",
		    (unsigned long long)m, DELTAPKG_REFS_MAX);
	for (k = 0; k < m; k++) {
		if (get_varint(p, end, &v) == -1)
			return bad(c, "truncated");
		i = v >> 1;
		if ((v & 1) == 0)
			x = old_file(c, i);
		else if (i >= ti)
			return fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta "
			    "index: the reference names %s", i == ti ? "the "
			    "file itself" : "a new file not written before "
			    "this one");
		else
			x = c->to->v[i].type == TREE_FILE ? &c->to->v[i] : NULL;
		if (x == NULL)
			return fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta "
			    "index: the reference names no %s file", (v & 1) ?
			    "new" : "old");
		for (j = 0; j < k; j++)
			if (r->ref[j] == x)
				return fy_fail(c->e, FY_E_FORMAT, r->t->path,
				    "delta index: the reference names a file "
				    "twice");
		r->ref[k] = x;
		r->refnew[k] = (int)(v & 1);
		r->refsz = r->refsz > UINT64_MAX - x->size ? UINT64_MAX :
		    r->refsz + x->size;
	}
	r->nref = (size_t)m;
	return 0;
}

/* The largest blob a file of n bytes may have (as format 1). */
static uint64_t
blob_cap(uint64_t n)
{
	if (n >= ZSTD_MAX_INPUT_SIZE || n > SIZE_MAX - 1)
		return 0;
	return (uint64_t)ZSTD_compressBound((size_t)n) + 1;
}

static int
pread_all(const struct ctx *c, uint8_t *buf, uint64_t len, uint64_t off)
{
	ssize_t n;
	size_t got = 0;

	while (got < len) {
		n = pread(c->pkgfd, buf + got, (size_t)(len - got),
		    (off_t)(off + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return fy_fail_errno(c->e, FY_E_IO, c->where,
			    "cannot read");
		if (n == 0)
			return fy_fail(c->e, FY_E_INTEGRITY, c->where,
			    "delta package truncated");
		got += (size_t)n;
	}
	return 0;
}

/* Read the blob of r into a fresh buffer. */
static int
read_blob(const struct ctx *c, const struct rfile *r, uint8_t **out)
{
	if ((*out = malloc((size_t)r->len + 1)) == NULL)
		return fy_fail(c->e, FY_E_INTERNAL, r->t->path,
		    "out of memory");
	if (pread_all(c, *out, r->len, r->off) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int	read_into_at(const struct ctx *, int,
		    const struct tree_entry *, uint8_t *);

/* Decode one blob against its base (kind 6: its reference) and write the
 * file. */
static int
apply_one_blob(const struct ctx *c, const struct rfile *r)
{
	uint8_t *blob = NULL, *old = NULL, *dst = NULL, h[DIGEST_LEN];
	int rc = -1;

	uint64_t oldlen = r->base ? r->base->size : 0, at = 0;
	size_t k;

	if (read_blob(c, r, &blob) == -1)
		return -1;
	if (r->kind == K_REFS) {
		/* the files of the reference, each checked against its
		 * listing (a new one was written and checked before) */
		if ((old = malloc((size_t)r->refsz + 1)) == NULL) {
			fy_fail(c->e, FY_E_INTERNAL, r->t->path,
			    "out of memory");
			goto out;
		}
		for (k = 0; k < r->nref; k++) {
			if (read_into_at(c, r->refnew[k] ? c->dstfd :
			    c->fromfd, r->ref[k], old + at) == -1)
				goto out;
			at += r->ref[k]->size;
		}
		oldlen = r->refsz;
	} else if (r->base != NULL &&
	    deltapkg_read_listed(c->fromfd, r->base, &old, c->e) == -1)
		goto out;
	if ((dst = malloc((size_t)r->t->size + 1)) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, r->t->path, "out of memory");
		goto out;
	}
	if (deltapkg_blob_ok(c, blob, (size_t)r->len, r->t->path) == -1 ||
	    delta_decode(old, (size_t)oldlen, blob, (size_t)r->len, dst,
	    (size_t)r->t->size, r->t->path, c->e) == -1)
		goto out;
	digest_buf(dst, (size_t)r->t->size, h);
	if (memcmp(h, r->t->sha256, DIGEST_LEN) != 0) {
		fy_fail(c->e, FY_E_INTEGRITY, r->t->path, "sha256 of the decoded "
		    "file differs from the listing");
		goto out;
	}
	rc = deltapkg_write_file(c, r->t, dst);
out:
	free(blob);
	free(old);
	free(dst);
	return rc;
}

/* Read the old file x (exactly x->size bytes, its SHA-256 checked) into
 * buf: the solid section's old files go straight into the concatenation,
 * so the memory stays within deltapkg_mem_bound(). */
static int
read_into_at(const struct ctx *c, int dirfd, const struct tree_entry *x,
    uint8_t *buf)
{
	uint8_t h[DIGEST_LEN], extra;
	uint64_t size;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = io_open_regular(dirfd, x->path, &size, c->e)) == -1)
		return -1;
	if (size != x->size)
		fy_fail(c->e, FY_E_INTEGRITY, x->path, "size or sha256 differs "
		    "from the listing");
	else if ((n = io_read_full(fd, buf, (size_t)x->size, x->path,
	    c->e)) != -1 && ((uint64_t)n != x->size ||
	    io_read_full(fd, &extra, 1, x->path, c->e) != 0))
		fy_fail(c->e, FY_E_INTEGRITY, x->path, "size or sha256 differs "
		    "from the listing");
	else if (n != -1) {
		digest_buf(buf, (size_t)x->size, h);
		if (memcmp(h, x->sha256, DIGEST_LEN) != 0)
			fy_fail(c->e, FY_E_INTEGRITY, x->path, "size or sha256 "
			    "differs from the listing");
		else
			rc = 0;
	}
	close(fd);
	return rc;
}

static int
read_into(const struct ctx *c, const struct tree_entry *x, uint8_t *buf)
{
	return read_into_at(c, c->fromfd, x, buf);
}

/* The solid section: decode the concatenation of the K_SOLID files
 * against the concatenation of the listed old files, check and write
 * each file. */
static int
apply_solid(const struct ctx *c, const struct rfile *rf, size_t nr,
    const uint64_t *olds, size_t nold, uint64_t oldsz, uint64_t newsz,
    uint64_t off, uint64_t len)
{
	struct rfile sr = { .off = off, .len = len };
	uint8_t *blob = NULL, *old = NULL, *dst = NULL, h[DIGEST_LEN];
	uint64_t at = 0;
	size_t i;
	int rc = -1;

	if ((old = malloc((size_t)oldsz + 1)) == NULL ||
	    (dst = malloc((size_t)newsz + 1)) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, c->where, "out of memory");
		goto out;
	}
	for (i = 0; i < nold; i++) {
		if (read_into(c, &c->from->v[olds[i]], old + at) == -1)
			goto out;
		at += c->from->v[olds[i]].size;
	}
	sr.t = &(struct tree_entry){ .path = (char *)c->where };
	if (read_blob(c, &sr, &blob) == -1)
		goto out;
	if (deltapkg_blob_ok(c, blob, (size_t)len, c->where) == -1 ||
	    delta_decode(old, (size_t)oldsz, blob, (size_t)len, dst,
	    (size_t)newsz, c->where, c->e) == -1)
		goto out;
	free(old);
	free(blob);
	old = blob = NULL;
	for (at = 0, i = 0; i < nr; i++) {
		if (rf[i].kind != K_SOLID)
			continue;
		digest_buf(dst + at, (size_t)rf[i].t->size, h);
		if (memcmp(h, rf[i].t->sha256, DIGEST_LEN) != 0) {
			fy_fail(c->e, FY_E_INTEGRITY, rf[i].t->path, "sha256 of "
			    "the decoded file differs from the listing");
			goto out;
		}
		if (deltapkg_write_file(c, rf[i].t, dst + at) == -1)
			goto out;
		at += rf[i].t->size;
	}
	rc = 0;
out:
	free(old);
	free(blob);
	free(dst);
	return rc;
}

/* Read and decompress the index frame: magic, varint length, frame. */
static int
read_index(const struct ctx *c, uint64_t pkgsize, uint8_t **idx,
    size_t *idxlen, uint64_t *blobs_at)
{
	uint8_t head[HEAD_MAX], *frame = NULL, *out = NULL;
	const uint8_t *p = head + DELTAPKG_MAGIC_LEN;
	uint64_t flen, clen;
	size_t hl = pkgsize < HEAD_MAX ? (size_t)pkgsize : HEAD_MAX, r;
	int rc = -1, stored = 0;

	if (pread_all(c, head, hl, 0) == -1)
		return -1;
	if (get_varint(&p, head + hl, &flen) == -1)
		return fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta package "
		    "truncated");
	if (c->format >= 3) {
		/* the length << 1, the low bit: a zstd frame, else stored */
		stored = (flen & 1) == 0;
		flen >>= 1;
	}
	if (stored && flen > LIMIT_MANIFEST_BYTES)
		return fy_fail(c->e, FY_E_UNSAFE, c->where, "delta index of "
		    "%llu bytes, at most %llu allowed",
		    (unsigned long long)flen,
		    (unsigned long long)LIMIT_MANIFEST_BYTES);
	if (flen > ZSTD_compressBound(LIMIT_MANIFEST_BYTES) ||
	    flen > pkgsize - (uint64_t)(p - head))
		return fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta index "
		    "frame of %llu bytes does not fit the package",
		    (unsigned long long)flen);
	if ((frame = malloc((size_t)flen + 1)) == NULL)
		return fy_fail(c->e, FY_E_INTERNAL, c->where, "out of memory");
	if (pread_all(c, frame, flen, (uint64_t)(p - head)) == -1)
		goto out;
	if (stored) {
		*idx = frame;
		*idxlen = (size_t)flen;
		*blobs_at = (uint64_t)(p - head) + flen;
		return 0;
	}
	clen = ZSTD_getFrameContentSize(frame, (size_t)flen);
	if (clen == ZSTD_CONTENTSIZE_ERROR ||
	    clen == ZSTD_CONTENTSIZE_UNKNOWN) {
		fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta index is not "
		    "a zstd frame with its size");
		goto out;
	}
	if (clen > LIMIT_MANIFEST_BYTES) {
		fy_fail(c->e, FY_E_UNSAFE, c->where, "delta index of %llu "
		    "bytes, at most %llu allowed", (unsigned long long)clen,
		    (unsigned long long)LIMIT_MANIFEST_BYTES);
		goto out;
	}
	if (delta_frame_check(frame, (size_t)flen, clen,
	    (uint64_t)1 << delta_wlog(clen), c->where, c->e) == -1)
		goto out;
	if ((out = malloc((size_t)clen + 1)) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, c->where, "out of memory");
		goto out;
	}
	r = ZSTD_decompress(out, (size_t)clen, frame, (size_t)flen);
	if (ZSTD_isError(r) || r != clen) {
		fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta index frame "
		    "corrupt");
		goto out;
	}
	*idx = out;
	*idxlen = (size_t)clen;
	*blobs_at = (uint64_t)(p - head) + flen;
	out = NULL;
	rc = 0;
out:
	free(frame);
	free(out);
	return rc;
}

int
deltapkg_apply_v2(struct ctx *c)
{
	struct stat st;
	struct rfile *rf = NULL;
	uint8_t *idx = NULL, d[DIGEST_LEN];
	const uint8_t *p, *end;
	uint64_t *olds = NULL, at = 0, v, len, nold = 0, slen = 0;
	uint64_t oldsz = 0, newsz = 0, prev = 0, bound = 0, mem;
	size_t idxlen = 0, nr = 0, i, nsolid = 0;
	int rc = -1, kind;

	if (fstat(c->pkgfd, &st) == -1 || !S_ISREG(st.st_mode))
		return fy_fail(c->e, FY_E_IO, c->where, "delta package is not "
		    "a regular file");
	if (read_index(c, (uint64_t)st.st_size, &idx, &idxlen, &at) == -1)
		return -1;
	p = idx;
	end = idx + idxlen;
	if ((rf = calloc(c->to->n + 1, sizeof(*rf))) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, c->where, "out of memory");
		goto out;
	}
	/* The two listings (format 2; in format 3 the signed manifest alone
	 * binds the package to them, formats/SPEC.md §7.7). */
	if (c->format == 2) {
		if (idxlen < 2 * DIGEST_LEN) {
			bad(c, "shorter than its two digests");
			goto out;
		}
		tree_digest(c->from, d);
		if (memcmp(p, d, DIGEST_LEN) != 0)
			goto other;
		tree_digest(c->to, d);
		if (memcmp(p + DIGEST_LEN, d, DIGEST_LEN) != 0)
			goto other;
		p += 2 * DIGEST_LEN;
	}
	/* One entry per file of `to`, in listing order. */
	for (i = 0; i < c->to->n; i++) {
		struct rfile *r = &rf[nr];

		if (c->to->v[i].type != TREE_FILE)
			continue;
		r->t = &c->to->v[i];
		if (p >= end || (kind = *p++) > (c->format >= 4 ? K_MAX :
		    K_SOLID)) {
			fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta index "
			    "entry missing or of an unknown kind");
			goto out;
		}
		r->kind = kind;
		if (kind == K_COPY || kind == K_PATCH) {
			if (get_varint(&p, end, &v) == -1 ||
			    (r->base = old_file(c, v)) == NULL) {
				fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta "
				    "index names no old file");
				goto out;
			}
		} else if (kind == K_COPY_SAME || kind == K_PATCH_SAME) {
			r->base = tree_find(c->from, r->t->path);
			if (r->base == NULL || r->base->type != TREE_FILE) {
				fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta "
				    "index names an old file at this path, and "
				    "there is none");
				goto out;
			}
		}
		if ((kind == K_COPY || kind == K_COPY_SAME) &&
		    (r->base->size != r->t->size || memcmp(r->base->sha256,
		    r->t->sha256, DIGEST_LEN) != 0)) {
			fy_fail(c->e, FY_E_FORMAT, r->t->path, "delta index "
			    "copies from %s, which is not an old file with "
			    "this content", r->base->path);
			goto out;
		}
		if (kind == K_REFS && parse_refs(c, r, i, &p, end) == -1)
			goto out;
		if ((kind >= K_WHOLE && kind <= K_PATCH) || kind == K_REFS) {
			if (get_varint(&p, end, &len) == -1) {
				bad(c, "truncated");
				goto out;
			}
			if (len == 0 || len > blob_cap(r->t->size)) {
				fy_fail(c->e, FY_E_UNSAFE, r->t->path, "delta "
				    "blob of %llu bytes for a file of %llu",
				    (unsigned long long)len,
				    (unsigned long long)r->t->size);
				goto out;
			}
			/* the reference counts against the memory the
			 * planner checked (§7.4): no more than any one old
			 * file with a blob and a file of this size */
			if (kind == K_REFS && (mem = deltapkg_blob_mem(len,
			    r->refsz, r->t->size)) > (bound != 0 ? bound :
			    (bound = deltapkg_mem_bound(c->from, c->to)))) {
				fy_fail(c->e, FY_E_UNSAFE, r->t->path, "delta "
				    "reference of %llu bytes: applying needs "
				    "%llu bytes of memory, the package's bound "
				    "is %llu", (unsigned long long)r->refsz,
				    (unsigned long long)mem,
				    (unsigned long long)bound);
				goto out;
			}
			if (len > (uint64_t)st.st_size - at) {
				fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta "
				    "package truncated");
				goto out;
			}
			r->off = at;
			r->len = len;
			at += len;
		}
		if (kind == K_SOLID) {
			nsolid++;
			newsz += r->t->size;
			if (newsz > DELTAPKG_SOLID_MAX) {
				fy_fail(c->e, FY_E_UNSAFE, c->where, "delta "
				    "solid section larger than %llu bytes",
				    (unsigned long long)DELTAPKG_SOLID_MAX);
				goto out;
			}
		}
		nr++;
	}
	/* The solid section: old files (strictly increasing indices), then
	 * the blob's length. */
	if (get_varint(&p, end, &nold) == -1 || nold > c->from->n) {
		bad(c, "solid section malformed");
		goto out;
	}
	if ((olds = calloc((size_t)nold + 1, sizeof(*olds))) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, c->where, "out of memory");
		goto out;
	}
	for (i = 0; i < nold; i++) {
		if (get_varint(&p, end, &v) == -1 || v >= c->from->n ||
		    (olds[i] = prev + v) >= c->from->n ||
		    old_file(c, olds[i]) == NULL) {
			bad(c, "solid section names no old file");
			goto out;
		}
		prev = olds[i] + 1;
		oldsz += c->from->v[olds[i]].size;
		if (oldsz > DELTAPKG_SOLID_MAX) {
			fy_fail(c->e, FY_E_UNSAFE, c->where, "delta solid "
			    "section refers to more than %llu bytes",
			    (unsigned long long)DELTAPKG_SOLID_MAX);
			goto out;
		}
	}
	if (get_varint(&p, end, &slen) == -1 || p != end) {
		bad(c, "solid section malformed, or data after it");
		goto out;
	}
	if ((nsolid == 0) != (slen == 0) || (nsolid == 0 && nold != 0)) {
		bad(c, "solid section and entries disagree");
		goto out;
	}
	if (slen > blob_cap(newsz)) {
		fy_fail(c->e, FY_E_UNSAFE, c->where, "delta solid blob of %llu "
		    "bytes for %llu bytes of files", (unsigned long long)slen,
		    (unsigned long long)newsz);
		goto out;
	}
	if (slen > (uint64_t)st.st_size - at ||
	    at + slen != (uint64_t)st.st_size) {
		fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta package is %llu "
		    "bytes, its index accounts for %llu",
		    (unsigned long long)st.st_size,
		    (unsigned long long)(at + (slen < (uint64_t)st.st_size -
		    at ? slen : 0)));
		goto out;
	}
	/* Everything checked: build. */
	for (i = 0; i < c->to->n; i++)
		if (c->to->v[i].type == TREE_DIR &&
		    deltapkg_make_dir(c, &c->to->v[i]) == -1)
			goto out;
	if (nsolid > 0 && apply_solid(c, rf, nr, olds, (size_t)nold, oldsz,
	    newsz, at, slen) == -1)
		goto out;
	for (i = 0; i < nr; i++) {
		if (rf[i].kind == K_SOLID)
			continue;
		if (rf[i].kind == K_COPY || rf[i].kind == K_COPY_SAME ?
		    deltapkg_copy_file(c, rf[i].t, rf[i].base->path) == -1 :
		    apply_one_blob(c, &rf[i]) == -1)
			goto out;
	}
	if (deltapkg_finish(c) == -1)
		goto out;
	rc = 0;
	goto out;
other:
	fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta package made for other "
	    "versions than the manifest names");
out:
	free(rf);
	free(olds);
	free(idx);
	return rc;
}
