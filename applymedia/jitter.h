/* SPDX-License-Identifier: MIT */
/*
 * jitter: `--jitter SECONDS` spreads scheduled runs.  Hundreds of clients
 * started by the same timer at noon would all hit one site mirror at
 * once; each waits a uniformly random 0..SECONDS first (docs/SCHEDULING.md).
 */
#ifndef FERRY_JITTER_H
#define FERRY_JITTER_H

#include "core/err.h"

#define JITTER_MAX	86400u		/* one day */

/* "600" -> 600; -1 with FY_E_USAGE for anything but 0..JITTER_MAX. */
int	jitter_parse(const char *s, unsigned *out, struct fy_err *e);
/* Uniform in 0..max (getrandom, no modulo bias); -1 FY_E_INTERNAL. */
int	jitter_pick(unsigned max, unsigned *out, struct fy_err *e);
/* Wait `max` jitter before touching the medium: says "waiting N s
 * (jitter)" when verbose; with FERRY_TEST_NO_SLEEP=1 says it always and
 * does not sleep (tests). */
int	jitter_wait(unsigned max, struct fy_err *e);

#endif
