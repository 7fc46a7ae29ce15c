/* SPDX-License-Identifier: MIT */
/*
 * num: the one parser for numbers from the command line, the environment
 * and configuration files.  The whole string must be the number (no
 * spaces, no '+', a '-' only where the range allows it, no trailing
 * bytes), and it must lie in [min, max]; anything else is refused, never
 * read as 0 or as its leading digits (as signify's strtonum and zstd's
 * readU32FromChar do).  One message for every caller:
 *   "<what> takes a whole number from MIN to MAX, not \"<s>\"".
 */
#ifndef FERRY_NUM_H
#define FERRY_NUM_H

#include <stdint.h>

#include "core/err.h"

/* Decimal integer in [min, max]; -1 with `code` on `where` otherwise. */
int	num_parse(const char *s, long long min, long long max, long long *out,
	    enum fy_code code, const char *where, const char *what,
	    struct fy_err *e);
/* The same into an unsigned (max must fit). */
int	num_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out,
	    enum fy_code code, const char *where, const char *what,
	    struct fy_err *e);
/* "0.5", "2": digits with an optional '.' and digits (locale-free), in
 * [min, max]. */
int	num_parse_frac(const char *s, double min, double max, double *out,
	    enum fy_code code, const char *where, const char *what,
	    struct fy_err *e);
/* "700M", "4.7G", "123": a number as num_parse_frac with an optional K, M
 * or G (powers of 1000), from 1 byte to 2^62. */
int	num_parse_size(const char *s, uint64_t *out, enum fy_code code,
	    const char *where, const char *what, struct fy_err *e);

#endif
