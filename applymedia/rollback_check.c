/* SPDX-License-Identifier: MIT */
/*
 * rollback_check: may `applymedia rollback C` go back to C's previous
 * generation?  Not when another component's installed version requires C
 * at a version above it ("requires" recorded in the generations'
 * meta.json, state.h): the rollback is refused before anything changes,
 * with exit 13 as apply refuses an unmet requirement, and a hint that
 * only ever sends the administrator further back: roll the dependent
 * component back first, when its previous generation is older, works
 * with C's and its own rollback would be allowed (so that hint is never
 * refused in turn); else apply a version of it that does.  Following
 * the hints never leads back to the first refusal.
 * `apply --allow-downgrade` takes a component back too: downgrade_check
 * refuses it the same way when a component this run leaves alone
 * requires more.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "formats/version.h"
#include "applymedia/am.h"

/* The requirement of `g` on `comp` that `ver` does not meet, or NULL. */
static const struct gen_req *
unmet(const struct gen *g, const char *comp, const char *ver)
{
	size_t i;

	for (i = 0; i < g->nreqs; i++)
		if (strcmp(g->reqs[i].component, comp) == 0 &&
		    version_cmp(ver, g->reqs[i].min) < 0)
			return &g->reqs[i];
	return NULL;
}

/* Read `link` of component `name`: 0 found, 1 none, -1 error. */
static int
read_gen(struct run *r, const char *name, const char *link, struct gen *g,
    struct fy_err *e)
{
	int compfd, rc;

	memset(g, 0, sizeof(*g));
	if ((compfd = gen_dir(r->st, name, 0, e)) == -1) {
		if (e->code != FY_E_NOTFOUND)
			return -1;
		fy_clear(e);
		return 1;
	}
	rc = gen_read(compfd, link, g, e);
	close(compfd);
	return rc;
}

/*
 * The first configured component other than `comp` whose current
 * generation requires `comp` above `ver`: 1 (its generation in *dep, the
 * requirement in *req, which points into dep), 0 none, -1 error.
 */
static int
first_break(struct run *r, const char *comp, const char *ver,
    struct gen *dep, const struct gen_req **req, struct fy_err *e)
{
	size_t i;
	int rc;

	for (i = 0; i < r->cfg.nc; i++) {
		if (strcmp(r->cfg.c[i].name, comp) == 0)
			continue;
		if ((rc = read_gen(r, r->cfg.c[i].name, "current", dep, e)) != 0) {
			gen_free(dep);
			if (rc == -1)
				return -1;
			continue;
		}
		if ((*req = unmet(dep, comp, ver)) != NULL)
			return 1;
		gen_free(dep);
	}
	return 0;
}

/*
 * The generation rolled to has requirements of its own (a rollback that
 * swaps forward again, to a version that needs another component at a
 * version since rolled back): each other component must be installed at
 * the version it requires, as apply checks it.  A requirement on comp
 * itself is not checked: its own generations are what rollback is for.
 */
static int
own_reqs(struct run *r, const char *comp, const struct gen *prev,
    struct fy_err *e)
{
	struct gen have;
	size_t i;
	int rc;

	for (i = 0; i < prev->nreqs; i++) {
		const struct gen_req *q = &prev->reqs[i];

		if (strcmp(q->component, comp) == 0)
			continue;
		if ((rc = read_gen(r, q->component, "current", &have, e)) ==
		    -1) {
			gen_free(&have);
			return -1;
		}
		if (rc == 0 && version_cmp(have.version, q->min) >= 0) {
			gen_free(&have);
			continue;
		}
		fy_fail(e, FY_E_PREREQ, comp, _("%s %s requires %s %s or "
		    "later; installed: %s; rolling %s back to %s would break "
		    "it; nothing was changed; bring %s to %s or later first"),
		    comp, prev->version, q->component, q->min, rc == 0 ?
		    have.version : "none", comp, prev->version, q->component,
		    q->min);
		gen_free(&have);
		return -1;
	}
	return 0;
}

int
rollback_check(struct run *r, const char *comp, const struct gen *prev,
    struct fy_err *e)
{
	struct gen dep, dprev, other;
	const struct gen_req *req, *oreq;
	char depname[sizeof(dep.component)];
	int rc, have_prev, hint = 0;

	if ((rc = first_break(r, comp, prev->version, &dep, &req, e)) == 0)
		return own_reqs(r, comp, prev, e);
	if (rc == -1)
		return -1;
	snprintf(depname, sizeof(depname), "%s", dep.component);
	/* Roll the dependent back first?  Only to an older version that
	 * works with comp's previous one, and only when that rollback would
	 * itself be allowed. */
	have_prev = read_gen(r, depname, "previous", &dprev, e);
	if (have_prev == -1) {
		gen_free(&dep);
		gen_free(&dprev);
		return -1;
	}
	if (have_prev == 0 && strcmp(dprev.id, dep.id) != 0 &&
	    version_cmp(dprev.version, dep.version) < 0 &&
	    unmet(&dprev, comp, prev->version) == NULL) {
		rc = first_break(r, depname, dprev.version, &other, &oreq, e);
		if (rc == 1)
			gen_free(&other);
		hint = rc == 0;
		if (rc == -1) {
			gen_free(&dep);
			gen_free(&dprev);
			return -1;
		}
	}
	fy_fail(e, FY_E_PREREQ, comp, _("%s %s requires %s %s or later: "
	    "rolling %s back to %s would break it; nothing was changed"),
	    depname, dep.version, comp, req->min, comp, prev->version);
	if (hint)
		fy_append(e, _("; roll back %s first (to %s)"), depname,
		    dprev.version);
	else
		fy_append(e, _("; apply a version of %s that works with %s "
		    "%s first (applymedia --component %s --to VERSION "
		    "--allow-downgrade apply SOURCE)"), depname, comp,
		    prev->version, depname);
	gen_free(&dep);
	gen_free(&dprev);
	return -1;
}

/* Is `comp` one this run switches (a job with work)? */
static int
switched(const struct run *r, const char *comp)
{
	size_t i;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_WORK &&
		    strcmp(r->jobs[i].cc->name, comp) == 0)
			return 1;
	return 0;
}

int
downgrade_check(struct run *r, struct fy_err *e)
{
	const struct gen_req *req;
	struct gen dep;
	size_t i, k;
	int rc;

	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		const char *to;

		if (j->st != JOB_WORK || !j->have_local ||
		    version_cmp(j->plan.target->version, j->local.version) >= 0)
			continue;
		to = j->plan.target->version;
		/* a component this run switches too is judged by its new
		 * version's requirements (check_prereqs) */
		for (k = 0; k < r->cfg.nc; k++) {
			const char *name = r->cfg.c[k].name;

			if (strcmp(name, j->cc->name) == 0 ||
			    switched(r, name))
				continue;
			if ((rc = read_gen(r, name, "current", &dep, e)) != 0) {
				gen_free(&dep);
				if (rc == -1)
					return -1;
				continue;
			}
			if ((req = unmet(&dep, j->cc->name, to)) != NULL) {
				fy_fail(e, FY_E_PREREQ, j->cc->name, _("%s %s "
				    "requires %s %s or later: going back to %s "
				    "would break it; nothing was changed; take %s "
				    "back first (applymedia --component %s --to "
				    "VERSION --allow-downgrade apply SOURCE)"),
				    name, dep.version, j->cc->name, req->min, to,
				    name, name);
				gen_free(&dep);
				return -1;
			}
			gen_free(&dep);
		}
	}
	return 0;
}
