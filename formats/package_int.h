/* SPDX-License-Identifier: MIT */
/*
 * package_int: what package_write.c and package_extract.c must agree on.
 * Not part of the API; only formats/package_*.c include it.
 */
#ifndef FERRY_PACKAGE_INT_H
#define FERRY_PACKAGE_INT_H

#include <locale.h>
#include <stdint.h>

#include "core/err.h"
#include "formats/tree.h"

/*
 * Upper bound of the tar stream of a tree, in bytes (saturating): per
 * entry 512 (ustar header) + 512 (pax header) + the path and 64 bytes of
 * pax records rounded up to 512 + the file size rounded up to 512; then
 * 1024 (end of archive) + 10240 (a last block padded by another writer).
 * This is a format rule: the writer derives its zstd window from it and
 * the reader caps decompressed output with it (FY_E_UNSAFE past it), so
 * it may only ever grow.
 */
uint64_t package_tar_bound(const struct tree *t);
/* Smallest zstd window log (10..LIMIT_BASE_WINDOW_LOG) covering `bound`. */
int	 package_window_log(uint64_t bound);

/*
 * libarchive converts pax path records between UTF-8 and the locale's
 * charset.  Both sides switch the calling thread to C.UTF-8 while they
 * use libarchive, so bytes on disk, in the tar and in the listing are the
 * same UTF-8 whatever locale the tool runs in.  Returns the previous
 * locale (to hand back to package_locale_end), or (locale_t)0 with `e`
 * filled.
 */
locale_t package_locale_begin(locale_t *mine, const char *where,
	    struct fy_err *e);
void	 package_locale_end(locale_t old, locale_t mine);

#endif
