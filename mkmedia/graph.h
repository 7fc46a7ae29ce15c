/* SPDX-License-Identifier: MIT */
/*
 * graph: a repository component seen as a medium would list it, so that
 * mkmedia asks the clients' own planner (formats/plan.c) what a client at
 * each version would read.  Used by the delta policy (deltas.c: keep a
 * delta only when it lowers some client's cheapest plan) and by the
 * medium's choice of deltas (select.c).
 */
#ifndef FERRY_GRAPH_H
#define FERRY_GRAPH_H

#include <stdint.h>

#include "core/err.h"
#include "formats/manifest.h"
#include "mkmedia/repo.h"

#define GRAPH_NONE	UINT64_MAX	/* no plan at all */

struct graph {
	const struct repo_comp *c;
	struct mf_component mc;
	struct mf_version *mv;		/* one per c->v */
	struct mf_delta	*md;		/* the deltas in use, packed */
	struct mf_file	*mf;		/* bases, then deltas */
	size_t		*dk;		/* md[i] is c->d[dk[i]] */
};

int	graph_init(struct graph *g, const struct repo_comp *c,
	    struct fy_err *e);
/* Offer the base of version i where base[i] (NULL: none) and the deltas
 * k where delta[k] (NULL: every delta of the component). */
void	graph_offer(struct graph *g, const int *base, const int *delta);
/* Bytes a client at `from` (NULL: nothing installed) reads to reach
 * `to`, GRAPH_NONE when there is no way; with `used` (per c->d, may be
 * NULL) the deltas of that plan are marked 1. */
uint64_t graph_cost(const struct graph *g, const char *from, const char *to,
	    int *used);
void	graph_free(struct graph *g);

#endif
