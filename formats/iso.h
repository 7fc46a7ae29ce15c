/* SPDX-License-Identifier: MIT */
/*
 * iso: write a medium folder tree as an ISO 9660 image with Joliet and
 * Rock Ridge through libarchive (formats/SPEC.md §8).
 */
#ifndef FERRY_ISO_H
#define FERRY_ISO_H

#include <stdint.h>

#include "core/err.h"

/* Time stamped on every entry by iso_write(): 2000-01-01T00:00:00Z. */
#define ISO_FIXED_MTIME	946684800

/* Write every file under srcdir (the medium root: README.txt and ferry/)
 * to isofile (via isofile.tmp + fsync + rename + fsync of its folder)
 * with volume label `label` (ISO 9660 d-characters A-Z 0-9 _, 1..32;
 * lower case is upcased; anything else is FY_E_USAGE).  Regular files and
 * directories only (anything else is FY_E_UNSAFE).  Every entry gets the
 * same time stamp and owner 0:0, modes 0755/0644, so two runs over the
 * same tree differ only in the volume descriptors' creation date, which
 * libarchive 3.6 always sets to the current time.  libarchive first
 * copies all file data to a temporary file in $TMPDIR (or /tmp), so the
 * run needs the image size free there as well.  FY_E_IO, FY_E_NOSPACE,
 * FY_E_USAGE, FY_E_UNSAFE, FY_E_INTERNAL. */
int	iso_write(const char *srcdir, const char *isofile, const char *label,
	    struct fy_err *e);
/* As iso_write(), with `mtime` (seconds since the epoch, e.g. the
 * manifest's creation time) on every entry. */
int	iso_write_at(const char *srcdir, const char *isofile,
	    const char *label, int64_t mtime, struct fy_err *e);

#endif
