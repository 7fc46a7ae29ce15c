/* SPDX-License-Identifier: MIT */
/*
 * fuzz_extract: libFuzzer target for formats/package_extract.c.  Input:
 * a zstd-compressed tar.  The listing is fixed (a/, a/f = "hello" 0644,
 * b = empty 0644).  Each input is extracted into a fresh directory d
 * below a private scratch directory.  Oracles: nothing but d appears in
 * the scratch directory; d never holds a symlink, device, FIFO, socket or
 * setuid file (tree_scan refuses those with FY_E_UNSAFE); when extraction
 * succeeds d is exactly the listing (tree_verify).  d is then removed.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_extract.c formats/package_*.c formats/tree*.c \
 *       formats/archive_dl.c core/beneath.c core/digest.c core/err.c \
 *       core/io.c core/fault.c -lzstd -ljansson -lgcrypt -o fuzz_extract
 *   ./fuzz_extract -rss_limit_mb=2048 -timeout=10 tests/fuzz/seed_extract
 * Seeds: tests/fuzz/seed_extract/mkseeds.sh (needs bsdtar and zstd).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/io.h"
#include "formats/package.h"
#include "formats/tree.h"

static int	basefd = -1;
static char	base[] = "/tmp/fuzz_extract.XXXXXX";
static struct tree listing;

static void
cleanup(void)
{
	struct fy_err e = { 0 };

	(void)io_remove_tree(AT_FDCWD, base, &e);
}

static void
setup(void)
{
	struct fy_err e = { 0 };
	uint8_t sha[DIGEST_LEN];

	if (mkdtemp(base) == NULL ||
	    (basefd = open(base, O_RDONLY | O_DIRECTORY)) == -1)
		abort();
	atexit(cleanup);
	tree_init(&listing);
	digest_buf("hello", 5, sha);
	if (tree_add(&listing, "a", TREE_DIR, 0755, 0, NULL, &e) ||
	    tree_add(&listing, "a/f", TREE_FILE, 0644, 5, sha, &e))
		abort();
	digest_buf("", 0, sha);
	if (tree_add(&listing, "b", TREE_FILE, 0644, 0, sha, &e) ||
	    tree_sort(&listing, "fuzz", &e))
		abort();
}

/* The scratch directory holds d and nothing else. */
static void
check_scratch(void)
{
	struct dirent *de;
	DIR *d;
	int fd = dup(basefd);

	if (fd == -1 || (d = fdopendir(fd)) == NULL)
		abort();
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "d"))
			abort();		/* created outside d */
	closedir(d);
}

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct fy_err e = { 0 }, e2 = { 0 };
	struct tree got;
	int pkgfd, dfd, rc;

	if (basefd == -1)
		setup();
	if ((pkgfd = memfd_create("pkg", MFD_CLOEXEC)) == -1 ||
	    (n > 0 && write(pkgfd, data, n) != (ssize_t)n) ||
	    lseek(pkgfd, 0, SEEK_SET) != 0)
		abort();
	if (mkdirat(basefd, "d", 0755) == -1 ||
	    (dfd = openat(basefd, "d", O_RDONLY | O_DIRECTORY)) == -1)
		abort();
	rc = package_extract_base(pkgfd, "fuzz", &listing, dfd, 0, &e);
	check_scratch();
	if (tree_scan(dfd, &got, &e2) == -1) {
		if (e2.code == FY_E_UNSAFE)
			abort();		/* a forbidden type was made */
	} else {
		tree_free(&got);
	}
	if (rc == 0 && tree_verify(dfd, &listing, &e2) == -1)
		abort();
	if (rc == -1 && e.code == FY_OK)
		abort();
	close(dfd);
	close(pkgfd);
	if (io_remove_tree(basefd, "d", &e2) == -1)
		abort();
	return 0;
}
