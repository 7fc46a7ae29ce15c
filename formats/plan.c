/* SPDX-License-Identifier: MIT */
/*
 * plan: Dijkstra over the versions of one component (see plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "formats/deltapkg.h"
#include "formats/plan.h"
#include "formats/version.h"

#define INF	UINT64_MAX

static ptrdiff_t
index_of(const struct mf_component *c, const char *v)
{
	const struct mf_version *x;

	if (v == NULL || (x = mf_version_find(c, v)) == NULL)
		return -1;
	return x - c->versions;
}

/* May the base of version i be used?  Over an installed older version
 * only when the publisher allows it (base_over_any, the default). */
static int
base_usable(const struct plan_input *in, size_t i)
{
	const struct mf_version *v = &in->c->versions[i];

	if (v->base == NULL)
		return 0;
	if (in->local != NULL && !v->base_any_older &&
	    version_cmp(in->local, v->version) < 0)
		return 0;
	return 1;
}

uint64_t
plan_delta_mem(const struct mf_component *c, const struct mf_delta *d)
{
	const struct mf_version *a = mf_version_find(c, d->from);
	const struct mf_version *b = mf_version_find(c, d->to);

	if (a == NULL || b == NULL)
		return UINT64_MAX;
	return deltapkg_mem_bound(&a->tree, &b->tree);
}

static int
plan_run(const struct plan_input *in, struct plan *out, struct fy_err *e)
{
	const struct mf_component *c = in->c;
	size_t n = c->nversions, i, j, u;
	uint64_t *dist = NULL;
	size_t *hops = NULL, *via = NULL;	/* via: delta index, or SIZE_MAX */
	char *done = NULL;
	ptrdiff_t t, l;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return fy_fail(e, FY_E_NOTFOUND, c->name, _("no versions on the "
		    "medium"));
	t = in->target ? index_of(c, in->target) : (ptrdiff_t)n - 1;
	if (t < 0)
		return fy_fail(e, FY_E_NOTFOUND, c->name, _("version %s is not "
		    "on the medium"), in->target);
	out->target = &c->versions[t];
	l = index_of(c, in->local);
	if (l == t && in->local_ok) {
		out->kind = PLAN_NOTHING;
		return 0;
	}
	dist = malloc(n * sizeof(*dist));
	hops = malloc(n * sizeof(*hops));
	via = malloc(n * sizeof(*via));
	done = calloc(n, 1);
	if (!dist || !hops || !via || !done) {
		fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		dist[i] = base_usable(in, i) ? c->versions[i].base->size : INF;
		hops[i] = 1;
		via[i] = SIZE_MAX;
	}
	if (l >= 0 && in->local_ok) {
		dist[l] = 0;
		hops[l] = 0;
	}
	for (;;) {
		for (u = SIZE_MAX, i = 0; i < n; i++)
			if (!done[i] && dist[i] != INF && (u == SIZE_MAX ||
			    dist[i] < dist[u] || (dist[i] == dist[u] &&
			    hops[i] < hops[u])))
				u = i;
		if (u == SIZE_MAX || u == (size_t)t)
			break;
		done[u] = 1;
		for (j = 0; !in->no_deltas && j < c->ndeltas; j++) {
			const struct mf_delta *d = &c->deltas[j];
			ptrdiff_t a = index_of(c, d->from), b = index_of(c, d->to);
			uint64_t nd;

			if (a != (ptrdiff_t)u || b < 0 || done[b] ||
			    hops[u] + 1 > PLAN_MAX_STEPS)
				continue;
			if (in->mem_avail != 0 &&
			    plan_delta_mem(c, d) > in->mem_avail)
				continue;
			nd = dist[u] + d->file->size;
			if (nd < dist[b] || (nd == dist[b] && hops[u] + 1 <
			    hops[b])) {
				dist[b] = nd;
				hops[b] = hops[u] + 1;
				via[b] = j;
			}
		}
	}
	if (dist[t] == INF) {
		if (in->local != NULL && out->target->base != NULL &&
		    !out->target->base_any_older)
			fy_fail(e, FY_E_NOPATH, c->name, _("the publisher does "
			    "not allow the base of %s over the installed %s, and "
			    "there is no delta chain from it"),
			    out->target->version, in->local);
		else if (in->local != NULL)
			fy_fail(e, FY_E_NOPATH, c->name, _("no base of %s on the "
			    "medium and no delta chain from the installed %s"),
			    out->target->version, in->local);
		else
			fy_fail(e, FY_E_NOPATH, c->name, _("nothing installed and "
			    "no base of %s on the medium"), out->target->version);
		goto out;
	}
	/* Walk back from the target to the start. */
	out->bytes = dist[t];
	out->nsteps = 0;
	for (u = (size_t)t; via[u] != SIZE_MAX; ) {
		const struct mf_delta *d = &c->deltas[via[u]];

		out->steps[out->nsteps++] = d;
		u = (size_t)index_of(c, d->from);
	}
	for (i = 0; i < out->nsteps / 2; i++) {
		const struct mf_delta *tmp = out->steps[i];

		out->steps[i] = out->steps[out->nsteps - 1 - i];
		out->steps[out->nsteps - 1 - i] = tmp;
	}
	if (l >= 0 && in->local_ok && u == (size_t)l) {
		out->kind = PLAN_CHAIN;
	} else {
		out->base = &c->versions[u];
		out->kind = out->nsteps ? PLAN_BASE_CHAIN : PLAN_BASE;
	}
	rc = 0;
out:
	free(dist);
	free(hops);
	free(via);
	free(done);
	return rc;
}

int
plan_make(const struct plan_input *in, struct plan *out, struct fy_err *e)
{
	struct plan_input all;
	struct plan full;
	struct fy_err fe = { 0 };
	const struct mf_delta *big = NULL;
	uint64_t need = 0;
	size_t i;
	int rc;

	if (in->mem_avail == 0 || in->no_deltas)
		return plan_run(in, out, e);
	/* What would the plan be with enough memory?  If it uses a delta
	 * that does not fit, say so; the plan without it stands. */
	all = *in;
	all.mem_avail = 0;
	if (plan_run(&all, &full, &fe) == 0)
		for (i = 0; i < full.nsteps && big == NULL; i++)
			if ((need = plan_delta_mem(in->c, full.steps[i])) >
			    in->mem_avail)
				big = full.steps[i];
	rc = plan_run(in, out, big ? &fe : e);
	if (big == NULL)
		return rc;
	if (rc == -1) {
		memset(out, 0, sizeof(*out));
		return fy_fail(e, FY_E_NOPATH, in->c->name, _("delta %s -> %s "
		    "needs %llu MiB of memory to apply, %llu MiB are "
		    "available, and no other way to %s is on the medium"),
		    big->from, big->to, (unsigned long long)((need + (1 << 20) -
		    1) >> 20), (unsigned long long)(in->mem_avail >> 20),
		    full.target->version);
	}
	out->mem_skipped = big;
	out->mem_need = need;
	return 0;
}

void
plan_describe(const struct plan *p, char *buf, size_t n)
{
	size_t i, o = 0;

	buf[0] = '\0';
	if (p->kind == PLAN_NOTHING) {
		snprintf(buf, n, "nothing (already at %s)", p->target->version);
		return;
	}
	if (p->base != NULL)
		o += (size_t)snprintf(buf + o, n - o, "base %s",
		    p->base->version);
	if (p->nsteps > 0 && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%sdelta chain %s",
		    p->base ? ", then " : "", p->steps[0]->from);
	for (i = 0; i < p->nsteps && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, " -> %s", p->steps[i]->to);
}
