/* SPDX-License-Identifier: MIT */
/*
 * test_deltapkg_budget: the encoder's budget (struct delta_budget) is the
 * delta package's (formats/SPEC.md §7.3): in format 2 it is charged
 * exactly the bytes of the blobs the package carries -- the solid section
 * and the per-file blobs it competes with are not both charged -- and a
 * package that cannot fit fails FY_E_NOSPACE with `over` set.
 */
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
#include "formats/delta.h"
#include "formats/deltapkg.h"

struct fx {
	char		root[64];
	int		rootfd, oldfd, newfd;
	struct tree	from, to;
};

static void
mkfile(int dirfd, const char *path, const void *p, size_t n)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	assert_true(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

/* Old and new trees: five small text files with one line changed each
 * (solid candidates) and a 200 KB binary file with a few bytes changed. */
static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct fy_err e = { 0 };
	char name[32], text[4096];
	uint8_t *b = malloc(200000);
	size_t i, n;
	int k;

	for (i = 0; i < 200000; i++)
		b[i] = (i % 5 == 0) ? 0 : (uint8_t)(i * 2654435761u >> 13);
	snprintf(fx->root, sizeof(fx->root), "/tmp/ferry-test-budget.XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	fx->rootfd = open(fx->root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(mkdirat(fx->rootfd, "old", 0755), 0);
	assert_int_equal(mkdirat(fx->rootfd, "new", 0755), 0);
	fx->oldfd = openat(fx->rootfd, "old", O_RDONLY | O_DIRECTORY);
	fx->newfd = openat(fx->rootfd, "new", O_RDONLY | O_DIRECTORY);
	for (k = 0; k < 5; k++) {
		snprintf(name, sizeof(name), "t%d.txt", k);
		for (n = 0, i = 0; i < 60; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "line %zu of file %d: version A\n", i, k);
		mkfile(fx->oldfd, name, text, n);
		strstr(strstr(text, "line 30 of"), "version A")[8] = 'B';
		mkfile(fx->newfd, name, text, n);
	}
	mkfile(fx->oldfd, "big.bin", b, 200000);
	b[1000] ^= 1;
	b[150000] ^= 4;
	mkfile(fx->newfd, "big.bin", b, 200000);
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
	char cmd[128];

	tree_free(&fx->from);
	tree_free(&fx->to);
	close(fx->oldfd);
	close(fx->newfd);
	close(fx->rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* Write format 2 with budget `b`; the fd, or -1 with *code set. */
static int
write_budget(struct fx *fx, const char *name, struct delta_budget *b,
    enum fy_code *code)
{
	struct delta_opts o = { .level = 3, .workers = 1, .format = 2,
	    .budget = b };
	struct fy_err e = { 0 };
	int fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	*code = FY_OK;
	if (deltapkg_write(fx->oldfd, &fx->from, fx->newfd, &fx->to, &o, fd,
	    &e) == -1) {
		*code = e.code;
		close(fd);
		return -1;
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Applies into a fresh `dst` and gives exactly the target listing. */
static void
applies(struct fx *fx, int fd, const char *dst)
{
	struct fy_err e = { 0 };
	int dfd;

	assert_int_equal(mkdirat(fx->rootfd, dst, 0755), 0);
	dfd = openat(fx->rootfd, dst, O_RDONLY | O_DIRECTORY);
	assert_int_equal(deltapkg_apply(fd, "pkg", fx->oldfd, &fx->from,
	    &fx->to, dfd, 1, &e), 0);
	assert_int_equal(tree_verify(dfd, &fx->to, &e), 0);
	close(dfd);
}

static void
test_budget_charged_once(void **state)
{
	struct fx *fx = *state;
	struct delta_budget b = { .left = (uint64_t)1 << 30 };
	enum fy_code code;
	struct stat st;
	uint8_t head[16];
	uint64_t used, f = 0;
	size_t i = 4;
	int sh = 0, fd;

	fd = write_budget(fx, "p1", &b, &code);
	assert_true(fd != -1);
	used = ((uint64_t)1 << 30) - b.left;
	assert_int_equal(b.over, 0);
	/* The blobs: the package less its magic, the index frame's length
	 * and the index frame (formats/SPEC.md §7.5). */
	assert_true(read(fd, head, sizeof(head)) == (ssize_t)sizeof(head));
	do {
		f |= (uint64_t)(head[i] & 0x7f) << sh;
		sh += 7;
	} while (head[i++] & 0x80);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((uint64_t)st.st_size > i + f);
	assert_int_equal(used, (uint64_t)st.st_size - i - f);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	applies(fx, fd, "d1");
	close(fd);

	/* exactly that budget: written */
	b.left = used;
	b.over = 0;
	fd = write_budget(fx, "p2", &b, &code);
	assert_true(fd != -1);
	assert_int_equal(b.over, 0);
	applies(fx, fd, "d2");
	close(fd);
}

static void
test_budget_too_small(void **state)
{
	struct fx *fx = *state;
	struct delta_budget b = { .left = 10 };
	enum fy_code code;

	assert_int_equal(write_budget(fx, "p3", &b, &code), -1);
	assert_int_equal(code, FY_E_NOSPACE);
	assert_int_equal(b.over, 1);
	assert_int_equal(b.left, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_budget_charged_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_too_small, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
