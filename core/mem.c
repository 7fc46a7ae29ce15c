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

#include "core/mem.h"

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
#ifdef FERRY_TEST_HOOKS
	const char *t = getenv("FERRY_TEST_MEM_AVAIL");
	char *end;
	unsigned long long v;

	if (t != NULL && *t >= '0' && *t <= '9') {
		errno = 0;
		v = strtoull(t, &end, 10);
		if (errno == 0 && *end == '\0')
			return (uint64_t)v;
	}
#endif
	return min64(meminfo_available(), min64(rlimit_of(RLIMIT_AS),
	    rlimit_of(RLIMIT_DATA)));
}
