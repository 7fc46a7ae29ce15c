/* SPDX-License-Identifier: MIT */
/*
 * find: attached ferry media, by block device (libblkid), not by name.
 */
#ifndef FERRY_FIND_H
#define FERRY_FIND_H

#include <stddef.h>

#include "formats/blk.h"
#include "applymedia/am.h"

struct found {
	char		path[2200];	/* medium root or folder, or ISO file */
	struct blk_info	blk;
};

/* The client's medium policy (medium_label, medium_uuid; empty: any):
 * `find`, --auto and the plug-in apply (`auto`) all decide by this. */
int	find_policy_ok(const struct cfg *c, const struct blk_info *b);
int	find_media(const struct cfg *c, const char *const *extra,
	    size_t nextra, struct found **out, size_t *n, struct fy_err *e);
/* `applymedia find [PATH...]` */
int	am_find(const struct am_opts *o, const char *const *extra,
	    size_t nextra, struct fy_err *e);
/* --auto: the only attached medium, or FY_E_NOTFOUND / FY_E_USAGE with
 * the list. */
int	find_auto(const struct am_opts *o, char *out, size_t outsz,
	    struct fy_err *e);

#endif
