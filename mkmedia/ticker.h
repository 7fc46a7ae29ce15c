/* SPDX-License-Identifier: MIT */
/*
 * ticker: progress (bytes, rate, ETA; core/say.c) for the long steps of
 * `mkmedia add` that run inside library calls without a callback:
 * copying a vendor folder, writing the base package, encoding a delta.
 * A thread reads the bytes this process has read so far (/proc/self/io
 * rchar) twice a second; each step reads its input once, so that is
 * how far it got.  Nothing at all unless stderr is a terminal (say.c),
 * so a pipe or a log stays silent.
 */
#ifndef FERRY_TICKER_H
#define FERRY_TICKER_H

#include <stdint.h>

#include "formats/tree.h"

struct ticker;

/* label: what is being done ("delta patterns 1.0 -> 1.1"); total: the
 * bytes the step reads.  NULL (and nothing to stop) when not on a TTY. */
struct ticker	*ticker_start(const char *label, uint64_t total);
void		 ticker_stop(struct ticker *t);		/* NULL is fine */
/* The bytes of the files of a listing. */
uint64_t	 ticker_tree_bytes(const struct tree *t);

#endif
