/* SPDX-License-Identifier: MIT */
/*
 * stage: build the new generation of one component in
 * c/<comp>/gens/.stage-<id>.<pid>/, from the spooled packages, verify it
 * against the target listing file by file, make it durable, and publish
 * it by one rename to gens/<id>.  Nothing the application sees changes.
 */
#ifndef FERRY_STAGE_H
#define FERRY_STAGE_H

#include "formats/plan.h"
#include "applymedia/state.h"
#include "formats/manifest.h"

struct stage_req {
	int			 compfd;	/* c/<component> */
	int			 spoolfd;
	const struct manifest	*m;
	const struct mf_component *c;
	const struct plan	*p;
	const struct gen	*local;		/* current generation or NULL */
	int64_t			 now;
};

/* Spool name of a medium file: its SHA-256 in hex. */
void	stage_spool_name(const struct mf_file *f, char out[DIGEST_HEXLEN + 1]);
/* On success *out describes the published generation (caller frees). */
int	stage_generation(const struct stage_req *r, struct gen *out,
	    struct fy_err *e);

#endif
