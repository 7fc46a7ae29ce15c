/* SPDX-License-Identifier: MIT */
/*
 * test_deltapkg_refs: delta package format 4 (formats/SPEC.md §7.8): index
 * kind 6, a blob decoded against the concatenation of several files (old
 * files, and new files written before it).  Two files that gain the same
 * new text: the encoder codes the second against its old version and the
 * first new file, writes format 4, and the package applies; without a
 * new file like it, no reference.  Hostile references,
 * each refused with its fy_code and message before anything is written:
 * the file itself, a new file not written yet (what a cycle needs), a
 * directory, an index outside a listing, a file named twice, no file or
 * too many, kind 6 in a format-3 package, a reference larger than the
 * memory the planner checked (§7.4).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <zstd.h>

#include "formats/deltapkg_int.h"
#include "formats/limits.h"

#include "deltapkg_fixture.h"

#define XLEN	30000	/* the new text both files gain */
/* Above the solid section's files (4 MiB), which share context anyway. */
#define OLEN	((4 << 20) + 100000)

static uint8_t *
noise(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n);
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)('a' + (seed >> 16) % 26);
	}
	return p;
}

/* old: a.json, b.json, c.txt; new: the directory a.dir, a.json and
 * b.json (4 MiB and more) each with the same 30,000 new bytes appended,
 * c.txt unchanged.
 * Listing of `to`: 0 a.dir, 1 a.json, 2 b.json, 3 c.txt. */
static int
setup4(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct fy_err e = { 0 };
	uint8_t *a = noise(OLEN + XLEN, 1), *b = noise(OLEN + XLEN, 2);
	uint8_t *x = noise(XLEN, 3);

	snprintf(fx->root, sizeof(fx->root), "/tmp/ferry-test-dpkg4.XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	fx->rootfd = open(fx->root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(mkdirat(fx->rootfd, "old", 0755), 0);
	assert_int_equal(mkdirat(fx->rootfd, "new", 0755), 0);
	fx->oldfd = openat(fx->rootfd, "old", O_RDONLY | O_DIRECTORY);
	fx->newfd = openat(fx->rootfd, "new", O_RDONLY | O_DIRECTORY);
	mkfile(fx->oldfd, "a.json", a, OLEN, 0644);
	mkfile(fx->oldfd, "b.json", b, OLEN, 0644);
	mkfile(fx->oldfd, "c.txt", "same\n", 5, 0644);
	memcpy(a + OLEN, x, XLEN);
	memcpy(b + OLEN, x, XLEN);
	assert_int_equal(mkdirat(fx->newfd, "a.dir", 0755), 0);
	mkfile(fx->newfd, "a.json", a, OLEN + XLEN, 0644);
	mkfile(fx->newfd, "b.json", b, OLEN + XLEN, 0644);
	mkfile(fx->newfd, "c.txt", "same\n", 5, 0644);
	free(a);
	free(b);
	free(x);
	assert_int_equal(tree_scan(fx->oldfd, &fx->from, &e), 0);
	assert_int_equal(tree_scan(fx->newfd, &fx->to, &e), 0);
	*state = fx;
	return 0;
}

static size_t
old_index(const struct fx *fx, const char *path)
{
	const struct tree_entry *x = tree_find(&fx->from, path);

	assert_non_null(x);
	return (size_t)(x - fx->from.v);
}

static uint8_t *
read_new(const struct fx *fx, int dirfd, const char *path, size_t *n)
{
	struct fy_err e = { 0 };
	uint8_t *p = NULL;

	(void)fx;
	assert_int_equal(io_read_bounded(dirfd, path, 1 << 24, &p, n, &e), 0);
	return p;
}

static uint64_t
leb(const uint8_t **p)
{
	uint64_t v = 0;
	int sh = 0;

	do
		v |= (uint64_t)(**p & 0x7f) << sh, sh += 7;
	while (*(*p)++ & 0x80);
	return v;
}

/* The number of kind-6 entries in the format-3/4 package fd, its index
 * read as formats/SPEC.md §7.7 and §7.8 say; the file b.json's kind in
 * *kb. */
static int
count_refs(struct fx *fx, int fd, int *kb)
{
	uint8_t *pkg = malloc(1 << 22), *idx;
	const uint8_t *p;
	uint64_t h, n, m, k;
	ssize_t got = pread(fd, pkg, 1 << 22, 0);
	size_t i, ilen;
	int refs = 0;

	assert_true(got > 8 && got < (1 << 22));
	p = pkg + 4;
	h = leb(&p);
	if (h & 1) {
		ilen = (size_t)ZSTD_getFrameContentSize(p, (size_t)(h >> 1));
		idx = malloc(ilen + 1);
		assert_int_equal(ZSTD_decompress(idx, ilen, p,
		    (size_t)(h >> 1)), ilen);
	} else {
		ilen = (size_t)(h >> 1);
		idx = malloc(ilen + 1);
		memcpy(idx, p, ilen);
	}
	p = idx;
	for (i = 0; i < fx->to.n; i++) {
		if (fx->to.v[i].type != TREE_FILE)
			continue;
		k = *p++;
		if (strcmp(fx->to.v[i].path, "b.json") == 0)
			*kb = (int)k;
		if (k == 1 || k == 4)
			(void)leb(&p);
		if (k == 6) {
			refs++;
			for (m = leb(&p), n = 0; n < m; n++)
				(void)leb(&p);
		}
		if ((k >= 2 && k <= 4) || k == 6)
			(void)leb(&p);
	}
	free(idx);
	free(pkg);
	return refs;
}

/* The package the encoder writes (mkmedia's default format): format 4,
 * b.json as kind 6 against old b.json and new a.json; it applies, and it
 * is smaller than format 3 (which has no such kind). */
static void
test_v4_roundtrip(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	uint8_t head[4];
	int fd4 = write_pkg_fmt(fx, "p4", 0), fd3 = write_pkg_fmt(fx, "p3", 3);
	int kb = -1;

	assert_int_equal(read(fd4, head, 4), 4);
	assert_memory_equal(head, "FYD\x04", 4);
	assert_int_equal(read(fd3, head, 4), 4);
	assert_memory_equal(head, "FYD\x03", 4);
	assert_int_equal(count_refs(fx, fd4, &kb), 1);
	assert_int_equal(kb, K_REFS);
	assert_int_equal(count_refs(fx, fd3, &kb), 0);
	assert_int_equal(lseek(fd4, 0, SEEK_SET), 0);
	assert_int_equal(lseek(fd3, 0, SEEK_SET), 0);
	assert_int_equal(apply(fx, fd4, "p4d", &e), FY_OK);
	assert_int_equal(apply(fx, fd3, "p3d", &e), FY_OK);
	/* the 30,000 new bytes once, not twice */
	assert_true(fd_size(fd4) + XLEN / 3 < fd_size(fd3));
	assert_int_equal(deltapkg_format_of(fx->rootfd, "p4", &e), 4);
	close(fd4);
	close(fd3);
}

/* No new file written before b.json shares its extension or 2 bytes of
 * its name (a.json renamed a.keep): no reference, b.json against its old
 * version alone (and format 3 unless a blob uses method 6). */
static void
test_v4_only_when_needed(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	int fd, kb = -1;

	assert_int_equal(renameat(fx->newfd, "a.json", fx->newfd, "a.keep"),
	    0);
	tree_free(&fx->to);
	tree_init(&fx->to);
	assert_int_equal(tree_scan(fx->newfd, &fx->to, &e), 0);
	fd = write_pkg_fmt(fx, "p", 0);
	assert_int_equal(count_refs(fx, fd, &kb), 0);
	assert_int_equal(kb, K_PATCH_SAME);
	assert_int_equal(apply(fx, fd, "pd", &e), FY_OK);
	close(fd);
}

/* A hand-made package: a.json as kind 3, b.json as kind 6 with the given
 * reference (m varints; m may be 0 or above the limit), c.txt as kind
 * 0.  `kind6` replaces 6 (to try it in format 3). */
struct v4 {
	int		format, kind6;
	uint64_t	m, ref[8];
};

/* The two blobs (a.json against old a.json; b.json against old b.json
 * and new a.json), made once: the fixture is the same in every test. */
static uint8_t *blob_a, *blob_b;
static size_t len_a, len_b;

static void
v4_blobs(struct fx *fx)
{
	struct delta_opts o = { .level = 3, .workers = 1, .format = 3 };
	struct fy_err e = { 0 };
	uint8_t *oa, *ob, *na, *nb, *ref;
	size_t n;

	if (blob_a != NULL)
		return;
	oa = read_new(fx, fx->oldfd, "a.json", &n);
	na = read_new(fx, fx->newfd, "a.json", &n);
	ob = read_new(fx, fx->oldfd, "b.json", &n);
	nb = read_new(fx, fx->newfd, "b.json", &n);
	assert_int_equal(delta_encode(oa, OLEN, na, OLEN + XLEN, &o, &blob_a,
	    &len_a, &e), 0);
	ref = malloc(OLEN + OLEN + XLEN);
	memcpy(ref, ob, OLEN);
	memcpy(ref + OLEN, na, OLEN + XLEN);
	assert_int_equal(delta_encode(ref, OLEN + OLEN + XLEN, nb,
	    OLEN + XLEN, &o, &blob_b, &len_b, &e), 0);
	free(oa);
	free(na);
	free(ob);
	free(nb);
	free(ref);
}

static int
v4_write(struct fx *fx, const struct v4 *v, const char *name)
{
	uint8_t idx[256], head[16];
	size_t ni = 0, nh = 0, k;
	int fd;

	v4_blobs(fx);
	idx[ni++] = K_PATCH_SAME;
	put_leb(idx, &ni, len_a);
	idx[ni++] = (uint8_t)v->kind6;
	put_leb(idx, &ni, v->m);
	for (k = 0; k < v->m && k < 8; k++)
		put_leb(idx, &ni, v->ref[k]);
	put_leb(idx, &ni, len_b);
	idx[ni++] = K_COPY_SAME;
	put_leb(idx, &ni, 0);		/* no solid section */
	put_leb(idx, &ni, 0);
	memcpy(head, v->format == 3 ? "FYD\x03" : "FYD\x04", 4);
	nh = 4;
	put_leb(head, &nh, (uint64_t)ni << 1);	/* stored */
	fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	assert_true(write(fd, head, nh) == (ssize_t)nh);
	assert_true(write(fd, idx, ni) == (ssize_t)ni);
	assert_true(write(fd, blob_a, len_a) == (ssize_t)len_a);
	assert_true(write(fd, blob_b, len_b) == (ssize_t)len_b);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Number of entries in the directory dst below the fixture's root. */
static int
entries(struct fx *fx, const char *dst)
{
	DIR *d;
	struct dirent *de;
	int n = 0, fd = openat(fx->rootfd, dst, O_RDONLY | O_DIRECTORY);

	assert_true(fd != -1);
	d = fdopendir(fd);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..")
		    != 0;
	closedir(d);
	return n;
}

/* Apply v: the fy_code; a refusal's message must contain msg, and a
 * refusal of the index writes nothing. */
static enum fy_code
v4_try(struct fx *fx, const struct v4 *v, const char *name, const char *msg)
{
	struct fy_err e;
	enum fy_code c;
	char dst[64];
	int fd = v4_write(fx, v, name);

	snprintf(dst, sizeof(dst), "%s.d", name);
	c = apply(fx, fd, dst, &e);
	close(fd);
	if (c != FY_OK) {
		if (msg != NULL && strstr(e.msg, msg) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", name,
			    e.msg, msg);
		if (msg != NULL)
			assert_int_equal(entries(fx, dst), 0);
	}
	return c;
}

#define OLD(i)	((uint64_t)(i) << 1)
#define NEW(i)	((uint64_t)(i) << 1 | 1)

static void
test_v4_hostile(void **state)
{
	struct fx *fx = *state;
	uint64_t ob = OLD(old_index(fx, "b.json"));
	struct v4 v = { 4, K_REFS, 2, { ob, NEW(1) } };

	assert_int_equal(v4_try(fx, &v, "ok", NULL), FY_OK);	/* control */
	v.ref[0] = NEW(1);			/* new a.json first */
	v.ref[1] = ob;
	assert_int_equal(v4_try(fx, &v, "order", NULL), FY_E_INTEGRITY);
	v.ref[0] = ob;
	v.ref[1] = NEW(2);			/* b.json itself */
	assert_int_equal(v4_try(fx, &v, "self", "the reference names the "
	    "file itself"), FY_E_FORMAT);
	v.ref[1] = NEW(3);			/* c.txt: written after */
	assert_int_equal(v4_try(fx, &v, "fwd", "a new file not written "
	    "before this one"), FY_E_FORMAT);
	v.ref[1] = NEW(0);			/* the directory a.dir */
	assert_int_equal(v4_try(fx, &v, "dir", "names no new file"),
	    FY_E_FORMAT);
	v.ref[1] = OLD(1000);			/* outside the listing */
	assert_int_equal(v4_try(fx, &v, "out", "names no old file"),
	    FY_E_FORMAT);
	v.ref[1] = (uint64_t)1 << 62 | 1;	/* far outside */
	assert_int_equal(v4_try(fx, &v, "far", "not written before"),
	    FY_E_FORMAT);
	v.ref[1] = ob;				/* twice */
	assert_int_equal(v4_try(fx, &v, "twice", "names a file twice"),
	    FY_E_FORMAT);
	v.ref[1] = NEW(1);
	v.m = 0;
	assert_int_equal(v4_try(fx, &v, "m0", "a reference of 0 files, 1 to "
	    "4 allowed"), FY_E_FORMAT);
	v.m = 5;
	v.ref[2] = OLD(old_index(fx, "a.json"));
	v.ref[3] = OLD(old_index(fx, "c.txt"));
	v.ref[4] = NEW(2);
	assert_int_equal(v4_try(fx, &v, "m5", "a reference of 5 files"),
	    FY_E_FORMAT);
	v.m = 4;		/* four is fine: the blob's matches are in the
				 * first two, the file is right */
	assert_int_equal(v4_try(fx, &v, "m4", NULL), FY_OK);
	v.m = 2;
	v.format = 3;				/* kind 6 in format 3 */
	assert_int_equal(v4_try(fx, &v, "f3", "unknown kind"), FY_E_FORMAT);
	v.format = 4;
	v.kind6 = 7;				/* no kind 7 */
	assert_int_equal(v4_try(fx, &v, "k7", "unknown kind"), FY_E_FORMAT);
}

/* A reference is counted against deltapkg_mem_bound(), the memory the
 * planner checked from the two listings (formats/SPEC.md §7.4): a small
 * file against four large old files needs more, and is refused (unsafe)
 * before a file is read or written.  The listings name files that do not
 * exist: nothing but the index may be read. */
static void
test_v4_memory(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	uint8_t sha[DIGEST_LEN] = { 0 }, head[16], idx[64];
	struct tree from, to;
	size_t ni = 0, nh = 4, i;
	int fd, dfd;
	char name[8];

	tree_init(&from);
	tree_init(&to);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "o%zu", i);
		assert_int_equal(tree_add(&from, name, TREE_FILE, 0644,
		    (uint64_t)64 << 20, sha, &e), 0);
	}
	assert_int_equal(tree_add(&to, "n", TREE_FILE, 0644, 100, sha, &e),
	    0);
	assert_int_equal(tree_sort(&from, "f", &e), 0);
	assert_int_equal(tree_sort(&to, "t", &e), 0);
	/* the bound: 64 MiB + a blob and two copies of 100 bytes + 4 MiB;
	 * three old files are more than that, two are not */
	assert_true(deltapkg_mem_bound(&from, &to) < (uint64_t)3 << 26);
	idx[ni++] = K_REFS;
	put_leb(idx, &ni, 3);
	for (i = 0; i < 3; i++)
		put_leb(idx, &ni, OLD(i));
	put_leb(idx, &ni, 20);
	put_leb(idx, &ni, 0);
	put_leb(idx, &ni, 0);
	memcpy(head, "FYD\x04", 4);
	put_leb(head, &nh, (uint64_t)ni << 1);
	fd = openat(fx->rootfd, "mem", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(write(fd, head, nh) == (ssize_t)nh);
	assert_true(write(fd, idx, ni) == (ssize_t)ni);
	assert_true(write(fd, sha, 20) == 20);	/* the "blob" */
	assert_int_equal(mkdirat(fx->rootfd, "memd", 0755), 0);
	dfd = openat(fx->rootfd, "memd", O_RDONLY | O_DIRECTORY);
	assert_int_equal(deltapkg_apply(fd, "pkg", fx->oldfd, &from, &to, dfd,
	    0, &e), -1);
	assert_int_equal(e.code, FY_E_UNSAFE);
	assert_string_equal(e.where, "n");
	assert_non_null(strstr(e.msg, "delta reference of 201326592 bytes: "
	    "applying needs"));
	assert_int_equal(entries(fx, "memd"), 0);
	close(dfd);
	close(fd);
	tree_free(&from);
	tree_free(&to);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v4_roundtrip, setup4,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v4_only_when_needed,
		    setup4, teardown),
		cmocka_unit_test_setup_teardown(test_v4_hostile, setup4,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v4_memory, setup4,
		    teardown),
	};

	int rc;

	digest_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(blob_a);
	free(blob_b);
	return rc;
}
