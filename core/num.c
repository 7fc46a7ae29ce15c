/* SPDX-License-Identifier: MIT */
/*
 * num: strict number parsing (see num.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/num.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
num_parse(const char *s, long long min, long long max, long long *out,
    enum fy_code code, const char *where, const char *what, struct fy_err *e)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-' && min < 0)
		p++;
	if (!is_digit(*p))
		goto bad;
	while (is_digit(*p))
		p++;
	if (*p != '\0')
		goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return fy_fail(e, code, where, _("%s takes a whole number from %lld "
	    "to %lld, not \"%s\""), what, min, max, s);
}

int
num_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out,
    enum fy_code code, const char *where, const char *what, struct fy_err *e)
{
	long long v;

	if (num_parse(s, min, max, &v, code, where, what, e) == -1)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* digits [ '.' digits ] -> *v; the end in *endp.  Locale-free: a config
 * file means the same under every LC_NUMERIC. */
static int
decimal(const char *s, double *v, const char **endp)
{
	double x = 0, scale = 1;
	const char *p = s;

	if (!is_digit(*p))
		return -1;
	for (; is_digit(*p); p++) {
		x = x * 10 + (*p - '0');
		if (x > 1e300)
			return -1;
	}
	if (*p == '.') {
		if (!is_digit(*++p))
			return -1;
		for (; is_digit(*p); p++)
			x += (*p - '0') * (scale /= 10);
	}
	*v = x;
	*endp = p;
	return 0;
}

int
num_parse_frac(const char *s, double min, double max, double *out,
    enum fy_code code, const char *where, const char *what, struct fy_err *e)
{
	const char *end;
	double v;

	if (decimal(s, &v, &end) == -1 || *end != '\0' || v < min || v > max)
		return fy_fail(e, code, where, _("%s takes a number from %g to "
		    "%g, not \"%s\""), what, min, max, s);
	*out = v;
	return 0;
}

int
num_parse_size(const char *s, uint64_t *out, enum fy_code code,
    const char *where, const char *what, struct fy_err *e)
{
	const char *end;
	double v;

	if (decimal(s, &v, &end) == -1)
		goto bad;
	switch (*end) {
	case 'k': case 'K': v *= 1e3; end++; break;
	case 'm': case 'M': v *= 1e6; end++; break;
	case 'g': case 'G': v *= 1e9; end++; break;
	}
	if (*end != '\0' || v < 1 || v > 4611686018427387904.0)
		goto bad;
	*out = (uint64_t)v;
	return 0;
bad:
	return fy_fail(e, code, where, _("%s takes a size in bytes (e.g. 700M, "
	    "4.7G) from 1 to 2^62, not \"%s\""), what, s);
}
