/* SPDX-License-Identifier: MIT */
/*
 * unicode: the one UTF-8 validator (strict: no overlong forms, no surrogates,
 * nothing above U+10FFFF), used by the path grammar (formats/tree.c) and
 * by the escaping of everything ferry shows (core/say.c).
 */
#ifndef FERRY_UNICODE_H
#define FERRY_UNICODE_H

#include <stddef.h>

/* Length (1..4) of the valid sequence at s, its code point in *cp (may be
 * NULL); 0 when s does not start a valid sequence (or at the NUL). */
size_t	utf8_seq(const unsigned char *s, unsigned *cp);

#endif
