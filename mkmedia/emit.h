/* SPDX-License-Identifier: MIT */
/*
 * emit: write a selection as a medium under a root folder (emit.c), and
 * the README.txt that makes it self-describing (readme.c).
 */
#ifndef FERRY_EMIT_H
#define FERRY_EMIT_H

#include <stdint.h>

#include "core/err.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/select.h"

struct emit_result {
	uint64_t	written;	/* bytes written */
	uint64_t	kept;		/* bytes of packages already in place */
	uint64_t	removed;	/* obsolete files removed */
};

int	emit_medium(int repofd, struct selection *s, const struct mk_opts *o,
	    const char *root, struct emit_result *res, struct fy_err *e);
/* The README.txt text (malloc'ed). */
char	*emit_readme(const struct manifest *m, const struct mk_opts *o,
	    size_t *len);

#endif
