/* SPDX-License-Identifier: MIT */
/*
 * report: --json output shared by the three tools.  With --json, stdout
 * carries exactly one JSON document per run: the command's result, or on
 * failure {"ok": false, "exit": N, "code": "...", "where": "...",
 * "message": "..."} (docs/JSON.md).  The one-line error still goes to
 * stderr.
 */
#ifndef FERRY_REPORT_H
#define FERRY_REPORT_H

#include <jansson.h>

#include "core/err.h"

/* Print doc (sorted keys, indented) and a newline; steals the reference. */
void	report_json(json_t *doc);
void	report_json_error(const struct fy_err *e);
/* Add key: val (stolen) to the next report_json_error() document, e.g. what
 * each component of a partly applied medium became; the document's own
 * members win over attached ones of the same name. */
void	report_json_attach(const char *key, json_t *val);

#endif
