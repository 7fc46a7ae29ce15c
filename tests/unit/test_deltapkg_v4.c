/* SPDX-License-Identifier: MIT */
/*
 * test_deltapkg_v4: delta package format 4 (formats/SPEC.md §7.8): the
 * writer asked for format 4 writes it only when a blob uses method 6
 * (else format 3, which older readers take); a format-4 package applies
 * and is reported as format 4; method 6 inside a package that declares
 * format 3 is refused (FY_E_FORMAT) before the blob is decoded, and so
 * is any method newer than its package's format (test_method_gate).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "formats/delta_bsd.h"
#include "formats/deltapkg_int.h"
#include "formats/limits.h"

#include "deltapkg_fixture.h"

/* Replace the fixture's trees by ones with an executable-like file whose
 * difference stream is long and sparse (relocated addresses). */
static void
add_sparse(struct fx *fx)
{
	struct fy_err e = { 0 };
	size_t n = 300000, i;
	uint8_t *a = malloc(n), *b = malloc(n);
	uint64_t r = 88172645463325252ULL;

	for (i = 0; i < n; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		a[i] = (i % 16 < 4) ? 0 : (i % 16 == 5) ? (uint8_t)(i >> 4) :
		    (uint8_t)("\x48\x89\xe5\xe8\x55\xc3"[i % 6] ^ (r & 1));
	}
	memcpy(b, a, n);
	for (i = 64; i + 4 < n; i += 37 + (r & 7)) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		b[i] += (uint8_t)(16 + (r >> 8 & 1));
	}
	mkfile(fx->oldfd, "bin/tool", a, n, 0755);
	mkfile(fx->newfd, "bin/tool", b, n, 0755);
	free(a);
	free(b);
	tree_free(&fx->from);
	tree_free(&fx->to);
	assert_int_equal(tree_scan(fx->oldfd, &fx->from, &e), 0);
	assert_int_equal(tree_scan(fx->newfd, &fx->to, &e), 0);
}

/* write_pkg_fmt at level 19 */
static int
write19(struct fx *fx, const char *name, int format)
{
	struct delta_opts o = { .level = 19, .workers = 1, .format = format };
	struct fy_err e = { 0 };
	int fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	assert_int_equal(deltapkg_write(fx->oldfd, &fx->from, fx->newfd,
	    &fx->to, &o, fd, &e), 0);
	return fd;
}

static uint8_t
magic_of(int fd)
{
	uint8_t m[4];

	assert_int_equal(pread(fd, m, 4, 0), 4);
	assert_memory_equal(m, "FYD", 3);
	return m[3];
}

/* No blob needs method 6: the format-4 writer writes format 3. */
static void
test_v4_only_when_needed(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	int fd = write_pkg_fmt(fx, "p", 4);

	assert_int_equal(magic_of(fd), 3);
	assert_int_equal(apply(fx, fd, "pd", &e), FY_OK);
	close(fd);
}

static void
test_v4_method6(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	uint8_t three = 3, two = 2;
	int fd, fd3;

	add_sparse(fx);
	fd = write19(fx, "p4", 4);
	assert_int_equal(magic_of(fd), 4);
	memset(&e, 0, sizeof(e));
	assert_int_equal(deltapkg_format_of(fx->rootfd, "p4", &e), 4);
	assert_int_equal(apply(fx, fd, "p4d", &e), FY_OK);
	/* format 3 asked for: no method 6, and a larger package */
	fd3 = write19(fx, "p3", 3);
	assert_int_equal(magic_of(fd3), 3);
	assert_true(fd_size(fd3) > fd_size(fd));
	assert_int_equal(apply(fx, fd3, "p3d", &e), FY_OK);
	close(fd3);
	/* the format-4 package relabelled format 3: its method-6 blob is
	 * refused before it is decoded */
	assert_int_equal(pwrite(fd, &three, 1, 3), 1);
	assert_int_equal(apply(fx, fd, "p4as3", &e), FY_E_FORMAT);
	assert_string_equal(e.msg, "delta method 6 in a format-3 package (it "
	    "needs format 4)");
	assert_string_equal(e.where, "bin/tool");
	/* ... or format 2 (which would also want listing digests: refused
	 * either way, never decoded) */
	assert_int_equal(pwrite(fd, &two, 1, 3), 1);
	assert_int_not_equal(apply(fx, fd, "p4as2", &e), FY_OK);
	close(fd);
}

/* Every method against every format: a method newer than the package's
 * format is refused, naming both and the format it needs; the others
 * pass the gate (unknown methods are delta_decode's to refuse). */
static void
test_method_gate(void **state)
{
	static const int need[] = { 1, 1, 1, 1, 2, 3, 4, 1 };	/* by method */
	char want[96];
	struct fy_err e;
	struct ctx c = { .e = &e };
	uint8_t m;

	(void)state;
	for (c.format = 1; c.format <= 4; c.format++)
		for (m = 0; m < 8; m++) {
			memset(&e, 0, sizeof(e));
			if (c.format >= need[m]) {
				assert_int_equal(deltapkg_blob_ok(&c, &m, 1,
				    "f"), 0);
				continue;
			}
			assert_int_equal(deltapkg_blob_ok(&c, &m, 1, "f"), -1);
			assert_int_equal(e.code, FY_E_FORMAT);
			snprintf(want, sizeof(want), "delta method %u in a "
			    "format-%d package (it needs format %d)", m,
			    c.format, need[m]);
			assert_string_equal(e.msg, want);
			assert_string_equal(e.where, "f");
		}
	/* an empty blob passes the gate (delta_decode refuses it) */
	c.format = 1;
	assert_int_equal(deltapkg_blob_ok(&c, &m, 0, "f"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v4_only_when_needed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v4_method6, setup,
		    teardown),
		cmocka_unit_test(test_method_gate),
	};

	digest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
