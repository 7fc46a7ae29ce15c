/* SPDX-License-Identifier: MIT */
/*
 * package_write: a tree -> tar (libarchive, pax restricted) -> zstd
 * (libzstd streaming, our own) -> outfd.  The invariant: the listing is
 * authoritative and the output is a pure function of (listing, file bytes,
 * level, workers): entries in tree order, owner 0/0 with no names, mtime
 * 0, no xattrs/ACLs, pax path records always UTF-8 (C.UTF-8 while
 * libarchive runs), zstd window derived from the listing only.  A file
 * whose bytes differ from the listing in size or SHA-256 fails the write
 * with FY_E_INTEGRITY; the partial output must then be discarded.
 *
 * Memory: one 256 KiB read buffer, libarchive's 10 KiB block, zstd's
 * output buffer (~128 KiB) and the compression context: for level 19 with
 * the largest window (2^27) about 0.5 GiB single-threaded and roughly
 * (workers + 1) x that with workers; smaller trees use smaller windows.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/beneath.h"
#include "core/digest.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/syncfs.h"
#include "formats/archive_dl.h"
#include "formats/limits.h"
#include "formats/package.h"
#include "formats/package_int.h"

#define READ_BUFSZ	(256 * 1024)
/* zstd's jobs with workers: small enough that two workers get work from
 * the start of a big tree (zstd's default is 4 windows: 512 MiB, with
 * one job queued at a time for most of the input), large enough that the
 * ratio stays within a fraction of a per cent of one long frame. */
#define JOB_SIZE	(8 << 20)

struct wctx {
	ZSTD_CCtx	*cctx;
	uint8_t		*obuf;
	size_t		 osz;
	size_t		 opos;
	int		 outfd;
	struct fy_err	*e;
	struct digest	*od;		/* of the output, or NULL */
	uint64_t	 osum;		/* bytes written */
};

/* Where a one-pass ingest copies files, and whom it tells. */
struct copyto {
	int		 dirfd;
	package_progress_fn progress;
	void		*arg;
	uint64_t	 done;
};

static int
flush_out(struct wctx *w)
{
	if (w->opos == 0)
		return 0;
	if (io_write_all(w->outfd, w->obuf, w->opos, "package", w->e) == -1)
		return -1;
	if (w->od != NULL)
		digest_update(w->od, w->obuf, w->opos);
	w->osum += w->opos;
	w->opos = 0;
	return 0;
}

/* Compress `len` bytes (or finish the frame when `end`). */
static int
compress(struct wctx *w, const void *buf, size_t len, int end)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	ZSTD_outBuffer out;
	size_t r;

	for (;;) {
		out.dst = w->obuf;
		out.size = w->osz;
		out.pos = w->opos;
		r = ZSTD_compressStream2(w->cctx, &out, &in,
		    end ? ZSTD_e_end : ZSTD_e_continue);
		w->opos = out.pos;
		if (ZSTD_isError(r))
			return fy_fail(w->e, FY_E_INTERNAL, "package",
			    _("zstd compression failed: %s"),
			    ZSTD_getErrorName(r));
		if (w->opos == w->osz && flush_out(w) == -1)
			return -1;
		if (end ? r == 0 : in.pos == in.size)
			break;
	}
	return end ? flush_out(w) : 0;
}

static la_ssize_t
write_cb(struct archive *a, void *cd, const void *buf, size_t len)
{
	struct wctx *w = cd;

	if (compress(w, buf, len, 0) == -1) {
		archive_set_error(a, EIO, "compression or write failed");
		return -1;
	}
	return (la_ssize_t)len;
}

static int
setup_cctx(struct wctx *w, const struct tree *t,
    const struct package_opts *o)
{
	int wlog = package_window_log(package_tar_bound(t));
	size_t r = 0;

	if (o->level < 1 || o->level > 22 || o->workers < 0 ||
	    o->workers > 256)
		return fy_fail(w->e, FY_E_USAGE, "package", _("zstd level "
		    "must be 1..22 and workers 0..256 (got %d, %d)"),
		    o->level, o->workers);
	if ((w->cctx = ZSTD_createCCtx()) == NULL)
		return fy_fail(w->e, FY_E_INTERNAL, "package", "out of memory");
#define SET(p, v)	if (!ZSTD_isError(r)) \
		r = ZSTD_CCtx_setParameter(w->cctx, p, v)
	SET(ZSTD_c_compressionLevel, o->level);
	SET(ZSTD_c_windowLog, wlog);
	SET(ZSTD_c_enableLongDistanceMatching, 1);
	SET(ZSTD_c_checksumFlag, 1);
	SET(ZSTD_c_contentSizeFlag, 0);
	if (o->workers > 0) {
		SET(ZSTD_c_nbWorkers, o->workers);
		SET(ZSTD_c_jobSize, JOB_SIZE);
	}
#undef SET
	if (ZSTD_isError(r))
		return fy_fail(w->e, FY_E_USAGE, "package",
		    _("zstd rejects level %d with %d workers: %s"), o->level,
		    o->workers, ZSTD_getErrorName(r));
	return 0;
}

/* Copy srcdirfd/path (walked without symlinks) into the archive, checking
 * it against the listing entry while hashing; with `to`, also into a new
 * file at the same path under to->dirfd, and the hash is not checked but
 * filled in (one-pass ingest). */
static int
copy_file(struct archive *a, int srcdirfd, struct tree_entry *te,
    uint8_t *buf, struct digest *d, struct copyto *to, struct fy_err *e)
{
	uint8_t got[DIGEST_LEN];
	uint64_t seen = 0;
	ssize_t n;
	int fd, out = -1, rc = -1;

	if ((fd = beneath_open(srcdirfd, te->path, e)) == -1)
		return -1;
	if (to != NULL && (out = beneath_create(to->dirfd, te->path, te->mode,
	    e)) == -1)
		goto out;
	digest_reset(d);
	while ((n = read(fd, buf, READ_BUFSZ)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fy_fail_errno(e, FY_E_IO, te->path, "read failed");
			goto out;
		}
		if ((seen += (uint64_t)n) > te->size) {
			fy_fail(e, FY_E_INTEGRITY, te->path, to ? _("changed "
			    "while being copied") : _("longer than the %llu "
			    "bytes the listing says"),
			    (unsigned long long)te->size);
			goto out;
		}
		digest_update(d, buf, (size_t)n);
		if (out != -1 && io_write_all(out, buf, (size_t)n, te->path,
		    e) == -1)
			goto out;
		if (archive_write_data(a, buf, (size_t)n) != n) {
			if (!fy_failed(e))
				fy_fail(e, FY_E_INTERNAL, te->path,
				    _("tar writer: %s"),
				    archive_error_string(a));
			goto out;
		}
		if (to != NULL && to->progress != NULL)
			to->progress(to->arg, to->done += (uint64_t)n);
	}
	if (seen != te->size) {
		if (to != NULL)
			fy_fail(e, FY_E_INTEGRITY, te->path, _("changed while "
			    "being copied"));
		else
			fy_fail(e, FY_E_INTEGRITY, te->path, _("%llu bytes, "
			    "listing says %llu"), (unsigned long long)seen,
			    (unsigned long long)te->size);
		goto out;
	}
	digest_final(d, got);
	if (to != NULL) {
		memcpy(te->sha256, got, DIGEST_LEN);
		/* fsync here only where one syncfs() cannot vouch */
		if (fchmod(out, te->mode) == -1 || (!syncfs_reports_errors() &&
		    io_fsync(out, te->path, e) == -1)) {
			if (!fy_failed(e))
				fy_fail_errno(e, FY_E_IO, te->path,
				    "cannot finish file");
			goto out;
		}
	} else if (memcmp(got, te->sha256, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, te->path,
		    _("sha256 differs from listing (content changed)"));
		goto out;
	}
	rc = 0;
out:
	if (out != -1 && close(out) == -1 && rc == 0)
		rc = fy_fail_errno(e, FY_E_IO, te->path, "close failed");
	close(fd);
	return rc;
}

static int
write_entries(struct archive *a, int srcdirfd, struct tree *t,
    struct copyto *to, struct fy_err *e)
{
	struct archive_entry *ae = NULL;
	struct digest *d = NULL;
	uint8_t *buf = NULL;
	size_t i;
	int rc = -1;

	if ((ae = archive_entry_new()) == NULL || (d = digest_new()) == NULL ||
	    (buf = malloc(READ_BUFSZ)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, "package", "out of memory");
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		struct tree_entry *te = &t->v[i];
		int isdir = te->type == TREE_DIR, dfd;

		if (i > 0 && strcmp(t->v[i - 1].path, te->path) >= 0) {
			fy_fail(e, FY_E_INTERNAL, te->path,
			    "listing not sorted (call tree_sort)");
			goto out;
		}
		archive_entry_clear(ae);
		archive_entry_copy_pathname(ae, te->path);
		archive_entry_set_filetype(ae, isdir ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(ae, isdir ? 0755 : (te->mode & 0755));
		archive_entry_set_size(ae, isdir ? 0 : (la_int64_t)te->size);
		archive_entry_set_uid(ae, 0);
		archive_entry_set_gid(ae, 0);
		archive_entry_set_mtime(ae, 0, 0);
		if (archive_write_header(a, ae) != ARCHIVE_OK) {
			if (!fy_failed(e))
				fy_fail(e, FY_E_INTERNAL, te->path,
				    _("tar writer: %s"),
				    archive_error_string(a));
			goto out;
		}
		if (isdir && to != NULL) {
			if ((dfd = beneath_dir(to->dirfd, te->path, 1, e)) == -1)
				goto out;
			close(dfd);
		}
		if (!isdir && copy_file(a, srcdirfd, te, buf, d, to, e) == -1)
			goto out;
	}
	rc = 0;
out:
	free(buf);
	digest_free(d);
	archive_entry_free(ae);
	return rc;
}

static int
write_base(int srcdirfd, struct tree *t, struct copyto *to,
    const struct package_opts *o, int outfd, uint8_t *pkg_sha,
    uint64_t *pkg_size, struct fy_err *e)
{
	static const struct package_opts defaults = { 19, 0 };
	struct wctx w = { .outfd = outfd, .e = e };
	struct archive *a = NULL;
	locale_t old, mine;
	int rc = -1;

	if (o == NULL)
		o = &defaults;
	if (archive_dl_ready(e) == -1)
		return -1;
	old = package_locale_begin(&mine, "package", e);
	if (mine == (locale_t)0)
		return -1;
	if (setup_cctx(&w, t, o) == -1)
		goto out;
	w.osz = ZSTD_CStreamOutSize();
	if ((w.obuf = malloc(w.osz)) == NULL ||
	    (a = archive_write_new()) == NULL ||
	    (pkg_sha != NULL && (w.od = digest_new()) == NULL)) {
		fy_fail(e, FY_E_INTERNAL, "package", "out of memory");
		goto out;
	}
	/* hdrcharset=BINARY: names are stored and read back byte for
	 * byte.  A pax "path" in UTF-8 is normalized to NFC by libarchive's
	 * reader (3.6.2), so "cafe\u0301" (NFD, as macOS writes names) came
	 * out as "caf\u00e9" and no client found it in the listing. */
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "pax", "hdrcharset",
	    "BINARY") != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &w, NULL, write_cb, NULL) != ARCHIVE_OK) {
		fy_fail(e, FY_E_INTERNAL, "package", _("tar writer: %s"),
		    archive_error_string(a));
		goto out;
	}
	if (write_entries(a, srcdirfd, t, to, e) == -1)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		fy_fail(e, FY_E_INTERNAL, "package", _("tar writer: %s"),
		    archive_error_string(a));
		goto out;
	}
	if (compress(&w, NULL, 0, 1) == -1)
		goto out;
	if (pkg_sha != NULL)
		digest_final(w.od, pkg_sha);
	if (pkg_size != NULL)
		*pkg_size = w.osum;
	rc = 0;
out:
	if (a != NULL)
		archive_write_free(a);
	free(w.obuf);
	digest_free(w.od);
	ZSTD_freeCCtx(w.cctx);
	package_locale_end(old, mine);
	return rc;
}

int
package_write_base(int srcdirfd, const struct tree *t,
    const struct package_opts *o, int outfd, struct fy_err *e)
{
	/* Without a copy nothing is written into t. */
	return write_base(srcdirfd, (struct tree *)t, NULL, o, outfd, NULL,
	    NULL, e);
}

int
package_write_base_copy(int srcdirfd, struct tree *t, int copydirfd,
    const struct package_opts *o, int outfd, uint8_t *pkg_sha,
    uint64_t *pkg_size, package_progress_fn progress, void *arg,
    struct fy_err *e)
{
	struct copyto to = { .dirfd = copydirfd, .progress = progress,
	    .arg = arg };

	return write_base(srcdirfd, t, &to, o, outfd, pkg_sha, pkg_size, e);
}
