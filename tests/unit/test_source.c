/* SPDX-License-Identifier: MIT */
/*
 * test_source: formats/source (folder and ISO backends) and formats/iso.
 * A medium tree is built in the scratch directory; ISO images are made at
 * test time with xorriso and with iso_write(), and read back through
 * source_iso and through xorriso/isoinfo.  Every fy_code the sources
 * return is provoked, and every failed fetch must leave no file behind.
 */
#include <errno.h>
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

#include "core/digest.h"
#include "formats/iso.h"
#include "formats/source.h"

#define BIG	"pkg/a/a-1-base.tar.zst"
#define BIGLEN	300000		/* crosses the 128 KiB read chunks */

static char top[4096];		/* absolute scratch folder */
static uint8_t big[BIGLEN], bigsha[DIGEST_LEN];

static const char *dir_list[] = { "README.txt", "fifo!", "keys/k.json",
	"link!", "manifest.json", BIG, "pkg/evil!" };
static const char *clean_list[] = { "empty", "manifest.json", BIG };

static void
put(const char *rel, const void *buf, size_t len)
{
	char p[8192];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static int
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int
have(const char *tool)
{
	return sh("command -v %s >/dev/null 2>&1", tool) == 0;
}

static void
path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", top, rel);
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	digest_init();
	assert_non_null(getcwd(top, sizeof(top) - 32));
	strcat(top, "/src.XXXXXX");
	assert_non_null(mkdtemp(top));
	for (i = 0; i < BIGLEN; i++)
		big[i] = (uint8_t)(i * 7 % 251);
	digest_buf(big, BIGLEN, bigsha);
	assert_int_equal(sh("cd %s && mkdir -p root/ferry/pkg/a "
	    "root/ferry/keys clean/ferry/pkg/a dst empty", top), 0);
	put("root/README.txt", "readme\n", 7);
	put("root/ferry/README.txt", "readme\n", 7);
	put("root/ferry/manifest.json", "{\"m\":1}\n", 8);
	put("root/ferry/keys/k.json", "key", 3);
	put("root/ferry/" BIG, big, BIGLEN);
	put("clean/README.txt", "readme\n", 7);
	put("clean/ferry/manifest.json", "{\"m\":1}\n", 8);
	put("clean/ferry/empty", "", 0);
	put("clean/ferry/" BIG, big, BIGLEN);
	put("plain.bin", "not an image", 12);
	assert_int_equal(sh("cd %s/root/ferry && ln -s ../README.txt link && "
	    "ln -s /etc pkg/evil && mkfifo fifo", top), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return sh("rm -rf %s", top);
}

static struct source *
open_ok(const char *rel)
{
	struct fy_err e = { 0 };
	struct source *s = NULL;
	char p[8192];

	path(p, sizeof(p), rel);
	if (source_open(p, &s, &e) == -1)
		fail_msg("source_open %s: %s: %s", p, e.where, e.msg);
	return s;
}

static void
expect(int rc, const struct fy_err *e, enum fy_code code, const char *msg)
{
	assert_int_equal(rc, -1);
	if (e->code != code || strstr(e->msg, msg) == NULL)
		fail_msg("expected %s \"%s\", got %s \"%s: %s\"",
		    fy_code_name(code), msg, fy_code_name(e->code), e->where,
		    e->msg);
}

static void
expect_open(const char *spec, enum fy_code code, const char *msg)
{
	struct fy_err e = { 0 };
	struct source *s = NULL;

	expect(source_open(spec, &s, &e), &e, code, msg);
	assert_null(s);
}

static void
test_open_kinds(void **state)
{
	struct source *s;
	char p[8192], want[8192];

	(void)state;
	path(want, sizeof(want), "root/ferry");
	s = open_ok("root");
	assert_int_equal(source_kind(s), SOURCE_DIR);
	assert_string_equal(source_name(s), want);
	assert_true(source_dirfd(s) >= 0);
	source_free(s);
	s = open_ok("root/ferry/");
	assert_string_equal(source_name(s), want);
	source_free(s);
	path(p, sizeof(p), "empty");
	expect_open(p, FY_E_NOTFOUND, "no ferry medium here");
	path(p, sizeof(p), "plain.bin");
	expect_open(p, FY_E_USAGE, "not a folder, an ISO 9660 image");
	path(p, sizeof(p), "missing");
	expect_open(p, FY_E_NOTFOUND, "cannot open medium");
	/* http(s) sources are tested against nginx on 127.0.0.1 in
	 * tests/http/; unit tests never touch the network. */
	expect_open("", FY_E_USAGE, "no medium given");
	source_free(NULL);
}

/* Read `rel` whole and compare, then provoke each refusal. */
static void
check_reads(struct source *s)
{
	struct fy_err e = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;

	assert_int_equal(source_read(s, "manifest.json", 8, &buf, &len, &e), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "{\"m\":1}\n", 9);	/* NUL-terminated */
	free(buf);
	buf = NULL;
	assert_int_equal(source_read(s, BIG, BIGLEN, &buf, &len, &e), 0);
	assert_int_equal(len, BIGLEN);
	assert_memory_equal(buf, big, BIGLEN);
	free(buf);
	buf = NULL;
	expect(source_read(s, "manifest.json", 7, &buf, &len, &e), &e,
	    FY_E_FORMAT, "larger than the 7 bytes allowed");
	assert_null(buf);
	memset(&e, 0, sizeof(e));
	expect(source_read(s, "nope.json", 64, &buf, &len, &e), &e,
	    FY_E_INCOMPLETE, "missing on the medium");
	assert_string_equal(e.where, "nope.json");
	memset(&e, 0, sizeof(e));
	expect(source_read(s, "keys/nope/x", 64, &buf, &len, &e), &e,
	    FY_E_INCOMPLETE, "missing on the medium");
	memset(&e, 0, sizeof(e));
	assert_int_equal(source_exists(s, "keys/k.json", &e), 1);
	assert_int_equal(source_exists(s, "keys/nope.json", &e), 0);
	assert_int_equal(source_exists(s, "nope/x", &e), 0);
	assert_null(buf);
}

static void
check_nonregular(struct source *s)
{
	static const char *bad[] = { "link", "fifo", "pkg/a" };
	struct fy_err e = { 0 };
	uint8_t *buf = NULL;
	size_t i, len;

	for (i = 0; i < 3; i++) {
		memset(&e, 0, sizeof(e));
		expect(source_read(s, bad[i], 64, &buf, &len, &e), &e,
		    FY_E_UNSAFE, i == 0 ? "is a symbolic link" :
		    "not a regular file");
		assert_string_equal(e.where, bad[i]);
	}
	assert_null(buf);
}

static void
test_dir_read(void **state)
{
	struct fy_err e = { 0 };
	struct source *s = open_ok("root");
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	check_reads(s);
	check_nonregular(s);
	/* An intermediate symlink is never followed (pkg/evil -> /etc). */
	expect(source_read(s, "pkg/evil/passwd", 1 << 20, &buf, &len, &e),
	    &e, FY_E_UNSAFE, "symbolic link");
	assert_string_equal(e.where, "pkg/evil");
	assert_null(buf);
	source_free(s);
}

static void
test_unsafe_paths(void **state)
{
	static const char *bad[] = { "../README.txt", "/etc/passwd", "",
	    "a//b", "./manifest.json", "pkg/../manifest.json", "pkg/a/",
	    "a\\b", "x\ny" };
	struct source *s = open_ok("root");
	struct fy_err e;
	uint8_t *buf = NULL;
	char p[8192];
	size_t i, len;
	int dfd;

	(void)state;
	path(p, sizeof(p), "dst");
	assert_true((dfd = open(p, O_RDONLY | O_DIRECTORY)) >= 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		expect(source_read(s, bad[i], 64, &buf, &len, &e), &e,
		    FY_E_UNSAFE, "unsafe path");
		memset(&e, 0, sizeof(e));
		expect(source_exists(s, bad[i], &e), &e, FY_E_UNSAFE,
		    "unsafe path");
		memset(&e, 0, sizeof(e));
		expect(source_fetch(s, bad[i], 7, bigsha, dfd, "out", NULL,
		    NULL, &e), &e, FY_E_UNSAFE, "unsafe path");
		assert_int_equal(faccessat(dfd, "out", F_OK,
		    AT_SYMLINK_NOFOLLOW), -1);
	}
	close(dfd);
	source_free(s);
}

static void
progress(void *arg, uint64_t bytes)
{
	*(uint64_t *)arg = bytes;
}

/* Each bad fetch: code, message, and no destination left behind. */
static void
bad_fetch(struct source *s, int dfd, const char *rel, uint64_t size,
    const uint8_t *sha, enum fy_code code, const char *msg)
{
	struct fy_err e = { 0 };

	expect(source_fetch(s, rel, size, sha, dfd, "out", NULL, NULL, &e),
	    &e, code, msg);
	assert_string_equal(e.where, rel);
	if (faccessat(dfd, "out", F_OK, AT_SYMLINK_NOFOLLOW) != -1)
		fail_msg("failed fetch of %s left its destination", rel);
}

static void
check_fetch(struct source *s)
{
	struct fy_err e = { 0 };
	uint8_t other[DIGEST_LEN], *buf = NULL;
	uint64_t seen = 0;
	struct stat st;
	char p[8192];
	size_t len;
	int dfd;

	path(p, sizeof(p), "dst");
	assert_int_equal(sh("rm -f %s/*", p), 0);
	assert_true((dfd = open(p, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(source_fetch(s, BIG, BIGLEN, bigsha, dfd, "ok",
	    progress, &seen, &e), 0);
	assert_int_equal(seen, BIGLEN);
	assert_int_equal(fstatat(dfd, "ok", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, BIGLEN);
	assert_int_equal(sh("cmp -s %s/ok %s/root/ferry/" BIG, p, top), 0);
	/* Check only: nothing written. */
	assert_int_equal(source_fetch(s, BIG, BIGLEN, bigsha, -1, NULL, NULL,
	    NULL, &e), 0);
	memcpy(other, bigsha, sizeof(other));
	other[31] ^= 1;
	bad_fetch(s, dfd, BIG, BIGLEN - 1, bigsha, FY_E_INTEGRITY,
	    "longer than the 299999 bytes declared");
	bad_fetch(s, dfd, BIG, BIGLEN + 1, bigsha, FY_E_INTEGRITY,
	    "300000 bytes, manifest says 300001");
	bad_fetch(s, dfd, BIG, BIGLEN, other, FY_E_INTEGRITY,
	    "sha256 differs from manifest");
	bad_fetch(s, dfd, "link", 7, bigsha, FY_E_UNSAFE, "symbolic link");
	bad_fetch(s, dfd, "fifo", 7, bigsha, FY_E_UNSAFE,
	    "not a regular file");
	bad_fetch(s, dfd, "missing.tar", 7, bigsha, FY_E_INCOMPLETE,
	    "missing on the medium");
	/* An existing destination is neither followed nor removed. */
	memset(&e, 0, sizeof(e));
	expect(source_fetch(s, BIG, BIGLEN, bigsha, dfd, "ok", NULL, NULL,
	    &e), &e, FY_E_IO, "cannot create");
	assert_int_equal(fstatat(dfd, "ok", &st, 0), 0);
	assert_int_equal(st.st_size, BIGLEN);
	(void)buf;
	(void)len;
	close(dfd);
}

static void
test_dir_fetch(void **state)
{
	struct source *s = open_ok("root/ferry");

	(void)state;
	check_fetch(s);
	source_free(s);
}

static void
check_list(struct source *s, const char **want, size_t nwant)
{
	struct fy_err e = { 0 };
	char **names = NULL;
	size_t i, n = 0;

	if (source_list(s, &names, &n, &e) == -1)
		fail_msg("source_list: %s: %s", e.where, e.msg);
	for (i = 0; i < n && i < nwant; i++)
		if (strcmp(names[i], want[i]) != 0)
			fail_msg("entry %zu: got %s, want %s", i, names[i],
			    want[i]);
	assert_int_equal(n, nwant);
	source_list_free(names, n);
}

static void
test_dir_list(void **state)
{
	struct source *s = open_ok("root");

	(void)state;
	check_list(s, dir_list, sizeof(dir_list) / sizeof(dir_list[0]));
	check_list(s, dir_list, sizeof(dir_list) / sizeof(dir_list[0]));
	source_free(s);
}

static void
test_iso_xorriso(void **state)
{
	struct source *s;
	char p[8192];

	(void)state;
	if (!have("xorriso")) {
		printf("SKIP test_iso_xorriso: xorriso not installed\n");
		skip();
	}
	assert_int_equal(sh("cd %s && xorriso -as mkisofs -J -R -V FERRY_X "
	    "-o x.iso root/ >/dev/null 2>&1 && cp x.iso x.bin && "
	    "xorriso -as mkisofs -J -R -o f.iso root/ferry >/dev/null 2>&1 && "
	    "xorriso -as mkisofs -J -R -o e.iso root/ferry/keys "
	    ">/dev/null 2>&1", top), 0);
	s = open_ok("x.iso");
	assert_int_equal(source_kind(s), SOURCE_ISO);
	assert_int_equal(source_dirfd(s), -1);
	check_reads(s);
	check_nonregular(s);
	check_fetch(s);
	check_list(s, dir_list, sizeof(dir_list) / sizeof(dir_list[0]));
	source_free(s);
	/* No .iso suffix: recognised by content. */
	s = open_ok("x.bin");
	assert_int_equal(source_kind(s), SOURCE_ISO);
	source_free(s);
	/* The folder itself at the image root. */
	s = open_ok("f.iso");
	check_reads(s);
	check_list(s, dir_list, sizeof(dir_list) / sizeof(dir_list[0]));
	source_free(s);
	path(p, sizeof(p), "e.iso");
	expect_open(p, FY_E_NOTFOUND, "no ferry medium in this image");
}

static void
test_iso_write(void **state)
{
	struct fy_err e = { 0 };
	struct source *s;
	uint8_t *buf = NULL;
	char src[8192], iso[8192];
	size_t len = 1;

	(void)state;
	path(src, sizeof(src), "clean");
	path(iso, sizeof(iso), "w.iso");
	if (iso_write(src, iso, "ferry_2026", &e) == -1)
		fail_msg("iso_write: %s: %s", e.where, e.msg);
	assert_int_equal(sh("test ! -e %s.tmp", iso), 0);
	s = open_ok("w.iso");
	check_list(s, clean_list, 3);
	assert_int_equal(source_read(s, "empty", 0, &buf, &len, &e), 0);
	assert_int_equal(len, 0);
	free(buf);
	assert_int_equal(source_fetch(s, BIG, BIGLEN, bigsha, -1, NULL, NULL,
	    NULL, &e), 0);
	source_free(s);
	if (!have("xorriso") || !have("isoinfo")) {
		printf("SKIP test_iso_write: xorriso or isoinfo not "
		    "installed: the image was not read back by them\n");
		skip();
	}
	assert_int_equal(sh("cd %s && xorriso -osirrox on -indev w.iso "
	    "-extract / wx >/dev/null 2>&1 && diff -r clean wx", top), 0);
	assert_int_equal(sh("isoinfo -d -i %s | grep -qx 'Volume id: "
	    "FERRY_2026'", iso), 0);
}

static void
test_iso_write_refuses(void **state)
{
	static const char *bad[] = { "", "with space", "dash-ed", "é",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456" };
	struct fy_err e;
	char src[8192], iso[8192];
	size_t i;

	(void)state;
	path(src, sizeof(src), "clean");
	path(iso, sizeof(iso), "bad.iso");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		expect(iso_write(src, iso, bad[i], &e), &e, FY_E_USAGE,
		    "volume label must be 1 to 32 characters");
	}
	memset(&e, 0, sizeof(e));
	assert_int_equal(iso_write(src, iso,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", &e), 0);
	path(src, sizeof(src), "root");
	path(iso, sizeof(iso), "bad2.iso");
	memset(&e, 0, sizeof(e));
	expect(iso_write(src, iso, "X", &e), &e, FY_E_UNSAFE,
	    "not a regular file or directory");
	assert_string_equal(e.where, "ferry/fifo");
	assert_int_equal(sh("test ! -e %s && test ! -e %s.tmp", iso, iso), 0);
	path(src, sizeof(src), "missing");
	memset(&e, 0, sizeof(e));
	expect(iso_write(src, iso, "X", &e), &e, FY_E_NOTFOUND,
	    "cannot open folder");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_kinds),
		cmocka_unit_test(test_dir_read),
		cmocka_unit_test(test_unsafe_paths),
		cmocka_unit_test(test_dir_fetch),
		cmocka_unit_test(test_dir_list),
		cmocka_unit_test(test_iso_xorriso),
		cmocka_unit_test(test_iso_write),
		cmocka_unit_test(test_iso_write_refuses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
