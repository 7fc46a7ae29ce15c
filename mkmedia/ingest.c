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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/report.h"
#include "core/say.h"
#include "core/syncfs.h"
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
	} else if ((rc = mk_extract_archive(source, tfd, e)) == 0)
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

/* The staging folders of adds that did not finish (killed, a power cut):
 * .incoming-VERSION.PID whose process is gone.  Each may hold a copy of
 * a whole release, and no later add would ever use it; an add still
 * running (its process alive) keeps its own. */
static void
drop_stale_stages(int cfd, const char *cdir)
{
	struct fy_err ignore = { 0 };
	struct dirent *de;
	const char *dot;
	char *end;
	long pid;
	DIR *d;
	int fd;

	if ((fd = dup(cfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".incoming-", 10) != 0 ||
		    (dot = strrchr(de->d_name, '.')) == NULL ||
		    dot < de->d_name + 10)
			continue;
		errno = 0;
		pid = strtol(dot + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == dot + 1 || pid <= 0 ||
		    pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (io_remove_tree(cfd, de->d_name, &ignore) == 0)
			say_info(_("%s/%s: removed, left by an add that did not "
			    "finish (process %ld is gone)"), cdir, de->d_name,
			    pid);
		fy_clear(&ignore);
	}
	closedir(d);
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
	/* A floor on the component itself is an older version (a patch
	 * that needs its master program); at or above this one, no client
	 * could ever install it, not even a fresh one. */
	for (i = 0; i < o->nreqs; i++)
		if (strcmp(o->reqs[i].component, o->component) == 0 &&
		    version_cmp(o->reqs[i].min, o->version) >= 0)
			return fy_fail(e, FY_E_USAGE, o->version, _("--requires "
			    "%s>=%s: a version cannot require itself or a "
			    "later %s; no client could install it (a floor is "
			    "an older version)"), o->component,
			    o->reqs[i].min, o->component);
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
	drop_stale_stages(cfd, cdir);
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
