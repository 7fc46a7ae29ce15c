/* SPDX-License-Identifier: MIT */
/*
 * mem: how much memory this process may still use, for the planner's
 * check before it applies a delta (formats/SPEC.md §7.4).
 */
#ifndef FERRY_MEM_H
#define FERRY_MEM_H

#include <stdint.h>

/* The smaller of the kernel's MemAvailable (/proc/meminfo) and this
 * process's RLIMIT_AS and RLIMIT_DATA; UINT64_MAX when none is known.  In
 * test builds (HOOKS=1) FERRY_TEST_MEM_AVAIL=<bytes> replaces the
 * measurement, so tests can lower it; release builds ignore it. */
uint64_t mem_available(void);

#endif
