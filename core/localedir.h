/* SPDX-License-Identifier: MIT */
/*
 * localedir: where the message catalogues of an installed or built ferry
 * are, found from the program's own location, so that a tree installed
 * with any PREFIX (or moved) reads its own catalogue and never another
 * install's.
 */
#ifndef FERRY_LOCALEDIR_H
#define FERRY_LOCALEDIR_H

#include <stddef.h>

/* The catalogue folder for this process, in order: $FERRY_LOCALEDIR;
 * BINDIR/../share/locale of an installed tool (PREFIX/bin ->
 * PREFIX/share/locale); BUILD/locale of a tool in its build folder; the
 * compiled-in fallback (PREFIX/share/locale of the build).  A folder
 * counts only when it exists.  Returns buf or a static string. */
const char	*ferry_localedir(char *buf, size_t n, const char *fallback);

#endif
