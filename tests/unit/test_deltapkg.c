/* SPDX-License-Identifier: MIT */
/*
 * test_deltapkg: delta packages between two real trees in a scratch
 * directory: added, removed, renamed, copied, mode-changed, modified,
 * nested and empty directories; the applied tree must equal the target
 * listing (tree_verify).  Then tampered packages, each refused with its
 * fy_code after the untouched package applied.
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

#include "core/io.h"
#include "formats/deltapkg.h"

struct fx {
	char		root[64];
	int		rootfd, oldfd, newfd;
	struct tree	from, to;
};

static void
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

static uint8_t *
blob_data(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (i % 7 == 0) ? 0 : (uint8_t)(i * seed >> 3);
	return p;
}

static int
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

static int
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

static int
write_pkg(struct fx *fx, const char *name)
{
	struct delta_opts o = { .level = 3, .workers = 1 };
	struct fy_err e = { 0 };
	int fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	assert_int_equal(deltapkg_write(fx->oldfd, &fx->from, fx->newfd,
	    &fx->to, &o, fd, &e), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Apply pkgfd into a fresh directory `dst`; return the fy_code. */
static enum fy_code
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
	};

	digest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
