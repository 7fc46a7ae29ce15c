/* SPDX-License-Identifier: MIT */
/*
 * fleetsel: bases and deltas for the clients that reported (fleetsel.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "formats/manifest.h"
#include "formats/plan.h"
#include "formats/version.h"
#include "mkmedia/fleetsel.h"

/* The component as a medium carrying every base and delta would list it,
 * for plan_make.  A package is taken out of the planner's view by
 * dropping the base pointer or by naming no version as the delta's start;
 * one already chosen costs nothing more. */
struct g {
	const struct fleet_comp *fc;
	struct mf_component mc;
	struct mf_version *mv;
	struct mf_delta	*md;
	struct mf_file	*mf;
	int		*avail;		/* per base, then per delta */
	int		*chosen;
	size_t		 nv, nd;
};

static int
g_init(struct g *g, const struct fleet_comp *fc, struct fy_err *e)
{
	const struct repo_comp *c = fc->c;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->fc = fc;
	g->nv = c->nv;
	g->nd = c->nd;
	g->mv = calloc(c->nv + 1, sizeof(*g->mv));
	g->md = calloc(c->nd + 1, sizeof(*g->md));
	g->mf = calloc(c->nv + c->nd + 1, sizeof(*g->mf));
	g->avail = calloc(c->nv + c->nd + 1, sizeof(int));
	g->chosen = calloc(c->nv + c->nd + 1, sizeof(int));
	if (!g->mv || !g->md || !g->mf || !g->avail || !g->chosen)
		return fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
	g->mc.name = (char *)c->name;
	g->mc.variant = (char *)c->variant;
	g->mc.versions = g->mv;
	g->mc.nversions = c->nv;
	g->mc.deltas = g->md;
	g->mc.ndeltas = c->nd;
	for (i = 0; i < c->nv; i++) {
		g->mv[i].version = (char *)c->v[i].version;
		g->mv[i].base_any_older = c->v[i].base_over_any;
	}
	for (i = 0; i < c->nd; i++) {
		g->md[i].to = (char *)c->d[i].to;
		g->md[i].file = &g->mf[c->nv + i];
	}
	return 0;
}

static void
g_free(struct g *g)
{
	free(g->mv);
	free(g->md);
	free(g->mf);
	free(g->avail);
	free(g->chosen);
}

static uint64_t
pkg_size(const struct g *g, size_t k)
{
	return k < g->nv ? g->fc->c->v[k].base_size :
	    g->fc->c->d[k - g->nv].size;
}

/* Show the planner the packages available, the chosen ones free. */
static void
g_apply(struct g *g)
{
	size_t k;

	for (k = 0; k < g->nv + g->nd; k++) {
		g->mf[k].size = g->chosen[k] ? 0 : pkg_size(g, k);
		if (k < g->nv)
			g->mv[k].base = g->avail[k] ? &g->mf[k] : NULL;
		else
			g->md[k - g->nv].from = g->avail[k] ?
			    (char *)g->fc->c->d[k - g->nv].from : (char *)"";
	}
}

/* The client's own planner from `start`; marks what it reads chosen. */
static int
g_take(struct g *g, const char *start, int mark)
{
	struct plan_input in = { 0 };
	struct fy_err pe = { 0 };
	struct plan pl;
	size_t i;

	g_apply(g);
	in.c = &g->mc;
	in.local = start;
	in.local_ok = start != NULL &&
	    repo_version(g->fc->c, start) != NULL;
	in.target = g->fc->target->version;
	if (plan_make(&in, &pl, &pe) == -1)
		return -1;
	if (!mark)
		return 0;
	if (pl.base != NULL)
		g->chosen[(size_t)(pl.base - g->mv)] = 1;
	for (i = 0; i < pl.nsteps; i++)
		g->chosen[g->nv + (size_t)(pl.steps[i] - g->md)] = 1;
	return 0;
}

/* Every start not dropped still has a way with only the chosen ones. */
static int
g_feasible(struct g *g)
{
	size_t i, k;

	for (k = 0; k < g->nv + g->nd; k++)
		g->avail[k] = g->chosen[k];
	for (i = 0; i < g->fc->nstarts; i++)
		if (!g->fc->starts[i].dropped &&
		    g_take(g, g->fc->starts[i].version, 0) == -1)
			return 0;
	return 1;
}

struct cand {
	uint64_t	bytes;
	size_t		npkg;
};

/* May every start not dropped use the base of version k?  (The planner's
 * rule: over an older installed version only if the publisher allows.) */
static int
base_for_all(const struct g *g, size_t k)
{
	const struct repo_version *v = &g->fc->c->v[k];
	size_t i;

	if (v->base_over_any)
		return 1;
	for (i = 0; i < g->fc->nstarts; i++)
		if (!g->fc->starts[i].dropped &&
		    g->fc->starts[i].version != NULL &&
		    version_cmp(g->fc->starts[i].version, v->version) < 0)
			return 0;
	return 1;
}

/* Pruning: the largest package first, while every start keeps a way
 * without it. */
static void
g_prune(struct g *g)
{
	size_t k, best;

	for (;;) {
		best = SIZE_MAX;
		for (k = 0; k < g->nv + g->nd; k++)
			if (g->chosen[k] == 1 && (best == SIZE_MAX ||
			    pkg_size(g, k) > pkg_size(g, best)))
				best = k;
		if (best == SIZE_MAX)
			break;
		g->chosen[best] = 0;
		/* kept: 2 (chosen, needed), so it is not tried again */
		if (!g_feasible(g))
			g->chosen[best] = 2;
	}
	for (k = 0; k < g->nv + g->nd; k++)
		g->chosen[k] = g->chosen[k] != 0;
}

static struct cand
g_total(const struct g *g)
{
	struct cand r = { 0, 0 };
	size_t k;

	for (k = 0; k < g->nv + g->nd; k++)
		if (g->chosen[k]) {
			r.bytes += pkg_size(g, k);
			r.npkg++;
		}
	return r;
}

/* One greedy pass over the starts in `order` (SIZE_MAX: the way of a
 * client with nothing installed; SIZE_MAX - 1: the cheapest way through a
 * base every start may use), then pruning and a local search. */
static struct cand
g_greedy(struct g *g, const size_t *order, size_t n, int *save)
{
	struct cand r;
	size_t i, k;
	int improved;

	for (k = 0; k < g->nv + g->nd; k++) {
		g->avail[k] = 1;
		g->chosen[k] = 0;
	}
	for (i = 0; i < n; i++) {
		if (order[i] == SIZE_MAX - 1) {
			/* a base every start may use, the way to it */
			for (k = 0; k < g->nv; k++)
				g->avail[k] = base_for_all(g, k);
			(void)g_take(g, NULL, 1);
			for (k = 0; k < g->nv; k++)
				g->avail[k] = 1;
			continue;
		}
		(void)g_take(g, order[i] >= SIZE_MAX - 1 ? NULL :
		    g->fc->starts[order[i]].version, 1);
	}
	g_prune(g);
	r = g_total(g);
	/* Local search: a package not chosen that lets larger ones go. */
	for (improved = 1; improved; ) {
		improved = 0;
		for (k = 0; k < g->nv + g->nd; k++) {
			struct cand t;

			if (g->chosen[k])
				continue;
			memcpy(save, g->chosen, (g->nv + g->nd) * sizeof(int));
			g->chosen[k] = 2;	/* the others go first */
			g_prune(g);
			g_prune(g);
			t = g_total(g);
			if (t.bytes < r.bytes) {
				r = t;
				improved = 1;
			} else
				memcpy(g->chosen, save, (g->nv + g->nd) *
				    sizeof(int));
		}
	}
	return r;
}

static const struct fleet_comp *sort_fc;

static int
by_version(const void *a, const void *b)
{
	const char *x = sort_fc->starts[*(const size_t *)a].version;
	const char *y = sort_fc->starts[*(const size_t *)b].version;

	if (x == NULL || y == NULL)
		return (x != NULL) - (y != NULL);
	return version_cmp(x, y);
}

static int
by_clients(const void *a, const void *b)
{
	size_t x = sort_fc->starts[*(const size_t *)a].nneed;
	size_t y = sort_fc->starts[*(const size_t *)b].nneed;

	return x < y ? 1 : x > y ? -1 : by_version(a, b);
}

int
fleet_choose(struct fleet_comp *fc, struct fy_err *e)
{
	struct g g;
	struct cand best = { UINT64_MAX, 0 }, c;
	size_t *order = NULL, n = 0, i, k, pass;
	int *keep = NULL, *save = NULL, rc = -1;

	memset(fc->use_base, 0, (fc->c->nv + 1) * sizeof(int));
	memset(fc->use_delta, 0, (fc->c->nd + 1) * sizeof(int));
	fc->bytes = 0;
	if (g_init(&g, fc, e) == -1)
		goto out;
	order = calloc(fc->nstarts + 2, sizeof(*order));
	keep = calloc(fc->c->nv + fc->c->nd + 1, sizeof(int));
	save = calloc(fc->c->nv + fc->c->nd + 1, sizeof(int));
	if (order == NULL || keep == NULL || save == NULL) {
		fy_fail(e, FY_E_INTERNAL, fc->c->name, "out of memory");
		goto out;
	}
	/* A start that has no way even with every package is left behind
	 * (a publisher that forbids the base over an older version, no
	 * delta from it). */
	for (k = 0; k < g.nv + g.nd; k++)
		g.avail[k] = 1, g.chosen[k] = 0;
	for (i = 0; i < fc->nstarts; i++)
		if (!fc->starts[i].dropped && g_take(&g, fc->starts[i].version,
		    0) == -1)
			fc->starts[i].dropped = 2;
	for (i = 0; i < fc->nstarts; i++)
		if (!fc->starts[i].dropped)
			order[n++] = i;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	sort_fc = fc;
	for (pass = 0; pass < 5; pass++) {
		switch (pass) {
		case 0:		/* oldest first: its chain serves the newer */
			qsort(order, n, sizeof(*order), by_version);
			c = g_greedy(&g, order, n, save);
			break;
		case 1:		/* newest first */
			for (i = 0; i < n / 2; i++) {
				size_t t = order[i];

				order[i] = order[n - 1 - i];
				order[n - 1 - i] = t;
			}
			c = g_greedy(&g, order, n, save);
			break;
		case 2:		/* the most clients first */
			qsort(order, n, sizeof(*order), by_clients);
			c = g_greedy(&g, order, n, save);
			break;
		default:	/* a base for everyone, then what is free:
				 * the cheapest from nothing, or the
				 * cheapest every start may use */
			memmove(order + 1, order, n * sizeof(*order));
			order[0] = pass == 3 ? SIZE_MAX : SIZE_MAX - 1;
			c = g_greedy(&g, order, n + 1, save);
			memmove(order, order + 1, n * sizeof(*order));
			break;
		}
		if (c.bytes < best.bytes || (c.bytes == best.bytes &&
		    c.npkg < best.npkg)) {
			best = c;
			memcpy(keep, g.chosen, (g.nv + g.nd) * sizeof(int));
		}
	}
	for (k = 0; k < g.nv; k++)
		fc->use_base[k] = keep[k];
	for (k = 0; k < g.nd; k++)
		fc->use_delta[k] = keep[g.nv + k];
	fc->bytes = best.bytes;
	rc = 0;
out:
	free(order);
	free(keep);
	free(save);
	g_free(&g);
	return rc;
}

int
fleet_comp_init(struct fleet_comp *fc, const struct repo_comp *c,
    const struct repo_version *target, const struct fleet_need *needs,
    size_t nneeds, struct fy_err *e)
{
	size_t i, k;

	memset(fc, 0, sizeof(*fc));
	fc->c = c;
	fc->target = target;
	fc->use_base = calloc(c->nv + 1, sizeof(int));
	fc->use_delta = calloc(c->nd + 1, sizeof(int));
	fc->starts = calloc(nneeds + 1, sizeof(*fc->starts));
	if (fc->use_base == NULL || fc->use_delta == NULL || fc->starts == NULL)
		return fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
	for (i = 0; i < nneeds; i++) {
		const struct fleet_need *nd = &needs[i];
		const char *v = nd->version[0] ? nd->version : NULL;
		struct fleet_start *s = NULL;
		size_t *nv;

		if (strcmp(nd->component, c->name) != 0 ||
		    strcmp(nd->variant, c->variant) != 0 || nd->pinned)
			continue;
		if (v != NULL && version_cmp(v, target->version) >= 0)
			continue;	/* current, or ahead of the target */
		for (k = 0; k < fc->nstarts && s == NULL; k++)
			if ((v == NULL && fc->starts[k].version == NULL) ||
			    (v != NULL && fc->starts[k].version != NULL &&
			    strcmp(v, fc->starts[k].version) == 0))
				s = &fc->starts[k];
		if (s == NULL) {
			s = &fc->starts[fc->nstarts++];
			s->version = v;
		}
		if ((nv = realloc(s->need, (s->nneed + 1) *
		    sizeof(*nv))) == NULL)
			return fy_fail(e, FY_E_INTERNAL, c->name,
			    "out of memory");
		s->need = nv;
		s->need[s->nneed++] = i;
	}
	return 0;
}

void
fleet_comp_free(struct fleet_comp *fc)
{
	size_t i;

	for (i = 0; fc->starts != NULL && i < fc->nstarts; i++)
		free(fc->starts[i].need);
	free(fc->starts);
	free(fc->use_base);
	free(fc->use_delta);
	memset(fc, 0, sizeof(*fc));
}

int
fleet_fit(struct fleet_comp *fc, size_t n, uint64_t max, uint64_t slack,
    struct fy_err *e)
{
	size_t i, k;

	if (max == 0)
		return 0;
	for (;;) {
		uint64_t total = slack, before, saved;
		size_t bc = SIZE_MAX, bs = 0;
		double bratio = -1, ratio;

		for (i = 0; i < n; i++)
			total += fc[i].bytes;
		if (total <= max)
			return 0;
		for (i = 0; i < n; i++)
			for (k = 0; k < fc[i].nstarts; k++) {
				if (fc[i].starts[k].dropped)
					continue;
				before = fc[i].bytes;
				fc[i].starts[k].dropped = 1;
				if (fleet_choose(&fc[i], e) == -1)
					return -1;
				saved = before - fc[i].bytes;
				ratio = (double)saved /
				    (double)fc[i].starts[k].nneed;
				if (ratio > bratio) {
					bratio = ratio;
					bc = i;
					bs = k;
				}
				fc[i].starts[k].dropped = 0;
				if (fleet_choose(&fc[i], e) == -1)
					return -1;
			}
		if (bc == SIZE_MAX)
			return 0;	/* nothing left to drop */
		fc[bc].starts[bs].dropped = 1;
		if (fleet_choose(&fc[bc], e) == -1)
			return -1;
	}
}

int
fleet_split(struct fleet_comp *fc, size_t n, uint64_t max, uint64_t slack,
    size_t *media, uint64_t *bytes, size_t *too_big, struct fy_err *e)
{
	uint64_t *full = calloc(n + 1, sizeof(*full));
	size_t *ord = calloc(n + 1, sizeof(*ord));
	size_t i, j, k, nm = 0;
	int rc = -1;

	if (full == NULL || ord == NULL) {
		fy_fail(e, FY_E_INTERNAL, "--max-size", "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {	/* what serves everyone */
		int was = 0;

		for (k = 0; k < fc[i].nstarts; k++)
			if (fc[i].starts[k].dropped == 1) {
				fc[i].starts[k].dropped = 0;
				fc[i].starts[k].resized = 1;
				was = 1;
			}
		if (fleet_choose(&fc[i], e) == -1)
			goto out;
		full[i] = fc[i].bytes;
		for (k = 0; k < fc[i].nstarts; k++)
			if (fc[i].starts[k].resized) {
				fc[i].starts[k].dropped = 1;
				fc[i].starts[k].resized = 0;
			}
		if (was && fleet_choose(&fc[i], e) == -1)
			goto out;
		ord[i] = i;
	}
	for (i = 1; i < n; i++)		/* by decreasing size */
		for (j = i; j > 0 && full[ord[j]] > full[ord[j - 1]]; j--) {
			k = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = k;
		}
	for (i = 0; i < n; i++) {
		size_t c = ord[i];

		if (full[c] + slack > max) {
			*too_big = c;
			rc = 0;
			goto out;
		}
		for (j = 0; j < nm && bytes[j] + full[c] + slack > max; j++)
			;
		if (j == nm)
			bytes[nm++] = 0;
		bytes[j] += full[c];
		media[c] = j;
	}
	rc = (int)nm;
out:
	free(full);
	free(ord);
	return rc;
}
