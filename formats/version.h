/* SPDX-License-Identifier: MIT */
/*
 * version: the ordering of vendor version strings (formats/SPEC.md §4).
 * A version is 1..64 bytes of [0-9A-Za-z._+~-], starting with an
 * alphanumeric.  It is compared as a sequence of runs: digit runs compare
 * numerically (leading zeros ignored), letter runs by byte value,
 * separators (. _ + -) split runs, '~' sorts before anything (pre-release),
 * a longer sequence that extends a shorter one is newer, and at the same
 * position a digit run is newer than a letter run (rpm's rule).  So the
 * order of what can stand at one position is: '~' < end of string <
 * letters < digits.
 *   27456 < 27457;  15.697.00 < 15.697.80;  5.80.0.1297 < 5.80.0.1300;
 *   2026.11.23-2 < 2026.11.23-10;  1.0~rc1 < 1.0;  1.0 < 1.0.1;
 *   1.0 < 1.0a < 1.0.1
 * Two different strings may compare equal ("1.01" and "1.1"); mkmedia
 * refuses to ingest a version equal to an existing one.
 */
#ifndef FERRY_VERSION_H
#define FERRY_VERSION_H

#include <stdbool.h>

bool	version_valid(const char *v);
/* <0, 0, >0 like strcmp; both must be valid. */
int	version_cmp(const char *a, const char *b);

#endif
