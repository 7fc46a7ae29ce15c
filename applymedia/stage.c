/* SPDX-License-Identifier: MIT */
/*
 * stage: one new generation per component (see stage.h).  Each step of a
 * delta chain writes a fresh directory that deltapkg_apply() verifies
 * against that version's listing; the intermediate is removed once the
 * next step is done.  Every file is hashed and checked while it is
 * written (base) or was checked by deltapkg_apply() (delta), so the final
 * tree is checked once more as a whole for its shape only (no extra or
 * missing entry; types, modes, sizes) before it is published.  Durability:
 * one syncfs of the state's file system for the generations of all
 * components where the kernel reports writeback errors through it (Linux
 * >= 5.8), else an fsync of every file and directory too
 * (../shared/RELIABILITY.md §3 steps 3 and 5); only then are they renamed
 * into gens/.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/syncfs.h"
#include "formats/deltapkg.h"
#include "formats/package.h"
#include "applymedia/stage.h"

void
stage_spool_name(const struct mf_file *f, char out[DIGEST_HEXLEN + 1])
{
	digest_to_hex(f->sha256, out);
}

static void
gen_id(const struct mf_version *v, uint64_t serial, char *out, size_t n)
{
	uint8_t d[DIGEST_LEN];
	char hex[DIGEST_HEXLEN + 1], safe[70];
	size_t i;

	tree_digest(&v->tree, d);
	digest_to_hex(d, hex);
	snprintf(safe, sizeof(safe), "%s", v->version);
	for (i = 0; safe[i]; i++)
		if (safe[i] == '/')
			safe[i] = '_';
	snprintf(out, n, "%s-%.8s-s%llu", safe, hex, (unsigned long long)serial);
}

static int
open_pkg(int spoolfd, const struct mf_file *f, struct fy_err *e)
{
	char name[DIGEST_HEXLEN + 1];

	stage_spool_name(f, name);
	return io_open_regular(spoolfd, name, NULL, e);
}

/* An existing complete generation with this id and the right tree? */
static int
reuse(int gensfd, const char *id, const struct tree *t)
{
	struct fy_err ignore = { 0 };
	char path[300];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/tree", id);
	if ((fd = io_open_dir(gensfd, path, &ignore)) == -1)
		return 0;
	ok = tree_verify(fd, t, &ignore) == 0;
	close(fd);
	if (!ok)
		io_remove_tree(gensfd, id, &ignore);
	return ok;
}

static int
mkdir_open(int dirfd, const char *name, struct fy_err *e)
{
	if (mkdirat(dirfd, name, 0755) == -1)
		return fy_fail_errno(e, FY_E_SWITCH, name, _("cannot create"));
	return io_open_dir(dirfd, name, e);
}

/* Run the plan into stagefd/tree. */
static int
build_tree(const struct stage_req *r, int gensfd, int stagefd,
    struct fy_err *e)
{
	const struct plan *p = r->p;
	const struct tree *cur_tree;
	char cur[16] = "", next[16], where[300];
	int curfd = -1, outfd, pkg, rc = -1, each = !syncfs_reports_errors();
	size_t k;

	if (p->base != NULL && r->pkgmem != -1) {
		/* In memory, read once: cut out behind the reader. */
		if ((curfd = mkdir_open(stagefd, "w0", e)) == -1)
			return -1;
		if (lseek(r->pkgmem, 0, SEEK_SET) == -1) {
			fy_fail_errno(e, FY_E_IO, p->base->base->path,
			    "cannot rewind the spooled copy");
			goto out;
		}
		rc = package_extract_base_once(r->pkgmem, p->base->base->path,
		    &p->base->tree, curfd, p->nsteps == 0 && each, e);
		if (rc == -1)
			goto out;
		snprintf(cur, sizeof(cur), "w0");
		cur_tree = &p->base->tree;
	} else if (p->base != NULL) {
		if ((pkg = open_pkg(r->spoolfd, p->base->base, e)) == -1)
			return -1;
		if ((curfd = mkdir_open(stagefd, "w0", e)) == -1) {
			close(pkg);
			return -1;
		}
		rc = package_extract_base(pkg, p->base->base->path,
		    &p->base->tree, curfd, p->nsteps == 0 && each, e);
		close(pkg);
		if (rc == -1)
			goto out;
		snprintf(cur, sizeof(cur), "w0");
		cur_tree = &p->base->tree;
	} else {
		snprintf(where, sizeof(where), "%s/tree", r->local->id);
		if ((curfd = io_open_dir(gensfd, where, e)) == -1)
			return -1;
		cur_tree = &r->local->tree;
	}
	for (k = 0; k < p->nsteps; k++) {
		const struct mf_delta *d = p->steps[k];
		const struct mf_version *to = mf_version_find(r->c, d->to);

		snprintf(next, sizeof(next), "w%zu", k + 1);
		if ((outfd = mkdir_open(stagefd, next, e)) == -1)
			goto out;
		if ((pkg = open_pkg(r->spoolfd, d->file, e)) == -1) {
			close(outfd);
			goto out;
		}
		rc = deltapkg_apply(pkg, d->file->path, curfd, cur_tree,
		    &to->tree, outfd, k + 1 == p->nsteps && each, e);
		close(pkg);
		close(curfd);
		curfd = outfd;
		if (rc == -1)
			goto out;
		if (cur[0] != '\0' && io_remove_tree(stagefd, cur, e) == -1)
			goto out;
		snprintf(cur, sizeof(cur), "%s", next);
		cur_tree = &to->tree;
	}
	rc = -1;
	if (renameat(stagefd, cur, stagefd, "tree") == -1) {
		fy_fail_errno(e, FY_E_SWITCH, "tree",
		    _("cannot rename staged tree"));
		goto out;
	}
	rc = 0;
out:
	if (curfd != -1)
		close(curfd);
	return rc;
}

int
stage_build(const struct stage_req *r, struct gen *out, struct staged *sd,
    struct fy_err *e)
{
	const struct mf_version *t = r->p->target;
	int gensfd, stagefd = -1, treefd = -1, rc = -1,
	    each = !syncfs_reports_errors();
	size_t i;

	free(out->reqs);	/* a second build (the base after a delta) */
	memset(out, 0, sizeof(*out));
	sd->name[0] = '\0';
	tree_init(&out->tree);
	gen_id(t, r->m->serial, out->id, sizeof(out->id));
	snprintf(out->component, sizeof(out->component), "%s", r->c->name);
	snprintf(out->variant, sizeof(out->variant), "%s", r->c->variant);
	snprintf(out->version, sizeof(out->version), "%s", t->version);
	snprintf(out->publisher, sizeof(out->publisher), "%s", r->m->publisher);
	snprintf(out->medium_id, sizeof(out->medium_id), "%s", r->m->medium_id);
	out->serial = r->m->serial;
	out->signed_time = r->m->created;
	out->installed = r->now;
	plan_describe(r->p, out->path, sizeof(out->path));
	/* kept for rollback, which has no medium to ask (commands.c) */
	if (t->nreqs > 0 && (out->reqs = calloc(t->nreqs,
	    sizeof(*out->reqs))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, r->c->name, "out of memory");
	for (i = 0; i < t->nreqs; i++, out->nreqs++) {
		snprintf(out->reqs[i].component, sizeof(out->reqs[i].component),
		    "%s", t->reqs[i].component);
		snprintf(out->reqs[i].min, sizeof(out->reqs[i].min), "%s",
		    t->reqs[i].min_version);
	}
	for (i = 0; i < t->tree.n; i++)
		if (tree_add(&out->tree, t->tree.v[i].path, t->tree.v[i].type,
		    t->tree.v[i].mode, t->tree.v[i].size, t->tree.v[i].sha256,
		    e) == -1)
			return -1;
	if ((gensfd = io_open_dir(r->compfd, "gens", e)) == -1)
		return -1;
	if (reuse(gensfd, out->id, &t->tree)) {
		close(gensfd);
		return 0;
	}
	snprintf(sd->name, sizeof(sd->name), ".stage-%s.%ld", out->id,
	    (long)getpid());
	if (FY_FAULT("stage.mkdir") == -1) {
		fy_fail_errno(e, FY_E_IO, sd->name, _("cannot create"));
		goto out;
	}
	if ((stagefd = mkdir_open(gensfd, sd->name, e)) == -1)
		goto out;
	if (build_tree(r, gensfd, stagefd, e) == -1)
		goto out;
	if ((treefd = io_open_dir(stagefd, "tree", e)) == -1 ||
	    tree_verify_shallow(treefd, &t->tree, e) == -1)
		goto out;
	/* Without syncfs error reports every file was synced on its own;
	 * the folder and meta.json are too (else stage_flush() covers
	 * them all at once). */
	if (gen_write_meta(stagefd, out, each, e) == -1)
		goto out;
	if (each && io_fsync_dir(stagefd, ".", e) == -1)
		goto out;
	rc = 0;
out:
	if (treefd != -1)
		close(treefd);
	if (stagefd != -1)
		close(stagefd);
	if (rc == -1) {
		struct fy_err ignore = { 0 };

		if (sd->name[0] != '\0')
			io_remove_tree(gensfd, sd->name, &ignore);
		sd->name[0] = '\0';
		gen_free(out);
	}
	close(gensfd);
	return rc;
}

int
stage_flush(int fd, struct fy_err *e)
{
	if (FY_FAULT("stage.syncfs") == -1 || syncfs(fd) == -1)
		return fy_fail_errno(e, FY_E_IO, "gens", _("cannot flush the "
		    "new generation"));
	return 0;
}

int
stage_publish(int compfd, const struct gen *g, struct staged *sd,
    struct fy_err *e)
{
	int gensfd, rc = -1;

	if (sd->name[0] == '\0')
		return 0;		/* reused: published before */
	if ((gensfd = io_open_dir(compfd, "gens", e)) == -1)
		return -1;
	if (FY_FAULT("gen.rename") == -1 ||
	    renameat(gensfd, sd->name, gensfd, g->id) == -1) {
		fy_fail_errno(e, FY_E_SWITCH, g->id, _("cannot publish "
		    "generation"));
		goto out;
	}
	sd->name[0] = '\0';
	if (FY_FAULT("gens.fsync") == -1) {
		fy_fail_errno(e, FY_E_IO, "gens", _("directory fsync failed"));
		goto out;
	}
	if (!FY_SKIP("gens.fsync") && io_fsync_dir(gensfd, ".", e) == -1)
		goto out;
	rc = 0;
out:
	close(gensfd);
	return rc;
}

void
stage_abandon(int compfd, struct staged *sd)
{
	struct fy_err ignore = { 0 };
	int gensfd;

	if (sd->name[0] == '\0')
		return;
	if ((gensfd = io_open_dir(compfd, "gens", &ignore)) != -1) {
		io_remove_tree(gensfd, sd->name, &ignore);
		close(gensfd);
	}
	sd->name[0] = '\0';
}
