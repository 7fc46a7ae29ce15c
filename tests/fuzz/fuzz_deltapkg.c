/* SPDX-License-Identifier: MIT */
/*
 * fuzz_deltapkg: libFuzzer target for deltapkg_apply() (formats/deltapkg*.c,
 * all four package formats).  A fixed old tree (written once to a scratch
 * directory) and fixed `from`/`to` listings; the input is the package.
 * Oracles: no crash, no out-of-bounds access (ASan), a failure always
 * carries an fy_code and nothing is created outside the destination
 * directory (which is removed after each input); a success means the
 * destination equals the `to` listing (deltapkg_apply checks it).
 *
 *   tests/fuzz/run.sh 60 deltapkg
 *   FUZZ_DELTAPKG_SEEDS=DIR ./fuzz_deltapkg   writes seed packages to DIR
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "core/digest.h"
#include "core/io.h"
#include "formats/delta.h"
#include "formats/deltapkg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

static char root[] = "/tmp/ferry-fuzz-dpkg.XXXXXX";
static int rootfd = -1, oldfd = -1, newfd = -1;
static struct tree from, to;

struct file {
	const char	*path;
	size_t		 size;
	unsigned	 seed;
};

static const struct file olds[] = {
	{ "a.txt", 300, 1 }, { "b.bin", 2000, 2 }, { "d/c.txt", 120, 3 },
	{ "gone.txt", 40, 4 },
};
static const struct file news[] = {
	{ "a.txt", 310, 1 }, { "b.bin", 2000, 2 }, { "d/c.txt", 130, 5 },
	{ "e.txt", 64, 6 }, { "f/copy.bin", 2000, 2 },
};

/* Content: text-like for .txt, binary otherwise; `seed` and size pick
 * it, and a new file of the same seed and size equals the old one. */
static void
fill(uint8_t *p, const struct file *f)
{
	size_t i;

	for (i = 0; i < f->size; i++)
		p[i] = strstr(f->path, ".txt") ? (uint8_t)("lorem ipsum "
		    "dolor sit amet\n"[(i * f->seed + i / 37) % 27]) :
		    (uint8_t)(i % 5 ? (i * 31 + f->seed) >> 2 : 0);
}

static void
make(int dirfd, struct tree *t, const struct file *fs, size_t n)
{
	struct fy_err e = { 0 };
	uint8_t buf[4096], sha[DIGEST_LEN];
	const char *s;
	char dir[64];
	size_t i;
	int fd;

	tree_init(t);
	for (i = 0; i < n; i++) {
		fill(buf, &fs[i]);
		if ((s = strrchr(fs[i].path, '/')) != NULL) {
			snprintf(dir, sizeof(dir), "%.*s",
			    (int)(s - fs[i].path), fs[i].path);
			if (io_mkdirs(dirfd, dir, &e) == -1 ||
			    (tree_find(t, dir) == NULL && tree_add(t, dir,
			    TREE_DIR, 0755, 0, NULL, &e) == -1))
				abort();
			(void)tree_sort(t, "fuzz", &e);
		}
		fd = openat(dirfd, fs[i].path, O_WRONLY | O_CREAT | O_TRUNC,
		    0644);
		if (fd == -1 || write(fd, buf, fs[i].size) !=
		    (ssize_t)fs[i].size)
			abort();
		close(fd);
		digest_buf(buf, fs[i].size, sha);
		if (tree_add(t, fs[i].path, TREE_FILE, 0644, fs[i].size, sha,
		    &e) == -1)
			abort();
	}
	if (tree_sort(t, "fuzz", &e) == -1)
		abort();
}

/* dir/v3 again as v3z, with its index as a zstd frame instead of stored
 * (formats/SPEC.md §7.7: the low bit of the index length). */
static void
v3_zindex(const char *dir)
{
	uint8_t in[65536], out[65536 + 64], *p = in + 4, *frame;
	char path[512];
	uint64_t h = 0;
	size_t n, flen, ilen, at = 4;
	int fd, sh = 0;

	snprintf(path, sizeof(path), "%s/v3", dir);
	if ((fd = open(path, O_RDONLY)) == -1)
		abort();
	n = (size_t)read(fd, in, sizeof(in));
	close(fd);
	if (n < 5 || n == sizeof(in))
		abort();
	do {
		h |= (uint64_t)(*p & 0x7f) << sh;
		sh += 7;
	} while (*p++ & 0x80);
	if ((h & 1) != 0)
		abort();	/* the writer stores a tiny index */
	ilen = (size_t)(h >> 1);
	if ((frame = malloc(ZSTD_compressBound(ilen))) == NULL)
		abort();
	flen = ZSTD_compress(frame, ZSTD_compressBound(ilen), p, ilen, 19);
	if (ZSTD_isError(flen))
		abort();
	memcpy(out, in, 4);
	h = (uint64_t)flen << 1 | 1;
	while (h >= 0x80) {
		out[at++] = (uint8_t)(h | 0x80);
		h >>= 7;
	}
	out[at++] = (uint8_t)h;
	memcpy(out + at, frame, flen);
	at += flen;
	n -= (size_t)(p - in) + ilen;		/* the blobs */
	memcpy(out + at, p + ilen, n);
	at += n;
	free(frame);
	snprintf(path, sizeof(path), "%s/v3z", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, out, at) != (ssize_t)at)
		abort();
	close(fd);
}

static void
leb(uint8_t *p, size_t *n, uint64_t v)
{
	while (v >= 0x80) {
		p[(*n)++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[(*n)++] = (uint8_t)v;
}

/* The listing index of path in t. */
static uint64_t
idx_of(const struct tree *t, const char *path)
{
	const struct tree_entry *x = tree_find(t, path);

	if (x == NULL)
		abort();
	return (uint64_t)(x - t->v);
}

/* Read dirfd/path and append it to buf at *n. */
static void
cat(int dirfd, const char *path, uint8_t *buf, size_t *n)
{
	uint8_t *p = NULL;
	size_t len = 0;
	struct fy_err e = { 0 };

	if (io_read_bounded(dirfd, path, 4096, &p, &len, &e) == -1)
		abort();
	memcpy(buf + *n, p, len);
	*n += len;
	free(p);
}

/* dir/v4refs: format 4 (formats/SPEC.md §7.8) by hand, since the fixture's
 * files are small enough for the solid section: a.txt against old
 * a.txt, d/c.txt against old d/c.txt and new a.txt, e.txt against new
 * d/c.txt (kind 6 each), the rest copies. */
static void
v4_seed(const char *dir)
{
	static const struct {
		const char	*path, *refs[2];
		int		 isnew[2];
	} k6[] = {
		{ "a.txt", { "a.txt", NULL }, { 0, 0 } },
		{ "d/c.txt", { "d/c.txt", "a.txt" }, { 0, 1 } },
		{ "e.txt", { "d/c.txt", NULL }, { 1, 0 } },
	};
	struct delta_opts o = { .level = 3, .workers = 1, .format = 3 };
	struct fy_err e = { 0 };
	uint8_t idx[256], head[16], ref[8192], nw[4096], blobs[16384], *b;
	size_t ni = 0, nh = 4, nb = 0, rn, nn, bl, i, k;
	char path[512];
	int fd;

	for (i = 0; i < 3; i++) {
		if (i == 1) {	/* b.bin: unchanged */
			idx[ni++] = 0;
		}
		rn = nn = 0;
		idx[ni++] = 6;
		leb(idx, &ni, k6[i].refs[1] ? 2 : 1);
		for (k = 0; k < 2 && k6[i].refs[k]; k++) {
			cat(k6[i].isnew[k] ? newfd : oldfd, k6[i].refs[k], ref,
			    &rn);
			leb(idx, &ni, idx_of(k6[i].isnew[k] ? &to : &from,
			    k6[i].refs[k]) << 1 | (uint64_t)k6[i].isnew[k]);
		}
		cat(newfd, k6[i].path, nw, &nn);
		if (delta_encode(ref, rn, nw, nn, &o, &b, &bl, &e) == -1)
			abort();
		leb(idx, &ni, bl);
		memcpy(blobs + nb, b, bl);
		nb += bl;
		free(b);
	}
	idx[ni++] = 1;		/* f/copy.bin: a copy of old b.bin */
	leb(idx, &ni, idx_of(&from, "b.bin"));
	leb(idx, &ni, 0);	/* no solid section */
	leb(idx, &ni, 0);
	memcpy(head, "FYD\x04", 4);
	leb(head, &nh, (uint64_t)ni << 1);
	snprintf(path, sizeof(path), "%s/v4refs", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, head, nh) != (ssize_t)nh ||
	    write(fd, idx, ni) != (ssize_t)ni ||
	    write(fd, blobs, nb) != (ssize_t)nb)
		abort();
	close(fd);
}

/* Seed packages of every format from the fixture. */
static void
seeds(const char *dir)
{
	struct fy_err e = { 0 };
	char path[512];
	int f, fd;

	for (f = 1; f <= 3; f++) {
		struct delta_opts o = { .level = 3, .workers = 1, .format = f };

		snprintf(path, sizeof(path), "%s/v%d", dir, f);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1 || deltapkg_write(oldfd, &from, newfd, &to, &o, fd,
		    &e) == -1)
			abort();
		close(fd);
	}
	v3_zindex(dir);
	v4_seed(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *s = getenv("FUZZ_DELTAPKG_SEEDS");

	(void)argc;
	(void)argv;
	digest_init();
	if (mkdtemp(root) == NULL ||
	    (rootfd = open(root, O_RDONLY | O_DIRECTORY)) == -1 ||
	    mkdirat(rootfd, "old", 0755) == -1 ||
	    mkdirat(rootfd, "new", 0755) == -1 ||
	    (oldfd = openat(rootfd, "old", O_RDONLY | O_DIRECTORY)) == -1 ||
	    (newfd = openat(rootfd, "new", O_RDONLY | O_DIRECTORY)) == -1)
		abort();
	make(oldfd, &from, olds, sizeof(olds) / sizeof(olds[0]));
	make(newfd, &to, news, sizeof(news) / sizeof(news[0]));
	if (s != NULL)
		seeds(s);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct fy_err e = { 0 };
	int pkg, dst, rc;

	if ((pkg = memfd_create("pkg", 0)) == -1)
		abort();
	if (n > 0 && write(pkg, d, n) != (ssize_t)n)
		abort();
	(void)lseek(pkg, 0, SEEK_SET);
	(void)io_remove_tree(rootfd, "dst", &e);
	e = (struct fy_err){ 0 };
	if (mkdirat(rootfd, "dst", 0755) == -1 ||
	    (dst = openat(rootfd, "dst", O_RDONLY | O_DIRECTORY)) == -1)
		abort();
	rc = deltapkg_apply(pkg, "fuzz", oldfd, &from, &to, dst, 0, &e);
	if (rc == -1 && e.code == FY_OK)
		abort();
	close(dst);
	close(pkg);
	e = (struct fy_err){ 0 };
	(void)io_remove_tree(rootfd, "dst", &e);
	return 0;
}
