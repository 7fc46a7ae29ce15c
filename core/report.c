/* SPDX-License-Identifier: MIT */
/*
 * report: one JSON document on stdout (see report.h).
 */
#include <stdio.h>

#include "core/report.h"

void
report_json(json_t *doc)
{
	if (doc == NULL)
		return;
	json_dumpf(doc, stdout, JSON_SORT_KEYS | JSON_INDENT(1));
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(doc);
}

void
report_json_error(const struct fy_err *e)
{
	report_json(json_pack("{s:b, s:i, s:s, s:s, s:s}", "ok", 0, "exit",
	    fy_exit_code(e->code), "code", fy_code_name(e->code), "where",
	    e->where, "message", e->msg));
}
