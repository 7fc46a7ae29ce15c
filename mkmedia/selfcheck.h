/* SPDX-License-Identifier: MIT */
/*
 * selfcheck: before a new medium is switched in, every package this build
 * wrote is read back from the target and checked with the client's own
 * code: its size and SHA-256, every base package extracted
 * (package_extract_base) and every delta applied (deltapkg_apply) into a
 * scratch folder of the repository, each compared entry by entry with
 * the listing.  A medium that a client would refuse is never switched in.
 */
#ifndef FERRY_SELFCHECK_H
#define FERRY_SELFCHECK_H

#include "core/err.h"
#include "mkmedia/repo.h"
#include "mkmedia/select.h"

struct selfcheck {
	struct repo	*r;
};

/* emit_check_fn: arg is a struct selfcheck; ffd the medium folder. */
int	selfcheck_packages(void *arg, int ffd, const struct selection *s,
	    const unsigned char *fresh, struct fy_err *e);

#endif
