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
#define _(s)	fy_gettext(s)
#define N_(s)	(s)

#endif
