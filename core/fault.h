/* SPDX-License-Identifier: MIT */
/*
 * fault: named crash and I/O-fault points at every durability step.
 * Compiled in only for test builds (-DFERRY_TEST_HOOKS); in release builds
 * FY_FAULT() is a constant 0 and costs nothing.
 *
 * FERRY_FAULT="<name>:<n>:<action>" arms the n-th time (1-based) point
 * <name> is passed; action is kill (raise SIGKILL), eio or enospc (the
 * point returns -1 with errno set, and the caller treats it exactly like a
 * failed syscall), or stop (raise SIGSTOP, then go on normally once
 * continued: the test changes the world at an exact point in between).  FERRY_FAULT_LOG=<file> appends every point passed, one
 * name per line, so tests can enumerate the points of a clean run.
 */
#ifndef FERRY_FAULT_H
#define FERRY_FAULT_H

#ifdef FERRY_TEST_HOOKS
int	fault_point(const char *name);
int	fault_skip(const char *name);
#define FY_FAULT(name)	fault_point(name)
#define FY_SKIP(name)	fault_skip(name)
#else
#define FY_FAULT(name)	0
#define FY_SKIP(name)	0
#endif

/*
 * FY_TEST_ENV("FERRY_TEST_NOW"): the only way code reads a test hook from
 * the environment (FERRY_TEST_NOW, FERRY_TEST_FAT_MAX, FERRY_TEST_NO_SLEEP,
 * FERRY_TEST_MEM_AVAIL, FERRY_TEST_ARCHIVE_SONAME).
 * getenv() in test builds; NULL in release builds, which therefore cannot
 * be steered by them (tests/cli/release_hooks.sh, tests/cli/structure.sh).
 */
#ifdef FERRY_TEST_HOOKS
#include <stdlib.h>
#define FY_TEST_ENV(name)	((const char *)getenv(name))
#define FY_BUILD_NOTE		" (test build: fault points, FERRY_TEST_* hooks)"
#else
#define FY_TEST_ENV(name)	((const char *)NULL)
#define FY_BUILD_NOTE		""	/* what --version adds */
#endif

#endif
