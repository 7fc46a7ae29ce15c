/* SPDX-License-Identifier: MIT */
/*
 * mem: memory this process may still use (see mem.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/fault.h"
#include "core/mem.h"
#include "core/num.h"

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t
meminfo_available(void)
{
	char line[256];
	unsigned long long kib;
	uint64_t v = UINT64_MAX;
	FILE *f = fopen("/proc/meminfo", "re");

	if (f == NULL)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
			v = kib > UINT64_MAX / 1024 ? UINT64_MAX :
			    (uint64_t)kib * 1024;
			break;
		}
	fclose(f);
	return v;
}

static uint64_t
rlimit_of(int which)
{
	struct rlimit r;

	if (getrlimit(which, &r) == -1 || r.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return (uint64_t)r.rlim_cur;
}

uint64_t
mem_available(void)
{
	const char *t = FY_TEST_ENV("FERRY_TEST_MEM_AVAIL");
	struct fy_err ignore = { 0 };
	long long v;

	if (t != NULL && num_parse(t, 0, INT64_MAX, &v, FY_E_USAGE, "",
	    "FERRY_TEST_MEM_AVAIL", &ignore) == 0)
		return (uint64_t)v;
	return min64(meminfo_available(), min64(rlimit_of(RLIMIT_AS),
	    rlimit_of(RLIMIT_DATA)));
}
