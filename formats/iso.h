/* SPDX-License-Identifier: MIT */
/*
 * iso: write a medium folder tree as an ISO 9660 image with Joliet and
 * Rock Ridge through libarchive (formats/SPEC.md §8).
 */
#ifndef FERRY_ISO_H
#define FERRY_ISO_H

#include "core/err.h"

/* Write every file under srcdir (the medium root: README.txt and ferry/)
 * to isofile (via isofile.tmp + rename + fsync) with volume label `label`
 * (ISO 9660 d-characters, <= 32; lower case is upcased). */
int	iso_write(const char *srcdir, const char *isofile, const char *label,
	    struct fy_err *e);

#endif
