/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_compact: writes the compact delta packages, formats 2 and 3
 * (formats/SPEC.md §7.5, §7.7): 4 magic bytes, the length of the index,
 * the index (format 2: one zstd frame of a binary index: the two listing
 * digests, then one entry per file of the target listing, then the solid
 * section; format 3: the same without the digests, stored or one zstd
 * frame), then the blobs back to back, the solid blob last.  No names, no
 * padding: paths come from the listings.  deltapkg_compact_apply.c reads
 * it.  Invariant: the package names every file of the target listing
 * once, in order, and every blob decodes to that file.
 */
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


#define WHERE_ENC	"(delta package)"
/* Files up to this size go into the solid section when that is smaller
 * (many small files: what a tar-level patch gets from their context). */
#define SOLID_FILE_MAX	((uint64_t)4 << 20)

/* A growable byte buffer and LEB128. */
struct buf {
	uint8_t	*p;
	size_t	 n, cap;
	int	 oom;
};

static void
buf_put(struct buf *b, const void *src, size_t len)
{
	uint8_t *np;
	size_t cap = b->cap ? b->cap : 256;

	if (b->oom)
		return;
	while (cap - b->n < len)
		cap *= 2;
	if (cap != b->cap) {
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, src, len);
	b->n += len;
}

static void
buf_varint(struct buf *b, uint64_t v)
{
	uint8_t t[LEB128_MAX];

	buf_put(b, t, leb128_put(t, v));
}

static void
buf_byte(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

struct wfile {
	const struct tree_entry	*t, *base;	/* base NULL: whole */
	size_t			 ti, bi;	/* listing indices */
	int			 kind;
	uint8_t			*blob;
	size_t			 bloblen;
	/* kind 6 (format 4): the reference, as index varints 2i + s */
	uint64_t		 ref[DELTAPKG_REFS_MAX];
	size_t			 nref;
};

/* Append dirfd/x->path (checked against the listing) to b. */
static int
append_file(int dirfd, const struct tree_entry *x, struct buf *b,
    struct fy_err *e)
{
	uint8_t *p = NULL;

	if (deltapkg_read_listed(dirfd, x, &p, e) == -1)
		return -1;
	buf_put(b, p, (size_t)x->size);
	free(p);
	if (b->oom)
		return fy_fail(e, FY_E_INTERNAL, x->path, "out of memory");
	return 0;
}

/* Encode the solid section for the files marked `cand`; *blob is NULL
 * when there is nothing to gain (fewer than two files). */
static int
encode_solid(int fromfd, const struct tree *from, int tofd,
    struct wfile *w, size_t nw, const char *cand, char *isbase,
    const struct delta_opts *o, uint8_t **blob, size_t *bloblen,
    struct fy_err *e)
{
	struct buf ob = { 0 }, nb = { 0 };
	size_t i, k = 0;
	int rc = -1;

	*blob = NULL;
	*bloblen = 0;
	memset(isbase, 0, from->n);
	for (i = 0; i < nw; i++)
		if (cand[i]) {
			k++;
			if (w[i].base != NULL)
				isbase[w[i].bi] = 1;
		}
	if (k < 2)
		return 0;
	for (i = 0; i < from->n; i++)
		if (isbase[i] && append_file(fromfd, &from->v[i], &ob, e) == -1)
			goto out;
	for (i = 0; i < nw; i++)
		if (cand[i] && append_file(tofd, w[i].t, &nb, e) == -1)
			goto out;
	if (delta_encode(ob.p, ob.n, nb.p, nb.n, o, blob, bloblen, e) == -1)
		goto out;
	rc = 0;
out:
	free(ob.p);
	free(nb.p);
	return rc;
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static size_t
common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] != '\0' && a[n] == b[n])
		n++;
	return n;
}

/* The new file written before target entry ti that is most likely to
 * share its changes (format 4, formats/SPEC.md §7.8): of the files of
 * `to` before it, not empty and readable by their owner, the one of the
 * same extension whose base name shares the longest prefix with its own
 * (ghes-3.18.json: ghes-3.17.json), the nearest of equals; without one of
 * the same extension, the one with the longest shared prefix of at least
 * 2 bytes (api.github.com.json: api.github.com.deref.json).  Files of
 * one release change together (an API added to every variant): a tar-level
 * patch finds those changes in the file before; this finds them too. */
static const struct tree_entry *
pick_newref(const struct tree *to, size_t ti)
{
	const struct tree_entry *x, *same = NULL, *any = NULL;
	const char *b = base_name(to->v[ti].path), *c;
	const char *ext = deltapkg_ext_of(b);
	size_t i, cp, samecp = 0, anycp = 2;

	for (i = 0; i < ti; i++) {
		x = &to->v[i];
		if (x->type != TREE_FILE || x->size == 0 ||
		    (x->mode & 0400) == 0)
			continue;
		c = base_name(x->path);
		cp = common_prefix(c, b);
		if (*ext != '\0' && strcmp(deltapkg_ext_of(c), ext) == 0) {
			if (same == NULL || cp >= samecp) {
				same = x;
				samecp = cp;
			}
		} else if (cp >= anycp) {
			any = x;
			anycp = cp;
		}
	}
	return same != NULL ? same : any;
}

/* Bytes of one zstd frame of nw at level 1 with ref as its prefix
 * (long-distance matching, as method 2): a probe; 0 when it failed. */
static size_t
probe(const uint8_t *ref, size_t reflen, const uint8_t *nw, size_t len)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len), r = 0;
	uint8_t *out = malloc(cap + 1);

	if (c != NULL && out != NULL &&
	    !ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel,
	    1)) &&
	    !ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog,
	    delta_wlog((uint64_t)reflen + len))) &&
	    !ZSTD_isError(ZSTD_CCtx_setParameter(c,
	    ZSTD_c_enableLongDistanceMatching, 1)) &&
	    (reflen == 0 || !ZSTD_isError(ZSTD_CCtx_refPrefix(c, ref,
	    reflen)))) {
		r = ZSTD_compress2(c, out, cap, nw, len);
		if (ZSTD_isError(r))
			r = 0;
	}
	ZSTD_freeCCtx(c);
	free(out);
	return r;
}

/* Format 4: may w's file be coded against its base and a new file
 * written before it (pick_newref) instead of its base alone?  When the
 * memory rule allows it (`bound`, §7.4, §7.8) and a level-1 probe of
 * each says the reference saves at least 1/REF_GAIN: then *rb holds
 * the reference (its base, then the new file) and w->ref its varints.
 * Only one of the two is then encoded at the full level. */
#define REF_GAIN	50
static int
want_refs(int fromfd, int tofd, const struct tree *to, struct wfile *w,
    uint64_t bound, struct buf *rb, struct fy_err *e)
{
	const struct tree_entry *nr = pick_newref(to, w->ti);
	uint8_t *nb = NULL;
	size_t pb, pr, baselen;
	int rc = -1;

	memset(rb, 0, sizeof(*rb));
	if (nr == NULL || w->t->size == 0 ||
	    deltapkg_blob_mem(1, (w->base ? w->base->size : 0) + nr->size,
	    w->t->size) > bound)
		return 0;
	if ((w->base != NULL && append_file(fromfd, w->base, rb, e) == -1) ||
	    deltapkg_read_listed(tofd, w->t, &nb, e) == -1)
		goto out;
	baselen = rb->n;
	pb = probe(rb->p, baselen, nb, (size_t)w->t->size);
	if (append_file(tofd, nr, rb, e) == -1)
		goto out;
	pr = probe(rb->p, rb->n, nb, (size_t)w->t->size);
	if (pb == 0 || pr == 0 || (uint64_t)pr * REF_GAIN >= (uint64_t)pb *
	    (REF_GAIN - 1)) {
		free(rb->p);
		memset(rb, 0, sizeof(*rb));
		rc = 0;
		goto out;
	}
	w->nref = 0;
	if (w->base != NULL)
		w->ref[w->nref++] = (uint64_t)w->bi << 1;
	w->ref[w->nref++] = (uint64_t)(nr - to->v) << 1 | 1;
	rc = 1;
out:
	if (rc == -1) {
		free(rb->p);
		memset(rb, 0, sizeof(*rb));
	}
	free(nb);
	return rc;
}

/* Encode w's file (nb) against its reference (want_refs): 0, or 1 when
 * the blob would take the apply beyond the memory bound (§7.8: the blob
 * counts too; the caller then codes it against its base alone), or -1 (a
 * package that cannot fit its budget: fixed->over).  `fixed`: the
 * package's budget, or NULL. */
static int
encode_refs(const uint8_t *ref, size_t reflen, const uint8_t *nb,
    struct wfile *w, const struct delta_opts *o, struct delta_budget *fixed,
    uint64_t bound, struct fy_err *e)
{
	struct delta_opts ro = *o;
	struct delta_budget lb = { 0 };
	uint64_t room = bound - deltapkg_blob_mem(0, reflen, w->t->size);
	int memlimited = fixed == NULL || room < fixed->left;

	lb.left = memlimited ? room : fixed->left;
	ro.budget = &lb;
	if (delta_encode(ref, reflen, nb, (size_t)w->t->size, &ro, &w->blob,
	    &w->bloblen, e) == 0) {
		if (fixed != NULL)
			fixed->left -= w->bloblen;
		return 0;
	}
	if (!lb.over)
		return -1;
	if (memlimited) {
		memset(e, 0, sizeof(*e));
		return 1;
	}
	fixed->over = 1;
	return -1;
}

int
deltapkg_write_v2(int fromfd, const struct tree *from, int tofd,
    const struct tree *to, const struct delta_opts *o, int outfd,
    struct fy_err *e)
{
	struct wfile *w = NULL;
	struct buf idx = { 0 }, head = { 0 };
	const struct tree_entry *t, *x;
	uint8_t d[DIGEST_LEN], *ob = NULL, *nb = NULL, *sblob = NULL;
	uint8_t *frame = NULL;
	char *cand = NULL, *isbase = NULL;
	uint64_t soldsz = 0, snewsz = 0, persum = 0;
	size_t nw = 0, i, slen = 0, flen = 0, nsolid = 0;
	struct delta_budget *pkg = o != NULL ? o->budget : NULL;
	struct delta_budget fixed = { 0 }, cb = { 0 }, sb = { 0 };
	struct delta_opts fo = { .level = 19, .workers = 1 };
	uint64_t kept, bound = deltapkg_mem_bound(from, to);
	size_t oblen;
	int pass, perover = 0, m6, nrefs = 0, r, rc = -1;

	if ((w = calloc(to->n + 1, sizeof(*w))) == NULL ||
	    (cand = calloc(to->n + 1, 1)) == NULL ||
	    (isbase = calloc(from->n + 1, 1)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (o != NULL)
		fo = *o;
	/* 1. Every target file: a copy, or a blob against its base. */
	for (i = 0; i < to->n; i++) {
		t = &to->v[i];
		if (t->type != TREE_FILE)
			continue;
		w[nw].t = t;
		w[nw].ti = i;
		if ((x = deltapkg_pick_copy(from, t)) != NULL) {
			w[nw].kind = strcmp(x->path, t->path) == 0 ?
			    K_COPY_SAME : K_COPY;
			w[nw].bi = (size_t)(x - from->v);
			nw++;
			continue;
		}
		x = deltapkg_pick_base(from, t->path);
		w[nw].base = x;
		w[nw].bi = x ? (size_t)(x - from->v) : 0;
		w[nw].kind = x == NULL ? K_WHOLE : strcmp(x->path,
		    t->path) == 0 ? K_PATCH_SAME : K_PATCH;
		nw++;
	}
	/* 2. The solid candidates: changed files up to SOLID_FILE_MAX, while
	 * the concatenations stay within DELTAPKG_SOLID_MAX. */
	for (i = 0; i < nw; i++) {
		if (w[i].kind == K_COPY_SAME || w[i].kind == K_COPY ||
		    w[i].t->size > SOLID_FILE_MAX ||
		    snewsz + w[i].t->size > DELTAPKG_SOLID_MAX)
			continue;
		if (w[i].base != NULL && !isbase[w[i].bi]) {
			if (soldsz + w[i].base->size > DELTAPKG_SOLID_MAX)
				continue;
			soldsz += w[i].base->size;
			isbase[w[i].bi] = 1;
		}
		cand[i] = 1;
		snewsz += w[i].t->size;
	}
	/* 3. The blobs.  The budget (o->budget) is the package's: the files
	 * that cannot go into the solid section are charged to it first; the
	 * candidates then get what is left, once as blobs and once as the
	 * solid section, and only the one kept is charged. */
	if (pkg != NULL) {
		fixed = *pkg;
		fo.budget = &fixed;
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && pkg != NULL) {
			cb.left = fixed.left;
			fo.budget = &cb;
		}
		for (i = 0; i < nw; i++) {
			if (w[i].kind == K_COPY_SAME || w[i].kind == K_COPY ||
			    (cand[i] != 0) != (pass == 1) || perover)
				continue;
			x = w[i].base;
			oblen = x ? (size_t)x->size : 0;
			if (pass == 0 && fo.format >= 4) {
				struct buf rb;

				if ((r = want_refs(fromfd, tofd, to, &w[i],
				    bound, &rb, e)) == -1 ||
				    (r == 1 && deltapkg_read_listed(tofd,
				    w[i].t, &nb, e) == -1)) {
					free(rb.p);
					goto out;
				}
				if (r == 1)
					r = encode_refs(rb.p, rb.n, nb, &w[i],
					    &fo, pkg != NULL ? &fixed : NULL,
					    bound, e);
				free(rb.p);
				free(nb);
				nb = NULL;
				if (r == -1) {
					if (pkg != NULL && fixed.over)
						pkg->over = 1;
					goto out;
				}
				if (r == 0 && w[i].blob != NULL) {
					w[i].kind = K_REFS;
					continue;
				}
			}
			if (deltapkg_read_listed(tofd, w[i].t, &nb, e) == -1 ||
			    (x != NULL && deltapkg_read_listed(fromfd, x, &ob,
			    e) == -1))
				goto out;
			if (delta_encode(ob, oblen, nb, (size_t)w[i].t->size,
			    &fo, &w[i].blob, &w[i].bloblen, e) == -1) {
				if (pass == 0 && pkg != NULL && fixed.over)
					pkg->over = 1;
				if (pass == 0 || !cb.over)
					goto out;
				/* the candidates as blobs cannot fit: only
				 * the solid section may */
				memset(e, 0, sizeof(*e));
				perover = 1;
			}
			free(ob);
			free(nb);
			ob = nb = NULL;
			if (pass == 1)
				persum += w[i].bloblen;
		}
	}
	if (pkg != NULL) {
		sb.left = fixed.left;
		fo.budget = &sb;
	}
	if (encode_solid(fromfd, from, tofd, w, nw, cand, isbase, &fo, &sblob,
	    &slen, e) == -1) {
		if (pkg == NULL || !sb.over)
			goto out;
		memset(e, 0, sizeof(*e));
		sblob = NULL;
		slen = 0;
	}
	/* Keep the solid section only when it is smaller than the blobs it
	 * replaces (their length varints included, about 2 bytes each). */
	if (sblob != NULL && (perover || slen + 8 < persum)) {
		for (i = 0; i < nw; i++)
			if (cand[i]) {
				w[i].kind = K_SOLID;
				free(w[i].blob);
				w[i].blob = NULL;
				w[i].bloblen = 0;
				nsolid++;
			}
		kept = slen;
	} else if (perover) {
		pkg->over = 1;
		fy_fail(e, FY_E_NOSPACE, WHERE_ENC, "delta blobs of more than "
		    "the %llu bytes left for the package",
		    (unsigned long long)pkg->left);
		goto out;
	} else {
		free(sblob);
		sblob = NULL;
		slen = 0;
		memset(isbase, 0, from->n);
		kept = persum;
	}
	if (pkg != NULL)
		pkg->left = fixed.left - kept;
	/* 4. The index.  Format 3 drops the two listing digests: the signed
	 * manifest names the package's SHA-256 with its from and to
	 * versions, and the client uses it only from a tree whose listing
	 * is the from listing (formats/SPEC.md §7.7). */
	if (fo.format == 2) {
		tree_digest(from, d);
		buf_put(&idx, d, DIGEST_LEN);
		tree_digest(to, d);
		buf_put(&idx, d, DIGEST_LEN);
	}
	for (i = 0; i < nw; i++) {
		size_t k;

		buf_byte(&idx, (uint8_t)w[i].kind);
		if (w[i].kind == K_COPY || w[i].kind == K_PATCH)
			buf_varint(&idx, w[i].bi);
		if (w[i].kind == K_REFS) {
			nrefs++;
			buf_varint(&idx, w[i].nref);
			for (k = 0; k < w[i].nref; k++)
				buf_varint(&idx, w[i].ref[k]);
		}
		if ((w[i].kind >= K_WHOLE && w[i].kind <= K_PATCH) ||
		    w[i].kind == K_REFS)
			buf_varint(&idx, w[i].bloblen);
	}
	{
		size_t nb_ = 0;

		for (i = 0; nsolid && i < from->n; i++)
			nb_ += isbase[i] != 0;
		buf_varint(&idx, nb_);
		size_t next = 0;

		/* increasing listing indices, each as its gap to the one
		 * before (mostly 0: compresses to nothing) */
		for (i = 0; nsolid && i < from->n; i++)
			if (isbase[i]) {
				buf_varint(&idx, i - next);
				next = i + 1;
			}
	}
	buf_varint(&idx, slen);
	if (idx.oom) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (idx.n > LIMIT_MANIFEST_BYTES) {
		fy_fail(e, FY_E_UNSAFE, WHERE_ENC, "delta index of %zu bytes, "
		    "at most %llu allowed", idx.n,
		    (unsigned long long)LIMIT_MANIFEST_BYTES);
		goto out;
	}
	if (delta_zstd(idx.p, idx.n, 19, delta_wlog(idx.n), 1, &frame, &flen,
	    e) == -1)
		goto out;
	/* 5. Magic, index frame length, index frame, blobs, solid blob.
	 * Format 3: the length shifted left by one, the low bit set when the
	 * index is a zstd frame, clear when it is stored (when that is not
	 * larger: a tiny index). */
	if (fo.format == 2) {
		buf_put(&head, DELTAPKG_MAGIC2, DELTAPKG_MAGIC_LEN);
		buf_varint(&head, flen);
	} else {
		/* format 4 only when a blob uses method 6 or a file a
		 * reference of several files (§7.8): a package without
		 * either stays readable by a format-3 reader */
		for (i = 0, m6 = slen > 0 && sblob[0] == DELTA_M_BSD6; i < nw;
		    i++)
			m6 |= w[i].blob != NULL && w[i].bloblen > 0 &&
			    w[i].blob[0] == DELTA_M_BSD6;
		buf_put(&head, m6 || nrefs ? DELTAPKG_MAGIC4 : DELTAPKG_MAGIC3,
		    DELTAPKG_MAGIC_LEN);
		if (idx.n <= flen) {
			free(frame);
			frame = idx.p;
			flen = idx.n;
			idx.p = NULL;
			buf_varint(&head, (uint64_t)flen << 1);
		} else
			buf_varint(&head, (uint64_t)flen << 1 | 1);
	}
	if (head.oom) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (io_write_all(outfd, head.p, head.n, WHERE_ENC, e) == -1 ||
	    io_write_all(outfd, frame, flen, WHERE_ENC, e) == -1)
		goto out;
	for (i = 0; i < nw; i++)
		if (w[i].blob != NULL && io_write_all(outfd, w[i].blob,
		    w[i].bloblen, WHERE_ENC, e) == -1)
			goto out;
	if (slen > 0 && io_write_all(outfd, sblob, slen, WHERE_ENC, e) == -1)
		goto out;
	rc = 0;
out:
	for (i = 0; w != NULL && i < nw; i++)
		free(w[i].blob);
	free(w);
	free(cand);
	free(isbase);
	free(ob);
	free(nb);
	free(sblob);
	free(frame);
	free(idx.p);
	free(head.p);
	return rc;
}
