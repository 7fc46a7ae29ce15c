/* SPDX-License-Identifier: MIT */
/*
 * err: first-failure-wins error record and the exit-code table.
 * The table below is docs/EXIT-CODES.md; tests/cli/exit_codes.sh pins it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

static const struct {
	int		 exit;
	const char	*name;
} codes[FY_E__COUNT] = {	/* indexed by enum fy_code; keep in order */
	[FY_OK] =		{ 0, "ok" },
	[FY_E_USAGE] =		{ 2, "usage" },
	[FY_E_IO] =		{ 3, "io" },
	[FY_E_FORMAT] =		{ 4, "format" },
	[FY_E_SIGNATURE] =	{ 5, "signature" },
	[FY_E_INTEGRITY] =	{ 6, "integrity" },
	[FY_E_STALE] =		{ 7, "stale" },
	[FY_E_NOPATH] =		{ 8, "nopath" },
	[FY_E_UNSAFE] =		{ 9, "unsafe" },
	[FY_E_SWITCH] =		{ 10, "switch" },
	[FY_E_HOOK] =		{ 11, "hook" },
	[FY_E_EXPIRED] =	{ 12, "expired" },
	[FY_E_PREREQ] =		{ 13, "prereq" },
	[FY_E_NOSPACE] =	{ 14, "nospace" },
	[FY_E_BUSY] =		{ 15, "busy" },
	[FY_E_INCOMPLETE] =	{ 16, "incomplete" },
	[FY_E_CONFIG] =		{ 17, "config" },
	[FY_E_NOTFOUND] =	{ 18, "notfound" },
	[FY_E_WRONG] =		{ 19, "wrong" },
	[FY_E_INTERNAL] =	{ 70, "internal" },
};

static void
vrecord(struct fy_err *e, enum fy_code code, const char *where, int errnum,
    const char *fmt, va_list ap)
{
	size_t n;

	if (e == NULL || e->code != FY_OK)
		return;
	e->code = code;
	e->sys_errno = errnum;
	snprintf(e->where, sizeof(e->where), "%s", where ? where : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (errnum != 0) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
		    strerror(errnum));
	}
}

int
fy_fail(struct fy_err *e, enum fy_code code, const char *where,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(e, code, where, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
fy_fail_errno(struct fy_err *e, enum fy_code code, const char *where,
    const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vrecord(e, code, where, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

void
fy_clear(struct fy_err *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

int
fy_failed(const struct fy_err *e)
{
	return e != NULL && e->code != FY_OK;
}

int
fy_exit_code(enum fy_code code)
{
	if ((unsigned)code >= FY_E__COUNT)
		return 70;
	return codes[code].exit;
}

const char *
fy_code_name(enum fy_code code)
{
	if ((unsigned)code >= FY_E__COUNT)
		return "internal";
	return codes[code].name;
}
