/* SPDX-License-Identifier: MIT */
/*
 * delta_ctl: the two steps every suffix-array decoder (methods 3 to 6,
 * formats/SPEC.md §7.3) runs once its streams are readable: a difference
 * stream's (zero, literal) runs expanded in place, and the control
 * entries run over old, difference and extra.  Each decoder feeds them
 * values from its own stream coding; the checks live only here.
 */
#ifndef FERRY_DELTA_CTL_H
#define FERRY_DELTA_CTL_H

#include <stdint.h>

#include "core/err.h"

/* The difference stream d[0..dlen) whose literal bytes were decoded into
 * its tail, from rp. */
struct delta_runs {
	uint8_t		*d;
	uint64_t	 dlen, wp, rp;
};

/* One run: zero zero bytes, then lit literal bytes moved forward.  The
 * write position never passes the read position and every run writes at
 * least one byte, so the work is bounded by dlen (FY_E_INTEGRITY). */
int	delta_runs_step(struct delta_runs *r, uint64_t zero, uint64_t lit,
	    const char *where, struct fy_err *e);
/* After the last run: it covered the whole stream. */
int	delta_runs_done(const struct delta_runs *r, const char *where,
	    struct fy_err *e);

/* The control entries' state over old, difference (db, dlen) and extra
 * (eb, xlen), writing dst[0..want). */
struct delta_ctl {
	const uint8_t	*old, *db, *eb;
	uint8_t		*dst;
	uint64_t	 oldlen, want, dlen, xlen;
	uint64_t	 op, dp, xp;
	uint64_t	 nent;		/* entries applied so far */
	int64_t		 oldpos;
	int		 strict;	/* methods 4-6: no empty entry but
					 * the first */
};

/* Apply one entry v = (add, extra, zigzag(seek)); FY_E_INTEGRITY when it
 * reaches outside a buffer, is empty (strict) or is one more than the
 * output has bytes (+1). */
int	delta_ctl_step(struct delta_ctl *a, const uint64_t v[3],
	    const char *where, struct fy_err *e);
/* After the last entry: every buffer used up exactly. */
int	delta_ctl_done(const struct delta_ctl *a, const char *where,
	    struct fy_err *e);

#endif
