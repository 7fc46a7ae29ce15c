/* SPDX-License-Identifier: MIT */
/*
 * test_deltapkg_v3: delta package format 3 (formats/SPEC.md §7.7) between
 * the trees of deltapkg_fixture.h: its own fields (index length and kind,
 * the format byte) out of bounds, each refused with its fy_code and
 * message; the package applied to listings it was not made for; the base
 * the encoder picks for an added file.  The
 * rules it shares with format 2 are test_deltapkg.c's test_v3_hostile.
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

/* Format 3 is bound to its listings by the signed manifest (formats/SPEC.md
 * §7.7), not by digests of its own; applied to other listings it still
 * writes nothing that is not checked: an old tree that is not the from
 * listing, or a to listing it was not made for, is refused. */
static void
test_v3_other_listings(void **state)
{
	struct fx *fx = *state;
	struct fy_err e;
	struct tree_entry *x;
	int fd = write_pkg_fmt(fx, "w3", 3);

	fx->to.v[0].mode ^= 0100;		/* another to listing */
	assert_int_equal(apply(fx, fd, "w3a", &e), FY_E_INTEGRITY);
	fx->to.v[0].mode ^= 0100;
	x = (struct tree_entry *)tree_find(&fx->from, "d1/d2/deep.txt");
	x->sha256[0] ^= 1;			/* another from listing */
	assert_int_equal(apply(fx, fd, "w3b", &e), FY_E_INTEGRITY);
	assert_string_equal(e.where, "d1/d2/deep.txt");
	x->sha256[0] ^= 1;
	x = (struct tree_entry *)tree_find(&fx->to, "mod.bin");
	x->sha256[5] ^= 1;			/* another target content */
	assert_int_equal(apply(fx, fd, "w3c", &e), FY_E_INTEGRITY);
	assert_string_equal(e.where, "mod.bin");
	x->sha256[5] ^= 1;
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(apply(fx, fd, "w3ok", &e), FY_OK);
	close(fd);
}

/* Write the package `name`: magic, then n bytes of p; its fd. */
static int
raw_pkg(struct fx *fx, const char *name, const void *p, size_t n)
{
	int fd = openat(fx->rootfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	assert_true(write(fd, p, n) == (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Format 3's own fields (formats/SPEC.md §7.7), each out of bounds: the
 * index length and kind, the format byte; each refused before anything
 * the index would size is allocated. */
static void
test_v3_limits(void **state)
{
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	uint8_t head[64], *zeros, *frame = NULL;
	size_t nh, flen = 0;
	int fd;

	/* a stored index longer than LIMIT_MANIFEST_BYTES */
	memcpy(head, "FYD\x03", 4);
	nh = 4;
	put_leb(head, &nh, (uint64_t)(LIMIT_MANIFEST_BYTES + 1) << 1);
	fd = raw_pkg(fx, "l1", head, nh);
	assert_int_equal(apply(fx, fd, "l1d", &e), FY_E_UNSAFE);
	assert_non_null(strstr(e.msg, "delta index of 16777217 bytes"));
	close(fd);
	/* a stored index longer than the package */
	nh = 4;
	put_leb(head, &nh, 100 << 1);
	memset(head + nh, 0, 10);
	fd = raw_pkg(fx, "l2", head, nh + 10);
	assert_int_equal(apply(fx, fd, "l2d", &e), FY_E_INTEGRITY);
	assert_non_null(strstr(e.msg, "does not fit the package"));
	close(fd);
	/* the zstd bit on bytes that are no frame */
	nh = 4;
	put_leb(head, &nh, 10 << 1 | 1);
	memset(head + nh, 0, 10);
	fd = raw_pkg(fx, "l3", head, nh + 10);
	assert_int_equal(apply(fx, fd, "l3d", &e), FY_E_INTEGRITY);
	assert_non_null(strstr(e.msg, "not a zstd frame"));
	close(fd);
	/* a zstd index that declares 16 MiB + 1 */
	zeros = calloc(1, LIMIT_MANIFEST_BYTES + 1);
	assert_int_equal(delta_zstd(zeros, LIMIT_MANIFEST_BYTES + 1, 1, 25, 1,
	    &frame, &flen, &e), 0);
	nh = 4;
	put_leb(head, &nh, (uint64_t)flen << 1 | 1);
	fd = openat(fx->rootfd, "l4", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(write(fd, head, nh) == (ssize_t)nh);
	assert_true(write(fd, frame, flen) == (ssize_t)flen);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(apply(fx, fd, "l4d", &e), FY_E_UNSAFE);
	assert_non_null(strstr(e.msg, "delta index of"));
	close(fd);
	free(zeros);
	free(frame);
	/* the length varint cut short, or of 11 bytes */
	fd = raw_pkg(fx, "l5", "FYD\x03\x80", 5);
	assert_int_equal(apply(fx, fd, "l5d", &e), FY_E_INTEGRITY);
	assert_non_null(strstr(e.msg, "truncated"));
	close(fd);
	fd = raw_pkg(fx, "l6", "FYD\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	    "\xff\x01", 15);
	assert_int_equal(apply(fx, fd, "l6d", &e), FY_E_INTEGRITY);
	close(fd);
	/* a format this reader does not know: 5, and the never-used 0 and 1 */
	fd = raw_pkg(fx, "l7", "FYD\x05\x00\x00", 6);
	assert_int_equal(apply(fx, fd, "l7d", &e), FY_E_FORMAT);
	assert_string_equal(e.msg, "delta package format 5 is not supported "
	    "(this ferry reads formats 1 to 4)");
	close(fd);
	fd = raw_pkg(fx, "l8", "FYD\x01", 4);
	assert_int_equal(apply(fx, fd, "l8d", &e), FY_E_FORMAT);
	assert_non_null(strstr(e.msg, "format 1 is not supported"));
	close(fd);
	fd = raw_pkg(fx, "l9", "FYD\x00", 4);
	assert_int_equal(apply(fx, fd, "l9d", &e), FY_E_FORMAT);
	close(fd);
	/* deltapkg_format_of (mkmedia's check of a repository file) says
	 * the same */
	fd = raw_pkg(fx, "l10", "FYD\x05", 4);
	close(fd);
	memset(&e, 0, sizeof(e));
	assert_int_equal(deltapkg_format_of(fx->rootfd, "l10", &e), -1);
	assert_int_equal(e.code, FY_E_FORMAT);
	fd = raw_pkg(fx, "l11", "FYD\x03", 4);
	close(fd);
	assert_int_equal(deltapkg_format_of(fx->rootfd, "l11", &e), 3);
	fd = raw_pkg(fx, "l12", "FYD\x04", 4);
	close(fd);
	assert_int_equal(deltapkg_format_of(fx->rootfd, "l12", &e), 4);
}

/* The base of an added file (deltapkg_pick_base, every format): the old
 * file of the same extension whose name shares the longest prefix, the
 * last of equals; none without a shared extension and prefix. */
static void
test_pick_base_added(void **state)
{
	static const char *olds[] = { "g/ghes-3.17.deref.json",
	    "g/ghes-3.18.deref.json", "g/ghes-3.18.json", "g/index.js",
	    "g/x.txt", "other/ghes-3.19.json.bak" };
	struct fy_err e = { 0 };
	uint8_t sha[DIGEST_LEN] = { 0 };
	const struct tree_entry *x;
	struct tree t;
	size_t i;

	(void)state;
	tree_init(&t);
	assert_int_equal(tree_add(&t, "g", TREE_DIR, 0755, 0, NULL, &e), 0);
	assert_int_equal(tree_add(&t, "other", TREE_DIR, 0755, 0, NULL, &e),
	    0);
	for (i = 0; i < sizeof(olds) / sizeof(olds[0]); i++)
		assert_int_equal(tree_add(&t, olds[i], TREE_FILE, 0644, 10 + i,
		    sha, &e), 0);
	assert_int_equal(tree_sort(&t, "t", &e), 0);
	x = deltapkg_pick_base(&t, "g/ghes-3.19.deref.json");
	assert_non_null(x);
	assert_string_equal(x->path, "g/ghes-3.18.deref.json");
	x = deltapkg_pick_base(&t, "new/ghes-3.19.json");
	assert_non_null(x);
	assert_string_equal(x->path, "g/ghes-3.18.json");
	x = deltapkg_pick_base(&t, "g/index.js");	/* same path first */
	assert_string_equal(x->path, "g/index.js");
	assert_null(deltapkg_pick_base(&t, "g/main.js"));	/* "" prefix */
	assert_null(deltapkg_pick_base(&t, "g/ghes-4.0.yaml"));	/* ext */
	assert_null(deltapkg_pick_base(&t, "g/README"));	/* none */
	tree_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v3_limits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_v3_other_listings, setup,
		    teardown),
		cmocka_unit_test(test_pick_base_added),
	};

	digest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
