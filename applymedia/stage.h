/* SPDX-License-Identifier: MIT */
/*
 * stage: build the new generation of one component in
 * c/<comp>/gens/.stage-<id>.<pid>/, from the spooled packages, verify it
 * against the target listing file by file; once every component's is
 * built, make them durable (one syncfs) and publish each by one rename to
 * gens/<id>.  Nothing the application sees changes.
 */
#ifndef FERRY_STAGE_H
#define FERRY_STAGE_H

#include "formats/plan.h"
#include "applymedia/state.h"
#include "formats/manifest.h"

struct stage_req {
	int			 compfd;	/* c/<component> */
	int			 spoolfd;
	int			 pkgmem;	/* the base package in memory
						 * (spool.c), read once; or -1 */
	const struct manifest	*m;
	const struct mf_component *c;
	const struct plan	*p;
	const struct gen	*local;		/* current generation or NULL */
	int64_t			 now;
};

/* Spool name of a medium file: its SHA-256 in hex. */
void	stage_spool_name(const struct mf_file *f, char out[DIGEST_HEXLEN + 1]);
/* A generation stage_build() left in gens/<name> for stage_publish(). */
struct staged {
	char	name[300];	/* ".stage-<id>.<pid>", "" when none */
};
/* Build, verify and describe (meta.json) the new generation in
 * gens/.stage-<id>.<pid>; *out describes it (caller frees).  An existing
 * complete gens/<id> with the right tree is reused: sd->name is "".
 * Where syncfs reports write-back errors nothing is flushed yet, so that
 * one stage_flush() covers the generations of every component; else each
 * file and folder was fsync'ed as written. */
int	stage_build(const struct stage_req *r, struct gen *out,
	    struct staged *sd, struct fy_err *e);
/* syncfs of the state's file system (fd: any folder on it). */
int	stage_flush(int fd, struct fy_err *e);
/* After the flush: rename to gens/<id>, fsync gens. */
int	stage_publish(int compfd, const struct gen *g, struct staged *sd,
	    struct fy_err *e);
/* Remove a build that will not be published. */
void	stage_abandon(int compfd, struct staged *sd);

#endif
