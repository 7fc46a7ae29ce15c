/* SPDX-License-Identifier: MIT */
/*
 * package_extract: pkgfd -> libzstd (ours: window and output capped by
 * the listing) -> plain tar -> libarchive reader (tar only, no filters)
 * -> files we create ourselves below dstdirfd.  The invariant: nothing is
 * created except the listing's own entries, in listing order, each below
 * dstdirfd through directories we created, opened component by component
 * with O_NOFOLLOW; a file is created O_EXCL, written while hashed, and
 * must match the listing in size and SHA-256 before it is closed.  No
 * libarchive write-disk code is used at all.  On failure dstdirfd holds a
 * partial tree that the caller removes.
 *
 * Memory bound: zstd's window buffer, at most 2^LIMIT_BASE_WINDOW_LOG
 * (128 MiB) of address space, of which only as much is ever written (so
 * resident) as has been decompressed, and decompressed output is capped
 * at the tar bound of the listing (package_tar_bound); plus zstd's input
 * and output buffers (~128 KiB each), libarchive's read-ahead and pax/GNU
 * header buffers (bounded by the same cap), and one parent path of
 * LIMIT_PATH_BYTES.  For a tree of N bytes: RSS <= min(128 MiB, N + tar
 * overhead) + about 1 MiB.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/beneath.h"
#include "core/i18n.h"
#include "core/io.h"
#include "formats/limits.h"
#include "formats/package.h"
#include "formats/package_int.h"

struct xctx {
	int		 pkgfd;
	const char	*where;
	struct fy_err	*e;
	ZSTD_DCtx	*dctx;
	uint8_t		*ibuf, *obuf;
	size_t		 isz, osz;
	ZSTD_inBuffer	 in;
	size_t		 last_got;	/* bytes of the last chunk */
	uint64_t	 total, cap;
	int		 wlog;
	int		 frame_done;
	int		 pfd;		/* open parent directory, or -1 */
	char		 ppath[LIMIT_PATH_BYTES + 1];
};

static int
zstd_fail(struct xctx *x, size_t r)
{
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_frameParameter_windowTooLarge:
		return fy_fail(x->e, FY_E_UNSAFE, x->where, _("zstd frame "
		    "needs a window larger than the 2^%d bytes allowed"),
		    x->wlog);
	case ZSTD_error_checksum_wrong:
		return fy_fail(x->e, FY_E_INTEGRITY, x->where,
		    _("zstd checksum mismatch"));
	case ZSTD_error_prefix_unknown:
		return fy_fail(x->e, FY_E_FORMAT, x->where,
		    _("not a zstd frame"));
	default:
		return fy_fail(x->e, FY_E_FORMAT, x->where,
		    _("corrupt zstd data: %s"), ZSTD_getErrorName(r));
	}
}

/* After the one frame: nothing may follow it in the file. */
static int
check_tail(struct xctx *x)
{
	ssize_t n;

	if (x->in.pos < x->in.size)
		goto garbage;
	if ((n = io_read_full(x->pkgfd, x->ibuf, 1, x->where, x->e)) == -1)
		return -1;
	if (n == 0)
		return 0;
garbage:
	return fy_fail(x->e, FY_E_FORMAT, x->where,
	    _("data after the end of the zstd frame"));
}

/* Decompress the next chunk into x->obuf; *got = 0 at the end. */
static int
inflate(struct xctx *x, size_t *got)
{
	ZSTD_outBuffer out = { x->obuf, x->osz, 0 };
	ssize_t n;
	size_t r;

	while (out.pos == 0 && !x->frame_done) {
		if (x->in.pos == x->in.size) {
			n = io_read_full(x->pkgfd, x->ibuf, x->isz, x->where,
			    x->e);
			if (n == -1)
				return -1;
			if (n == 0)
				return fy_fail(x->e, FY_E_FORMAT, x->where,
				    _("zstd frame truncated"));
			x->in.src = x->ibuf;
			x->in.size = (size_t)n;
			x->in.pos = 0;
		}
		r = ZSTD_decompressStream(x->dctx, &out, &x->in);
		if (ZSTD_isError(r))
			return zstd_fail(x, r);
		if (r == 0) {
			x->frame_done = 1;
			if (check_tail(x) == -1)
				return -1;
		}
	}
	x->total += out.pos;
	if (x->total > x->cap)
		return fy_fail(x->e, FY_E_UNSAFE, x->where, _("decompressed "
		    "data exceeds what the listing declares (%llu bytes of "
		    "tar at most)"), (unsigned long long)x->cap);
	*got = out.pos;
	return 0;
}

static la_ssize_t
read_cb(struct archive *a, void *cd, const void **buf)
{
	struct xctx *x = cd;
	size_t got;

	if (inflate(x, &got) == -1) {
		archive_set_error(a, EIO, "%s", x->e->msg);
		return -1;
	}
	*buf = x->obuf;
	x->last_got = got;
	return (la_ssize_t)got;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	return n == 0;
}

/*
 * What follows the tar end marker must be zero padding up to the end of
 * the frame.  `consumed` is how far libarchive read; the bytes it was
 * handed but did not consume are the tail of the last chunk in x->obuf
 * (a part copied into libarchive's own buffer is not visible; our writer
 * never leaves any padding, other writers pad with zeros).
 */
static int
drain(struct xctx *x, la_int64_t consumed)
{
	uint64_t unseen;
	size_t got, k;

	if (consumed < 0 || (uint64_t)consumed > x->total)
		return fy_fail(x->e, FY_E_INTERNAL, x->where,
		    "tar reader position out of range");
	unseen = x->total - (uint64_t)consumed;
	k = unseen < x->last_got ? (size_t)unseen : x->last_got;
	got = k;
	do {
		if (!all_zero(x->obuf + x->last_got - k, k))
			return fy_fail(x->e, FY_E_FORMAT, x->where,
			    _("data after the end of the tar archive"));
		if (inflate(x, &got) == -1)
			return -1;
		x->last_got = k = got;
	} while (got > 0);
	return 0;
}

static const char *
type_name(mode_t type)
{
	switch (type) {
	case AE_IFLNK:	return "symbolic link";
	case AE_IFCHR:	return "character device";
	case AE_IFBLK:	return "block device";
	case AE_IFIFO:	return "fifo";
	case AE_IFSOCK:	return "socket";
	default:	return "unknown entry type";
	}
}

/*
 * Is this tar entry exactly t->v[idx]?  Forbidden things (bad path, link,
 * device, special bits, metadata we never apply, extra entries) are
 * FY_E_UNSAFE; a valid entry differing from the listing is FY_E_INTEGRITY.
 */
static int
check_entry(struct xctx *x, struct archive_entry *ae, const struct tree *t,
    size_t idx)
{
	const struct tree_entry *te, *f;
	mode_t type = archive_entry_filetype(ae);
	const char *p = archive_entry_pathname(ae), *w = x->where;
	char path[LIMIT_PATH_BYTES + 2];
	size_t len;
	int64_t size;

	if (p == NULL)
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry without a name"));
	if ((len = strlen(p)) > LIMIT_PATH_BYTES + 1)
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s...: path "
		    "longer than %d bytes"), p, LIMIT_PATH_BYTES);
	memcpy(path, p, len + 1);
	if (type == AE_IFDIR && len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (!tree_path_ok(path))
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: path not "
		    "clean and relative"), path);
	if (archive_entry_hardlink(ae) != NULL)
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: hard "
		    "link not allowed"), path);
	if (archive_entry_symlink(ae) != NULL ||
	    (type != AE_IFREG && type != AE_IFDIR))
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: %s not "
		    "allowed"), path, type_name(type));
	if (archive_entry_mode(ae) & (S_ISUID | S_ISGID | S_ISVTX))
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: setuid, "
		    "setgid or sticky bit"), path);
	if (archive_entry_xattr_count(ae) != 0 ||
	    archive_entry_acl_count(ae, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E |
	    ARCHIVE_ENTRY_ACL_TYPE_NFS4) != 0)
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: extended "
		    "attributes or ACLs not allowed"), path);
	if (archive_entry_sparse_count(ae) != 0)
		return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: sparse "
		    "file not allowed"), path);
	te = idx < t->n ? &t->v[idx] : NULL;
	if (te == NULL || strcmp(te->path, path) != 0) {
		if ((f = tree_find(t, path)) == NULL)
			return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: "
			    "not in the listing"), path);
		if (te == NULL || f < te)
			return fy_fail(x->e, FY_E_UNSAFE, w, _("entry %.300s: "
			    "duplicate or out of order"), path);
		return fy_fail(x->e, FY_E_INTEGRITY, w, _("entry %.300s "
		    "missing from the package"), te->path);
	}
	if ((type == AE_IFDIR) != (te->type == TREE_DIR))
		return fy_fail(x->e, FY_E_INTEGRITY, w, _("entry %.300s: is a "
		    "%s, listing says %s"), path, type == AE_IFDIR ?
		    "directory" : "file", te->type == TREE_DIR ? "directory" :
		    "file");
	if ((archive_entry_perm(ae) & 07777) != te->mode)
		return fy_fail(x->e, FY_E_INTEGRITY, w, _("entry %.300s: mode "
		    "%04o, listing says %04o"), path,
		    (unsigned)archive_entry_perm(ae) & 07777, te->mode);
	size = archive_entry_size(ae);
	if (!archive_entry_size_is_set(ae) || size < 0 ||
	    (uint64_t)size != (te->type == TREE_DIR ? 0 : te->size))
		return fy_fail(x->e, FY_E_INTEGRITY, w, _("entry %.300s: %lld "
		    "bytes, listing says %llu"), path, (long long)size,
		    (unsigned long long)(te->type == TREE_DIR ? 0 : te->size));
	return 0;
}

/* Parent directory of `path` (cached: entries come in sorted order). */
static int
parent_fd(struct xctx *x, int dstdirfd, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	*leaf = slash ? slash + 1 : path;
	if (x->pfd != -1 && strlen(x->ppath) == len &&
	    memcmp(x->ppath, path, len) == 0)
		return x->pfd;
	if (x->pfd != -1)
		close(x->pfd);
	memcpy(x->ppath, path, len);
	x->ppath[len] = '\0';
	if ((x->pfd = beneath_dir(dstdirfd, x->ppath, 0, x->e)) == -1)
		x->ppath[0] = '\0';
	return x->pfd;
}

static int
make_dir(int pfd, const char *leaf, const struct tree_entry *te,
    struct fy_err *e)
{
	int fd, rc = 0;

	if (mkdirat(pfd, leaf, 0700) == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    errno == EEXIST ? FY_E_UNSAFE : FY_E_IO, te->path,
		    _("cannot create directory"));
	if ((fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return fy_fail_errno(e, FY_E_IO, te->path,
		    _("cannot open directory"));
	if (fchmod(fd, te->mode) == -1)
		rc = fy_fail_errno(e, FY_E_IO, te->path, "chmod failed");
	close(fd);
	return rc;
}

static int
make_file(struct archive *a, struct xctx *x, int pfd, const char *leaf,
    const struct tree_entry *te, struct digest *d, int sync)
{
	struct fy_err *e = x->e;
	uint8_t got[DIGEST_LEN];
	uint64_t written = 0;
	const void *buf;
	size_t len;
	la_int64_t off;
	int fd, r, rc = -1;

	fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    errno == EEXIST || errno == ELOOP ? FY_E_UNSAFE : FY_E_IO,
		    te->path, _("cannot create"));
	digest_reset(d);
	while ((r = archive_read_data_block(a, &buf, &len, &off)) ==
	    ARCHIVE_OK) {
		if (off < 0 || (uint64_t)off != written ||
		    len > te->size - written) {
			fy_fail(e, FY_E_UNSAFE, x->where, _("entry %.300s: "
			    "data out of place (sparse or oversized)"),
			    te->path);
			goto out;
		}
		digest_update(d, buf, len);
		if (io_write_all(fd, buf, len, te->path, e) == -1)
			goto out;
		written += len;
	}
	if (r != ARCHIVE_EOF) {
		fy_fail(e, FY_E_FORMAT, x->where, _("entry %.300s: %s"),
		    te->path, archive_error_string(a));
		goto out;
	}
	digest_final(d, got);
	if (written != te->size) {
		fy_fail(e, FY_E_INTEGRITY, x->where, _("entry %.300s: %llu "
		    "bytes, listing says %llu"), te->path,
		    (unsigned long long)written, (unsigned long long)te->size);
		goto out;
	}
	if (memcmp(got, te->sha256, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, x->where, _("entry %.300s: sha256 "
		    "differs from listing (content changed)"), te->path);
		goto out;
	}
	if (fchmod(fd, te->mode) == -1) {
		fy_fail_errno(e, FY_E_IO, te->path, "chmod failed");
		goto out;
	}
	if (sync && io_fsync(fd, te->path, e) == -1)
		goto out;
	rc = 0;
out:
	if (close(fd) == -1 && rc == 0)
		rc = fy_fail_errno(e, FY_E_IO, te->path, _("close failed"));
	return rc;
}

/* Bottom-up: reverse listing order puts children before parents. */
static int
sync_dirs(int dstdirfd, const struct tree *t, struct fy_err *e)
{
	size_t i;
	int fd;

	for (i = t->n; i-- > 0;) {
		if (t->v[i].type != TREE_DIR)
			continue;
		if ((fd = beneath_dir(dstdirfd, t->v[i].path, 0, e)) == -1)
			return -1;
		if (io_fsync(fd, t->v[i].path, e) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return io_fsync(dstdirfd, ".", e);
}

static int
extract_entries(struct archive *a, struct xctx *x, const struct tree *t,
    int dstdirfd, int sync)
{
	struct archive_entry *ae;
	struct digest *d;
	const char *leaf;
	size_t idx = 0;
	int r, pfd, rc = -1;

	if ((d = digest_new()) == NULL)
		return fy_fail(x->e, FY_E_INTERNAL, x->where, "out of memory");
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		if (check_entry(x, ae, t, idx) == -1)
			goto out;
		if ((pfd = parent_fd(x, dstdirfd, t->v[idx].path, &leaf)) == -1)
			goto out;
		if (t->v[idx].type == TREE_DIR ?
		    make_dir(pfd, leaf, &t->v[idx], x->e) :
		    make_file(a, x, pfd, leaf, &t->v[idx], d, sync))
			goto out;
		idx++;
	}
	if (r != ARCHIVE_EOF) {
		fy_fail(x->e, FY_E_FORMAT, x->where, _("bad tar data: %s"),
		    archive_error_string(a));
		goto out;
	}
	if (idx < t->n) {
		fy_fail(x->e, FY_E_INTEGRITY, x->where, _("entry %.300s "
		    "missing from the package"), t->v[idx].path);
		goto out;
	}
	rc = 0;
out:
	digest_free(d);
	return rc;
}

int
package_extract_base(int pkgfd, const char *where, const struct tree *t,
    int dstdirfd, int sync, struct fy_err *e)
{
	struct xctx x = { .pkgfd = pkgfd, .where = where, .e = e, .pfd = -1 };
	struct archive *a = NULL;
	locale_t old, mine;
	size_t r;
	int rc = -1;

	x.cap = package_tar_bound(t);
	/* Not package_window_log(x.cap): packages compressed by other zstd
	 * writers (a pipe: no content size) may declare a larger window than
	 * needed.  The window is only ever touched as far as output is
	 * produced, and output is capped at x.cap. */
	x.wlog = LIMIT_BASE_WINDOW_LOG;
	old = package_locale_begin(&mine, where, e);
	if (mine == (locale_t)0)
		return -1;
	x.isz = ZSTD_DStreamInSize();
	x.osz = ZSTD_DStreamOutSize();
	if ((x.dctx = ZSTD_createDCtx()) == NULL ||
	    (x.ibuf = malloc(x.isz)) == NULL ||
	    (x.obuf = malloc(x.osz)) == NULL ||
	    (a = archive_read_new()) == NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	r = ZSTD_DCtx_setParameter(x.dctx, ZSTD_d_windowLogMax, x.wlog);
	if (ZSTD_isError(r)) {
		fy_fail(e, FY_E_INTERNAL, where, "zstd: %s",
		    ZSTD_getErrorName(r));
		goto out;
	}
	if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open(a, &x, NULL, read_cb, NULL) != ARCHIVE_OK) {
		fy_fail(e, FY_E_FORMAT, where, _("bad tar data: %s"),
		    archive_error_string(a));
		goto out;
	}
	if (extract_entries(a, &x, t, dstdirfd, sync) == -1 ||
	    drain(&x, archive_filter_bytes(a, 0)) == -1)
		goto out;
	if (sync && sync_dirs(dstdirfd, t, e) == -1)
		goto out;
	rc = 0;
out:
	if (x.pfd != -1)
		close(x.pfd);
	if (a != NULL)
		archive_read_free(a);
	free(x.ibuf);
	free(x.obuf);
	ZSTD_freeDCtx(x.dctx);
	package_locale_end(old, mine);
	return rc;
}
