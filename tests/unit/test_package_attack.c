/* SPDX-License-Identifier: MIT */
/*
 * test_package_attack: hostile base packages (../shared/RELIABILITY.md §5
 * A01-A29, D01-D04) against package_extract_base().  The listing is always
 *   a/ (dir 0755), a/f (file 0644, "hello")
 * and each case asserts the fy_code, a message substring, that `where`
 * names the package, and that nothing outside dst changed (the root holds
 * only src, dst and an untouched canary/victim).  The control case comes
 * first and proves the same listing and builders do extract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "package_fixture.h"

#define D(p)		{ p, AE_IFDIR, 0755, NULL, NULL, NULL, NULL, 0 }
#define F(p, s)		{ p, AE_IFREG, 0644, s, NULL, NULL, NULL, -1 }
#define END		{ NULL, 0, 0, NULL, NULL, NULL, NULL, 0 }

static void
listing(struct tree *t)
{
	struct fy_err e = { 0 };

	tree_init(t);
	add_dir(t, "a");
	add_file(t, "a/f", "hello", 0644);
	assert_int_equal(tree_sort(t, "listing", &e), 0);
}

/* Extract fd (closed here) and expect refusal with code and substring. */
static void
refused(struct fx *fx, int fd, const struct tree *t, enum fy_code code,
    const char *needle)
{
	struct fy_err e = { 0 };

	fx_fresh_dst(fx);
	assert_int_equal(fx_extract(fx, fd, t, &e), -1);
	close(fd);
	if (e.code != code || strstr(e.msg, needle) == NULL)
		fail_msg("got %s \"%s\", want %s \"%s\"", fy_code_name(e.code),
		    e.msg, fy_code_name(code), needle);
	assert_true(strcmp(e.where, "pkg") == 0 ||
	    strncmp(e.where, "a", 1) == 0);
	fx_assert_outside_untouched(fx);
}

static void
refused_entries(struct fx *fx, const struct hent *h, enum fy_code code,
    const char *needle)
{
	struct tree t;

	listing(&t);
	refused(fx, hostile_pkg(h), &t, code, needle);
	tree_free(&t);
}

static void
test_control(void **state)
{
	static const struct hent h[] = { D("a/"), F("a/f", "hello"), END };
	struct fx *fx = *state;
	struct fy_err e = { 0 };
	struct buf tar = { 0 };
	struct tree t;
	int fd;

	listing(&t);
	fd = hostile_pkg(h);
	assert_int_equal(fx_extract(fx, fd, &t, &e), 0);
	assert_int_equal(tree_verify(fx->dstfd, &t, &e), 0);
	close(fd);
	/* The hand-made frame builder also produces a good package. */
	hostile_tar(h, &tar);
	fx_fresh_dst(fx);
	fd = frame_fd(&tar, 12, 0);
	assert_int_equal(fx_extract(fx, fd, &t, &e), 0);
	assert_int_equal(tree_verify(fx->dstfd, &t, &e), 0);
	close(fd);
	free(tar.p);
	tree_free(&t);
	fx_assert_outside_untouched(fx);
}

/* A01-A05, A25-A27: refused before anything is created for them. */
static void
test_bad_paths(void **state)
{
	struct fx *fx = *state;
	char abs[128], longc[300];
	const char *bad[] = {
		"../escape", abs, "a/../../escape", "a//b", "./a/f", "a/./f",
		"a\\..\\..\\escape", "..", longc, "a/\x1b[2J",
		"a/x\ny", "a/\xff\xfe", "a/con:", NULL,
	};
	size_t i;

	snprintf(abs, sizeof(abs), "%s/abs-escape", fx->root);
	memset(longc, 'x', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = '\0';
	longc[0] = 'a';
	longc[1] = '/';
	for (i = 0; bad[i] != NULL; i++) {
		struct hent h[] = { D("a/"), F(bad[i], "hello"), END };

		refused_entries(fx, h, FY_E_UNSAFE, "path not clean");
	}
	{
		/* libarchive reads a regular entry ending in '/' as a
		 * directory (old tar); the listing says file. */
		struct hent h[] = { D("a/"), F("a/f/", "hello"), END };

		refused_entries(fx, h, FY_E_INTEGRITY, "a/f: is a directory");
	}
}

static void
test_links_and_devices(void **state)
{
	struct fx *fx = *state;
	/* A06: absolute symlink; A07/A08: symlink, then a file through it. */
	const struct hent sym[] = { D("a/"), { "a/f", AE_IFLNK, 0777, NULL,
	    "/etc", NULL, NULL, 0 }, END };
	const struct hent symthen[] = { D("a/"), { "a/l", AE_IFLNK, 0777,
	    NULL, "../../canary", NULL, NULL, 0 }, F("a/l/victim", "pwned"),
	    END };
	const struct hent symdir[] = { { "a", AE_IFLNK, 0777, NULL,
	    "../canary", NULL, NULL, 0 }, F("a/victim", "pwned"), END };
	/* A11-A13: hard links. */
	const struct hent hard[] = { D("a/"), { "a/f", AE_IFREG, 0644, NULL,
	    NULL, "../canary/victim", NULL, 0 }, END };
	const struct hent hardabs[] = { D("a/"), { "a/f", AE_IFREG, 0644,
	    NULL, NULL, "/etc/passwd", NULL, 0 }, END };
	/* A14, A15. */
	const struct hent chr[] = { D("a/"), { "a/f", AE_IFCHR, 0644, NULL,
	    NULL, NULL, NULL, 0 }, END };
	const struct hent blk[] = { D("a/"), { "a/f", AE_IFBLK, 0644, NULL,
	    NULL, NULL, NULL, 0 }, END };
	const struct hent fifo[] = { D("a/"), { "a/f", AE_IFIFO, 0644, NULL,
	    NULL, NULL, NULL, 0 }, END };

	refused_entries(fx, sym, FY_E_UNSAFE, "a/f: symbolic link");
	refused_entries(fx, symthen, FY_E_UNSAFE, "a/l: symbolic link");
	refused_entries(fx, symdir, FY_E_UNSAFE, "a: symbolic link");
	refused_entries(fx, hard, FY_E_UNSAFE, "a/f: hard link");
	refused_entries(fx, hardabs, FY_E_UNSAFE, "a/f: hard link");
	refused_entries(fx, chr, FY_E_UNSAFE, "a/f: character device");
	refused_entries(fx, blk, FY_E_UNSAFE, "a/f: block device");
	refused_entries(fx, fifo, FY_E_UNSAFE, "a/f: fifo");
}

static void
test_bits_and_metadata(void **state)
{
	struct fx *fx = *state;
	const struct hent suid[] = { D("a/"), { "a/f", AE_IFREG, 04644,
	    "hello", NULL, NULL, NULL, -1 }, END };
	const struct hent sgid[] = { D("a/"), { "a/f", AE_IFREG, 02644,
	    "hello", NULL, NULL, NULL, -1 }, END };
	const struct hent sticky[] = { { "a/", AE_IFDIR, 01777, NULL, NULL,
	    NULL, NULL, 0 }, F("a/f", "hello"), END };
	const struct hent xattr[] = { D("a/"), { "a/f", AE_IFREG, 0644,
	    "hello", NULL, NULL, "security.capability", -1 }, END };
	const struct hent mode[] = { D("a/"), { "a/f", AE_IFREG, 0755,
	    "hello", NULL, NULL, NULL, -1 }, END };
	const struct hent wdir[] = { { "a/", AE_IFDIR, 0777, NULL, NULL,
	    NULL, NULL, 0 }, F("a/f", "hello"), END };
	const struct hent type[] = { F("a", ""), F("a/f", "hello"), END };

	refused_entries(fx, suid, FY_E_UNSAFE, "setuid, setgid or sticky");
	refused_entries(fx, sgid, FY_E_UNSAFE, "setuid, setgid or sticky");
	refused_entries(fx, sticky, FY_E_UNSAFE, "setuid, setgid or sticky");
	refused_entries(fx, xattr, FY_E_UNSAFE, "extended attributes");
	refused_entries(fx, mode, FY_E_INTEGRITY, "mode 0755, listing says "
	    "0644");
	refused_entries(fx, wdir, FY_E_INTEGRITY, "mode 0777");
	refused_entries(fx, type, FY_E_INTEGRITY, "is a file, listing says "
	    "directory");
}

/* A17, A19-A20, duplicates, missing entries, sizes, contents. */
static void
test_listing_mismatch(void **state)
{
	struct fx *fx = *state;
	const struct hent dup[] = { D("a/"), F("a/f", "hello"),
	    F("a/f", "hello"), END };
	const struct hent dupdir[] = { D("a/"), D("a/"), F("a/f", "hello"),
	    END };
	const struct hent extra[] = { D("a/"), F("a/f", "hello"),
	    F("a/g", "extra"), END };
	const struct hent extra0[] = { F("b", "x"), D("a/"), F("a/f", "hello"),
	    END };
	const struct hent missing[] = { D("a/"), END };
	const struct hent nodir[] = { F("a/f", "hello"), END };
	const struct hent size[] = { D("a/"), F("a/f", "hello!"), END };
	const struct hent content[] = { D("a/"), F("a/f", "HELLO"), END };
	struct buf big = { 0 };
	struct tree t;

	refused_entries(fx, dup, FY_E_UNSAFE, "a/f: duplicate");
	refused_entries(fx, dupdir, FY_E_UNSAFE, "a: duplicate");
	refused_entries(fx, extra, FY_E_UNSAFE, "a/g: not in the listing");
	refused_entries(fx, extra0, FY_E_UNSAFE, "b: not in the listing");
	refused_entries(fx, missing, FY_E_INTEGRITY, "a/f missing");
	refused_entries(fx, nodir, FY_E_INTEGRITY, "a missing");
	refused_entries(fx, size, FY_E_INTEGRITY, "6 bytes, listing says 5");
	refused_entries(fx, content, FY_E_INTEGRITY, "sha256 differs");
	/* Declared 1 GiB: refused at the header, before any data. */
	raw_header(&big, "a/", '5', 0755, 0);
	raw_header(&big, "a/f", '0', 0644, (uint64_t)1 << 30);
	buf_zero(&big, 1024);
	listing(&t);
	refused(fx, zstd_fd(&big), &t, FY_E_INTEGRITY, "1073741824 bytes, "
	    "listing says 5");
	tree_free(&t);
	free(big.p);
}

/* A23 (TARmageddon shape): the pax size hides an entry inside what the
 * ustar header calls file data.  A ustar-only reader sees a 1536-byte
 * a/f; libarchive sees a 5-byte a/f and then a/evil: refused, because
 * every entry must be in the listing. */
static void
test_pax_size_differs(void **state)
{
	struct fx *fx = *state;
	struct buf tar = { 0 };
	struct tree t;
	const char rec[] = "9 size=5\n";

	raw_header(&tar, "a/", '5', 0755, 0);
	raw_header(&tar, "a/PaxHeader/f", 'x', 0644, sizeof(rec) - 1);
	raw_data(&tar, rec, sizeof(rec) - 1);
	raw_header(&tar, "a/f", '0', 0644, 1536);
	raw_data(&tar, "hello", 5);
	raw_header(&tar, "a/evil", '0', 0644, 0);
	buf_zero(&tar, 512);
	buf_zero(&tar, 1024);
	listing(&t);
	refused(fx, zstd_fd(&tar), &t, FY_E_UNSAFE, "a/evil: not in the "
	    "listing");
	/* A24: a malformed pax record is not silently skipped. */
	tar.n = 0;
	raw_header(&tar, "a/", '5', 0755, 0);
	raw_header(&tar, "a/PaxHeader/f", 'x', 0644, 9);
	raw_data(&tar, "99 size=5", 9);
	raw_header(&tar, "a/f", '0', 0644, 5);
	raw_data(&tar, "hello", 5);
	buf_zero(&tar, 1024);
	refused(fx, zstd_fd(&tar), &t, FY_E_FORMAT, "bad tar data");
	free(tar.p);
	tree_free(&t);
}

/* D01: 1 GiB of zeros after a valid archive; D02: oversized window;
 * D03: truncated frame; D04: a second frame or garbage after the one. */
static void
test_zstd(void **state)
{
	static const struct hent h[] = { D("a/"), F("a/f", "hello"), END };
	struct fx *fx = *state;
	struct buf tar = { 0 }, pkg = { 0 }, two = { 0 };
	struct tree t, bigt;
	struct fy_err e = { 0 };
	int fd;

	listing(&t);
	hostile_tar(h, &tar);
	refused(fx, frame_fd(&tar, 12, (uint64_t)1 << 30), &t, FY_E_UNSAFE,
	    "decompressed data exceeds what the listing declares");
	/* A window of 2^27 is allowed, 2^28 never (whatever the listing). */
	refused(fx, frame_fd(&tar, 28, 0), &t, FY_E_UNSAFE,
	    "window larger than the 2^27 bytes allowed");
	tree_init(&bigt);
	add_dir(&bigt, "a");
	assert_int_equal(tree_add(&bigt, "a/f", TREE_FILE, 0644, 300u << 20,
	    t.v[1].sha256, &e), 0);
	refused(fx, frame_fd(&tar, 27, 0), &bigt, FY_E_INTEGRITY,
	    "5 bytes, listing says 314572800");
	refused(fx, frame_fd(&tar, 28, 0), &bigt, FY_E_UNSAFE,
	    "window larger than the 2^27 bytes allowed");
	tree_free(&bigt);

	fd = hostile_pkg(h);
	fd_bytes(fd, &pkg);
	close(fd);
	refused(fx, mem_fd(pkg.p, pkg.n - 3), &t, FY_E_FORMAT,
	    "zstd frame truncated");
	refused(fx, mem_fd(pkg.p, pkg.n / 2), &t, FY_E_FORMAT,
	    "zstd frame truncated");
	buf_add(&two, pkg.p, pkg.n);
	buf_add(&two, "garbage", 7);
	refused(fx, mem_fd(two.p, two.n), &t, FY_E_FORMAT,
	    "data after the end of the zstd frame");
	two.n = 0;
	buf_add(&two, pkg.p, pkg.n);
	buf_add(&two, pkg.p, pkg.n);
	refused(fx, mem_fd(two.p, two.n), &t, FY_E_FORMAT,
	    "data after the end of the zstd frame");
	refused(fx, mem_fd(tar.p, tar.n), &t, FY_E_FORMAT,
	    "not a zstd frame");
	refused(fx, mem_fd(NULL, 0), &t, FY_E_FORMAT, "zstd frame truncated");
	/* Non-zero bytes after the tar end marker, inside the frame. */
	buf_add(&tar, "x", 1);
	refused(fx, zstd_fd(&tar), &t, FY_E_FORMAT,
	    "data after the end of the tar archive");
	pkg.p[pkg.n / 2] ^= 0x10;
	fx_fresh_dst(fx);
	fd = mem_fd(pkg.p, pkg.n);
	assert_int_equal(fx_extract(fx, fd, &t, &e), -1);
	close(fd);
	fx_assert_outside_untouched(fx);
	free(two.p);
	free(pkg.p);
	free(tar.p);
	tree_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_links_and_devices,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bits_and_metadata,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_listing_mismatch,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pax_size_differs,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_zstd, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
