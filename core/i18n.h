/* SPDX-License-Identifier: MIT */
/*
 * i18n: gettext for user-facing messages (catalogue po/ja.po, domain
 * "ferry").  Libraries wrap message formats in _() at the point they record
 * an error; the tool calls say_init() once, which selects the locale.
 */
#ifndef FERRY_I18N_H
#define FERRY_I18N_H

#include <libintl.h>

#define FERRY_TEXTDOMAIN	"ferry"
/* gettext(), remembering the message id for English logs (core/err.h) */
char	*fy_gettext(const char *msgid) __attribute__((format_arg(1)));
/* ngettext(), the same: P_("%zu entry", "%zu entries", n) is "1 entry",
 * "2 entries" in English and one form in Japanese (po/ja.po's
 * Plural-Forms); n is the count the message prints. */
char	*fy_ngettext(const char *msgid, const char *plural, unsigned long n)
	    __attribute__((format_arg(1), format_arg(2)));
#define _(s)		fy_gettext(s)
#define P_(s, p, n)	fy_ngettext((s), (p), (unsigned long)(n))
#define N_(s)		(s)

#endif
