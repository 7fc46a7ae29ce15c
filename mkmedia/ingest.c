/* SPDX-License-Identifier: MIT */
/*
 * ingest: `mkmedia add COMPONENT VERSION SOURCE`.  SOURCE is a folder or
 * any archive libarchive reads (.zip, .tar.gz, ...).  The version is
 * staged under components/<c>/.incoming-*, listed, packaged as a base and
 * published by one rename; deltas from recent versions follow (deltas.c).
 * A new version from a folder is read once: each file is copied, packed
 * (two zstd workers) and hashed in the same pass (package_write_base_copy).
 * A released version never changes: the same content again is a no-op,
 * different content is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/beneath.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/report.h"
#include "core/say.h"
#include "core/syncfs.h"
#include "formats/archive_dl.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/package.h"
#include "formats/version.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/ticker.h"
#include "mkmedia/repo.h"

#define COPY_BUF	(1u << 20)

/* Copy fd -> new file rel under dstfd, checking size and hash. */
static int
copy_fd(int in, const char *rel, const struct tree_entry *x, int dstfd,
    uint8_t *buf, struct fy_err *e)
{
	struct digest *d = digest_new();
	uint8_t sha[DIGEST_LEN];
	uint64_t seen = 0;
	ssize_t n;
	int out, rc = -1;

	if (d == NULL)
		return fy_fail(e, FY_E_INTERNAL, rel, "out of memory");
	if ((out = beneath_create(dstfd, rel, x->mode, e)) == -1)
		goto done;
	while ((n = io_read_full(in, buf, COPY_BUF, rel, e)) > 0) {
		seen += (uint64_t)n;
		digest_update(d, buf, (size_t)n);
		if (io_write_all(out, buf, (size_t)n, rel, e) == -1)
			goto done;
	}
	if (n == -1)
		goto done;
	digest_final(d, sha);
	if (seen != x->size || memcmp(sha, x->sha256, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, rel, _("changed while being copied"));
		goto done;
	}
	/* fsync here only where the one syncfs in mk_add cannot vouch */
	if (fchmod(out, x->mode) == -1 || (!syncfs_reports_errors() &&
	    io_fsync(out, rel, e) == -1)) {
		fy_fail_errno(e, FY_E_IO, rel, "cannot finish file");
		goto done;
	}
	rc = 0;
done:
	if (out != -1 && close(out) == -1 && rc == 0)
		rc = fy_fail_errno(e, FY_E_IO, rel, "close failed");
	digest_free(d);
	return rc;
}

/* Copy the listed tree from srcfd into dstfd. */
static int
copy_tree(int srcfd, const struct tree *t, int dstfd, struct fy_err *e)
{
	uint8_t *buf = malloc(COPY_BUF);
	size_t i;
	int in, dfd, rc = 0;

	if (buf == NULL)
		return fy_fail(e, FY_E_INTERNAL, "copy", "out of memory");
	for (i = 0; i < t->n && rc == 0; i++) {
		const struct tree_entry *x = &t->v[i];

		if (x->type == TREE_DIR) {
			if ((dfd = beneath_dir(dstfd, x->path, 1, e)) == -1)
				rc = -1;
			else
				close(dfd);
			continue;
		}
		if ((in = beneath_open(srcfd, x->path, e)) == -1) {
			rc = -1;
			break;
		}
		rc = copy_fd(in, x->path, x, dstfd, buf, e);
		close(in);
	}
	free(buf);
	return rc;
}

/* Clean an archive entry name into path[LIMIT_PATH_BYTES + 8]: no
 * leading "./", no trailing '/'; "" for the archive's root. */
static void
entry_name(const char *p, char *path, size_t size)
{
	size_t l;

	while (p != NULL && strncmp(p, "./", 2) == 0)
		p += 2;
	snprintf(path, size, "%s", p == NULL ? "" : p);
	l = strlen(path);
	while (l > 0 && path[l - 1] == '/')
		path[--l] = '\0';
	if (strcmp(path, ".") == 0)
		path[0] = '\0';
}

/* A hard link in an archive names an earlier regular file of the same
 * tree.  A component is a tree of plain files, so the link becomes a copy
 * of that file, as a hard link in a folder does (the listing and the
 * packages never carry a link).  The target is opened beneath dstfd,
 * never through a link, and must be a file extracted before (not the
 * link itself). */
static int
copy_hardlink(const char *file, const char *target, const char *path,
    int dstfd, int fd, uint8_t *buf, struct fy_err *e)
{
	char tpath[LIMIT_PATH_BYTES + 8];
	struct fy_err le = { 0 };
	ssize_t n;
	int in, rc = 0;

	entry_name(target, tpath, sizeof(tpath));
	if (!tree_path_ok(tpath))
		return fy_fail(e, FY_E_UNSAFE, file, _("entry %s: hard link "
		    "to %s, not a clean relative path"), path, tpath);
	if (strcmp(tpath, path) == 0 ||
	    (in = beneath_open(dstfd, tpath, &le)) == -1)
		return fy_fail(e, FY_E_UNSAFE, file, _("entry %s: hard link "
		    "to %s, which is not a file earlier in the archive"),
		    path, tpath);
	while ((n = io_read_full(in, buf, COPY_BUF, tpath, e)) > 0)
		if (io_write_all(fd, buf, (size_t)n, path, e) == -1)
			break;
	if (n < 0 || fy_failed(e))
		rc = -1;
	close(in);
	return rc;
}

/* The hard links of one archive: each link's path, the first file of its
 * group (the file every link of the group names, directly or through
 * another link) and the group's link before it.  Two hash tables keep
 * an archive of many links linear: path -> link, group -> its last link
 * (indices + 1; 0 is an empty slot). */
struct links {
	char	**path, **root;
	size_t	*prev;		/* the group's link before, index + 1 */
	size_t	n, cap;
	size_t	*bypath, *byroot, hcap;
};

static void
links_free(struct links *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->root[i]);
	}
	free(l->path);
	free(l->root);
	free(l->prev);
	free(l->bypath);
	free(l->byroot);
}

static size_t
links_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* The slot of key k in table t, whose entries name keys[index]. */
static size_t *
links_slot(size_t *t, size_t hcap, char *const *keys, const char *k)
{
	size_t h = links_hash(k) & (hcap - 1);

	while (t[h] != 0 && strcmp(keys[t[h] - 1], k) != 0)
		h = (h + 1) & (hcap - 1);
	return &t[h];
}

static const char *
links_root(const struct links *l, const char *p)
{
	size_t x;

	if (l->hcap == 0)
		return p;
	x = *links_slot(l->bypath, l->hcap, l->path, p);
	return x != 0 ? l->root[x - 1] : p;
}

/* Room for one more link: the arrays, and tables at most half full. */
static int
links_grow(struct links *l)
{
	size_t cap, hcap, i, *bp, *br;
	char **np, **nr;
	size_t *pv;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((np = realloc(l->path, cap * sizeof(*np))) != NULL)
			l->path = np;
		if ((nr = realloc(l->root, cap * sizeof(*nr))) != NULL)
			l->root = nr;
		if ((pv = realloc(l->prev, cap * sizeof(*pv))) != NULL)
			l->prev = pv;
		if (np == NULL || nr == NULL || pv == NULL)
			return -1;
		l->cap = cap;
	}
	if (2 * (l->n + 1) <= l->hcap)
		return 0;
	hcap = l->hcap ? l->hcap * 2 : 64;
	bp = calloc(hcap, sizeof(*bp));
	br = calloc(hcap, sizeof(*br));
	if (bp == NULL || br == NULL) {
		free(bp);
		free(br);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		*links_slot(bp, hcap, l->path, l->path[i]) = i + 1;
		*links_slot(br, hcap, l->root, l->root[i]) = i + 1;
	}
	free(l->bypath);
	free(l->byroot);
	l->bypath = bp;
	l->byroot = br;
	l->hcap = hcap;
	return 0;
}

static int
links_add(struct links *l, const char *path, const char *target,
    struct fy_err *e)
{
	char tpath[LIMIT_PATH_BYTES + 8];
	size_t *slot;

	entry_name(target, tpath, sizeof(tpath));
	if (links_grow(l) == -1)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	l->path[l->n] = strdup(path);
	l->root[l->n] = strdup(links_root(l, tpath));
	if (l->path[l->n] == NULL || l->root[l->n] == NULL) {
		free(l->path[l->n]);
		free(l->root[l->n]);
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	}
	*links_slot(l->bypath, l->hcap, l->path, l->path[l->n]) = l->n + 1;
	slot = links_slot(l->byroot, l->hcap, l->root, l->root[l->n]);
	l->prev[l->n] = *slot;
	*slot = l->n + 1;
	l->n++;
	return 0;
}

/* Overwrite the file `dst` beneath dstfd with the content of `src`. */
static int
rewrite_from(int dstfd, const char *dst, const char *src, uint8_t *buf,
    struct fy_err *e)
{
	const char *leaf;
	ssize_t n;
	int dfd, in, out, rc = -1;

	if ((in = beneath_open(dstfd, src, e)) == -1)
		return -1;
	if ((dfd = beneath_parent(dstfd, dst, 0, &leaf, e)) == -1) {
		close(in);
		return -1;
	}
	out = openat(dfd, leaf, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (out == -1) {
		fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE : FY_E_IO, dst,
		    _("cannot create file"));
		close(in);
		return -1;
	}
	while ((n = io_read_full(in, buf, COPY_BUF, src, e)) > 0)
		if (io_write_all(out, buf, (size_t)n, dst, e) == -1)
			break;
	if (n == 0 && !fy_failed(e) && (syncfs_reports_errors() ||
	    io_fsync(out, dst, e) == 0))
		rc = 0;
	close(out);
	close(in);
	return rc;
}

/* A hard link that carries data (cpio keeps a group's data on its last
 * link, its earlier names empty; pax may too) gives the content of every
 * name of its group, as tar -x or cpio -i makes it: `path` holds the data
 * now; the group's first file and its other links get a copy of it. */
static int
links_spread(const struct links *l, int dstfd, const char *path,
    uint8_t *buf, struct fy_err *e)
{
	const char *root = links_root(l, path);
	size_t x;

	if (rewrite_from(dstfd, root, path, buf, e) == -1)
		return -1;
	for (x = *links_slot(l->byroot, l->hcap, l->root, root); x != 0;
	    x = l->prev[x - 1])
		if (strcmp(l->path[x - 1], path) != 0 && rewrite_from(dstfd,
		    l->path[x - 1], path, buf, e) == -1)
			return -1;
	return 0;
}

/* Extract an archive into dstfd: regular files and directories only;
 * a hard link to an earlier file becomes a copy of it (of its data, when
 * the link carries the group's data). */
static int
extract_archive(const char *file, int dstfd, struct fy_err *e)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct links links = { 0 };
	uint8_t *buf = NULL;
	char path[LIMIT_PATH_BYTES + 8];
	int r, fd, spread, rc = -1;
	la_ssize_t n;

	if (archive_dl_ready(e) == -1)
		return -1;
	a = archive_read_new();
	buf = malloc(COPY_BUF);
	if (a == NULL || buf == NULL) {
		fy_fail(e, FY_E_INTERNAL, file, "out of memory");
		goto out;
	}
	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		fy_fail(e, FY_E_FORMAT, file, _("not a folder or a readable "
		    "archive: %s"), archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *hl;

		entry_name(archive_entry_pathname(ae), path, sizeof(path));
		if (path[0] == '\0')
			continue;
		if (!tree_path_ok(path)) {
			fy_fail(e, FY_E_UNSAFE, file, _("entry %s: not a clean "
			    "relative path"), path);
			goto out;
		}
		hl = archive_entry_hardlink(ae);
		switch (hl != NULL ? AE_IFREG : archive_entry_filetype(ae)) {
		case AE_IFDIR:
			if ((fd = beneath_dir(dstfd, path, 1, e)) == -1)
				goto out;
			close(fd);
			continue;
		case AE_IFREG:
			break;
		default:
			fy_fail(e, FY_E_UNSAFE, file, _("entry %s: links, devices "
			    "and fifos are not allowed in a component"), path);
			goto out;
		}
		if ((fd = beneath_create(dstfd, path, (archive_entry_perm(ae) &
		    0111) ? 0755 : 0644, e)) == -1)
			goto out;
		if (hl != NULL && (copy_hardlink(file, hl, path, dstfd, fd,
		    buf, e) == -1 || links_add(&links, path, hl, e) == -1)) {
			close(fd);
			goto out;
		}
		spread = 0;
		while ((n = archive_read_data(a, buf, COPY_BUF)) > 0) {
			if (hl != NULL && !spread++ && (ftruncate(fd, 0) == -1 ||
			    lseek(fd, 0, SEEK_SET) == -1)) {
				fy_fail_errno(e, FY_E_IO, path, _("cannot create "
				    "file"));
				break;
			}
			if (io_write_all(fd, buf, (size_t)n, path, e) == -1)
				break;
		}
		if (n < 0)
			fy_fail(e, FY_E_FORMAT, file, _("entry %s: %s"), path,
			    archive_error_string(a));
		if (!fy_failed(e) && !syncfs_reports_errors())
			io_fsync(fd, path, e);
		close(fd);
		if (!fy_failed(e) && spread)
			links_spread(&links, dstfd, path, buf, e);
		if (fy_failed(e))
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		fy_fail(e, FY_E_FORMAT, file, "%s", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	links_free(&links);
	free(buf);
	archive_read_free(a);
	return rc;
}

static void
packed_so_far(void *arg, uint64_t done)
{
	progress_update(arg, done);
}

/* A folder, for a new version: one read of every file, which is copied
 * into stagefd/tree, packed into stagefd/base.tar.zst and hashed at once
 * (the listing's hashes come from that read). */
static int
stage_and_pack(int sfd, int stagefd, int tfd, struct repo_version *v,
    const struct repo *r, struct fy_err *e)
{
	struct package_opts po = { .level = r->policy.base_level,
	    .workers = 2 };
	struct progress *pr;
	struct tree src;
	int out, rc;

	tree_init(&src);
	if (tree_scan_shallow(sfd, &src, e) == -1)
		return -1;
	if ((out = openat(stagefd, "base.tar.zst", O_WRONLY | O_CREAT |
	    O_EXCL | O_CLOEXEC, 0644)) == -1) {
		tree_free(&src);
		return fy_fail_errno(e, FY_E_IO, "base.tar.zst",
		    "cannot create");
	}
	pr = progress_begin(_("packing"), src.total);
	rc = package_write_base_copy(sfd, &src, tfd, &po, out, v->base_sha,
	    &v->base_size, packed_so_far, pr, e);
	progress_end(pr);
	if (rc == 0)
		rc = io_fsync(out, "base.tar.zst", e);
	close(out);
	if (rc == 0)
		v->tree = src;
	else
		tree_free(&src);
	return rc;
}

/* Fill stagefd/tree from SOURCE and list it into v->tree; with `pack`
 * (a new version), a folder is packed on the way and *packed set. */
static int
stage_source(const char *source, int stagefd, struct repo_version *v,
    const struct repo *r, int pack, int *packed, struct fy_err *e)
{
	struct tree *t = &v->tree;
	struct stat st;
	struct tree src;
	int sfd, tfd, rc;

	tree_init(&src);
	if (stat(source, &st) == -1)
		return fy_fail_errno(e, FY_E_NOTFOUND, source, "cannot read");
	if ((tfd = beneath_dir(stagefd, "tree", 1, e)) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		if ((sfd = io_open_dir(AT_FDCWD, source, e)) == -1) {
			close(tfd);
			return -1;
		}
		if (pack) {
			rc = stage_and_pack(sfd, stagefd, tfd, v, r, e);
			*packed = rc == 0;
			close(sfd);
			goto done;
		}
		rc = tree_scan(sfd, &src, e);
		/* copy_tree() checks every byte it copies against this
		 * listing and sets the listed modes, so the staged tree is
		 * the listing: no second pass over it. */
		if (rc == 0) {
			struct ticker *tk = ticker_start(_("copying"),
			    ticker_tree_bytes(&src));

			rc = copy_tree(sfd, &src, tfd, e);
			ticker_stop(tk);
		}
		if (rc == 0)
			*t = src;
		else
			tree_free(&src);
		close(sfd);
	} else if ((rc = extract_archive(source, tfd, e)) == 0)
		rc = tree_scan(tfd, t, e);
done:
	if (rc == 0 && t->n == 0)
		rc = fy_fail(e, FY_E_FORMAT, source, _("is empty"));
	close(tfd);
	return rc;
}

static int
write_base(int stagefd, struct repo_version *v, const struct repo *r,
    struct fy_err *e)
{
	struct package_opts po = { .level = r->policy.base_level,
	    .workers = 2 };
	char label[200];
	struct ticker *tk;
	int tfd, out, rc;

	if ((tfd = io_open_dir(stagefd, "tree", e)) == -1)
		return -1;
	out = openat(stagefd, "base.tar.zst", O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644);
	if (out == -1) {
		close(tfd);
		return fy_fail_errno(e, FY_E_IO, "base.tar.zst", "cannot create");
	}
	snprintf(label, sizeof(label), _("base package %s %s"), v->comp,
	    v->version);
	tk = ticker_start(label, ticker_tree_bytes(&v->tree));
	rc = package_write_base(tfd, &v->tree, &po, out, e);
	ticker_stop(tk);
	if (rc == 0)
		rc = io_fsync(out, "base.tar.zst", e);
	close(out);
	close(tfd);
	if (rc == 0)
		rc = digest_file(stagefd, "base.tar.zst", v->base_sha,
		    &v->base_size, e);
	return rc;
}

/* --json: the version as stored, and the deltas it got. */
static void
add_json(const struct mk_opts *o)
{
	struct fy_err ignore = { 0 };
	const struct repo_comp *c;
	const struct repo_version *v;
	struct repo *r;
	json_t *ds;
	size_t i;

	if (repo_open(o->repo, &r, &ignore) == -1)
		return;		/* reloaded: the deltas just made are in it */
	c = repo_comp(r, o->component, o->variant);
	if (c == NULL || (v = repo_version(c, o->version)) == NULL) {
		repo_free(r);
		return;
	}
	ds = json_array();
	for (i = 0; i < c->nd; i++)
		if (strcmp(c->d[i].to, o->version) == 0)
			json_array_append_new(ds, json_pack("{s:s, s:I}", "from",
			    c->d[i].from, "bytes", (json_int_t)c->d[i].size));
	report_json(json_pack("{s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "ok",
	    1, "component", o->component, "variant", o->variant, "version",
	    o->version, "entries", (json_int_t)v->tree.n, "bytes",
	    (json_int_t)v->tree.total, "base_bytes", (json_int_t)v->base_size,
	    "deltas", ds));
	repo_free(r);
}

/* Does `o` ask for the requirements `v` was added with (in any order)? */
static int
same_reqs(const struct repo_version *v, const struct mk_opts *o)
{
	size_t i, j;

	if (v->nreqs != o->nreqs)
		return 0;
	for (i = 0; i < o->nreqs; i++) {
		for (j = 0; j < v->nreqs; j++)
			if (strcmp(v->reqs[j].component,
			    o->reqs[i].component) == 0 && version_valid(
			    v->reqs[j].min) && version_cmp(v->reqs[j].min,
			    o->reqs[i].min) == 0)
				break;
		if (j == v->nreqs)
			return 0;
	}
	return 1;
}

/* "engine>=8.0, patterns>=2026.11.20-1", or "none". */
static void
reqs_text(const struct repo_req *q, size_t n, char *buf, size_t size)
{
	size_t i, l = 0;

	snprintf(buf, size, "%s", n == 0 ? "none" : "");
	for (i = 0; i < n && l < size; i++) {
		snprintf(buf + l, size - l, "%s%s>=%s", i ? ", " : "",
		    q[i].component, q[i].min);
		l = strlen(buf);
	}
}

int
mk_add(const struct mk_opts *o, struct fy_err *e)
{
	struct repo *r = NULL;
	struct repo_comp *c;
	struct repo_version v;
	const struct repo_version *old = NULL;
	const char *newer;
	char cdir[160], stage[256], hex[DIGEST_HEXLEN + 1];
	uint8_t d1[DIGEST_LEN], d2[DIGEST_LEN];
	int cfd = -1, sfd = -1, rc = -1, packed = 0, made = 0, staged = 0;
	size_t i;

	memset(&v, 0, sizeof(v));
	tree_init(&v.tree);
	if (!layout_id_ok(o->component) || (*o->variant &&
	    !layout_id_ok(o->variant)))
		return fy_fail(e, FY_E_USAGE, o->component, _("component and "
		    "variant must be 1-64 characters of a-z 0-9 . _ -"));
	if (!version_valid(o->version))
		return fy_fail(e, FY_E_USAGE, o->version, _("not a valid version"
		    " (1-64 characters of 0-9 A-Z a-z . _ + ~ -)"));
	if (repo_open(o->repo, &r, e) == -1)
		return -1;
	c = repo_comp(r, o->component, o->variant);
	for (i = 0; c != NULL && i < c->nv; i++)
		if (version_cmp(c->v[i].version, o->version) == 0)
			old = &c->v[i];
	/* "1.010" is "1.10" (formats/SPEC.md section 4): say so, whatever the
	 * content, instead of blaming the content. */
	if (old != NULL && strcmp(old->version, o->version) != 0) {
		fy_fail(e, FY_E_USAGE, o->version, _("the same version as %s "
		    "%s, already in the repository (leading zeros and which of "
		    ". _ + - separates do not count: formats/SPEC.md section "
		    "4); give a version that differs from it"), o->component,
		    old->version);
		repo_free(r);
		return -1;
	}
	/* Its requirements are part of a released version too: an add of
	 * the same content with other --requires would be "nothing to do",
	 * and the publisher would believe them recorded. */
	if (old != NULL && !same_reqs(old, o)) {
		char have[1200];

		reqs_text(old->reqs, old->nreqs, have, sizeof(have));
		fy_fail(e, FY_E_USAGE, o->version, _("%s %s is already in the "
		    "repository with requirements: %s; a released version "
		    "never changes (give the same --requires, or a new "
		    "version)"), o->component, old->version, have);
		repo_free(r);
		return -1;
	}
	repo_comp_dir(o->component, o->variant, cdir, sizeof(cdir));
	/* A refused add leaves the repository as it was: the folder of a
	 * new component goes again with the staging folder. */
	made = !io_exists(r->fd, cdir);
	if (io_mkdirs(r->fd, cdir, e) == -1 ||
	    (cfd = io_open_dir(r->fd, cdir, e)) == -1)
		goto out;
	snprintf(stage, sizeof(stage), ".incoming-%s.%ld", o->version,
	    (long)getpid());
	if (io_remove_tree(cfd, stage, e) == -1)
		goto out;
	if (mkdirat(cfd, stage, 0755) == -1) {
		fy_fail_errno(e, FY_E_IO, stage, "cannot create");
		goto out;
	}
	staged = 1;
	if ((sfd = io_open_dir(cfd, stage, e)) == -1 ||
	    stage_source(o->source, sfd, &v, r, old == NULL, &packed,
	    e) == -1)
		goto out;
	if (old != NULL) {
		tree_digest(&old->tree, d1);
		tree_digest(&v.tree, d2);
		if (memcmp(d1, d2, DIGEST_LEN) != 0) {
			fy_fail(e, FY_E_INTEGRITY, o->source, _("version %s of %s "
			    "was already ingested with different content; a "
			    "released version never changes"), old->version,
			    o->component);
			goto out;
		}
		say_info(_("%s %s is already in the repository with the same "
		    "content; nothing to do"), o->component, o->version);
		rc = 0;
		goto out;
	}
	snprintf(v.comp, sizeof(v.comp), "%s", o->component);
	snprintf(v.variant, sizeof(v.variant), "%s", o->variant);
	snprintf(v.version, sizeof(v.version), "%s", o->version);
	v.added = o->now;
	v.released = o->released;
	v.base_over_any = !o->no_base_over_any;
	v.reqs = (struct repo_req *)o->reqs;
	v.nreqs = o->nreqs;
	if ((!packed && write_base(sfd, &v, r, e) == -1) ||
	    repo_version_save(sfd, &v, e) == -1)
		goto out;
	/* The staged tree, files and directories, durable before it is
	 * published (per-file fsyncs instead on kernels before 5.8). */
	if (syncfs_reports_errors() && syncfs(sfd) == -1) {
		fy_fail_errno(e, FY_E_IO, stage, "syncfs failed");
		goto out;
	}
	if (io_fsync_dir(sfd, ".", e) == -1)
		goto out;
	if (renameat(cfd, stage, cfd, o->version) == -1) {
		fy_fail_errno(e, FY_E_IO, o->version, "cannot publish version");
		goto out;
	}
	if (io_fsync_dir(cfd, ".", e) == -1)
		goto out;
	digest_to_hex(v.base_sha, hex);
	say_info(P_("added %s %s: %zu entry, %llu bytes; base package %llu "
	    "bytes", "added %s %s: %zu entries, %llu bytes; base package %llu "
	    "bytes", v.tree.n), o->component, o->version, v.tree.n,
	    (unsigned long long)v.tree.total,
	    (unsigned long long)v.base_size);
	newer = NULL;
	for (i = 0; c != NULL && i < c->nv; i++)
		if (version_cmp(c->v[i].version, o->version) > 0 &&
		    (newer == NULL || version_cmp(c->v[i].version, newer) > 0))
			newer = c->v[i].version;
	/* 2026.12.04 after 2026.12.04-rc1: letters after a version sort
	 * after it, so the final release would silently never ship. */
	if (newer != NULL)
		say_warn(_("%s %s sorts before %s, which is already in the "
		    "repository: media carry %s as the newest, and clients "
		    "that have it keep it (formats/SPEC.md section 4: a "
		    "pre-release is written 1.0~rc1, which sorts before 1.0)"),
		    o->component, o->version, newer, newer);
	/* Reload so the new version is in place, then make deltas. */
	repo_free(r);
	r = NULL;
	if (repo_open(o->repo, &r, e) == -1)
		goto out_noclean;
	rc = mk_make_deltas(r, repo_comp(r, o->component, o->variant),
	    o->version, e);
	if (rc == 0 && o->json)
		add_json(o);
	goto out_noclean;
out:
	if (staged) {
		struct fy_err ignore = { 0 };

		io_remove_tree(cfd, stage, &ignore);
	}
	/* only when empty: nothing of another run is removed */
	if (made && r != NULL)
		(void)unlinkat(r->fd, cdir, AT_REMOVEDIR);
out_noclean:
	v.reqs = NULL;
	tree_free(&v.tree);
	if (sfd != -1)
		close(sfd);
	if (cfd != -1)
		close(cfd);
	repo_free(r);
	return rc;
}
