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

/* Members the next error document carries besides its own. */
static json_t *attached;

void
report_json_attach(const char *key, json_t *val)
{
	if (val == NULL)
		return;
	if (attached == NULL && (attached = json_object()) == NULL) {
		json_decref(val);
		return;
	}
	json_object_set_new(attached, key, val);
}

void
report_json_error(const struct fy_err *e)
{
	json_t *doc = json_pack("{s:b, s:i, s:s, s:s, s:s}", "ok", 0, "exit",
	    fy_exit_code(e->code), "code", fy_code_name(e->code), "where",
	    e->where, "message", fy_msg_en(e));

	if (doc != NULL && attached != NULL)
		json_object_update_missing(doc, attached);
	json_decref(attached);
	attached = NULL;
	report_json(doc);
}
