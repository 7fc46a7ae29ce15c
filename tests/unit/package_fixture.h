/* SPDX-License-Identifier: MIT */
/*
 * package_fixture: helpers shared by test_package.c and
 * test_package_attack.c (included, not linked: each unit test is one
 * binary).  A scratch root holds src/ (input tree), dst/ (extraction
 * target) and canary/victim, a sibling that no extraction may touch.
 * Packages live in memfds.  Hostile packages are made here at test time:
 * libarchive's pax writer for entries (symlinks, devices, ...), a raw
 * ustar/pax builder for header tricks, and hand-made zstd frames (raw and
 * RLE blocks) for window and bomb cases.
 */
#ifndef FERRY_TEST_PACKAGE_FIXTURE_H
#define FERRY_TEST_PACKAGE_FIXTURE_H

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zstd.h>

#include "core/digest.h"
#include "core/err.h"
#include "core/io.h"
#include "formats/package.h"
#include "formats/tree.h"

#define FX_UNUSED	__attribute__((unused))
#define CANARY_TEXT	"precious canary\n"

struct fx {
	char	root[64];
	int	rootfd, srcfd, dstfd;
};

struct buf {
	uint8_t	*p;
	size_t	 n, cap;
};

static FX_UNUSED void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static FX_UNUSED void
buf_zero(struct buf *b, size_t n)
{
	uint8_t z[512] = { 0 };

	while (n > 0) {
		size_t k = n < sizeof(z) ? n : sizeof(z);

		buf_add(b, z, k);
		n -= k;
	}
}

static FX_UNUSED void
put_file(int dirfd, const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || write(fd, p, n) != (ssize_t)n || fchmod(fd, mode) ||
	    close(fd))
		abort();
}

static FX_UNUSED int
fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "/tmp/ferry-pkg.XXXXXX");
	if (mkdtemp(fx->root) == NULL)
		return -1;
	fx->rootfd = open(fx->root, O_RDONLY | O_DIRECTORY);
	if (mkdirat(fx->rootfd, "src", 0755) || mkdirat(fx->rootfd, "dst", 0755)
	    || mkdirat(fx->rootfd, "canary", 0755))
		return -1;
	put_file(fx->rootfd, "canary/victim", CANARY_TEXT,
	    strlen(CANARY_TEXT), 0644);
	fx->srcfd = openat(fx->rootfd, "src", O_RDONLY | O_DIRECTORY);
	fx->dstfd = openat(fx->rootfd, "dst", O_RDONLY | O_DIRECTORY);
	*state = fx;
	return 0;
}

static FX_UNUSED int
fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	int rc;

	close(fx->srcfd);
	close(fx->dstfd);
	close(fx->rootfd);
	rc = io_remove_tree(AT_FDCWD, fx->root, &e);
	free(fx);
	return rc;
}

/* Empty dst again (a fresh directory for the next extraction). */
static FX_UNUSED void
fx_fresh_dst(struct fx *fx)
{
	struct fy_err e = { 0 };

	close(fx->dstfd);
	assert_int_equal(io_remove_tree(fx->rootfd, "dst", &e), 0);
	assert_int_equal(mkdirat(fx->rootfd, "dst", 0755), 0);
	fx->dstfd = openat(fx->rootfd, "dst", O_RDONLY | O_DIRECTORY);
	assert_true(fx->dstfd >= 0);
}

/* Nothing but src, dst and an untouched canary/victim in the root. */
static FX_UNUSED void
fx_assert_outside_untouched(struct fx *fx)
{
	struct dirent *de;
	struct stat st;
	char got[64] = { 0 };
	DIR *d;
	int fd, n = 0;

	assert_non_null(d = opendir(fx->root));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, "src") != 0 &&
		    strcmp(de->d_name, "dst") != 0 &&
		    strcmp(de->d_name, "canary") != 0)
			fail_msg("created outside dst: %s", de->d_name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 3);
	snprintf(got, sizeof(got), "%s/canary", fx->root);
	assert_non_null(d = opendir(got));
	n = 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	assert_int_equal(fstatat(fx->rootfd, "canary/victim", &st,
	    AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_mode & 07777, 0644);
	memset(got, 0, sizeof(got));
	fd = openat(fx->rootfd, "canary/victim", O_RDONLY);
	assert_true(read(fd, got, sizeof(got) - 1) > 0);
	close(fd);
	assert_string_equal(got, CANARY_TEXT);
}

static FX_UNUSED int
mem_fd(const void *p, size_t n)
{
	int fd = memfd_create("pkg", MFD_CLOEXEC);

	if (fd == -1 || (n > 0 && write(fd, p, n) != (ssize_t)n) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static FX_UNUSED void
fd_bytes(int fd, struct buf *b)
{
	uint8_t tmp[65536];
	ssize_t n;

	b->n = 0;
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(b, tmp, (size_t)n);
	assert_int_equal(n, 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
}

static FX_UNUSED void
add_file(struct tree *t, const char *path, const char *content, uint32_t mode)
{
	uint8_t sha[DIGEST_LEN];
	struct fy_err e = { 0 };

	digest_buf(content, strlen(content), sha);
	assert_int_equal(tree_add(t, path, TREE_FILE, mode, strlen(content),
	    sha, &e), 0);
}

static FX_UNUSED void
add_dir(struct tree *t, const char *path)
{
	struct fy_err e = { 0 };

	assert_int_equal(tree_add(t, path, TREE_DIR, 0755, 0, NULL, &e), 0);
}

/* Extract `pkgfd` into dst with tree t; returns the rc, fills e. */
static FX_UNUSED int
fx_extract(struct fx *fx, int pkgfd, const struct tree *t, struct fy_err *e)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(lseek(pkgfd, 0, SEEK_SET), 0);
	return package_extract_base(pkgfd, "pkg", t, fx->dstfd, 0, e);
}

/* One entry of a hostile package written with libarchive's pax writer. */
struct hent {
	const char	*path;
	mode_t		 type;		/* AE_IFREG, AE_IFDIR, AE_IFLNK, ... */
	mode_t		 perm;
	const char	*data;		/* files; NULL = none */
	const char	*link;		/* symlink target */
	const char	*hardlink;
	const char	*xattr;		/* name of an xattr to attach */
	int64_t		 size;		/* -1: strlen(data) */
};

static FX_UNUSED la_ssize_t
hent_write_cb(struct archive *a, void *cd, const void *p, size_t n)
{
	(void)a;
	buf_add(cd, p, n);
	return (la_ssize_t)n;
}

/* Plain tar bytes of the entries (terminated by a NULL path). */
static FX_UNUSED void
hostile_tar(const struct hent *h, struct buf *out)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();

	out->n = 0;
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, out, NULL, hent_write_cb,
	    NULL), ARCHIVE_OK);
	for (; h->path != NULL; h++) {
		size_t dlen = h->data ? strlen(h->data) : 0;

		archive_entry_clear(ae);
		archive_entry_copy_pathname(ae, h->path);
		archive_entry_set_filetype(ae, h->type);
		archive_entry_set_perm(ae, h->perm);
		archive_entry_set_size(ae, h->size >= 0 ? h->size :
		    (int64_t)dlen);
		if (h->type == AE_IFCHR)
			archive_entry_set_rdev(ae, makedev(1, 3));
		if (h->link != NULL)
			archive_entry_copy_symlink(ae, h->link);
		if (h->hardlink != NULL)
			archive_entry_copy_hardlink(ae, h->hardlink);
		if (h->xattr != NULL)
			archive_entry_xattr_add_entry(ae, h->xattr, "x", 1);
		assert_true(archive_write_header(a, ae) >= ARCHIVE_WARN);
		if (dlen > 0)
			archive_write_data(a, h->data, dlen);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(ae);
}

static FX_UNUSED int
zstd_fd(const struct buf *tar)
{
	size_t bound = ZSTD_compressBound(tar->n), n;
	void *z = malloc(bound);
	int fd;

	n = ZSTD_compress(z, bound, tar->p, tar->n, 3);
	assert_false(ZSTD_isError(n));
	fd = mem_fd(z, n);
	free(z);
	return fd;
}

static FX_UNUSED int
hostile_pkg(const struct hent *h)
{
	struct buf tar = { 0 };
	int fd;

	hostile_tar(h, &tar);
	fd = zstd_fd(&tar);
	free(tar.p);
	return fd;
}

/* Raw ustar header (name <= 99 bytes). */
static FX_UNUSED void
raw_header(struct buf *b, const char *name, char type, unsigned mode,
    uint64_t size)
{
	uint8_t h[512] = { 0 };
	unsigned sum = 0, i;

	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	buf_add(b, h, 512);
}

static FX_UNUSED void
raw_data(struct buf *b, const void *p, size_t n)
{
	buf_add(b, p, n);
	buf_zero(b, (512 - n % 512) % 512);
}

/*
 * A zstd frame by hand: no content size, no checksum, window 2^wlog, the
 * tar bytes as raw blocks, then `zeros` bytes as RLE blocks.  This makes
 * bombs and oversized windows in microseconds, without a compressor.
 */
static FX_UNUSED int
frame_fd(const struct buf *tar, int wlog, uint64_t zeros)
{
	size_t bmax = (size_t)1 << (wlog < 17 ? wlog : 17), off = 0, k;
	struct buf f = { 0 };
	uint8_t hdr[6] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00,
	    (uint8_t)((wlog - 10) << 3) };
	uint8_t bh[4];
	uint32_t v;
	int fd;

	buf_add(&f, hdr, sizeof(hdr));
	while (off < tar->n || zeros > 0) {
		int last, rle = off >= tar->n;

		k = rle ? (zeros < bmax ? (size_t)zeros : bmax) :
		    (tar->n - off < bmax ? tar->n - off : bmax);
		last = rle ? zeros == k : (off + k == tar->n && zeros == 0);
		v = (uint32_t)last | (uint32_t)(rle ? 1 : 0) << 1 |
		    (uint32_t)k << 3;
		bh[0] = v & 0xff;
		bh[1] = (v >> 8) & 0xff;
		bh[2] = (v >> 16) & 0xff;
		buf_add(&f, bh, 3);
		if (rle) {
			bh[3] = 0;
			buf_add(&f, bh + 3, 1);
			zeros -= k;
		} else {
			buf_add(&f, tar->p + off, k);
			off += k;
		}
	}
	fd = mem_fd(f.p, f.n);
	free(f.p);
	return fd;
}

#endif
