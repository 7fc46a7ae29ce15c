/* SPDX-License-Identifier: MIT */
/*
 * fleetsel: the packages a medium built for the fleet carries (`mkmedia
 * build --for REPORTS`, issue 18 sec. 3).  Input: what each trusted
 * reporting client has installed; output, per component, the base and the
 * deltas that bring every one of them to the target with the fewest total
 * bytes on the medium.  Each client's way is the one its own planner
 * (formats/plan.c, plan_make) would take on that medium: the choice asks
 * the planner, it never computes a path of its own.
 *
 * Fewest total bytes is a directed Steiner problem; the choice is greedy
 * (each client in turn takes its cheapest way, where the packages already
 * chosen cost nothing), tried in several client orders, with the base-only
 * medium as one candidate, then pruned (a package no client needs any
 * more goes).  tests/unit/test_fleetsel.c compares it with the exhaustive
 * optimum on random small repositories.
 */
#ifndef FERRY_FLEETSEL_H
#define FERRY_FLEETSEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "mkmedia/repo.h"

/* One client's component, from its newest trusted report. */
struct fleet_need {
	char		client[96];	/* shown: host name or client id */
	char		component[65];
	char		variant[65];	/* "" none */
	char		version[65];	/* installed, "" nothing */
	int		pinned;		/* held back: left as it is */
};

/* A starting version of one component and the clients at it. */
struct fleet_start {
	const char	*version;	/* NULL: nothing installed */
	size_t		*need;		/* indexes into the needs */
	size_t		 nneed;
	int		 dropped;	/* left behind: 1 by --max-size,
					 * 2 no way to the target in the
					 * repository */
	int		 resized;	/* fleet_split's scratch */
};

/* One component of the medium. */
struct fleet_comp {
	const struct repo_comp *c;
	const struct repo_version *target;
	struct fleet_start *starts;
	size_t		 nstarts;
	/* the choice */
	int		*use_base;	/* per c->v, owned (one base, or
					 * more where the publisher forbids
					 * a base over older versions) */
	int		*use_delta;	/* per c->d, owned */
	uint64_t	 bytes;		/* of the base and deltas chosen */
};

/* The clients of c (those not pinned, behind target) grouped by their
 * version; 0 with *nstarts 0 when none needs c.  Versions newer than the
 * target are left alone (never a downgrade). */
int	fleet_comp_init(struct fleet_comp *fc, const struct repo_comp *c,
	    const struct repo_version *target, const struct fleet_need *needs,
	    size_t nneeds, struct fy_err *e);
/* Choose the base and deltas for the starts not dropped. */
int	fleet_choose(struct fleet_comp *fc, struct fy_err *e);
/* --max-size: while the total (plus `slack`) exceeds max, drop the start
 * whose removal saves the most bytes per client left behind, and choose
 * again.  A component none of whose starts is left carries nothing. */
int	fleet_fit(struct fleet_comp *fc, size_t n, uint64_t max,
	    uint64_t slack, struct fy_err *e);
/* The split into several media of max bytes (slack each) that carries
 * every client --max-size left behind: per component what serves all
 * its clients, first fit by decreasing size.  media[i] is component i's
 * medium (0, 1, ...), bytes[m] what medium m carries (n entries each);
 * returns the number of media, 0 when a component alone exceeds max
 * (*too_big is then its index).  The choice in fc is left as it was. */
int	fleet_split(struct fleet_comp *fc, size_t n, uint64_t max,
	    uint64_t slack, size_t *media, uint64_t *bytes, size_t *too_big,
	    struct fy_err *e);
void	fleet_comp_free(struct fleet_comp *fc);

#endif
