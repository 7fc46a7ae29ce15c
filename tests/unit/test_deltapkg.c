/* SPDX-License-Identifier: MIT */
/*
 * test_deltapkg: delta packages between two real trees in a scratch
 * directory: added, removed, renamed, copied, mode-changed, modified,
 * nested and empty directories; the applied tree must equal the target
 * listing (tree_verify).  Then tampered packages, each refused with its
 * fy_code after the untouched package applied.  Formats 1, 2 and 3
 * (formats/SPEC.md §7).
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <zstd.h>

#include "core/digest.h"
#include "core/io.h"
#include "formats/delta_bsd.h"
#include "formats/deltapkg.h"
#include "formats/limits.h"

#include "deltapkg_fixture.h"

/* Copy package in -> out, letting `edit` change each member's bytes. */
typedef void (*edit_fn)(const char *name, char **p, size_t *n);

static int
rewrite(struct fx *fx, int in, const char *out, edit_fn edit, int extra)
{
	struct archive *r = archive_read_new(), *w = archive_write_new();
	struct archive_entry *ae;
	int fd = openat(fx->rootfd, out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p;
	size_t n;

	assert_int_equal(lseek(in, 0, SEEK_SET), 0);
	archive_read_support_format_tar(r);
	assert_int_equal(archive_read_open_fd(r, in, 4096), ARCHIVE_OK);
	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	while (archive_read_next_header(r, &ae) == ARCHIVE_OK) {
		n = (size_t)archive_entry_size(ae);
		p = malloc(n + 1);
		assert_true(archive_read_data(r, p, n) == (ssize_t)n);
		if (edit != NULL)
			edit(archive_entry_pathname(ae), &p, &n);
		archive_entry_set_size(ae, (la_int64_t)n);
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		assert_true(archive_write_data(w, p, n) == (ssize_t)n);
		free(p);
	}
	if (extra) {
		ae = archive_entry_new();
		archive_entry_set_pathname(ae, "blob/999999");
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, 3);
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		assert_true(archive_write_data(w, "abc", 3) == 3);
		archive_entry_free(ae);
	}
	archive_read_free(r);
	archive_write_free(w);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void
test_apply_equals_target(void **state)
{
	struct fx *fx = *state;
	struct archive *r = archive_read_new();
	struct archive_entry *ae;
	struct fy_err e;
	char js[4096];
	ssize_t n;
	int fd = write_pkg(fx, "p.tar");

	assert_int_equal(apply(fx, fd, "dst", &e), FY_OK);
	/* the index used each kind of entry */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	archive_read_support_format_tar(r);
	assert_int_equal(archive_read_open_fd(r, fd, 4096), ARCHIVE_OK);
	assert_int_equal(archive_read_next_header(r, &ae), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(ae), "delta.json");
	n = archive_read_data(r, js, sizeof(js) - 1);
	assert_true(n > 0);
	js[n] = '\0';
	assert_non_null(strstr(js, "{\"copy\":\"keep.txt\",\"path\":\"copy1.txt\"}"));
	assert_non_null(strstr(js, "{\"copy\":\"ren/a.txt\",\"path\":\"moved/b.txt\"}"));
	assert_non_null(strstr(js, "{\"copy\":\"mode.sh\",\"path\":\"mode.sh\"}"));
	assert_non_null(strstr(js, "\"base\":\"mod.bin\""));
	assert_non_null(strstr(js, "{\"blob\":\"blob/000001\",\"path\":\"added.txt\"}"));
	assert_null(strstr(js, "gone.txt"));
	archive_read_free(r);
	close(fd);
}

static void
test_reproducible(void **state)
{
	struct fx *fx = *state;
	int a = write_pkg(fx, "a.tar"), b = write_pkg(fx, "b.tar");
	struct stat sa, sb;
	char *pa, *pb;

	fstat(a, &sa);
	fstat(b, &sb);
	assert_int_equal(sa.st_size, sb.st_size);
	pa = malloc((size_t)sa.st_size);
	pb = malloc((size_t)sb.st_size);
	assert_true(read(a, pa, (size_t)sa.st_size) == sa.st_size);
	assert_true(read(b, pb, (size_t)sb.st_size) == sb.st_size);
	assert_memory_equal(pa, pb, (size_t)sa.st_size);
	free(pa);
	free(pb);
	close(a);
	close(b);
}

static void
edit_copy_path(const char *name, char **p, size_t *n)
{
	char *s;

	if (strcmp(name, "delta.json") == 0 &&
	    (s = strstr(*p, "\"copy\":\"ren/a.txt\"")) != NULL)
		memcpy(s, "\"copy\":\"keep.txt\" ", 18);	/* other content */
	(void)n;
}

static void
edit_unsafe_path(const char *name, char **p, size_t *n)
{
	char *s;

	if (strcmp(name, "delta.json") == 0 &&
	    (s = strstr(*p, "\"copy\":\"ren/a.txt\"")) != NULL)
		memcpy(s, "\"copy\":\"../a.txt\" ", 18);
	(void)n;
}

static void
edit_format(const char *name, char **p, size_t *n)
{
	if (strcmp(name, "delta.json") == 0)
		(*p)[*n / 2] = '{';			/* not JSON any more */
}

/* Replace the blob for added.txt with a valid blob of other content of
 * the same size: decodes fine, hash differs. */
static void
edit_blob(const char *name, char **p, size_t *n)
{
	struct delta_opts o = { .level = 3, .workers = 1 };
	struct fy_err e = { 0 };
	uint8_t *b = NULL;
	size_t bl = 0;

	if (strcmp(name, "blob/000001") != 0)
		return;
	assert_int_equal(delta_encode(NULL, 0, (const uint8_t *)"brand NEW\n",
	    10, &o, &b, &bl, &e), 0);
	free(*p);
	*p = (char *)b;
	*n = bl;
}

static void
test_tampered(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	int good = write_pkg(fx, "good.tar"), fd;

	assert_int_equal(apply(fx, good, "ctl", &e), FY_OK);	/* control */
	fd = rewrite(fx, good, "t1.tar", NULL, 0);
	assert_int_equal(apply(fx, fd, "ctl2", &e), FY_OK);	/* rewriter ok */
	close(fd);
	fd = rewrite(fx, good, "t2.tar", edit_copy_path, 0);
	assert_int_equal(apply(fx, fd, "d2", &e), FY_E_FORMAT);
	close(fd);
	fd = rewrite(fx, good, "t3.tar", edit_unsafe_path, 0);
	assert_int_equal(apply(fx, fd, "d3", &e), FY_E_UNSAFE);
	close(fd);
	fd = rewrite(fx, good, "t4.tar", edit_format, 0);
	assert_int_equal(apply(fx, fd, "d4", &e), FY_E_FORMAT);
	close(fd);
	fd = rewrite(fx, good, "t5.tar", NULL, 1);		/* extra member */
	assert_int_equal(apply(fx, fd, "d5", &e), FY_E_FORMAT);
	close(fd);
	fd = rewrite(fx, good, "t6.tar", edit_blob, 0);
	assert_int_equal(apply(fx, fd, "d6", &e), FY_E_INTEGRITY);
	assert_string_equal(e.where, "added.txt");
	assert_int_equal(io_exists(fx->rootfd, "d6/added.txt"), 0);
	close(fd);
	close(good);
}

/* The old tree on disk differs from its listing: refused. */
static void
test_old_tree_changed(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	int fd = write_pkg(fx, "o.tar");

	mkfile(fx->oldfd, "ren/a.txt", "renamed CONTENT\n", 16, 0644);
	assert_int_equal(apply(fx, fd, "o1", &e), FY_E_INTEGRITY);
	mkfile(fx->oldfd, "ren/a.txt", "renamed content\n", 16, 0644);
	close(fd);
}

/* A package made for other trees is refused before anything is written. */
static void
test_wrong_trees(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	int fd = write_pkg(fx, "w.tar"), dfd;

	fx->to.v[0].mode ^= 0100;
	assert_int_equal(mkdirat(fx->rootfd, "w1", 0755), 0);
	dfd = openat(fx->rootfd, "w1", O_RDONLY | O_DIRECTORY);
	assert_int_equal(deltapkg_apply(fd, "pkg", fx->oldfd, &fx->from,
	    &fx->to, dfd, 0, &e), -1);
	assert_int_equal(e.code, FY_E_INTEGRITY);
	fx->to.v[0].mode ^= 0100;
	close(dfd);
	close(fd);
}

/* ---- format 2 (formats/SPEC.md §7.5) ---------------------------------- */

/* Formats 2 and 3 apply to exactly the target and start with their
 * magic; format 3 is what deltapkg_write makes by default, and without
 * the two listing digests (64 bytes) it is smaller than format 2, which is
 * smaller than format 1 of the same trees; all three still apply. */
static void
test_v2_apply_equals_target(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	char magic[4];
	int v3 = write_pkg_fmt(fx, "p3", 0), v2 = write_pkg_fmt(fx, "p2", 2);
	int v1 = write_pkg(fx, "p1");

	assert_true(read(v3, magic, 4) == 4);
	assert_memory_equal(magic, "FYD\x03", 4);
	assert_int_equal(lseek(v3, 0, SEEK_SET), 0);
	assert_true(read(v2, magic, 4) == 4);
	assert_memory_equal(magic, "FYD\x02", 4);
	assert_int_equal(lseek(v2, 0, SEEK_SET), 0);
	assert_int_equal(apply(fx, v3, "dst3", &e), FY_OK);
	assert_int_equal(apply(fx, v2, "dst2", &e), FY_OK);
	assert_int_equal(apply(fx, v1, "dst1", &e), FY_OK);
	assert_true(fd_size(v2) * 4 < fd_size(v1));
	assert_true(fd_size(v3) + 64 <= fd_size(v2));
	close(v1);
	close(v2);
	close(v3);
}

/* A format-2 package built by hand, to break one rule at a time.  The
 * target files, in listing order: added.txt, copy1.txt, d1/d2/d3/new.txt,
 * d1/d2/deep.txt, keep.txt, mod.bin, mode.sh, moved/b.txt. */
#define NT	8
struct v2 {
	uint8_t	 idx[4096], blobs[65536];
	size_t	 ni, nb;
	int	 kind[NT];
	uint64_t arg[NT];	/* old index (COPY, PATCH) */
	int	 nolds;
	uint64_t olds[4];
	size_t	 extra_idx;	/* bytes appended to the index */
	int64_t	 blen_delta;	/* added to the first blob length */
	int	 bad_from;	/* flip a byte of the from digest */
	int	 trunc, append;	/* cut / add bytes at the end */
	int	 format;	/* 2 or 3 */
	size_t	 boff[NT];	/* where each file's blob starts in blobs */
	int	 zindex;	/* format 3: the index as a zstd frame */
};

/* The format v2_default() builds (the hostile cases run for each). */
static int cur_format = 2, cur_zindex = 1;

static const char *tfiles[NT] = { "added.txt", "copy1.txt",
    "d1/d2/d3/new.txt", "d1/d2/deep.txt", "keep.txt", "mod.bin", "mode.sh",
    "moved/b.txt" };

static uint64_t
old_index(struct fx *fx, const char *path)
{
	const struct tree_entry *x = tree_find(&fx->from, path);

	assert_non_null(x);
	return (uint64_t)(x - fx->from.v);
}

/* Blob of `path` of `to` against old file `base` (NULL: empty). */
static void
add_blob(struct fx *fx, struct v2 *v, const char *path, const char *base,
    size_t *len)
{
	struct delta_opts o = { .level = 3, .workers = 1,
	    .format = v->format };
	struct fy_err e = { 0 };
	uint8_t *a = NULL, *b = NULL, *blob = NULL;
	size_t al = 0, bl = 0;

	assert_int_equal(io_read_bounded(fx->newfd, path, 1 << 20, &b, &bl,
	    &e), 0);
	if (base != NULL)
		assert_int_equal(io_read_bounded(fx->oldfd, base, 1 << 20, &a,
		    &al, &e), 0);
	assert_int_equal(delta_encode(a, al, b, bl, &o, &blob, len, &e), 0);
	memcpy(v->blobs + v->nb, blob, *len);
	v->nb += *len;
	free(a);
	free(b);
	free(blob);
}

/* The usual plan: blobs for added, new, deep, mod; copies for the rest. */
static void
v2_default(struct fx *fx, struct v2 *v)
{
	static const int k[NT] = { 2, 1, 2, 3, 0, 3, 0, 1 };

	memset(v, 0, sizeof(*v));
	v->format = cur_format;
	v->zindex = cur_zindex;
	memcpy(v->kind, k, sizeof(k));
	v->arg[1] = old_index(fx, "keep.txt");
	v->arg[7] = old_index(fx, "ren/a.txt");
}

/* Serialize v (index, frame, blobs) into file `name`; returns its fd. */
static int
v2_write(struct fx *fx, struct v2 *v, const char *name)
{
	struct fy_err e = { 0 };
	uint8_t d[DIGEST_LEN], head[16], *frame = NULL;
	size_t i, len, flen = 0, nh = 4, first = 1;
	uint64_t slen = 0;
	int fd;

	v->ni = v->nb = 0;
	if (v->format == 2) {
		tree_digest(&fx->from, d);
		d[0] ^= (uint8_t)v->bad_from;
		memcpy(v->idx, d, DIGEST_LEN);
		tree_digest(&fx->to, d);
		memcpy(v->idx + DIGEST_LEN, d, DIGEST_LEN);
		v->ni = 2 * DIGEST_LEN;
	}
	for (i = 0; i < NT; i++) {
		v->idx[v->ni++] = (uint8_t)v->kind[i];
		if (v->kind[i] == 1 || v->kind[i] == 4)
			put_leb(v->idx, &v->ni, v->arg[i]);
		if (v->kind[i] >= 2 && v->kind[i] <= 4) {
			v->boff[i] = v->nb;
			add_blob(fx, v, tfiles[i], v->kind[i] == 2 ? NULL :
			    v->kind[i] == 3 ? tfiles[i] :
			    fx->from.v[v->arg[i]].path, &len);
			if (first)
				len = (size_t)((int64_t)len + v->blen_delta);
			first = 0;
			put_leb(v->idx, &v->ni, len);
		}
	}
	put_leb(v->idx, &v->ni, (uint64_t)v->nolds);
	for (i = 0; i < (size_t)v->nolds; i++)	/* gaps */
		put_leb(v->idx, &v->ni, v->olds[i] - (i ? v->olds[i - 1] + 1 :
		    0));
	if (v->nolds > 0 || v->kind[0] == 5) {
		/* solid: the K_SOLID files against the listed old files */
		struct delta_opts o = { .level = 3, .workers = 1,
		    .format = v->format };
		uint8_t on[65536], nn[65536], *p = NULL, *blob = NULL;
		size_t on_ = 0, nn_ = 0, pl = 0;

		for (i = 0; i < (size_t)v->nolds; i++) {
			if (v->olds[i] >= fx->from.n ||
			    fx->from.v[v->olds[i]].type != TREE_FILE)
				continue;	/* refused anyway */
			assert_int_equal(io_read_bounded(fx->oldfd,
			    fx->from.v[v->olds[i]].path, 1 << 16, &p, &pl, &e),
			    0);
			memcpy(on + on_, p, pl);
			on_ += pl;
			free(p);
		}
		for (i = 0; i < NT; i++)
			if (v->kind[i] == 5) {
				assert_int_equal(io_read_bounded(fx->newfd,
				    tfiles[i], 1 << 16, &p, &pl, &e), 0);
				memcpy(nn + nn_, p, pl);
				nn_ += pl;
				free(p);
			}
		assert_int_equal(delta_encode(on, on_, nn, nn_, &o, &blob,
		    &pl, &e), 0);
		memcpy(v->blobs + v->nb, blob, pl);
		v->nb += pl;
		slen = pl;
		free(blob);
	}
	put_leb(v->idx, &v->ni, slen);
	v->ni += v->extra_idx;
	if (v->format == 3 && !v->zindex) {
		frame = malloc(v->ni + 1);
		memcpy(frame, v->idx, v->ni);
		flen = v->ni;
	} else
		assert_int_equal(delta_zstd(v->idx, v->ni, 3, delta_wlog(v->ni),
		    1, &frame, &flen, &e), 0);
	memcpy(head, v->format == 3 ? "FYD\x03" : "FYD\x02", 4);
	put_leb(head, &nh, v->format == 3 ? (uint64_t)flen << 1 |
	    (uint64_t)v->zindex : flen);
	fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	assert_true(write(fd, head, nh) == (ssize_t)nh);
	assert_true(write(fd, frame, flen) == (ssize_t)flen);
	assert_true(write(fd, v->blobs, v->nb - (size_t)v->trunc) ==
	    (ssize_t)(v->nb - (size_t)v->trunc));
	if (v->append)
		assert_true(write(fd, "x", 1) == 1);
	free(frame);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Build v into `name`, apply it into `dst`: the fy_code; with `msg`,
 * the message must contain it.  A refusal leaves no file named in the
 * target listing behind except what was checked (dst is fresh). */
static enum fy_code
v2_try(struct fx *fx, struct v2 *v, const char *name, const char *msg)
{
	struct fy_err e;
	enum fy_code c;
	char dst[64], pkg[64];
	int fd;

	snprintf(pkg, sizeof(pkg), "%d%d-%s", v->format, v->zindex, name);
	snprintf(dst, sizeof(dst), "%s.d", pkg);
	fd = v2_write(fx, v, pkg);
	c = apply(fx, fd, dst, &e);
	close(fd);
	if (msg != NULL && c != FY_OK && strstr(e.msg, msg) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", name, e.msg, msg);
	return c;
}

static void
hostile(struct fx *fx)
{
	struct v2 v;

	v2_default(fx, &v);
	assert_int_equal(v2_try(fx, &v, "ok", NULL), FY_OK);	/* control */
	v2_default(fx, &v);
	v.kind[4] = 9;				/* unknown kind */
	assert_int_equal(v2_try(fx, &v, "k9", "unknown kind"), FY_E_FORMAT);
	v2_default(fx, &v);
	v.arg[1] = old_index(fx, "d1");		/* copy from a directory */
	assert_int_equal(v2_try(fx, &v, "cdir", "names no old file"),
	    FY_E_FORMAT);
	v2_default(fx, &v);
	v.arg[1] = 1000;			/* outside the listing */
	assert_int_equal(v2_try(fx, &v, "cout", "names no old file"),
	    FY_E_FORMAT);
	v2_default(fx, &v);
	v.arg[7] = old_index(fx, "keep.txt");	/* other content */
	assert_int_equal(v2_try(fx, &v, "cother", "not an old file with this "
	    "content"), FY_E_FORMAT);
	v2_default(fx, &v);
	v.kind[1] = 0;				/* copy1.txt: no old at path */
	assert_int_equal(v2_try(fx, &v, "csame", "there is none"),
	    FY_E_FORMAT);
	v2_default(fx, &v);
	v.blen_delta = 1 << 20;			/* blob far too long */
	assert_int_equal(v2_try(fx, &v, "blong", "delta blob of"),
	    FY_E_UNSAFE);
	v2_default(fx, &v);
	v.blen_delta = 1;			/* one byte more than there is */
	assert_int_equal(v2_try(fx, &v, "b1", NULL), FY_E_INTEGRITY);
	v2_default(fx, &v);
	v.trunc = 1;
	assert_int_equal(v2_try(fx, &v, "trunc", NULL), FY_E_INTEGRITY);
	v2_default(fx, &v);
	v.append = 1;
	assert_int_equal(v2_try(fx, &v, "append", "its index accounts for"),
	    FY_E_INTEGRITY);
	if (cur_format == 2) {
		v2_default(fx, &v);
		v.bad_from = 1;
		assert_int_equal(v2_try(fx, &v, "from", "other versions"),
		    FY_E_INTEGRITY);
	}
	v2_default(fx, &v);
	v.extra_idx = 1;			/* a byte after the index */
	assert_int_equal(v2_try(fx, &v, "xidx", "data after it"),
	    FY_E_FORMAT);
	/* solid: added.txt and deep.txt against deep.txt and keep.txt */
	v2_default(fx, &v);
	v.kind[0] = v.kind[3] = 5;
	v.nolds = 2;
	v.olds[0] = old_index(fx, "d1/d2/deep.txt");
	v.olds[1] = old_index(fx, "keep.txt");
	assert_int_equal(v2_try(fx, &v, "solid", NULL), FY_OK);
	v.olds[1] = v.olds[0] + 1000;		/* past the listing */
	assert_int_equal(v2_try(fx, &v, "s2", "names no old file"),
	    FY_E_FORMAT);
	v.olds[1] = old_index(fx, "emptyold");	/* a directory */
	assert_int_equal(v2_try(fx, &v, "s3", "names no old file"),
	    FY_E_FORMAT);
	v2_default(fx, &v);			/* old files without entries */
	v.nolds = 1;
	v.olds[0] = old_index(fx, "keep.txt");
	assert_int_equal(v2_try(fx, &v, "s4", NULL), FY_E_FORMAT);
}

static void
test_v2_hostile(void **state)
{
	cur_format = 2;
	cur_zindex = 1;
	hostile(*state);
}

/* The same rules in format 3 (formats/SPEC.md §7.7), with the index
 * stored and as a zstd frame. */
static void
test_v3_hostile(void **state)
{
	struct fx *fx = *state;
	struct v2 v;

	int fd;

	cur_format = 3;
	cur_zindex = 0;
	/* its blobs are format 3's: mod.bin's (2 bytes changed) is method 5 */
	v2_default(fx, &v);
	fd = v2_write(fx, &v, "blobs3");
	close(fd);
	assert_int_equal(v.blobs[v.boff[5]], DELTA_M_BSD5);
	hostile(fx);
	cur_zindex = 1;
	hostile(fx);
	cur_format = 2;
}

/* Sizes the listings declare bound what the parser accepts: a solid
 * section over DELTAPKG_SOLID_MAX and an index frame declaring more than
 * LIMIT_MANIFEST_BYTES are refused before anything is allocated. */
static void
test_v2_limits(void **state)
{
	struct fx *fx = *state;
	struct tree_entry *t = (struct tree_entry *)tree_find(&fx->to,
	    "added.txt");
	struct fy_err e = { 0 };
	uint8_t *zeros, *frame = NULL, head[16];
	size_t flen = 0, nh = 4;
	uint64_t saved = t->size;
	struct v2 v;
	int fd;

	/* the listing says added.txt is 40 MiB; the package makes it solid */
	v2_default(fx, &v);
	t->size = 40u << 20;
	v.kind[0] = 5;
	v.kind[3] = 5;
	v.nolds = 0;
	fd = v2_write(fx, &v, "big");
	assert_int_equal(apply(fx, fd, "bigdst", &e), FY_E_UNSAFE);
	assert_non_null(strstr(e.msg, "solid section larger than"));
	close(fd);
	t->size = saved;
	/* an index frame that declares 16 MiB + 1 */
	zeros = calloc(1, LIMIT_MANIFEST_BYTES + 1);
	assert_int_equal(delta_zstd(zeros, LIMIT_MANIFEST_BYTES + 1, 1, 25, 1,
	    &frame, &flen, &e), 0);
	memcpy(head, "FYD\x02", 4);
	put_leb(head, &nh, flen);
	fd = openat(fx->rootfd, "bigidx", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(write(fd, head, nh) == (ssize_t)nh);
	assert_true(write(fd, frame, flen) == (ssize_t)flen);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(apply(fx, fd, "bigidxdst", &e), FY_E_UNSAFE);
	assert_non_null(strstr(e.msg, "delta index of"));
	close(fd);
	free(zeros);
	free(frame);
}

/* A blob that decodes to other bytes: refused by the listing's SHA-256,
 * and the file is not left behind; an old file changed on disk: refused. */
static void
test_v2_tampered_content(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	int fd = write_pkg_fmt(fx, "g2", 2);
	struct stat st;
	uint8_t *p;
	size_t n;

	assert_int_equal(fstat(fd, &st), 0);
	n = (size_t)st.st_size;
	p = malloc(n);
	assert_true(read(fd, p, n) == (ssize_t)n);
	close(fd);
	/* old tree differs from its listing */
	mkfile(fx->oldfd, "d1/d2/deep.txt", "deep OLD text, long enough\n", 27,
	    0644);
	fd = openat(fx->rootfd, "g2", O_RDONLY);
	assert_int_equal(apply(fx, fd, "o2", &e), FY_E_INTEGRITY);
	assert_string_equal(e.where, "d1/d2/deep.txt");
	close(fd);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_equals_target,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reproducible, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_tree_changed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_trees, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v2_apply_equals_target,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_hostile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v3_hostile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v2_limits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v2_tampered_content,
		    setup, teardown),
	};

	digest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
