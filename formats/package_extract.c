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
 * partial tree that the caller removes.  Decompression runs in a thread of
 * its own, ahead of the parsing, hashing and writing (struct zpipe).
 * package_extract_base_once() also punches out of pkgfd what it has read
 * (free_read), for a copy in memory that is read once.
 *
 * Memory bound: zstd's window buffer, at most 2^LIMIT_BASE_WINDOW_LOG
 * (128 MiB) of address space, of which only as much is ever written (so
 * resident) as has been decompressed, and decompressed output is capped
 * at the tar bound of the listing (package_tar_bound); plus zstd's input
 * and output buffers (~128 KiB each), libarchive's read-ahead and pax/GNU
 * header buffers (bounded by the same cap), and one parent path of
 * LIMIT_PATH_BYTES; and the decompressor thread's four 256 KiB chunks.
 * For a tree of N bytes: RSS <= min(128 MiB, N + tar overhead) + about
 * 2 MiB.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/beneath.h"
#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "formats/archive_dl.h"
#include "formats/limits.h"
#include "formats/package.h"
#include "formats/package_int.h"

/* The zstd side: the package's bytes in, tar bytes out.  Used by one
 * thread at a time (the decompressor thread while it runs). */
struct zsrc {
	int		 pkgfd;
	const char	*where;
	struct fy_err	*e;
	ZSTD_DCtx	*dctx;
	uint8_t		*ibuf;
	size_t		 isz;
	ZSTD_inBuffer	 in;
	uint64_t	 total, cap;
	int		 wlog;
	int		 frame_done;
	int		 once;		/* punch out what was read */
	uint64_t	 off, freed;	/* read so far; punched so far */
};

/*
 * The decompressor thread: fills SLOTS buffers of SLOT_BYTES in turn
 * while the caller's thread parses, hashes and writes the chunks before
 * them, so the two cores share the work of one package.  A chunk handed
 * to libarchive stays valid until its next read (libarchive's rule), so
 * a slot is given back only then.  The first error stops the thread; the
 * caller sees it after every chunk produced before it, in stream order.
 */
#define SLOTS		4
#define SLOT_BYTES	(256u << 10)

struct zpipe {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 more, room;
	struct zsrc	*zs;
	locale_t	 loc;
	uint8_t		*buf[SLOTS];
	size_t		 len[SLOTS];
	unsigned	 head, count;	/* filled slots: head .. head+count */
	int		 held;		/* the head slot is libarchive's */
	int		 eof, failed, stop;
	struct fy_err	 err;		/* the thread's failure */
};

struct xctx {
	struct zsrc	 zs;
	struct zpipe	*zp;		/* or NULL: decompress in line */
	const char	*where;
	struct fy_err	*e;
	uint8_t		*obuf;		/* in line: the output chunk */
	size_t		 osz;
	const uint8_t	*last;		/* the last chunk handed over */
	size_t		 last_got;	/* bytes of the last chunk */
	uint64_t	 given;		/* bytes handed over so far */
	int		 pfd;		/* open parent directory, or -1 */
	char		 ppath[LIMIT_PATH_BYTES + 1];
};

static int
zstd_fail(struct zsrc *z, size_t r)
{
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_frameParameter_windowTooLarge:
		return fy_fail(z->e, FY_E_UNSAFE, z->where, _("zstd frame "
		    "needs a window larger than the 2^%d bytes allowed"),
		    z->wlog);
	case ZSTD_error_checksum_wrong:
		return fy_fail(z->e, FY_E_INTEGRITY, z->where,
		    _("zstd checksum mismatch"));
	case ZSTD_error_prefix_unknown:
		return fy_fail(z->e, FY_E_FORMAT, z->where,
		    _("not a zstd frame"));
	default:
		return fy_fail(z->e, FY_E_FORMAT, z->where,
		    _("corrupt zstd data: %s"), ZSTD_getErrorName(r));
	}
}

/* package_extract_base_once: the bytes read so far (copied into ibuf)
 * are no longer needed in the file; give their pages back.  A file
 * system that cannot punch holes keeps them (and is not asked again). */
static void
free_read(struct zsrc *z)
{
	if (FY_FAULT("package.free") == -1 ||
	    fallocate(z->pkgfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    (off_t)z->freed, (off_t)(z->off - z->freed)) == -1)
		z->once = 0;
	else
		z->freed = z->off;
}

/* After the one frame: nothing may follow it in the file. */
static int
check_tail(struct zsrc *z)
{
	ssize_t n;

	if (z->in.pos < z->in.size)
		goto garbage;
	if ((n = io_read_full(z->pkgfd, z->ibuf, 1, z->where, z->e)) == -1)
		return -1;
	if (n == 0)
		return 0;
garbage:
	return fy_fail(z->e, FY_E_FORMAT, z->where,
	    _("data after the end of the zstd frame"));
}

/* Decompress into dst: until it is full (`fill`) or holds something;
 * *got = 0 at the end. */
static int
inflate(struct zsrc *z, uint8_t *dst, size_t cap, int fill, size_t *got)
{
	ZSTD_outBuffer out = { dst, cap, 0 };
	ssize_t n;
	size_t r;

	while ((fill ? out.pos < out.size : out.pos == 0) && !z->frame_done) {
		if (z->in.pos == z->in.size) {
			n = io_read_full(z->pkgfd, z->ibuf, z->isz, z->where,
			    z->e);
			if (n == -1)
				return -1;
			if (n == 0)
				return fy_fail(z->e, FY_E_FORMAT, z->where,
				    _("zstd frame truncated"));
			z->off += (uint64_t)n;
			if (z->once && z->off - z->freed >= PACKAGE_FREE_STEP)
				free_read(z);
			z->in.src = z->ibuf;
			z->in.size = (size_t)n;
			z->in.pos = 0;
		}
		r = ZSTD_decompressStream(z->dctx, &out, &z->in);
		if (ZSTD_isError(r))
			return zstd_fail(z, r);
		if (r == 0) {
			z->frame_done = 1;
			if (check_tail(z) == -1)
				return -1;
		}
	}
	z->total += out.pos;
	if (z->total > z->cap)
		return fy_fail(z->e, FY_E_UNSAFE, z->where, _("decompressed "
		    "data exceeds what the listing declares (%llu bytes of "
		    "tar at most)"), (unsigned long long)z->cap);
	*got = out.pos;
	return 0;
}

static void *
pipe_run(void *arg)
{
	struct zpipe *zp = arg;
	unsigned slot;
	size_t got = 0;
	int rc;

	uselocale(zp->loc);	/* the caller's: same messages */
	for (;;) {
		pthread_mutex_lock(&zp->mu);
		while (zp->count == SLOTS && !zp->stop)
			pthread_cond_wait(&zp->room, &zp->mu);
		if (zp->stop) {
			pthread_mutex_unlock(&zp->mu);
			break;
		}
		slot = (zp->head + zp->count) % SLOTS;
		pthread_mutex_unlock(&zp->mu);
		rc = inflate(zp->zs, zp->buf[slot], SLOT_BYTES, 1, &got);
		pthread_mutex_lock(&zp->mu);
		if (rc == -1)
			zp->failed = 1;
		else if (got == 0)
			zp->eof = 1;
		else {
			zp->len[slot] = got;
			zp->count++;
		}
		pthread_cond_signal(&zp->more);
		pthread_mutex_unlock(&zp->mu);
		if (rc == -1 || got == 0)
			break;
	}
	return NULL;
}

/* Start the thread; NULL (decompress in line) if that is not possible. */
static struct zpipe *
pipe_start(struct zsrc *zs, locale_t loc)
{
	struct zpipe *zp = calloc(1, sizeof(*zp));
	unsigned i;

	if (zp == NULL)
		return NULL;
	for (i = 0; i < SLOTS; i++)
		if ((zp->buf[i] = malloc(SLOT_BYTES)) == NULL)
			goto fail;
	zp->zs = zs;
	zp->loc = loc;
	zs->e = &zp->err;
	pthread_mutex_init(&zp->mu, NULL);
	pthread_cond_init(&zp->more, NULL);
	pthread_cond_init(&zp->room, NULL);
	if (pthread_create(&zp->th, NULL, pipe_run, zp) == 0)
		return zp;
	pthread_cond_destroy(&zp->room);
	pthread_cond_destroy(&zp->more);
	pthread_mutex_destroy(&zp->mu);
fail:
	for (i = 0; i < SLOTS; i++)
		free(zp->buf[i]);
	free(zp);
	return NULL;
}

/* Stop and join the thread (the buffers stay: libarchive may hold one). */
static void
pipe_stop(struct zpipe *zp)
{
	if (zp == NULL)
		return;
	pthread_mutex_lock(&zp->mu);
	zp->stop = 1;
	pthread_cond_signal(&zp->room);
	pthread_mutex_unlock(&zp->mu);
	pthread_join(zp->th, NULL);
	pthread_cond_destroy(&zp->room);
	pthread_cond_destroy(&zp->more);
	pthread_mutex_destroy(&zp->mu);
}

static void
pipe_free(struct zpipe *zp)
{
	unsigned i;

	if (zp == NULL)
		return;
	for (i = 0; i < SLOTS; i++)
		free(zp->buf[i]);
	free(zp);
}

/* The next chunk of tar: *p and *got (0 at the end). */
static int
next_chunk(struct xctx *x, const uint8_t **p, size_t *got)
{
	struct zpipe *zp = x->zp;
	int rc = 0;

	if (zp == NULL) {
		if (inflate(&x->zs, x->obuf, x->osz, 0, got) == -1)
			return -1;
		*p = x->obuf;
	} else {
		pthread_mutex_lock(&zp->mu);
		if (zp->held) {
			zp->head = (zp->head + 1) % SLOTS;
			zp->count--;
			zp->held = 0;
			pthread_cond_signal(&zp->room);
		}
		while (zp->count == 0 && !zp->eof && !zp->failed)
			pthread_cond_wait(&zp->more, &zp->mu);
		if (zp->count > 0) {
			*p = zp->buf[zp->head];
			*got = zp->len[zp->head];
			zp->held = 1;
		} else if (zp->eof) {
			*p = zp->buf[zp->head];
			*got = 0;
		} else {
			if (x->e != NULL && x->e->code == FY_OK)
				*x->e = zp->err;
			rc = -1;
		}
		pthread_mutex_unlock(&zp->mu);
		if (rc == -1)
			return -1;
	}
	x->last = *p;
	x->last_got = *got;
	x->given += *got;
	return 0;
}

static la_ssize_t
read_cb(struct archive *a, void *cd, const void **buf)
{
	struct xctx *x = cd;
	const uint8_t *p;
	size_t got;

	if (next_chunk(x, &p, &got) == -1) {
		archive_set_error(a, EIO, "%s", x->e->msg);
		return -1;
	}
	*buf = p;
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
 * handed but did not consume are the tail of the last chunk handed over
 * (a part copied into libarchive's own buffer is not visible; our writer
 * never leaves any padding, other writers pad with zeros).
 */
static int
drain(struct xctx *x, la_int64_t consumed)
{
	const uint8_t *p;
	uint64_t unseen;
	size_t got, k;

	if (consumed < 0 || (uint64_t)consumed > x->given)
		return fy_fail(x->e, FY_E_INTERNAL, x->where,
		    "tar reader position out of range");
	unseen = x->given - (uint64_t)consumed;
	k = unseen < x->last_got ? (size_t)unseen : x->last_got;
	got = k;
	do {
		if (k > 0 && !all_zero(x->last + x->last_got - k, k))
			return fy_fail(x->e, FY_E_FORMAT, x->where,
			    _("data after the end of the tar archive"));
		if (next_chunk(x, &p, &got) == -1)
			return -1;
		k = got;
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

static int
extract_base(int pkgfd, const char *where, const struct tree *t,
    int dstdirfd, int sync, int once, struct fy_err *e)
{
	struct xctx x = { .zs = { .pkgfd = pkgfd, .where = where, .e = e,
	    .once = once }, .where = where, .e = e, .pfd = -1 };
	struct archive *a = NULL;
	locale_t old, mine;
	size_t r;
	int rc = -1;

	if (archive_dl_ready(e) == -1)
		return -1;
	x.zs.cap = package_tar_bound(t);
	/* Not package_window_log(x.zs.cap): packages compressed by other
	 * zstd writers (a pipe: no content size) may declare a larger window
	 * than needed.  The window is only ever touched as far as output is
	 * produced, and output is capped at x.zs.cap. */
	x.zs.wlog = LIMIT_BASE_WINDOW_LOG;
	old = package_locale_begin(&mine, where, e);
	if (mine == (locale_t)0)
		return -1;
	x.zs.isz = ZSTD_DStreamInSize();
	x.osz = ZSTD_DStreamOutSize();
	if ((x.zs.dctx = ZSTD_createDCtx()) == NULL ||
	    (x.zs.ibuf = malloc(x.zs.isz)) == NULL ||
	    (x.obuf = malloc(x.osz)) == NULL ||
	    (a = archive_read_new()) == NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	r = ZSTD_DCtx_setParameter(x.zs.dctx, ZSTD_d_windowLogMax, x.zs.wlog);
	if (ZSTD_isError(r)) {
		fy_fail(e, FY_E_INTERNAL, where, "zstd: %s",
		    ZSTD_getErrorName(r));
		goto out;
	}
	x.zp = pipe_start(&x.zs, mine);
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
	pipe_stop(x.zp);
	if (x.pfd != -1)
		close(x.pfd);
	if (a != NULL)
		archive_read_free(a);
	pipe_free(x.zp);
	free(x.zs.ibuf);
	free(x.obuf);
	ZSTD_freeDCtx(x.zs.dctx);
	package_locale_end(old, mine);
	return rc;
}

int
package_extract_base(int pkgfd, const char *where, const struct tree *t,
    int dstdirfd, int sync, struct fy_err *e)
{
	return extract_base(pkgfd, where, t, dstdirfd, sync, 0, e);
}

int
package_extract_base_once(int pkgfd, const char *where, const struct tree *t,
    int dstdirfd, int sync, struct fy_err *e)
{
	return extract_base(pkgfd, where, t, dstdirfd, sync, 1, e);
}
