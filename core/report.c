/* SPDX-License-Identifier: MIT */
/*
 * report: one JSON document on stdout (see report.h), printed by
 * core/say.c like every other output.
 */
#include "core/report.h"
#include "core/say.h"

void
report_json(json_t *doc)
{
	say_json(doc);
}

void
report_json_error(const struct fy_err *e)
{
	report_json(json_pack("{s:b, s:i, s:s, s:s, s:s}", "ok", 0, "exit",
	    fy_exit_code(e->code), "code", fy_code_name(e->code), "where",
	    e->where, "message", fy_msg_en(e)));
}
