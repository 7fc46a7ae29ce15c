/* SPDX-License-Identifier: MIT */
/*
 * err: first-failure-wins error record and the exit-code table.
 * The table below is docs/EXIT-CODES.md; tests/cli/exit_codes.sh pins it.
 */
#include <errno.h>
#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

/* Translations handed out recently, by pointer: a format passed to
 * fy_fail() is looked up here to find its English original. */
#define RECENT	128
static struct {
	const char	*tr, *id;
} recent[RECENT];
static unsigned recent_next;
static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;

static char *
remember(char *tr, const char *msgid)
{
	unsigned i;

	if (tr == msgid)
		return tr;
	pthread_mutex_lock(&recent_lock);
	for (i = 0; i < RECENT && recent[i].tr != tr; i++)
		;
	if (i == RECENT) {
		recent[recent_next].tr = tr;
		recent[recent_next].id = msgid;
		recent_next = (recent_next + 1) % RECENT;
	} else	/* one Japanese form for "1 entry" and "2 entries" */
		recent[i].id = msgid;
	pthread_mutex_unlock(&recent_lock);
	return tr;
}

char *
fy_gettext(const char *msgid)
{
	return remember(gettext(msgid), msgid);
}

char *
fy_ngettext(const char *msgid, const char *plural, unsigned long n)
{
	/* English: the singular for 1, the plural form otherwise */
	return remember(ngettext(msgid, plural, n), n == 1 ? msgid : plural);
}

static const char *
msgid_of(const char *fmt)
{
	const char *id = fmt;
	unsigned i;

	pthread_mutex_lock(&recent_lock);
	for (i = 0; i < RECENT; i++)
		if (recent[i].tr == fmt) {
			id = recent[i].id;
			break;
		}
	pthread_mutex_unlock(&recent_lock);
	return id;
}

static unsigned
hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static const char *
strerror_en(int errnum)
{
	static locale_t c;

	if (c == (locale_t)0)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c != (locale_t)0 ? strerror_l(errnum, c) : strerror(errnum);
}

const char *
fy_msg_en(const struct fy_err *e)
{
	return e->msg_en[0] != '\0' && hash(e->msg) == e->msg_hash ?
	    e->msg_en : e->msg;
}

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
	[FY_E_VANISHED] =	{ 20, "vanished" },
};

static void
vrecord(struct fy_err *e, enum fy_code code, const char *where, int errnum,
    const char *fmt, va_list ap)
{
	va_list ap2;
	size_t n;

	if (e == NULL || e->code != FY_OK)
		return;
	e->code = code;
	e->sys_errno = errnum;
	snprintf(e->where, sizeof(e->where), "%s", where ? where : "");
	va_copy(ap2, ap);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	/* The format's English original takes the same arguments. */
	vsnprintf(e->msg_en, sizeof(e->msg_en), msgid_of(fmt), ap2);
	va_end(ap2);
	if (errnum != 0) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
		    strerror(errnum));
		n = strlen(e->msg_en);
		snprintf(e->msg_en + n, sizeof(e->msg_en) - n, ": %s",
		    strerror_en(errnum));
	}
	e->msg_hash = hash(e->msg);
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
fy_append(struct fy_err *e, const char *fmt, ...)
{
	char en[sizeof(e->msg_en)];
	va_list ap;
	size_t n;

	if (e == NULL || e->code == FY_OK)
		return;
	snprintf(en, sizeof(en), "%s", fy_msg_en(e));
	n = strlen(e->msg);
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
	va_end(ap);
	n = strlen(en);
	va_start(ap, fmt);
	vsnprintf(en + n, sizeof(en) - n, msgid_of(fmt), ap);
	va_end(ap);
	memcpy(e->msg_en, en, sizeof(en));
	e->msg_hash = hash(e->msg);
}

void
fy_reword(struct fy_err *e, const char *fmt, ...)
{
	char where[sizeof(e->where)];
	enum fy_code code;
	va_list ap;

	if (e == NULL || e->code == FY_OK)
		return;
	code = e->code;
	memcpy(where, e->where, sizeof(where));
	e->code = FY_OK;
	va_start(ap, fmt);
	vrecord(e, code, where, 0, fmt, ap);
	va_end(ap);
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
