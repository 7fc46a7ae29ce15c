/* SPDX-License-Identifier: MIT */
/*
 * spool: the first step of `applymedia apply` (apply.c): every package the
 * plans need is copied off the medium into state_dir/spool once, hashed
 * while copied, the parts of a split file joined; then the medium may be
 * removed.  A spooled file that already matches its hash is kept.
 */
#ifndef FERRY_SPOOL_H
#define FERRY_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "applymedia/am.h"
#include "core/say.h"

struct fetch_ctx {
	struct progress	*p;
	uint64_t	 base;
};

/* The medium files plan p reads (its base, then each delta) into out
 * (room for PLAN_MAX_STEPS + 1); returns their total size. */
uint64_t spool_plan_files(const struct plan *p, const struct mf_file **out,
	    size_t *n);
/* Spool one medium file (its parts, then joined, when split). */
int	spool_fetch_one(struct run *r, int spoolfd, const struct mf_file *f,
	    struct fetch_ctx *fc, struct fy_err *e);
/* Spool what every JOB_WORK job needs; *read: bytes read off the medium.
 * The base package of a base-only plan goes into memory when it fits
 * (job->pkgmem, read once by stage_build), everything else into
 * spoolfd. */
int	spool_all(struct run *r, int spoolfd, uint64_t *read,
	    struct fy_err *e);
/* Close what spool_all() kept in memory. */
void	spool_release(struct run *r);

#endif
