/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_fixture: the two trees test_deltapkg.c and test_deltapkg_v3.c
 * apply packages between (included, not linked: each unit test is one
 * binary): added, removed, renamed, copied, mode-changed, modified,
 * nested and empty; writing a package of a format, applying one into a
 * fresh directory.
 */
#ifndef FERRY_TEST_DELTAPKG_FIXTURE_H
#define FERRY_TEST_DELTAPKG_FIXTURE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/io.h"
#include "formats/deltapkg.h"
#include "formats/tree.h"

#define FX_UNUSED	__attribute__((unused))

struct fx {
	char		root[64];
	int		rootfd, oldfd, newfd;
	struct tree	from, to;
};

static FX_UNUSED void
mkfile(int dirfd, const char *path, const void *p, size_t n, mode_t mode)
{
	struct fy_err e = { 0 };
	char dir[256];
	const char *s = strrchr(path, '/');
	int fd;

	if (s != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
		assert_int_equal(io_mkdirs(dirfd, dir, &e), 0);
	}
	fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd != -1);
	assert_true(write(fd, p, n) == (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static FX_UNUSED uint8_t *
blob_data(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (i % 7 == 0) ? 0 : (uint8_t)(i * seed >> 3);
	return p;
}

static FX_UNUSED int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct fy_err e = { 0 };
	uint8_t *b = blob_data(20000, 7);

	snprintf(fx->root, sizeof(fx->root), "/tmp/ferry-test-dpkg.XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	fx->rootfd = open(fx->root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(mkdirat(fx->rootfd, "old", 0755), 0);
	assert_int_equal(mkdirat(fx->rootfd, "new", 0755), 0);
	fx->oldfd = openat(fx->rootfd, "old", O_RDONLY | O_DIRECTORY);
	fx->newfd = openat(fx->rootfd, "new", O_RDONLY | O_DIRECTORY);
	mkfile(fx->oldfd, "keep.txt", "same\n", 5, 0644);
	mkfile(fx->oldfd, "mod.bin", b, 20000, 0644);
	mkfile(fx->oldfd, "gone.txt", "removed\n", 8, 0644);
	mkfile(fx->oldfd, "ren/a.txt", "renamed content\n", 16, 0644);
	mkfile(fx->oldfd, "mode.sh", "#!/bin/sh\n", 10, 0644);
	mkfile(fx->oldfd, "d1/d2/deep.txt", "deep old text, long enough\n", 27,
	    0644);
	assert_int_equal(mkdirat(fx->oldfd, "emptyold", 0755), 0);

	mkfile(fx->newfd, "keep.txt", "same\n", 5, 0644);
	b[100] ^= 1;
	b[15000] ^= 2;
	mkfile(fx->newfd, "mod.bin", b, 20000, 0644);
	mkfile(fx->newfd, "added.txt", "brand new\n", 10, 0644);
	mkfile(fx->newfd, "moved/b.txt", "renamed content\n", 16, 0644);
	mkfile(fx->newfd, "copy1.txt", "same\n", 5, 0644);
	mkfile(fx->newfd, "mode.sh", "#!/bin/sh\n", 10, 0755);
	mkfile(fx->newfd, "d1/d2/deep.txt", "deep NEW text, long enough\n", 27,
	    0644);
	mkfile(fx->newfd, "d1/d2/d3/new.txt", "", 0, 0644);
	assert_int_equal(mkdirat(fx->newfd, "empty", 0755), 0);
	free(b);
	assert_int_equal(tree_scan(fx->oldfd, &fx->from, &e), 0);
	assert_int_equal(tree_scan(fx->newfd, &fx->to, &e), 0);
	*state = fx;
	return 0;
}

static FX_UNUSED int
teardown(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	char cmd[128];

	tree_free(&fx->from);
	tree_free(&fx->to);
	close(fx->oldfd);
	close(fx->newfd);
	close(fx->rootfd);
	(void)e;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static FX_UNUSED int
write_pkg_fmt(struct fx *fx, const char *name, int format)
{
	struct delta_opts o = { .level = 3, .workers = 1, .format = format };
	struct fy_err e = { 0 };
	int fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	assert_int_equal(deltapkg_write(fx->oldfd, &fx->from, fx->newfd,
	    &fx->to, &o, fd, &e), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Format 1 (the tar): what the tests below take apart. */
static FX_UNUSED int
write_pkg(struct fx *fx, const char *name)
{
	return write_pkg_fmt(fx, name, 1);
}

/* Apply pkgfd into a fresh directory `dst`; return the fy_code. */
static FX_UNUSED enum fy_code
apply(struct fx *fx, int pkgfd, const char *dst, struct fy_err *e)
{
	int dfd, rc;

	assert_int_equal(mkdirat(fx->rootfd, dst, 0755), 0);
	dfd = openat(fx->rootfd, dst, O_RDONLY | O_DIRECTORY);
	memset(e, 0, sizeof(*e));
	rc = deltapkg_apply(pkgfd, "pkg", fx->oldfd, &fx->from, &fx->to, dfd,
	    1, e);
	if (rc == 0) {
		assert_int_equal(tree_verify(dfd, &fx->to, e), 0);
		assert_int_equal(e->code, FY_OK);
	}
	close(dfd);
	return rc == 0 ? FY_OK : e->code;
}

static FX_UNUSED uint64_t
fd_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (uint64_t)st.st_size;
}

static FX_UNUSED void
put_leb(uint8_t *p, size_t *n, uint64_t v)
{
	while (v >= 0x80) {
		p[(*n)++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[(*n)++] = (uint8_t)v;
}

#endif
