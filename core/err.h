/* SPDX-License-Identifier: MIT */
/*
 * err: the one error record every ferry library fills and every tool
 * prints.  Libraries never print and never exit; they return -1 and fill
 * a struct fy_err.  The first failure recorded wins (later calls to
 * fy_fail() on the same record are ignored), so `return fy_fail(...)` is
 * safe at any depth.
 *
 * enum fy_code values map 1:1 to exit codes (docs/EXIT-CODES.md).  They are
 * API: never renumber, only append.
 */
#ifndef FERRY_ERR_H
#define FERRY_ERR_H

#include <stddef.h>

enum fy_code {
	FY_OK = 0,
	FY_E_USAGE,	/* exit 2: bad command line */
	FY_E_IO,	/* exit 3: read/write/fsync failed */
	FY_E_FORMAT,	/* exit 4: malformed manifest, package, config */
	FY_E_SIGNATURE,	/* exit 5: missing, bad or unpinned signature */
	FY_E_INTEGRITY,	/* exit 6: size or SHA-256 differs */
	FY_E_STALE,	/* exit 7: replay or downgrade refused */
	FY_E_NOPATH,	/* exit 8: no base or delta chain to the target */
	FY_E_UNSAFE,	/* exit 9: archive entry or path refused */
	FY_E_SWITCH,	/* exit 10: staging or switch failed */
	FY_E_HOOK,	/* exit 11: hook or health check failed */
	FY_E_EXPIRED,	/* exit 12: medium expired (time policy) */
	FY_E_PREREQ,	/* exit 13: prerequisite not installed */
	FY_E_NOSPACE,	/* exit 14: not enough disk space */
	FY_E_BUSY,	/* exit 15: another ferry process holds the lock */
	FY_E_INCOMPLETE,/* exit 16: medium half-written or files missing */
	FY_E_CONFIG,	/* exit 17: client configuration invalid */
	FY_E_NOTFOUND,	/* exit 18: no medium / component / version found */
	FY_E_WRONG,	/* exit 19: medium for another publisher/variant */
	FY_E_INTERNAL,	/* exit 70: bug or resource exhaustion */
	FY_E_VANISHED,	/* exit 20: medium changed or went away while read */
	FY_E__COUNT
};

struct fy_err {
	enum fy_code	code;
	int		sys_errno;	/* errno at the failure, or 0 */
	char		where[1100];	/* file or object the error is about */
	char		msg[512];	/* one line, lower case, no period */
	/* The same message in English (the untranslated format, strerror of
	 * the C locale) for logs; see fy_msg_en().  Arguments that are
	 * themselves translated text stay as they are. */
	char		msg_en[512];
	unsigned	msg_hash;	/* of msg when msg_en was made */
};

/* Record the first failure only; always returns -1. */
int	fy_fail(struct fy_err *e, enum fy_code code, const char *where,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* As fy_fail(), and appends ": strerror(errno)" (errno read on entry). */
int	fy_fail_errno(struct fy_err *e, enum fy_code code, const char *where,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Append to a recorded failure's message: fmt (a _() translation) to msg,
 * its English original to msg_en, so logs stay English.  Nothing when no
 * failure is recorded. */
void	fy_append(struct fy_err *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Replace a recorded failure's message (its code and where stay): fmt, a
 * _() translation, to msg, its English original to msg_en (a message
 * written over msg by hand would leave logs and --json translated).
 * Nothing when no failure is recorded. */
void	fy_reword(struct fy_err *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The English message for logs (syslog, history.jsonl): msg_en, or msg
 * when msg was changed after the failure was recorded. */
const char *fy_msg_en(const struct fy_err *e);
/* gettext() that remembers which message id a translation came from, so
 * fy_fail() can also format the English message (core/i18n.h's _()). */
char	*fy_gettext(const char *msgid) __attribute__((format_arg(1)));
/* ngettext() that remembers the English form for n the same way. */
char	*fy_ngettext(const char *msgid, const char *plural, unsigned long n)
	    __attribute__((format_arg(1), format_arg(2)));
/* Forget a recorded failure (used when a fallback path takes over). */
void	fy_clear(struct fy_err *e);
/* Is an error recorded? */
int	fy_failed(const struct fy_err *e);

int		 fy_exit_code(enum fy_code code);
const char	*fy_code_name(enum fy_code code);	/* "signature" */

#endif
