/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_apply: apply a delta package (formats/SPEC.md §7).  The tar
 * is streamed once; the index must describe exactly the target listing,
 * and the members after it must be exactly the blobs the index names, in
 * order.  Invariant: nothing is created outside dstfd or beyond what the
 * target listing names (components opened O_NOFOLLOW, files O_EXCL), a
 * decoded file is written only after its size and SHA-256 matched, and a
 * copied file that does not match is removed before the apply fails.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "core/digest.h"
#include "core/fault.h"
#include "core/io.h"
#include "formats/archive_dl.h"
#include "formats/deltapkg.h"
#include "formats/deltapkg_int.h"
#include "formats/limits.h"

#define COPY_CHUNK	((size_t)1 << 20)


/* Read dirfd/path, which the listing says is `x`; FY_E_INTEGRITY if not. */
int
deltapkg_read_listed(int dirfd, const struct tree_entry *x, uint8_t **buf,
    struct fy_err *e)
{
	uint8_t d[DIGEST_LEN];
	size_t len = 0;

	if (x->size > SIZE_MAX - 1)
		return fy_fail(e, FY_E_UNSAFE, x->path, "file too large");
	if (io_read_bounded(dirfd, x->path, (size_t)x->size, buf, &len,
	    e) == -1) {
		if (e->code == FY_E_FORMAT)
			e->code = FY_E_INTEGRITY;
		return -1;
	}
	digest_buf(*buf, len, d);
	if (len != x->size || memcmp(d, x->sha256, DIGEST_LEN) != 0) {
		free(*buf);
		*buf = NULL;
		return fy_fail(e, FY_E_INTEGRITY, x->path, "size or sha256 "
		    "differs from the listing");
	}
	return 0;
}

/* The directory that will hold `path` below dstfd, creating missing
 * components 0755 and never following a symlink; *leaf is the last
 * component.  Returns an fd or -1. */
static int
open_parent(int dstfd, const char *path, const char **leaf,
    struct fy_err *e)
{
	char comp[LIMIT_NAME_BYTES + 1];
	const char *p = path, *s;
	int fd, nfd;

	if ((fd = openat(dstfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return fy_fail_errno(e, FY_E_IO, ".", "cannot open directory");
	while ((s = strchr(p, '/')) != NULL) {
		if ((size_t)(s - p) > LIMIT_NAME_BYTES) {
			close(fd);
			return fy_fail(e, FY_E_UNSAFE, path, "name too long");
		}
		memcpy(comp, p, (size_t)(s - p));
		comp[s - p] = '\0';
		if (mkdirat(fd, comp, 0755) == -1 && errno != EEXIST) {
			fy_fail_errno(e, FY_E_IO, path, "cannot create "
			    "directory");
			close(fd);
			return -1;
		}
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (nfd == -1)
			return fy_fail_errno(e, errno == ELOOP ||
			    errno == ENOTDIR ? FY_E_UNSAFE : FY_E_IO, path,
			    "parent is not a plain directory");
		fd = nfd;
		p = s + 1;
	}
	*leaf = p;
	return fd;
}

int
deltapkg_make_dir(const struct ctx *c, const struct tree_entry *x)
{
	const char *leaf;
	int pfd, fd, rc = -1;

	if ((pfd = open_parent(c->dstfd, x->path, &leaf, c->e)) == -1)
		return -1;
	if (mkdirat(pfd, leaf, 0700) == -1 && errno != EEXIST)
		fy_fail_errno(c->e, FY_E_IO, x->path,
		    "cannot create directory");
	else if ((fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		fy_fail_errno(c->e, FY_E_UNSAFE, x->path, "not a directory");
	else {
		if (fchmod(fd, x->mode) == -1)
			fy_fail_errno(c->e, FY_E_IO, x->path, "cannot chmod");
		else
			rc = 0;
		close(fd);
	}
	close(pfd);
	return rc;
}

/* Create dstfd/x->path (O_EXCL, O_NOFOLLOW) and return its fd. */
static int
create_file(const struct ctx *c, const struct tree_entry *x, int *pfd,
    const char **leaf)
{
	int fd;

	if ((*pfd = open_parent(c->dstfd, x->path, leaf, c->e)) == -1)
		return -1;
	fd = openat(*pfd, *leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		fy_fail_errno(c->e, errno == EEXIST || errno == ELOOP ?
		    FY_E_UNSAFE : FY_E_IO, x->path, "cannot create");
		close(*pfd);
	}
	return fd;
}

static int
finish_file(const struct ctx *c, const struct tree_entry *x, int fd)
{
	if (fchmod(fd, x->mode) == -1)
		return fy_fail_errno(c->e, FY_E_IO, x->path, "cannot chmod");
	if (c->sync && io_fsync(fd, x->path, c->e) == -1)
		return -1;
	return 0;
}

int
deltapkg_write_file(const struct ctx *c, const struct tree_entry *x,
    const uint8_t *buf)
{
	const char *leaf;
	int pfd, fd, rc = -1;

	if ((fd = create_file(c, x, &pfd, &leaf)) == -1)
		return -1;
	if (io_write_all(fd, buf, (size_t)x->size, x->path, c->e) == 0 &&
	    finish_file(c, x, fd) == 0)
		rc = 0;
	/* without fsync (the steps inside a chain) close() is where a
	 * delayed write error shows */
	if ((close(fd) == -1 || FY_FAULT("deltapkg.close") == -1) && rc == 0)
		rc = fy_fail_errno(c->e, FY_E_IO, x->path, "write failed");
	close(pfd);
	return rc;
}

/* Stream old/src to dst/x->path, hashing; remove it if it is not x. */
int
deltapkg_copy_file(const struct ctx *c, const struct tree_entry *x, const char *src)
{
	struct digest *d = NULL;
	uint8_t *buf = NULL, h[DIGEST_LEN];
	uint64_t size, seen = 0;
	const char *leaf = NULL;
	ssize_t n;
	int in, out = -1, pfd = -1, rc = -1;

	if ((in = io_open_regular(c->fromfd, src, &size, c->e)) == -1)
		return -1;
	if ((d = digest_new()) == NULL || (buf = malloc(COPY_CHUNK)) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, x->path, "out of memory");
		goto out;
	}
	if ((out = create_file(c, x, &pfd, &leaf)) == -1)
		goto out;
	while ((n = io_read_full(in, buf, COPY_CHUNK, src, c->e)) > 0) {
		if ((seen += (uint64_t)n) > x->size)
			break;
		digest_update(d, buf, (size_t)n);
		if (io_write_all(out, buf, (size_t)n, x->path, c->e) == -1)
			goto out;
	}
	if (n == -1)
		goto out;
	digest_final(d, h);
	if (seen != x->size || memcmp(h, x->sha256, DIGEST_LEN) != 0) {
		fy_fail(c->e, FY_E_INTEGRITY, src, "size or sha256 differs "
		    "from the listing (copy for %s)", x->path);
		goto out;
	}
	rc = finish_file(c, x, out);
out:
	if (out != -1 && close(out) == -1 && rc == 0)
		rc = fy_fail_errno(c->e, FY_E_IO, x->path, "write failed");
	if (rc == -1 && out != -1)
		(void)unlinkat(pfd, leaf, 0);
	if (pfd != -1)
		close(pfd);
	close(in);
	free(buf);
	digest_free(d);
	return rc;
}

int
deltapkg_finish(const struct ctx *c)
{
	size_t i;

	/* Every file was checked against its SHA-256 as it was written (a
	 * copy while copying, a decoded file before its write), so the
	 * tree's shape is what remains: nothing extra or missing, types,
	 * sizes and modes.  Hashing it all again cost a client one day
	 * behind a second read of the whole new version (issue 17). */
	if (tree_verify_shallow(c->dstfd, c->to, c->e) == -1)
		return -1;
	for (i = c->to->n; c->sync && i > 0; i--)
		if (c->to->v[i - 1].type == TREE_DIR &&
		    io_fsync_dir(c->dstfd, c->to->v[i - 1].path, c->e) == -1)
			return -1;
	if (c->sync && io_fsync_dir(c->dstfd, ".", c->e) == -1)
		return -1;
	return 0;
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The index must name every file of `to`, in order, each either a copy of
 * an old file with the same content or the next blob. */
static int
check_index(const struct ctx *c, const json_t *idx)
{
	const struct tree_entry *t, *x;
	const json_t *files, *f;
	uint8_t d[DIGEST_LEN];
	char hf[DIGEST_HEXLEN + 1], ht[DIGEST_HEXLEN + 1], name[BLOB_NAMELEN];
	const char *k, *p;
	json_t *v;
	size_t i, n = 0, nblob = 0;

	tree_digest(c->from, d);
	digest_to_hex(d, hf);
	tree_digest(c->to, d);
	digest_to_hex(d, ht);
	files = json_object_get(idx, "files");
	if (!json_is_object(idx) || json_object_size(idx) != 4 ||
	    !json_is_integer(json_object_get(idx, "format")) ||
	    json_integer_value(json_object_get(idx, "format")) !=
	    INDEX_FORMAT ||
	    jstr(idx, "from") == NULL || jstr(idx, "to") == NULL ||
	    !json_is_array(files))
		return fy_fail(c->e, FY_E_FORMAT, c->where, "delta index "
		    "malformed or of an unknown format");
	if (strcmp(jstr(idx, "from"), hf) != 0 || strcmp(jstr(idx, "to"),
	    ht) != 0)
		return fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta package "
		    "made for other versions than the manifest names");
	for (i = 0; i < c->to->n; i++) {
		t = &c->to->v[i];
		if (t->type != TREE_FILE)
			continue;
		f = json_array_get(files, n++);
		if (!json_is_object(f) || (p = jstr(f, "path")) == NULL ||
		    strcmp(p, t->path) != 0)
			return fy_fail(c->e, FY_E_FORMAT, c->where, "delta "
			    "index entry %zu is not %s", n, t->path);
		json_object_foreach((json_t *)f, k, v) {
			if (!json_is_string(v) || (strcmp(k, "path") != 0 &&
			    strcmp(k, "copy") != 0 && strcmp(k, "blob") != 0 &&
			    strcmp(k, "base") != 0))
				return fy_fail(c->e, FY_E_FORMAT, t->path,
				    "delta index entry has bad key %s", k);
			if (strcmp(k, "blob") != 0 &&
			    !tree_path_ok(json_string_value(v)))
				return fy_fail(c->e, FY_E_UNSAFE, t->path,
				    "delta index names an unsafe path");
		}
		if ((p = jstr(f, "copy")) != NULL) {
			x = tree_find(c->from, p);
			if (json_object_size(f) != 2 || x == NULL ||
			    x->type != TREE_FILE || x->size != t->size ||
			    memcmp(x->sha256, t->sha256, DIGEST_LEN) != 0)
				return fy_fail(c->e, FY_E_FORMAT, t->path,
				    "delta index copies from %s, which is not "
				    "an old file with this content", p);
			continue;
		}
		snprintf(name, sizeof(name), BLOB_FMT, ++nblob);
		if ((p = jstr(f, "blob")) == NULL || strcmp(p, name) != 0)
			return fy_fail(c->e, FY_E_FORMAT, t->path, "delta "
			    "index entry names no blob, or not %s", name);
		p = jstr(f, "base");
		x = p ? tree_find(c->from, p) : NULL;
		if (json_object_size(f) != (p ? 3u : 2u) ||
		    (p != NULL && (x == NULL || x->type != TREE_FILE)))
			return fy_fail(c->e, FY_E_FORMAT, t->path, "delta "
			    "index patches %s, which is not an old file",
			    p ? p : "?");
	}
	if (n != json_array_size(files))
		return fy_fail(c->e, FY_E_FORMAT, c->where, "delta index has "
		    "%zu entries, the listing %zu files",
		    json_array_size(files), n);
	return 0;
}

/* Next member: must be `name`, a regular file of at most `max` bytes;
 * read whole into *buf. */
static int
read_member(const struct ctx *c, const char *name, uint64_t max,
    uint8_t **buf, size_t *len)
{
	struct archive_entry *ae;
	la_int64_t size;
	uint8_t *b;
	int r;

	r = archive_read_next_header(c->a, &ae);
	if (r == ARCHIVE_EOF)
		return fy_fail(c->e, FY_E_INTEGRITY, c->where, "delta package "
		    "ends before member %s", name);
	if (r != ARCHIVE_OK)
		return fy_fail(c->e, FY_E_FORMAT, c->where, "delta package: "
		    "%s", archive_error_string(c->a));
	size = archive_entry_size(ae);
	if (archive_entry_pathname(ae) == NULL ||
	    strcmp(archive_entry_pathname(ae), name) != 0 ||
	    archive_entry_filetype(ae) != AE_IFREG)
		return fy_fail(c->e, FY_E_FORMAT, c->where, "delta package "
		    "member is not %s", name);
	if (size < 0 || (uint64_t)size > max)
		return fy_fail(c->e, FY_E_UNSAFE, name, "member of %lld bytes, "
		    "at most %llu allowed", (long long)size,
		    (unsigned long long)max);
	if ((b = malloc((size_t)size + 1)) == NULL)
		return fy_fail(c->e, FY_E_INTERNAL, name, "out of memory");
	if (archive_read_data(c->a, b, (size_t)size) != (la_ssize_t)size) {
		free(b);
		return fy_fail(c->e, FY_E_INTEGRITY, name, "member truncated");
	}
	b[size] = '\0';
	*buf = b;
	*len = (size_t)size;
	return 0;
}

static int
apply_blob(const struct ctx *c, const struct tree_entry *t,
    const json_t *f)
{
	const struct tree_entry *base = NULL;
	uint8_t *blob = NULL, *old = NULL, *dst = NULL, h[DIGEST_LEN];
	size_t bloblen = 0;
	int rc = -1;

	if (t->size > SIZE_MAX - ZSTD_compressBound(0) - 1 ||
	    ZSTD_isError(ZSTD_compressBound((size_t)t->size)))
		return fy_fail(c->e, FY_E_UNSAFE, t->path, "file too large");
	if (read_member(c, jstr(f, "blob"),
	    ZSTD_compressBound((size_t)t->size) + 1, &blob, &bloblen) == -1)
		goto out;
	if (jstr(f, "base") != NULL) {
		base = tree_find(c->from, jstr(f, "base"));
		if (deltapkg_read_listed(c->fromfd, base, &old, c->e) == -1)
			goto out;
	}
	if ((dst = malloc((size_t)t->size + 1)) == NULL) {
		fy_fail(c->e, FY_E_INTERNAL, t->path, "out of memory");
		goto out;
	}
	if (deltapkg_blob_ok(c, blob, bloblen, t->path) == -1 ||
	    delta_decode(old, base ? (size_t)base->size : 0, blob, bloblen,
	    dst, (size_t)t->size, t->path, c->e) == -1)
		goto out;
	digest_buf(dst, (size_t)t->size, h);
	if (memcmp(h, t->sha256, DIGEST_LEN) != 0) {
		fy_fail(c->e, FY_E_INTEGRITY, t->path, "sha256 of the decoded "
		    "file differs from the listing");
		goto out;
	}
	rc = deltapkg_write_file(c, t, dst);
out:
	free(blob);
	free(old);
	free(dst);
	return rc;
}

int
deltapkg_apply(int pkgfd, const char *where, int fromfd,
    const struct tree *from, const struct tree *to, int dstfd, int sync,
    struct fy_err *e)
{
	struct ctx c = { .where = where, .from = from, .to = to,
	    .pkgfd = -1, .fromfd = fromfd, .dstfd = dstfd, .sync = sync,
	    .e = e };
	struct archive_entry *ae;
	const struct tree_entry *t;
	json_error_t je;
	json_t *idx = NULL, *f;
	uint8_t *js = NULL;
	size_t i, n = 0, jslen = 0;
	int rc = -1;

	char magic[DELTAPKG_MAGIC_LEN];
	ssize_t got;

	if ((got = pread(pkgfd, magic, sizeof(magic), 0)) == -1)
		got = 0;	/* not seekable: only a tar can be read */
	if ((c.format = deltapkg_magic(magic, (size_t)got, where, e)) == -1)
		return -1;
	if (c.format >= 2) {
		c.pkgfd = pkgfd;
		return deltapkg_apply_v2(&c);
	}
	if (archive_dl_ready(e) == -1)
		return -1;
	if ((c.a = archive_read_new()) == NULL ||
	    archive_read_support_format_tar(c.a) != ARCHIVE_OK ||
	    archive_read_open_fd(c.a, pkgfd, 65536) != ARCHIVE_OK) {
		fy_fail(e, FY_E_FORMAT, where, "not a tar: %s",
		    c.a ? archive_error_string(c.a) : "out of memory");
		goto out;
	}
	if (read_member(&c, INDEX_NAME, LIMIT_MANIFEST_BYTES, &js,
	    &jslen) == -1)
		goto out;
	if ((idx = json_loadb((const char *)js, jslen, JSON_REJECT_DUPLICATES,
	    &je)) == NULL) {
		fy_fail(e, FY_E_FORMAT, where, "delta index: %s (line %d)",
		    je.text, je.line);
		goto out;
	}
	if (check_index(&c, idx) == -1)
		goto out;
	for (i = 0; i < to->n; i++)
		if (to->v[i].type == TREE_DIR && deltapkg_make_dir(&c, &to->v[i]) == -1)
			goto out;
	for (i = 0; i < to->n; i++) {
		t = &to->v[i];
		if (t->type != TREE_FILE)
			continue;
		f = json_array_get(json_object_get(idx, "files"), n++);
		if (jstr(f, "copy") != NULL ? deltapkg_copy_file(&c, t,
		    jstr(f, "copy")) == -1 : apply_blob(&c, t, f) == -1)
			goto out;
	}
	if (archive_read_next_header(c.a, &ae) != ARCHIVE_EOF) {
		fy_fail(e, FY_E_FORMAT, where, "delta package has a member "
		    "its index does not name");
		goto out;
	}
	if (deltapkg_finish(&c) == -1)
		goto out;
	rc = 0;
out:
	if (c.a != NULL)
		archive_read_free(c.a);
	json_decref(idx);
	free(js);
	return rc;
}
