/* SPDX-License-Identifier: MIT */
/*
 * test_package: base packages round-trip (tree_scan -> write -> extract
 * -> tree_verify), are byte-identical for identical input (also with
 * worker threads and in another locale), and the writer treats the
 * listing as authoritative.  Hostile packages: test_package_attack.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>

#include "package_fixture.h"

#define LONGDIR	"long/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define LONGFILE LONGDIR "/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy" \
		"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy.txt"

/* A tree with what a vendor release has: nested and empty directories,
 * an executable, an empty file, a non-ASCII name, a path > 100 bytes (pax
 * record), some incompressible and some very compressible bytes. */
static void
make_src(struct fx *fx)
{
	static uint8_t big[1 << 20];
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < sizeof(big) / 2; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (uint8_t)(x >> 24);
	}
	memset(big + sizeof(big) / 2, 0, sizeof(big) / 2);
	assert_int_equal(mkdirat(fx->srcfd, "bin", 0755), 0);
	assert_int_equal(mkdirat(fx->srcfd, "emptydir", 0755), 0);
	assert_int_equal(mkdirat(fx->srcfd, "caf\xc3\xa9", 0755), 0);
	assert_int_equal(mkdirat(fx->srcfd, "long", 0755), 0);
	assert_int_equal(mkdirat(fx->srcfd, LONGDIR, 0755), 0);
	put_file(fx->srcfd, "bin/tool", "#!/bin/sh\necho hi\n", 18, 0755);
	put_file(fx->srcfd, "empty", "", 0, 0644);
	put_file(fx->srcfd, "caf\xc3\xa9/na\xc3\xafve.txt", "ok\n", 3, 0644);
	put_file(fx->srcfd, LONGFILE, "long\n", 5, 0644);
	put_file(fx->srcfd, "data.bin", big, sizeof(big), 0644);
	put_file(fx->srcfd, "a-b", "dash sorts before slash\n", 24, 0644);
}

static int
write_pkg(struct fx *fx, const struct tree *t, int level, int workers,
    struct fy_err *e)
{
	struct package_opts o = { level, workers };
	int fd = mem_fd(NULL, 0);

	memset(e, 0, sizeof(*e));
	if (package_write_base(fx->srcfd, t, &o, fd, e) == -1) {
		close(fd);
		return -1;
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void
test_roundtrip_scan(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	struct tree t;
	struct stat st;
	int fd;

	make_src(fx);
	assert_int_equal(tree_scan(fx->srcfd, &t, &e), 0);
	assert_true(t.n >= 11);
	assert_true((fd = write_pkg(fx, &t, 3, 0, &e)) >= 0);
	assert_int_equal(package_extract_base(fd, "pkg", &t, fx->dstfd, 1, &e),
	    0);
	assert_int_equal(tree_verify(fx->dstfd, &t, &e), 0);
	assert_int_equal(fstatat(fx->dstfd, "bin/tool", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(fstatat(fx->dstfd, "emptydir", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(fstatat(fx->dstfd, "empty", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	fx_assert_outside_untouched(fx);

	/* Extracting into a directory that is not empty is refused. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(package_extract_base(fd, "pkg", &t, fx->dstfd, 0, &e),
	    -1);
	assert_int_equal(e.code, FY_E_UNSAFE);
	close(fd);
	tree_free(&t);
}

/* The listing may come from JSON (tree_add + tree_sort), not a scan. */
static void
test_roundtrip_hand_built(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	struct tree t;
	int fd;

	tree_init(&t);
	assert_int_equal(mkdirat(fx->srcfd, "d", 0755), 0);
	put_file(fx->srcfd, "d/x", "x\n", 2, 0644);
	put_file(fx->srcfd, "z", "zz\n", 3, 0755);
	add_file(&t, "z", "zz\n", 0755);
	add_file(&t, "d/x", "x\n", 0644);
	add_dir(&t, "d");
	assert_int_equal(tree_sort(&t, "hand", &e), 0);
	assert_true((fd = write_pkg(fx, &t, 19, 0, &e)) >= 0);
	assert_int_equal(fx_extract(fx, fd, &t, &e), 0);
	assert_int_equal(tree_verify(fx->dstfd, &t, &e), 0);
	close(fd);
	tree_free(&t);

	/* An empty tree is a valid (empty) package. */
	tree_init(&t);
	fx_fresh_dst(fx);
	assert_true((fd = write_pkg(fx, &t, 3, 0, &e)) >= 0);
	assert_int_equal(fx_extract(fx, fd, &t, &e), 0);
	assert_int_equal(tree_verify(fx->dstfd, &t, &e), 0);
	close(fd);
}

static void
assert_same_bytes(int fa, int fb)
{
	struct buf a = { 0 }, b = { 0 };

	fd_bytes(fa, &a);
	fd_bytes(fb, &b);
	assert_true(a.n > 0);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.p, b.p, a.n);
	free(a.p);
	free(b.p);
}

static void
test_reproducible(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	struct tree t;
	int a, b;

	make_src(fx);
	assert_int_equal(tree_scan(fx->srcfd, &t, &e), 0);

	assert_true((a = write_pkg(fx, &t, 3, 0, &e)) >= 0);
	assert_true((b = write_pkg(fx, &t, 3, 0, &e)) >= 0);
	assert_same_bytes(a, b);
	close(b);

	/* The locale of the tool must not change the bytes (pax path). */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		print_message("SKIP locale half: no C.UTF-8\n");
	} else {
		assert_true((b = write_pkg(fx, &t, 3, 0, &e)) >= 0);
		setlocale(LC_ALL, "C");
		assert_same_bytes(a, b);
		close(b);
	}
	close(a);

	/* With worker threads: same bytes for the same opts and for any
	 * number of workers >= 1, and the package extracts to the tree. */
	assert_true((a = write_pkg(fx, &t, 3, 2, &e)) >= 0);
	assert_true((b = write_pkg(fx, &t, 3, 2, &e)) >= 0);
	assert_same_bytes(a, b);
	close(b);
	assert_true((b = write_pkg(fx, &t, 3, 1, &e)) >= 0);
	assert_same_bytes(a, b);
	assert_int_equal(fx_extract(fx, a, &t, &e), 0);
	assert_int_equal(tree_verify(fx->dstfd, &t, &e), 0);
	close(a);
	close(b);
	tree_free(&t);
}

static void
test_write_listing_is_authoritative(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	struct tree t;
	struct package_opts o = { 0, 0 };
	int fd;

	put_file(fx->srcfd, "f", "hello!", 6, 0644);
	tree_init(&t);
	add_file(&t, "f", "hello", 0644);		/* listing: 5 bytes */
	assert_int_equal(write_pkg(fx, &t, 3, 0, &e), -1);
	assert_int_equal(e.code, FY_E_INTEGRITY);
	assert_string_equal(e.where, "f");
	assert_non_null(strstr(e.msg, "longer than the 5 bytes"));
	tree_free(&t);

	put_file(fx->srcfd, "f", "HELLO", 5, 0644);	/* same size */
	tree_init(&t);
	add_file(&t, "f", "hello", 0644);
	assert_int_equal(write_pkg(fx, &t, 3, 0, &e), -1);
	assert_int_equal(e.code, FY_E_INTEGRITY);
	assert_non_null(strstr(e.msg, "sha256 differs"));
	tree_free(&t);

	put_file(fx->srcfd, "f", "hell", 4, 0644);	/* shorter */
	tree_init(&t);
	add_file(&t, "f", "hello", 0644);
	assert_int_equal(write_pkg(fx, &t, 3, 0, &e), -1);
	assert_int_equal(e.code, FY_E_INTEGRITY);
	assert_non_null(strstr(e.msg, "4 bytes, listing says 5"));

	/* A symlink in the source is never followed, as file or as dir. */
	assert_int_equal(unlinkat(fx->srcfd, "f", 0), 0);
	assert_int_equal(symlinkat("../canary/victim", fx->srcfd, "f"), 0);
	assert_int_equal(write_pkg(fx, &t, 3, 0, &e), -1);
	assert_int_equal(e.code, FY_E_UNSAFE);
	tree_free(&t);
	tree_init(&t);
	assert_int_equal(symlinkat("../canary", fx->srcfd, "d"), 0);
	add_dir(&t, "d");
	add_file(&t, "d/victim", CANARY_TEXT, 0644);
	assert_int_equal(tree_sort(&t, "t", &e), 0);
	assert_int_equal(write_pkg(fx, &t, 3, 0, &e), -1);
	assert_int_equal(e.code, FY_E_UNSAFE);

	/* Bad options. */
	fd = mem_fd(NULL, 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(package_write_base(fx->srcfd, &t, &o, fd, &e), -1);
	assert_int_equal(e.code, FY_E_USAGE);
	close(fd);
	tree_free(&t);
	fx_assert_outside_untouched(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_scan,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_hand_built,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reproducible,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_listing_is_authoritative, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
