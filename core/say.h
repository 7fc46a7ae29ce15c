/* SPDX-License-Identifier: MIT */
/*
 * say: everything a tool prints goes through here.  One error line per
 * failure ("<tool>: <where>: <what>"), escaped so that names from a medium
 * can never carry terminal escapes or newlines; info lines on stdout unless
 * --quiet; progress (bytes, rate, ETA) only on a TTY.
 */
#ifndef FERRY_SAY_H
#define FERRY_SAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Copy `in` to `out`, replacing control bytes, backslash and bytes >= 0x7f
 * that are not valid UTF-8 by \xNN.  Always NUL-terminates. */
void	say_escape(const char *in, char *out, size_t outsz);

/* Progress on stderr when it is a TTY and the level is NORMAL or more. */
struct progress;
struct progress	*progress_begin(const char *label, uint64_t total);
void	progress_update(struct progress *p, uint64_t done);
void	progress_end(struct progress *p);	/* NULL is fine */

#endif
