/* SPDX-License-Identifier: MIT */
/*
 * say: everything a tool prints goes through here.  One error line per
 * failure ("<tool>: <where>: <what>"), escaped so that names from a medium
 * can never carry terminal escapes or newlines; info lines on stdout unless
 * --quiet; progress (bytes, rate, ETA) only on a TTY.
 */
#ifndef FERRY_SAY_H
#define FERRY_SAY_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/err.h"

enum say_level { SAY_QUIET = 0, SAY_NORMAL = 1, SAY_VERBOSE = 2 };

/* setlocale, textdomain, remember the tool name for messages. */
void	say_init(const char *tool);
void	say_set_level(enum say_level lvl);
enum say_level say_level(void);
const char *say_tool(void);

/* "<tool>: <where>: <msg>" on stderr, escaped. */
void	say_error(const struct fy_err *e);
void	say_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	say_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	say_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The one door for untrusted text (names and labels from a medium, an
 * archive or a file system, values from a configuration file): it leaves
 * the program, to a terminal, a hook's environment, syslog or the
 * history, only through these functions (tests/cli/structure.sh).
 */
/* Copy `in` to `out`, replacing control bytes, backslash, bytes that are
 * not valid UTF-8, C1 controls and bidirectional overrides by \xNN.
 * Always NUL-terminates; the result is valid UTF-8 without controls. */
void	say_escape(const char *in, char *out, size_t outsz);
/* The bytes say_escape() was given back from its output (every \xNN
 * becomes byte NN, the rest is copied), for text stored escaped (the
 * history) that goes out again through say_out(): escaped once, not
 * twice.  Always NUL-terminates. */
void	say_unescape(const char *in, char *out, size_t outsz);
/* printf into `out`, then escaped as a whole (hook values, log lines). */
void	say_format(char *out, size_t outsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	say_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));
/* A command's own output on stdout whatever the level (status, find,
 * list): the format is kept as it is (tabs, newlines, padding), every %s
 * argument is escaped. */
void	say_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `len` bytes exactly as they are on stdout when they are printable
 * ASCII and newlines (a document ferry wrote itself, e.g. a client report
 * for `applymedia report --show`); any other byte is escaped. */
void	say_out_bytes(const void *buf, size_t len);
/* The same on stderr (a summary line whose format is a whole message). */
void	say_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One JSON document on stdout (sorted keys, indented) and a newline;
 * steals the reference.  jansson writes every string as JSON escapes
 * control characters (\u001b), so no raw byte of a name gets through. */
void	say_json(json_t *doc);
/* One line to syslog (LOG_DAEMON), escaped. */
void	say_syslog(int priority, const char *ident, const char *msg);

/* Progress on stderr when it is a TTY and the level is NORMAL or more. */
struct progress;
struct progress	*progress_begin(const char *label, uint64_t total);
void	progress_update(struct progress *p, uint64_t done);
void	progress_end(struct progress *p);	/* NULL is fine */

#endif
