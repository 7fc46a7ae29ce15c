/* SPDX-License-Identifier: MIT */
/*
 * ascii: character classes and case for names, versions, fingerprints,
 * URLs and file-name suffixes, fixed to ASCII.  <ctype.h> and strcasecmp
 * follow LC_CTYPE, which every tool sets from the environment for its
 * messages: under ISO-8859-1 islower(0xE9) is true, so a name check passes
 * a byte that the same check refuses under C or UTF-8 (a publisher builds
 * what clients refuse); under tr_TR.UTF-8 tolower('I') is 'I', so
 * strcasecmp("IMAGE.ISO" + 6, ".iso") != 0.  Whatever decides what is
 * valid or what a name means uses these instead.
 */
#ifndef FERRY_ASCII_H
#define FERRY_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool asc_lower(int c) { return c >= 'a' && c <= 'z'; }
static inline bool asc_upper(int c) { return c >= 'A' && c <= 'Z'; }
static inline bool asc_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool
asc_alnum(int c)
{
	return asc_lower(c) || asc_upper(c) || asc_digit(c);
}
static inline bool
asc_xdigit(int c)
{
	return asc_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline bool
asc_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}
static inline int asc_tolower(int c) { return asc_upper(c) ? c + 32 : c; }
static inline int asc_toupper(int c) { return asc_lower(c) ? c - 32 : c; }
/* strncasecmp with ASCII case only (in tr_TR, strcasecmp("I", "i") != 0):
 * at most n bytes, 0 when equal. */
static inline int
asc_ncasecmp(const char *a, const char *b, size_t n)
{
	int d = 0;

	for (; n > 0; n--, a++, b++)
		if ((d = asc_tolower((unsigned char)*a) -
		    asc_tolower((unsigned char)*b)) != 0 || *a == '\0')
			break;
	return d;
}
static inline int
asc_casecmp(const char *a, const char *b)
{
	return asc_ncasecmp(a, b, (size_t)-1);
}

#endif
