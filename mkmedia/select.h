/* SPDX-License-Identifier: MIT */
/*
 * select: what goes on a medium.  Per component: the target version (the
 * newest, or the one asked for) with its base package, plus the deltas
 * whose both ends lie inside the policy window before it, and the
 * versions those deltas name (listed, without bases), of those deltas
 * only the ones some client's cheapest plan uses.  --max-size then drops
 * the deltas whose loss costs the clients least (select_fit in
 * assemble.h).  The result is a manifest skeleton whose
 * files[] point at repository files (struct sel_file).
 */
#ifndef FERRY_SELECT_H
#define FERRY_SELECT_H

#include "formats/manifest.h"
#include "mkmedia/fleetsel.h"
#include "mkmedia/mkmedia.h"

struct sel_file {
	char		src[512];	/* path relative to the repository, ""
					 * when nothing is copied (split) */
	uint64_t	off;		/* a part: this range of src */
	uint64_t	len;		/* 0: the whole file */
};

struct selection {
	struct manifest	*m;	/* components, versions, deltas, files */
	struct sel_file	*src;	/* parallel to m->files */
	uint64_t	 total;	/* bytes of all packages */
	/* --for: per component the clients found behind it, the choice,
	 * and which clients --max-size or the repository left behind */
	struct fleet_comp *fleet;
	size_t		 nfleet;
};

/* prev: the previous medium's manifest for --since (NULL: none). */
int	select_build(struct repo *r, const struct mk_opts *o,
	    const struct manifest *prev, struct selection *out,
	    struct fy_err *e);
void	select_free(struct selection *s);
/* fleetbuild.c: what --for chose and left behind, and the split that
 * --max-size calls for. */
int	mk_fleet_say(struct selection *s, const struct mk_opts *o,
	    struct fy_err *e);
/* fleetbuild.c: what the trusted clients in o->for_paths have installed,
 * from the newest report of each (mk_fleet_load); untrusted reports are
 * named and left out.  *out is malloc'ed. */
int	mk_fleet_needs(const struct mk_opts *o, struct fleet_need **out,
	    size_t *n, struct fy_err *e);

#endif
