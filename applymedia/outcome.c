/* SPDX-License-Identifier: MIT */
/*
 * outcome: what an apply did to each component once the switches began.
 * A failing hook stops its own component only (docs/ADMIN-GUIDE.md
 * section 6): the components after it are still switched, except those
 * whose version on the medium requires it (or requires a component that
 * was not attempted in turn) at a version above the one live now, which
 * are not attempted.  Any other failure of a switch (the state's file
 * system) stops the rest.  Each
 * failed or not attempted component gets its own history line, and a
 * medium that had several components to switch ends with one line that
 * sums them up: updated, failed (which hook, what is installed now), not
 * attempted (why).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/say.h"
#include "formats/version.h"
#include "applymedia/am.h"
#include "applymedia/switch.h"

static const struct job *
job_named(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->njobs; i++)
		if (strcmp(r->jobs[i].cc->name, name) == 0)
			return &r->jobs[i];
	return NULL;
}

/* The version live now (after a switch back, or none). */
static void
live_version(const struct run *r, const char *name, char *out, size_t n)
{
	struct fy_err ge = { 0 };
	struct gen g;
	int compfd;

	out[0] = '\0';
	if ((compfd = gen_dir(r->st, name, 0, &ge)) == -1)
		return;
	if (gen_read(compfd, "current", &g, &ge) == 0)
		snprintf(out, n, "%s", g.version);
	gen_free(&g);
	close(compfd);
}

int
outcome_untried(const struct run *r, struct job *j, const struct job *stop)
{
	const struct mf_version *t = j->plan.target;
	const struct job *dep;
	char live[sizeof(((struct gen *)0)->version)];
	size_t k;

	if (stop != NULL) {
		fy_fail(&j->err, stop->err.code, j->cc->name, _("%s %s was not "
		    "attempted: the update stopped when %s failed"),
		    j->cc->name, t->version, stop->cc->name);
		return 1;
	}
	for (k = 0; k < t->nreqs; k++) {
		if (strcmp(t->reqs[k].component, j->cc->name) == 0 ||
		    (dep = job_named(r, t->reqs[k].component)) == NULL ||
		    (dep->st != JOB_FAILED && dep->st != JOB_UNTRIED))
			continue;
		/* the version live now (its own, after a switch back) may
		 * meet the requirement: then this one goes on */
		live_version(r, dep->cc->name, live, sizeof(live));
		if (live[0] != '\0' && version_valid(live) &&
		    version_cmp(live, t->reqs[k].min_version) >= 0)
			continue;
		fy_fail(&j->err, FY_E_PREREQ, j->cc->name, _("%s %s was not "
		    "attempted: it requires %s %s or later, and %s was not "
		    "updated"), j->cc->name, t->version, t->reqs[k].component,
		    t->reqs[k].min_version, t->reqs[k].component);
		return 1;
	}
	return 0;
}

void
outcome_log(struct run *r, const struct job *j)
{
	state_log(r->st, "apply", j->cc->name, j->have_local ? j->local.version :
	    NULL, j->plan.target->version, r->md->m->medium_id,
	    r->md->m->serial, fy_code_name(j->err.code), "%s %s from medium %s "
	    "%s: %s", j->cc->name, j->plan.target->version, r->md->m->medium_id,
	    j->st == JOB_FAILED ? "failed" : "not attempted",
	    fy_msg_en(&j->err));
}

static void
sum_failed(struct run *r, const struct job *j, int first, struct fy_err *e)
{
	char live[sizeof(((struct gen *)0)->version)];

	live_version(r, j->cc->name, live, sizeof(live));
	if (first)
		fy_append(e, _("; failed: %s %s"), j->cc->name,
		    j->plan.target->version);
	else
		fy_append(e, ", %s %s", j->cc->name, j->plan.target->version);
	if (j->hook != NULL)
		fy_append(e, _(" (%s hook failed; "), j->hook);
	else
		fy_append(e, _(" (%s; "), fy_code_name(j->err.code));
	if (live[0] != '\0')
		fy_append(e, _("installed: %s)"), live);
	else
		fy_append(e, _("not installed)"));
}

static void
sum_untried(const struct job *j, int first, struct fy_err *e)
{
	if (first)
		fy_append(e, _("; not attempted: %s %s"), j->cc->name,
		    j->plan.target->version);
	else
		fy_append(e, ", %s %s", j->cc->name, j->plan.target->version);
}

void
outcome_finish(struct run *r, struct fy_err *e)
{
	struct fy_err ge = { 0 };
	const struct job *first = NULL;
	size_t i, done = 0, nd = 0, nf = 0, nu = 0;
	int compfd;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		done += j->st == JOB_DONE;
		if (j->st == JOB_FAILED && first == NULL)
			first = j;
		/* what was staged and is not live goes, as after a refusal */
		if (j->have_new && j->st != JOB_DONE && (compfd = gen_dir(r->st,
		    j->cc->name, 0, &ge)) != -1) {
			(void)switch_drop(compfd, j->newg.id, &ge);
			close(compfd);
		}
	}
	if (first == NULL)
		return;
	if (r->nswitch < 2) {		/* its own line says it all */
		*e = first->err;
		return;
	}
	/* nswitch >= 2 here: the plural of the whole is always right */
	fy_fail(e, first->err.code, r->md->m->medium_id, _("%zu of %zu "
	    "components updated"), done, r->nswitch);
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_DONE)
			fy_append(e, nd++ == 0 ? ": %s %s -> %s" :
			    ", %s %s -> %s", r->jobs[i].cc->name,
			    r->jobs[i].have_local ? r->jobs[i].local.version :
			    "none", r->jobs[i].newg.version);
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_FAILED)
			sum_failed(r, &r->jobs[i], nf++ == 0, e);
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_UNTRIED)
			sum_untried(&r->jobs[i], nu++ == 0, e);
}
