/* SPDX-License-Identifier: MIT */
/*
 * gpg_cache: verification homes kept between runs (gpg.h, struct
 * gpg_cache).  Building a home costs a gpg --import; a run that finds one
 * only verifies.
 *
 *   DIR/                    0700, ours, not a link
 *   DIR/h-<key>/            one home; key = SHA-256 over the format tag,
 *                           gpg.conf, common.conf and the keyring bytes
 *                           imported (the pinned keys of the client's
 *                           keyring, verify/gpg_pinned.c, or all of it)
 *     gpg.conf common.conf  exactly gpg_home_conf / gpg_home_common
 *     pubring.kbx           those bytes, imported by gpg
 *     trustdb.gpg           made by that import
 *     ferry-keys            what the verdict needs to know of those keys,
 *                           as gpg listed them once (gpg_verify.c), so
 *                           that a run using the home lists none
 *     ferry-home            the stamp: tag, SHA-256 of the bytes
 *                           imported, SHA-256 of pubring.kbx,
 *                           trustdb.gpg and ferry-keys
 *   DIR/.build-XXXXXX/      a home being built (renamed to h-<key>)
 *
 * Invariant: an entry is used only when the folder and every file in it
 * are ours (not links, nothing else in it), the two conf files are
 * exactly ours, and the stamp matches the SHA-256 of the bytes the caller
 * imports (gpg_verifier's ring: after gpg_pinned.c picked the pinned keys
 * out of the keyring file, so a change of the pinned set that changes
 * them names another entry) and of the key files as they are now.  So an
 * entry holds exactly the keys the caller would import, and ferry-keys is
 * the listing of exactly those keys (the bytes hashed are the bytes
 * used): a stale, torn or edited entry fails the
 * check and is rebuilt, never used, and trust is never wider than without
 * the cache.  Entries are made in a private build folder and published by
 * rename(2), complete; nobody writes to a published entry (lock-never,
 * no-auto-check-trustdb: gpg itself does not either), so concurrent
 * readers need no lock.  Only users with our uid (or root) can reach the
 * folder, so nobody else can swap a file between the check and gpg's use.
 * Every failure here is silent: the caller falls back to a temporary home.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/io.h"
#include "verify/gpg_int.h"

#define TAG		"ferry gpg home 2"	/* 2: ferry-keys */
#define STAMP		"ferry-home"
#define FACTS		"ferry-keys"
#define ENTRY		"h-"
#define BUILD		".build-"
#define FILE_MAX	(4u * LIMIT_KEYSET_BYTES + (64u << 10))
#define SHARED_BUILD_AGE	3600		/* s: a build older is dead */
#define SHARED_ENTRY_AGE	(30 * 86400)	/* s: unused keyrings */

static const char *const allowed[] = {
	"gpg.conf", "common.conf", "pubring.kbx", "trustdb.gpg", FACTS, STAMP,
};

static int
ours(const struct stat *st)
{
	return st->st_uid == geteuid();
}

static int
private_dir(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && ours(st) && (st->st_mode & 077) == 0;
}

/* The cache folder, checked; created (0700) when `create`. */
static int
open_root(const struct gpg_cache *c, int create)
{
	struct stat st;
	int fd;

	if (c == NULL || c->dir == NULL || c->dir[0] != '/')
		return -1;
	if (create && mkdir(c->dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if ((fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !private_dir(&st)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A regular file of ours, at most max bytes; *buf malloc'ed. */
static int
read_own(int dfd, const char *name, size_t max, uint8_t **buf, size_t *len)
{
	struct fy_err e = { 0 };
	struct stat st;
	ssize_t n;
	int fd;

	*buf = NULL;
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || !ours(&st) ||
	    st.st_size < 0 || (uint64_t)st.st_size > max ||
	    (*buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	n = io_read_full(fd, *buf, (size_t)st.st_size + 1, name, &e);
	if (n != st.st_size)		/* changed while read */
		goto fail;
	*len = (size_t)n;
	close(fd);
	return 0;
fail:
	free(*buf);
	*buf = NULL;
	close(fd);
	return -1;
}

static int
file_sha(int dfd, const char *name, char hex[DIGEST_HEXLEN + 1])
{
	uint8_t *buf, sha[DIGEST_LEN];
	size_t len;

	if (read_own(dfd, name, FILE_MAX, &buf, &len) == -1)
		return -1;
	digest_buf(buf, len, sha);
	free(buf);
	digest_to_hex(sha, hex);
	return 0;
}

static int
file_is(int dfd, const char *name, const char *want)
{
	uint8_t *buf;
	size_t len;
	int same;

	if (read_own(dfd, name, 4096, &buf, &len) == -1)
		return 0;
	same = len == strlen(want) && memcmp(buf, want, len) == 0;
	free(buf);
	return same;
}

/* Entry name for this keyring, and the keyring's own SHA-256 (hex). */
static int
names(const uint8_t *ring, size_t len, char entry[64],
    char ringhex[DIGEST_HEXLEN + 1])
{
	struct digest *d = digest_new();
	uint8_t sha[DIGEST_LEN];
	char hex[DIGEST_HEXLEN + 1];

	if (d == NULL)
		return -1;
	digest_update(d, TAG, sizeof(TAG));
	digest_update(d, gpg_home_conf, strlen(gpg_home_conf) + 1);
	digest_update(d, gpg_home_common, strlen(gpg_home_common) + 1);
	digest_update(d, ring, len);
	digest_final(d, sha);
	digest_free(d);
	digest_to_hex(sha, hex);
	snprintf(entry, 64, ENTRY "%.32s", hex);
	digest_buf(ring, len, sha);
	digest_to_hex(sha, ringhex);
	return 0;
}

/* The stamp a home with these key files and these facts must carry. */
static int
stamp_text(int hfd, const char *ringhex, const void *facts, size_t flen,
    char *out, size_t n)
{
	char kbx[DIGEST_HEXLEN + 1], tdb[DIGEST_HEXLEN + 1];
	char fhex[DIGEST_HEXLEN + 1];
	uint8_t sha[DIGEST_LEN];

	if (file_sha(hfd, "pubring.kbx", kbx) == -1 ||
	    file_sha(hfd, "trustdb.gpg", tdb) == -1)
		return -1;
	digest_buf(facts, flen, sha);
	digest_to_hex(sha, fhex);
	if (snprintf(out, n, TAG "\nkeyring %s\npubring.kbx %s\n"
	    "trustdb.gpg %s\n" FACTS " %s\n", ringhex, kbx, tdb, fhex) >=
	    (int)n)
		return -1;
	return 0;
}

/* Nothing in the home but the allowed names (stamp too when `stamped`). */
static int
only_allowed(int hfd, int stamped)
{
	struct dirent *de;
	DIR *d;
	size_t i;
	int fd, ok = 1;

	if ((fd = dup(hfd)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	rewinddir(d);
	while (ok && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (strcmp(de->d_name, allowed[i]) == 0)
				break;
		if (i == sizeof(allowed) / sizeof(allowed[0]) ||
		    (!stamped && strcmp(de->d_name, STAMP) == 0))
			ok = 0;
	}
	closedir(d);
	return ok;
}

/* Is cfd/entry a home for the keyring whose SHA-256 is ringhex?  If so
 * and facts is not NULL, *facts (malloc'ed, *flen bytes) are the bytes of
 * its ferry-keys that the stamp vouched for. */
static int
valid(int cfd, const char *entry, const char *ringhex, uint8_t **facts,
    size_t *flen)
{
	char want[640];
	uint8_t *have = NULL, *f = NULL;
	size_t len = 0, fl = 0;
	struct stat st;
	int hfd, ok = 0;

	if ((hfd = openat(cfd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return 0;
	if (fstat(hfd, &st) == 0 && private_dir(&st) &&
	    only_allowed(hfd, 1) &&
	    file_is(hfd, "gpg.conf", gpg_home_conf) &&
	    file_is(hfd, "common.conf", gpg_home_common) &&
	    read_own(hfd, FACTS, FILE_MAX, &f, &fl) == 0 &&
	    stamp_text(hfd, ringhex, f, fl, want, sizeof(want)) == 0 &&
	    read_own(hfd, STAMP, sizeof(want), &have, &len) == 0)
		ok = len == strlen(want) && memcmp(have, want, len) == 0;
	free(have);
	close(hfd);
	if (ok && facts != NULL) {
		*facts = f;
		*flen = fl;
	} else
		free(f);
	return ok;
}

int
gpg_cache_find(const struct gpg_cache *c, const uint8_t *ring, size_t len,
    char *home, size_t size, uint8_t **facts, size_t *factslen)
{
	char entry[64], ringhex[DIGEST_HEXLEN + 1];
	int cfd, rc = -1;

	*facts = NULL;
	if (names(ring, len, entry, ringhex) == -1 ||
	    (cfd = open_root(c, 0)) == -1)
		return -1;
	if (valid(cfd, entry, ringhex, facts, factslen)) {
		if (snprintf(home, size, "%s/%s", c->dir, entry) < (int)size)
			rc = 0;
		else {
			free(*facts);
			*facts = NULL;
		}
	}
	close(cfd);
	return rc;
}

/* Remove what is left of other builds and, when `keep` is set, entries
 * other than it: all of them when nobody else uses the folder, only
 * old ones when it is shared. */
static void
sweep(const struct gpg_cache *c, int cfd, const char *keep,
    const char *mine)
{
	struct fy_err e = { 0 };
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	DIR *d;
	int fd;

	if ((fd = dup(cfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		int build = strncmp(de->d_name, BUILD, strlen(BUILD)) == 0;
		int entry = strncmp(de->d_name, ENTRY, strlen(ENTRY)) == 0;

		if ((!build && !entry) || (entry && keep == NULL) ||
		    (keep != NULL && strcmp(de->d_name, keep) == 0) ||
		    (mine != NULL && strcmp(de->d_name, mine) == 0))
			continue;
		if (c->shared && (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || now - st.st_mtime <
		    (build ? SHARED_BUILD_AGE : SHARED_ENTRY_AGE)))
			continue;
		io_remove_tree(dirfd(d), de->d_name, &e);
		fy_clear(&e);
	}
	closedir(d);
}

int
gpg_cache_start(const struct gpg_cache *c, char *home, size_t size)
{
	struct fy_err e = { 0 };
	int cfd;

	if (c->readonly || (cfd = open_root(c, 1)) == -1)
		return -1;
	sweep(c, cfd, NULL, NULL);
	close(cfd);
	if (snprintf(home, size, "%s/" BUILD "XXXXXX", c->dir) >= (int)size ||
	    mkdtemp(home) == NULL)
		goto fail;
	if (gpg_home_write_conf(home, &e) == -1) {
		io_remove_tree(AT_FDCWD, home, &e);
		goto fail;
	}
	return 0;
fail:
	home[0] = '\0';
	(void)rmdir(c->dir);	/* if this made it and nothing is in it */
	return -1;
}

int
gpg_cache_publish(const struct gpg_cache *c, const uint8_t *ring, size_t len,
    const char *facts, size_t factslen, char *home, size_t size)
{
	struct fy_err e = { 0 };
	char entry[64], ringhex[DIGEST_HEXLEN + 1], text[640], path[PATH_MAX];
	const char *build = strrchr(home, '/');
	int cfd = -1, hfd = -1, fd, rc = -1, tries;

	if (build == NULL || strncmp(++build, BUILD, strlen(BUILD)) != 0 ||
	    names(ring, len, entry, ringhex) == -1 ||
	    snprintf(path, sizeof(path), "%s/%s", c->dir, entry) >=
	    (int)sizeof(path) || strlen(path) >= size ||
	    (cfd = open_root(c, 0)) == -1 ||
	    (hfd = openat(cfd, build, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		goto out;
	(void)unlinkat(hfd, "pubring.kbx~", 0);		/* gpg's backup */
	if (!only_allowed(hfd, 0) || factslen > FILE_MAX ||
	    (fd = openat(hfd, FACTS, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		goto out;
	if (io_write_all(fd, facts, factslen, FACTS, &e) == -1) {
		close(fd);
		goto out;
	}
	if (close(fd) == -1 ||
	    stamp_text(hfd, ringhex, facts, factslen, text, sizeof(text)) ==
	    -1 || (fd = openat(hfd, STAMP, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1)
		goto out;
	if (io_write_all(fd, text, strlen(text), STAMP, &e) == -1) {
		close(fd);
		goto out;
	}
	if (close(fd) == -1)
		goto out;
	for (tries = 0; tries < 2; tries++) {
		if (renameat(cfd, build, cfd, entry) == 0) {
			snprintf(home, size, "%s", path);
			sweep(c, cfd, entry, NULL);
			rc = 0;
			goto out;
		}
		if (errno != EEXIST && errno != ENOTEMPTY)
			goto out;
		if (valid(cfd, entry, ringhex, NULL, NULL)) {
			/* Another run built the same home first. */
			io_remove_tree(cfd, build, &e);
			snprintf(home, size, "%s", path);
			rc = 0;
			goto out;
		}
		/* A stale or damaged entry under our name: replace it. */
		if (io_remove_tree(cfd, entry, &e) == -1)
			goto out;
	}
out:
	if (hfd != -1)
		close(hfd);
	if (cfd != -1)
		close(cfd);
	return rc;
}

/* base must be a folder of ours that nobody else may write to. */
static int
safe_base(const char *path, int create)
{
	struct stat st;

	if (create && mkdir(path, 0700) == -1 && errno != EEXIST)
		return 0;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && ours(&st) &&
	    (st.st_mode & 022) == 0;
}

int
gpg_cache_user_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	const char *tmp = getenv("TMPDIR");
	char base[PATH_MAX], app[PATH_MAX];

	base[0] = '\0';
	if (xdg != NULL && xdg[0] == '/' && strlen(xdg) < sizeof(base) &&
	    safe_base(xdg, 0))
		snprintf(base, sizeof(base), "%s", xdg);
	else if (home != NULL && home[0] == '/' && safe_base(home, 0) &&
	    snprintf(base, sizeof(base), "%s/.cache", home) <
	    (int)sizeof(base) && safe_base(base, 1))
		;
	else {
		if (tmp == NULL || tmp[0] != '/')
			tmp = "/tmp";
		if (snprintf(base, sizeof(base), "%s/ferry-cache-%lu", tmp,
		    (unsigned long)geteuid()) >= (int)sizeof(base) ||
		    !safe_base(base, 1))
			return -1;
	}
	if (snprintf(app, sizeof(app), "%s/ferry", base) >= (int)sizeof(app) ||
	    !safe_base(app, 1) ||
	    snprintf(buf, size, "%s/gpg", app) >= (int)size)
		return -1;
	return 0;
}
