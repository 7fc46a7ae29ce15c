/* SPDX-License-Identifier: MIT */
/*
 * emit: write a medium folder (formats/SPEC.md §2.2).  Every file enters
 * ferry/ complete: it is written under <root>/.ferry-staging/, fsync'ed
 * and renamed into place, so ferry/ never holds a partial file.
 *
 * A target without a complete medium (new, or left by a build that never
 * finished) gets ferry/.incomplete first and loses it last.
 *
 * A complete medium (verified with our keys by the caller) stays valid
 * until the new one is complete; every intermediate state verifies as
 * the old medium or the new one:
 *   1. leftovers of an interrupted rewrite are removed (files the current
 *      manifest does not list, old companions) and the manifest's
 *      signature files are reduced to their good signatures
 *   2. manifest.json.next (the new manifest) with its signatures, and
 *      manifest.json.prev (the old one) with the old signatures: they
 *      vouch for the other generation's files (verify/media_files.c)
 *   3. new packages beside the old ones; the caller's self-check
 *   4. key-set files, README.txt, SHA256SUMS signatures, SHA256SUMS
 *   5. the new signatures are added after the old ones
 *      (manifest.json.sig.N: each file is verified on its own, so the old
 *      manifest ignores them)
 *   6. the switch: manifest.json.next is renamed to manifest.json
 *   7. the new signatures move to the first slots, the rest is removed;
 *      files the new manifest does not list are removed; then the
 *      companions
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/say.h"
#include "formats/layout.h"
#include "mkmedia/emit.h"

#define COPY_BUF	(1u << 20)
#define STAGE_DIR	".ferry-staging"
#define ROUND		(32u << 10)

struct wctx {
	int		 rootfd, ffd, stfd;
	unsigned	 seq;
	struct emit_result *res;
	struct progress	*pr;
	uint64_t	 done;
};

static int
errno_code(void)
{
	return errno == ENOSPC || errno == EDQUOT ? FY_E_NOSPACE : FY_E_IO;
}

/* Open a new staging file; its name in name. */
static int
stage_open(struct wctx *w, char *name, size_t n, struct fy_err *e)
{
	int fd;

	snprintf(name, n, "f%u", w->seq++);
	(void)unlinkat(w->stfd, name, 0);
	fd = openat(w->stfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return fy_fail_errno(e, errno_code(), STAGE_DIR, _("cannot "
		    "create a file on the target"));
	return fd;
}

/* fsync + close the staging file fd and rename it to ferry/path. */
static int
stage_commit(struct wctx *w, int fd, const char *name, const char *path,
    struct fy_err *e)
{
	const char *leaf;
	int pfd = -1, rc;

	if (io_fsync(fd, path, e) == -1) {
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		fy_fail_errno(e, errno_code(), path, _("close failed"));
		goto fail;
	}
	/* The target came back from the field: a folder on the way that is
	 * a symbolic link is refused, never written through. */
	if ((pfd = beneath_parent(w->ffd, path, 1, &leaf, e)) == -1)
		goto fail;
	if (FY_FAULT("emit.rename") == -1 ||
	    renameat(w->stfd, name, pfd, leaf) == -1) {
		fy_fail_errno(e, errno_code(), path, _("cannot rename into "
		    "place"));
		goto fail;
	}
	rc = io_fsync_dir(pfd, ".", e);
	close(pfd);
	return rc;
fail:
	if (pfd != -1)
		close(pfd);
	(void)unlinkat(w->stfd, name, 0);
	return -1;
}

/* Write ferry/path with these bytes (two buffers, the second may be
 * empty), durably and in one rename. */
static int
put2(struct wctx *w, const char *path, const void *a, size_t alen,
    const void *b, size_t blen, struct fy_err *e)
{
	char name[32];
	int fd;

	if ((fd = stage_open(w, name, sizeof(name), e)) == -1)
		return -1;
	if (io_write_all(fd, a, alen, path, e) == -1 ||
	    (blen > 0 && io_write_all(fd, b, blen, path, e) == -1)) {
		close(fd);
		(void)unlinkat(w->stfd, name, 0);
		return -1;
	}
	if (stage_commit(w, fd, name, path, e) == -1)
		return -1;
	w->res->written += alen + blen;
	return 0;
}

static int
put(struct wctx *w, const char *path, const void *buf, size_t len,
    struct fy_err *e)
{
	return put2(w, path, buf, len, NULL, 0, e);
}

static int
drop(struct wctx *w, const char *path, struct fy_err *e)
{
	struct fy_err nf = { 0 };
	const char *leaf;
	int pfd, rc = 0;

	if ((pfd = beneath_parent(w->ffd, path, 0, &leaf, &nf)) == -1) {
		if (nf.code == FY_E_NOTFOUND)
			return 0;	/* nothing there to remove */
		if (!fy_failed(e))
			*e = nf;
		return -1;
	}
	if (unlinkat(pfd, leaf, 0) == -1 && errno != ENOENT)
		rc = fy_fail_errno(e, FY_E_IO, path, _("cannot remove"));
	close(pfd);
	return rc;
}

static int
copy_file(struct wctx *w, int srcdir, const struct sel_file *sf,
    const struct mf_file *f, uint8_t *buf, struct fy_err *e)
{
	const char *src = sf->src;
	uint64_t left = sf->len ? sf->len : UINT64_MAX;
	char name[32];
	struct digest *d = NULL;
	uint8_t sha[DIGEST_LEN];
	uint64_t seen = 0;
	ssize_t n;
	int in, out = -1, rc = -1;

	if ((in = io_open_regular(srcdir, src, NULL, e)) == -1)
		return -1;
	if (sf->off && lseek(in, (off_t)sf->off, SEEK_SET) == -1) {
		close(in);
		return fy_fail_errno(e, FY_E_IO, src, "cannot seek");
	}
	if ((out = stage_open(w, name, sizeof(name), e)) == -1 ||
	    (d = digest_new()) == NULL)
		goto done;
	while (left > 0 && (n = io_read_full(in, buf, left < COPY_BUF ?
	    (size_t)left : COPY_BUF, src, e)) > 0) {
		digest_update(d, buf, (size_t)n);
		seen += (uint64_t)n;
		left -= sf->len ? (uint64_t)n : 0;
		if (io_write_all(out, buf, (size_t)n, f->path, e) == -1)
			goto done;
		w->done += (uint64_t)n;
		progress_update(w->pr, w->done);
	}
	if (n == -1)
		goto done;
	digest_final(d, sha);
	if (seen != f->size || memcmp(sha, f->sha256, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, src, _("repository file changed since "
		    "it was recorded"));
		goto done;
	}
	rc = stage_commit(w, out, name, f->path, e);
	out = -1;
done:
	if (out != -1) {
		close(out);
		(void)unlinkat(w->stfd, name, 0);
	}
	digest_free(d);
	close(in);
	return rc;
}

/* Sign buf with every key, in memory. */
static int
sign_all(const uint8_t *buf, size_t len, const struct mk_opts *o,
    uint8_t *sig[LIMIT_SIGS], size_t siglen[LIMIT_SIGS], struct fy_err *e)
{
	size_t i;

	for (i = 0; i < o->nsign; i++)
		if (gpg_sign(o->gnupghome, o->sign_keys[i], buf, len, &sig[i],
		    &siglen[i], e) == -1)
			return -1;
	return 0;
}

static void
record(struct manifest *m, const char *path, const void *buf, size_t len)
{
	struct mf_file *f = (struct mf_file *)manifest_file(m, path);

	if (f != NULL) {
		f->size = len;
		digest_buf(buf, len, f->sha256);
	}
}

static char *
make_sums(const struct manifest *m, size_t *len)
{
	char hex[DIGEST_HEXLEN + 1], *s = NULL;
	size_t cap = 0, n = 0, i, need;

	for (i = 0; i < m->nfiles; i++) {
		const char *p = m->files[i].path;

		if (strncmp(p, LAYOUT_SUMS, strlen(LAYOUT_SUMS)) == 0 ||
		    m->files[i].nparts != 0)
			continue;	/* itself, its signatures, split files */
		need = n + DIGEST_HEXLEN + strlen(p) + 4;
		if (need > cap) {
			char *ns = realloc(s, cap = need * 2);

			if (ns == NULL) {
				free(s);
				return NULL;
			}
			s = ns;
		}
		digest_to_hex(m->files[i].sha256, hex);
		n += (size_t)sprintf(s + n, "%s  %s\n", hex, p);
	}
	*len = n;
	return s != NULL ? s : strdup("");
}

int
emit_prepare(struct selection *s, const struct mk_opts *o,
    struct emit_docs *d, struct fy_err *e)
{
	struct manifest *m = s->m;
	char name[64];
	size_t i;

	memset(d, 0, sizeof(*d));
	d->nsig = o->nsign;
	if ((d->readme = emit_readme(m, o, &d->rlen)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, LAYOUT_README, "out of memory");
	record(m, LAYOUT_README, d->readme, d->rlen);
	if ((d->sums = make_sums(m, &d->slen)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, LAYOUT_SUMS, "out of memory");
	record(m, LAYOUT_SUMS, d->sums, d->slen);
	if (sign_all((uint8_t *)d->sums, d->slen, o, d->ssig, d->ssiglen,
	    e) == -1)
		return -1;
	for (i = 0; i < d->nsig; i++) {
		layout_sig_name(LAYOUT_SUMS, (unsigned)i, name, sizeof(name));
		record(m, name, d->ssig[i], d->ssiglen[i]);
	}
	/* Every client's parser reads it back before it is signed: a
	 * manifest no client would accept stops the build here, with the
	 * target untouched, not at the self-check after the writes. */
	if ((d->man = manifest_emit_checked(m, &d->mlen, e)) == NULL)
		return -1;
	return sign_all((uint8_t *)d->man, d->mlen, o, d->msig, d->msiglen, e);
}

void
emit_docs_free(struct emit_docs *d)
{
	size_t i;

	for (i = 0; i < LIMIT_SIGS; i++) {
		free(d->ssig[i]);
		free(d->msig[i]);
	}
	free(d->readme);
	free(d->sums);
	free(d->man);
	memset(d, 0, sizeof(*d));
}

static uint64_t
rounded(uint64_t n)
{
	return (n + ROUND - 1) / ROUND * ROUND;
}

/* Is ferry/path there with the listed size (content-addressed names: the
 * same name and size is the same package; emit checks the hash). */
static int
in_place(const char *root, const struct mf_file *f)
{
	char path[1200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", root, LAYOUT_DIR, f->path);
	return stat(path, &st) == 0 && (uint64_t)st.st_size == f->size;
}

uint64_t
emit_bytes_needed(const char *root, const struct selection *s,
    const struct emit_docs *d, const struct emit_old *old)
{
	uint64_t need = 0, sigs = 0;
	size_t i;

	for (i = 0; i < s->m->nfiles; i++)
		if (s->src[i].src[0] != '\0' && !in_place(root, &s->m->files[i]))
			need += rounded(s->m->files[i].size);
	for (i = 0; i < d->nsig; i++)
		sigs += rounded(d->ssiglen[i]) + rounded(d->msiglen[i]);
	need += 2 * rounded(d->rlen) + rounded(d->slen) + rounded(d->mlen) +
	    sigs;
	if (old != NULL)	/* companions and the double signatures */
		need += rounded(d->mlen) + 2 * sigs + rounded(old->rawlen) +
		    (uint64_t)LIMIT_SIGS * ROUND;
	return need;
}

/* Remove what manifest m does not list (bottom-up, never following
 * links), except manifest.json, its first nsig signatures, the
 * companions and .incomplete; prefix is the path of dirfd in ferry/. */
static int
prune(struct wctx *w, int dirfd, const char *prefix, const struct manifest *m,
    size_t nsig, struct fy_err *e)
{
	char path[600], sig[256];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, keep, sub;
	unsigned i;

	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return fy_fail_errno(e, FY_E_IO, prefix, "cannot read "
		    "directory");
	}
	rewinddir(d);		/* the offset is shared with dirfd */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" :
		    "", de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if ((sub = io_open_dir(dirfd, de->d_name, e)) == -1)
				break;
			prune(w, sub, path, m, nsig, e);
			close(sub);
			(void)unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
			continue;
		}
		keep = manifest_file(m, path) != NULL ||
		    strcmp(path, LAYOUT_MANIFEST) == 0 ||
		    strcmp(path, LAYOUT_INCOMPLETE) == 0 ||
		    strncmp(path, LAYOUT_NEXT, strlen(LAYOUT_NEXT)) == 0 ||
		    strncmp(path, LAYOUT_PREV, strlen(LAYOUT_PREV)) == 0;
		for (i = 0; !keep && i < nsig; i++) {
			layout_sig_name(LAYOUT_MANIFEST, i, sig, sizeof(sig));
			keep = strcmp(path, sig) == 0;
		}
		if (keep)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == -1) {
			fy_fail_errno(e, FY_E_IO, path, "cannot remove");
			break;
		}
		w->res->removed++;
	}
	closedir(d);
	/* The removals durable before the companions go: a power cut must
	 * not keep the old files once manifest.json.prev, which vouches for
	 * them, is gone (found by tests/crash/_powercut_full.sh). */
	if (!fy_failed(e))
		(void)io_fsync_dir(dirfd, ".", e);
	return fy_failed(e) ? -1 : 0;
}

/* Remove a companion: the document first, then its signatures (a
 * companion present is always completely signed). */
static int
drop_companion(struct wctx *w, const char *doc, struct fy_err *e)
{
	char name[64];
	unsigned i;

	if (drop(w, doc, e) == -1 || io_fsync_dir(w->ffd, ".", e) == -1)
		return -1;
	for (i = 0; i < LIMIT_SIGS; i++) {
		layout_sig_name(doc, i, name, sizeof(name));
		if (drop(w, name, e) == -1)
			return -1;
	}
	return io_fsync_dir(w->ffd, ".", e);
}

static int
put_companion(struct wctx *w, const char *doc, const void *buf, size_t len,
    uint8_t *const *sig, const size_t *siglen, size_t nsig,
    struct fy_err *e)
{
	char name[64];
	size_t i;

	for (i = 0; i < nsig; i++) {
		layout_sig_name(doc, (unsigned)i, name, sizeof(name));
		if (put(w, name, sig[i], siglen[i], e) == -1)
			return -1;
	}
	return put(w, doc, buf, len, e);
}

/* The current manifest's signature files that verify it, in order.  A
 * bad one (a switch interrupted before: the other generation's signature)
 * is dropped: the good ones are copied down over the slots before them,
 * each copy made before its source could be overwritten, and the rest is
 * removed, so the manifest verifies all along.  (One file per signature:
 * GPGME stops reporting a file's signatures at its first bad one.) */
struct oldsigs {
	uint8_t	*b[LIMIT_SIGS];
	size_t	 len[LIMIT_SIGS];
	size_t	 n;
};

static int
good_sigs(struct wctx *w, const struct emit_old *old, struct oldsigs *os,
    struct fy_err *e)
{
	char name[64];
	uint8_t *buf;
	size_t len;
	unsigned i, n;
	int changed = 0;

	for (n = 0; n < LIMIT_SIGS; n++) {
		const uint8_t *p;
		struct fy_err ig = { 0 };

		layout_sig_name(LAYOUT_MANIFEST, n, name, sizeof(name));
		if (!io_exists(w->ffd, name))
			break;
		if (io_read_bounded(w->ffd, name, LIMIT_SIG_BYTES, &buf, &len,
		    e) == -1)
			return -1;
		p = buf;
		if (gpg_verify(old->v, old->raw, old->rawlen, &p, &len, 1, 1,
		    old->now, name, NULL, &ig) == -1) {
			free(buf);
			changed = 1;
			continue;
		}
		if (os->n != n)
			changed = 1;
		os->b[os->n] = buf;
		os->len[os->n++] = len;
	}
	if (!changed)
		return 0;
	for (i = 0; i < os->n; i++) {
		layout_sig_name(LAYOUT_MANIFEST, i, name, sizeof(name));
		if (put(w, name, os->b[i], os->len[i], e) == -1)
			return -1;
	}
	for (i = n; i > os->n; i--) {
		layout_sig_name(LAYOUT_MANIFEST, i - 1, name, sizeof(name));
		if (drop(w, name, e) == -1)
			return -1;
	}
	return 0;
}

static void
oldsigs_free(struct oldsigs *os)
{
	while (os->n > 0)
		free(os->b[--os->n]);
}

/* Step 1: what an interrupted rewrite left is removed, so that the files
 * beside the current medium are only the ones this run vouches for. */
static int
recover(struct wctx *w, const struct emit_old *old, size_t nsig,
    struct fy_err *e)
{
	if (prune(w, w->ffd, "", old->m, LIMIT_SIGS, e) == -1 ||
	    drop_companion(w, LAYOUT_PREV, e) == -1 ||
	    drop_companion(w, LAYOUT_NEXT, e) == -1)
		return -1;
	(void)nsig;
	return 0;
}

static int
put_packages(struct wctx *w, int repofd, const struct selection *s, int keys,
    struct fy_err *e)
{
	uint8_t *buf = malloc(COPY_BUF);
	struct fy_err ignore;
	const char *leaf;
	size_t i, kl = strlen(LAYOUT_KEYS_DIR);
	int rc = 0, pfd, kept;

	if (buf == NULL)
		return fy_fail(e, FY_E_INTERNAL, "emit", "out of memory");
	for (i = 0; i < s->m->nfiles && rc == 0; i++) {
		const struct mf_file *f = &s->m->files[i];
		int iskey = strncmp(f->path, LAYOUT_KEYS_DIR, kl) == 0 &&
		    f->path[kl] == '/';

		if (s->src[i].src[0] == '\0' || iskey != keys)
			continue;
		memset(&ignore, 0, sizeof(ignore));
		if ((pfd = beneath_parent(w->ffd, f->path, 0, &leaf,
		    &ignore)) != -1) {
			kept = digest_check_file(pfd, leaf, f->size, f->sha256,
			    &ignore) == 0;
			close(pfd);
			if (kept) {
				w->res->kept += f->size;
				continue;
			}
		}
		rc = copy_file(w, repofd, &s->src[i], f, buf, e);
		if (rc == 0) {
			w->res->written += f->size;
			w->res->fresh[i] = 1;
		}
	}
	free(buf);
	return rc;
}

/* Step 4: the top-level documents (each alone belongs to the old medium
 * or to the new one; the companions vouch for the new ones). */
static int
put_documents(struct wctx *w, const struct emit_docs *d, struct fy_err *e)
{
	char name[64];
	size_t i;

	if (put(w, LAYOUT_README, d->readme, d->rlen, e) == -1)
		return -1;
	/* <root>/README.txt, outside ferry/: no reader checks it. */
	if (io_replace_file(w->rootfd, LAYOUT_README, d->readme, d->rlen,
	    0644, e) == -1)
		return -1;
	w->res->written += d->rlen;
	for (i = 0; i < d->nsig; i++) {
		layout_sig_name(LAYOUT_SUMS, (unsigned)i, name, sizeof(name));
		if (put(w, name, d->ssig[i], d->ssiglen[i], e) == -1)
			return -1;
	}
	return put(w, LAYOUT_SUMS, d->sums, d->slen, e);
}

/* Steps 5-7 for a rewrite, with a old signature files and b new ones:
 * the new signatures go to slots a .. a+b-1 (the old manifest ignores
 * them: each file is verified on its own), manifest.json.next is renamed
 * to manifest.json (it verifies with those), then slots 0 .. b-1 get the
 * new signatures and the rest is removed, last slot first. */
static int
switch_manifest(struct wctx *w, const struct emit_docs *d,
    const struct oldsigs *os, struct fy_err *e)
{
	char name[64];
	size_t a = os->n, i;

	if (a + d->nsig > LIMIT_SIGS)
		return fy_fail(e, FY_E_SIGNATURE, LAYOUT_MANIFEST, _("the old "
		    "medium has %zu signature files and the new one %zu: "
		    "more than %d cannot be switched safely; remove the old "
		    "medium first"), a, d->nsig, LIMIT_SIGS);
	for (i = 0; i < d->nsig; i++) {
		layout_sig_name(LAYOUT_MANIFEST, (unsigned)(a + i), name,
		    sizeof(name));
		if (put(w, name, d->msig[i], d->msiglen[i], e) == -1)
			return -1;
	}
	if (FY_FAULT("emit.manifest") == -1 ||
	    renameat(w->ffd, LAYOUT_NEXT, w->ffd, LAYOUT_MANIFEST) == -1) {
		fy_fail_errno(e, FY_E_IO, LAYOUT_MANIFEST, _("cannot rename "
		    "into place"));
		return -1;
	}
	if (io_fsync_dir(w->ffd, ".", e) == -1)
		return -1;
	/* The new medium is live.  Its signatures move to the front. */
	for (i = 0; i < d->nsig; i++) {
		layout_sig_name(LAYOUT_MANIFEST, (unsigned)i, name, sizeof(name));
		if (put(w, name, d->msig[i], d->msiglen[i], e) == -1)
			return -1;
	}
	for (i = a + d->nsig; i > d->nsig; i--) {
		layout_sig_name(LAYOUT_MANIFEST, (unsigned)(i - 1), name,
		    sizeof(name));
		if (drop(w, name, e) == -1)
			return -1;
	}
	return 0;
}

static int
open_target(const char *root, struct wctx *w, struct fy_err *e)
{
	if (io_mkdirs(AT_FDCWD, root, e) == -1 ||
	    (w->rootfd = io_open_dir(AT_FDCWD, root, e)) == -1 ||
	    io_mkdirs(w->rootfd, LAYOUT_DIR, e) == -1 ||
	    (w->ffd = io_open_dir(w->rootfd, LAYOUT_DIR, e)) == -1)
		return -1;
	/* A leftover of an interrupted build: its own error (a read-only
	 * stick says so), not mkdir's "File exists" after it. */
	if (io_remove_tree(w->rootfd, STAGE_DIR, e) == -1)
		return -1;
	if (mkdirat(w->rootfd, STAGE_DIR, 0755) == -1 ||
	    (w->stfd = io_open_dir(w->rootfd, STAGE_DIR, e)) == -1)
		return fy_fail_errno(e, errno_code(), STAGE_DIR, _("cannot "
		    "create a folder on the target"));
	return 0;
}

int
emit_medium(int repofd, struct selection *s, const struct mk_opts *o,
    const char *root, const struct emit_docs *d, const struct emit_old *old,
    emit_check_fn check, void *arg, struct emit_result *res,
    struct fy_err *e)
{
	static const char marker[] = "mkmedia is writing this medium; "
	    "do not use it until this file is gone\n";
	struct wctx w = { .rootfd = -1, .ffd = -1, .stfd = -1, .res = res };
	struct oldsigs os = { .n = 0 };
	struct fy_err ignore = { 0 };
	uint64_t total = 0;
	size_t i;
	int rc = -1;

	(void)o;
	memset(res, 0, sizeof(*res));
	if ((res->fresh = calloc(s->m->nfiles + 1, 1)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "emit", "out of memory");
	if (open_target(root, &w, e) == -1)
		goto out;
	if (old == NULL) {
		if (io_replace_file(w.ffd, LAYOUT_INCOMPLETE, marker,
		    sizeof(marker) - 1, 0644, e) == -1)
			goto out;
	} else if (recover(&w, old, d->nsig, e) == -1 ||
	    good_sigs(&w, old, &os, e) == -1 ||
	    put_companion(&w, LAYOUT_PREV, old->raw, old->rawlen, os.b,
	    os.len, os.n, e) == -1 ||
	    put_companion(&w, LAYOUT_NEXT, d->man, d->mlen, d->msig,
	    d->msiglen, d->nsig, e) == -1)
		goto out;
	for (i = 0; i < s->m->nfiles; i++)
		if (s->src[i].src[0] != '\0' && !in_place(root, &s->m->files[i]))
			total += s->m->files[i].size;
	w.pr = progress_begin(_("writing"), total);
	if (put_packages(&w, repofd, s, 0, e) == -1)
		goto out;
	progress_end(w.pr);
	w.pr = NULL;
	if (check != NULL && check(arg, w.ffd, s, res->fresh, e) == -1)
		goto out;
	if (put_packages(&w, repofd, s, 1, e) == -1 ||
	    put_documents(&w, d, e) == -1)
		goto out;
	if (old != NULL) {
		if (switch_manifest(&w, d, &os, e) == -1)
			goto out;
	} else {
		char name[64];

		for (i = 0; i < d->nsig; i++) {
			layout_sig_name(LAYOUT_MANIFEST, (unsigned)i, name,
			    sizeof(name));
			if (put(&w, name, d->msig[i], d->msiglen[i], e) == -1)
				goto out;
		}
		if (FY_FAULT("emit.manifest") == -1) {
			fy_fail_errno(e, FY_E_IO, LAYOUT_MANIFEST, "write "
			    "failed");
			goto out;
		}
		if (put(&w, LAYOUT_MANIFEST, d->man, d->mlen, e) == -1)
			goto out;
	}
	if (prune(&w, w.ffd, "", s->m, d->nsig, e) == -1 ||
	    drop_companion(&w, LAYOUT_PREV, e) == -1 ||
	    drop_companion(&w, LAYOUT_NEXT, e) == -1)
		goto out;
	if (old == NULL && (FY_FAULT("emit.complete") == -1 ||
	    unlinkat(w.ffd, LAYOUT_INCOMPLETE, 0) == -1)) {
		fy_fail_errno(e, FY_E_IO, LAYOUT_INCOMPLETE, "cannot remove");
		goto out;
	}
	if (io_fsync_dir(w.ffd, ".", e) == -1)
		goto out;
	close(w.stfd);
	w.stfd = -1;
	(void)io_remove_tree(w.rootfd, STAGE_DIR, &ignore);
	if (syncfs(w.ffd) == -1) {
		fy_fail_errno(e, FY_E_IO, root, "syncfs failed; the medium may "
		    "not be complete");
		goto out;
	}
	rc = 0;
out:
	progress_end(w.pr);
	oldsigs_free(&os);
	if (w.stfd != -1) {
		close(w.stfd);
		(void)io_remove_tree(w.rootfd, STAGE_DIR, &ignore);
	}
	if (w.ffd != -1)
		close(w.ffd);
	if (w.rootfd != -1)
		close(w.rootfd);
	return rc;
}
