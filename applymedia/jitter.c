/* SPDX-License-Identifier: MIT */
/*
 * jitter: a random delay before a scheduled run (see jitter.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/num.h"
#include "core/say.h"
#include "applymedia/jitter.h"

int
jitter_parse(const char *s, unsigned *out, struct fy_err *e)
{
	return num_parse_uint(s, 0, JITTER_MAX, out, FY_E_USAGE, "",
	    "--jitter", e);
}

int
jitter_pick(unsigned max, unsigned *out, struct fy_err *e)
{
	uint64_t span = (uint64_t)max + 1, limit;
	uint32_t r;
	ssize_t n;

	/* Reject the top partial bucket so every value is equally likely. */
	limit = (UINT64_C(1) << 32) - ((UINT64_C(1) << 32) % span);
	do {
		do
			n = getrandom(&r, sizeof(r), 0);
		while (n == -1 && errno == EINTR);
		if (n != (ssize_t)sizeof(r))
			return fy_fail_errno(e, FY_E_INTERNAL, "--jitter",
			    "getrandom failed");
	} while ((uint64_t)r >= limit);
	*out = (unsigned)((uint64_t)r % span);
	return 0;
}

int
jitter_wait(unsigned max, struct fy_err *e)
{
	const char *t = FY_TEST_ENV("FERRY_TEST_NO_SLEEP");
	struct timespec ts = { 0, 0 };
	unsigned d;

	if (max == 0)
		return 0;
	if (jitter_pick(max, &d, e) == -1)
		return -1;
	if (t != NULL && strcmp(t, "1") == 0) {
		say_info(_("waiting %u s (jitter, not sleeping: "
		    "FERRY_TEST_NO_SLEEP)"), d);
		return 0;
	}
	say_verbose(_("waiting %u s (jitter)"), d);
	ts.tv_sec = (time_t)d;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
	return 0;
}
