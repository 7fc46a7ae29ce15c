/* SPDX-License-Identifier: MIT */
/*
 * archive_dl: libarchive, loaded at run time when the first archive is
 * created (formats/archive_dl.c).  Every site that creates an archive or
 * an entry calls archive_dl_ready() first, so that a missing or broken
 * libarchive is reported as such (FY_E_INTERNAL) and not as "out of
 * memory" from a constructor that returned NULL.
 */
#ifndef FERRY_ARCHIVE_DL_H
#define FERRY_ARCHIVE_DL_H

#include "core/err.h"

/* The library opened; test builds: FERRY_TEST_ARCHIVE_SONAME overrides. */
#define ARCHIVE_DL_SONAME	"libarchive.so.13"

/* Load libarchive (once per process).  0, or -1 with e filled:
 * "libarchive.so.13: cannot load the library: <dlerror()>". */
int	archive_dl_ready(struct fy_err *e);

#endif
