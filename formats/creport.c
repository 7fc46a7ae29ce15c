/* SPDX-License-Identifier: MIT */
/*
 * creport: strict parse of verified client-report bytes, canonical emit
 * (see creport.h, formats/SPEC.md §14).  Invariant: a struct creport from
 * creport_parse_verified() holds only strings of their grammar, times in
 * canonical form, numbers in range, and emits back to the same bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "formats/creport.h"
#include "formats/layout.h"
#include "formats/manifest.h"
#include "formats/version.h"

#define REPORT_DEPTH	6	/* report { components [ { results [ { */

static int
charset_ok(const char *s, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > max || !asc_alnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!asc_alnum((unsigned char)s[i]) || (s[i] & 0x80))
			if (strchr(extra, s[i]) == NULL || s[i] == '\0')
				return 0;
	return 1;
}

int
creport_hostname_ok(const char *s)
{
	return charset_ok(s, 253, ".-_");
}

int
creport_gen_ok(const char *s)
{
	return charset_ok(s, 159, "._+~-");
}

int
creport_event_ok(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > 32 || !asc_lower((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!asc_lower((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int
creport_result_ok(const char *s)
{
	int c;

	if (s == NULL)
		return 0;
	if (strcmp(s, "ok") == 0)
		return 1;
	for (c = FY_E_USAGE; c < FY_E__COUNT; c++)
		if (strcmp(s, fy_code_name((enum fy_code)c)) == 0)
			return 1;
	return 0;
}

static int
ferry_version_ok(const char *s)
{
	return charset_ok(s, 32, "._+~-");
}

int
creport_name(const char *fpr, uint64_t serial, char *buf, size_t n)
{
	char low[65];
	size_t i, len = fpr ? strlen(fpr) : 0;

	if ((len != 40 && len != 64) || serial > CREPORT_MAX_SERIAL)
		return -1;
	for (i = 0; i < len; i++) {
		if (!asc_xdigit((unsigned char)fpr[i]))
			return -1;
		low[i] = (char)asc_tolower((unsigned char)fpr[i]);
	}
	low[len] = '\0';
	if ((size_t)snprintf(buf, n, "report-%s-%010" PRIu64 ".json", low,
	    serial) >= n)
		return -1;
	return 0;
}

int
creport_name_parse(const char *name, char *fpr, size_t fprsize,
    uint64_t *serial)
{
	const char *p, *dash;
	size_t flen, i;
	uint64_t v = 0;

	if (strncmp(name, "report-", 7) != 0)
		return -1;
	p = name + 7;
	if ((dash = strchr(p, '-')) == NULL)
		return -1;
	flen = (size_t)(dash - p);
	if ((flen != 40 && flen != 64) || flen >= fprsize)
		return -1;
	for (i = 0; i < flen; i++)
		if (!asc_xdigit((unsigned char)p[i]) ||
		    asc_upper((unsigned char)p[i]))
			return -1;
	p = dash + 1;
	for (i = 0; i < 10; i++, p++) {
		if (!asc_digit((unsigned char)*p))
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (strcmp(p, ".json") != 0 || v > CREPORT_MAX_SERIAL)
		return -1;
	for (i = 0; i < flen; i++)
		fpr[i] = (char)asc_toupper((unsigned char)name[7 + i]);
	fpr[flen] = '\0';
	*serial = v;
	return 0;
}

void
creport_free(struct creport *r)
{
	if (r == NULL)
		return;
	free(r->comps);
	free(r);
}

/* Copy an optional string (NULL or JSON null: "") that must pass ok(). */
static int
take(char *dst, size_t n, const char *s, int (*ok)(const char *),
    int optional)
{
	if (s == NULL) {
		dst[0] = '\0';
		return optional ? 0 : -1;
	}
	if (strlen(s) >= n || !ok(s))
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int
id_ok(const char *s)
{
	return layout_id_ok(s);
}

static int
ver_ok(const char *s)
{
	return version_valid(s);
}

static int
time_take(const char *s, int64_t *t, int optional)
{
	if (s == NULL) {
		*t = 0;
		return optional ? 0 : -1;
	}
	return manifest_time_parse(s, t) == -1 || *t <= 0 ? -1 : 0;
}

/* A value that is a string or null (*out NULL); anything else: -1. */
static int
nstr(json_t *v, const char **out)
{
	if (json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int
parse_results(json_t *a, struct creport_result *out, size_t *n,
    const char *where, const char *what, struct fy_err *e)
{
	json_error_t je;
	size_t i;

	if (!json_is_array(a))
		return fy_fail(e, FY_E_FORMAT, where, _("%s: results must be a "
		    "list"), what);
	if (json_array_size(a) > LIMIT_REPORT_RESULTS)
		return fy_fail(e, FY_E_FORMAT, where, _("%s: %zu results, at "
		    "most %d allowed"), what, json_array_size(a),
		    LIMIT_REPORT_RESULTS);
	for (i = 0; i < json_array_size(a); i++) {
		const char *t, *ev, *res, *from = NULL, *to = NULL,
		    *medium = NULL;
		json_t *jf, *jt, *jm;
		struct creport_result *x = &out[i];

		if (json_unpack_ex(json_array_get(a, i), &je, JSON_STRICT,
		    "{s:s, s:s, s:s, s:o, s:o, s:o}", "time", &t, "event",
		    &ev, "result", &res, "from", &jf, "to", &jt, "medium",
		    &jm) == -1)
			return fy_fail(e, FY_E_FORMAT, where, _("%s: result %zu: "
			    "%s"), what, i + 1, je.text);
		if (nstr(jf, &from) == -1 || nstr(jt, &to) == -1 ||
		    nstr(jm, &medium) == -1)
			return fy_fail(e, FY_E_FORMAT, where, _("%s: result %zu: "
			    "from, to and medium are strings or null"), what,
			    i + 1);
		if (time_take(t, &x->time, 0) == -1 ||
		    take(x->event, sizeof(x->event), ev, creport_event_ok,
		    0) == -1 || take(x->result, sizeof(x->result), res,
		    creport_result_ok, 0) == -1 ||
		    take(x->from, sizeof(x->from), from, ver_ok, 1) == -1 ||
		    take(x->to, sizeof(x->to), to, ver_ok, 1) == -1 ||
		    take(x->medium, sizeof(x->medium), medium, id_ok, 1) == -1)
			return fy_fail(e, FY_E_FORMAT, where, _("%s: result %zu: "
			    "a value is outside its grammar"), what, i + 1);
	}
	*n = json_array_size(a);
	return 0;
}

static int
parse_comp(json_t *o, struct creport_comp *c, size_t idx, const char *where,
    struct fy_err *e)
{
	json_error_t je;
	json_t *results, *ji, *jg, *ja;
	const char *name, *variant, *inst = NULL, *gen = NULL, *at = NULL;
	char what[80];
	int pinned;

	snprintf(what, sizeof(what), "component %zu", idx + 1);
	if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s:s, s:o, s:o, s:o, "
	    "s:b, s:o}", "name", &name, "variant", &variant, "installed", &ji,
	    "generation", &jg, "installed_at", &ja, "pinned", &pinned,
	    "results", &results) == -1)
		return fy_fail(e, FY_E_FORMAT, where, "%s: %s", what, je.text);
	if (nstr(ji, &inst) == -1 || nstr(jg, &gen) == -1 ||
	    nstr(ja, &at) == -1)
		return fy_fail(e, FY_E_FORMAT, where, _("%s: installed, "
		    "generation and installed_at are strings or null"), what);
	if (take(c->name, sizeof(c->name), name, id_ok, 0) == -1 ||
	    (variant[0] != '\0' && take(c->variant, sizeof(c->variant),
	    variant, id_ok, 0) == -1))
		return fy_fail(e, FY_E_FORMAT, where, _("%s: bad name or "
		    "variant"), what);
	snprintf(what, sizeof(what), "%s", c->name);
	/* Installed: all three, or none of them. */
	if ((inst == NULL) != (gen == NULL) || (inst == NULL) != (at == NULL) ||
	    take(c->installed, sizeof(c->installed), inst, ver_ok, 1) == -1 ||
	    take(c->generation, sizeof(c->generation), gen, creport_gen_ok,
	    1) == -1 || time_take(at, &c->installed_at, 1) == -1)
		return fy_fail(e, FY_E_FORMAT, where, _("%s: installed, "
		    "generation and installed_at must all be valid or all "
		    "null"), what);
	c->pinned = pinned != 0;
	return parse_results(results, c->results, &c->nresults, where, what, e);
}

static int
parse_doc(json_t *root, const char *where, struct creport *r,
    struct fy_err *e)
{
	json_error_t je;
	json_t *comps, *results;
	const char *format, *client, *host, *fv, *t;
	json_int_t fmtv, serial, ksv, freeb;
	size_t i, j;

	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s, s:I, s:I, s:s, s:s, "
	    "s:s, s:s, s:I, s:I, s:o, s:o}", "format", &format,
	    "format_version", &fmtv, "serial", &serial, "trusted_time", &t,
	    "client_id", &client, "hostname", &host, "ferry_version", &fv,
	    "keyset_version", &ksv, "free_bytes", &freeb, "results", &results,
	    "components", &comps) == -1)
		return fy_fail(e, FY_E_FORMAT, where, "%s", je.text);
	if (strcmp(format, CREPORT_FORMAT) != 0)
		return fy_fail(e, FY_E_FORMAT, where, _("not a ferry report"));
	if (fmtv != CREPORT_FORMAT_VERSION)
		return fy_fail(e, FY_E_FORMAT, where, _("report format version "
		    "%lld is not supported"), (long long)fmtv);
	if (serial < 1 || (uint64_t)serial > CREPORT_MAX_SERIAL ||
	    ksv < 0 || ksv > 1000000 || freeb < 0)
		return fy_fail(e, FY_E_FORMAT, where, _("serial, keyset_version "
		    "or free_bytes out of range"));
	r->serial = (uint64_t)serial;
	r->keyset_version = (unsigned)ksv;
	r->free_bytes = (uint64_t)freeb;
	if (time_take(t, &r->time, 0) == -1)
		return fy_fail(e, FY_E_FORMAT, where, _("trusted_time: not a "
		    "canonical time"));
	if (take(r->client_id, sizeof(r->client_id), client, id_ok, 0) == -1 ||
	    take(r->hostname, sizeof(r->hostname), host, creport_hostname_ok,
	    0) == -1 || take(r->ferry_version, sizeof(r->ferry_version), fv,
	    ferry_version_ok, 0) == -1)
		return fy_fail(e, FY_E_FORMAT, where, _("client_id, hostname or "
		    "ferry_version is outside its grammar"));
	if (parse_results(results, r->results, &r->nresults, where,
	    "client", e) == -1)
		return -1;
	if (!json_is_array(comps))
		return fy_fail(e, FY_E_FORMAT, where, _("components must be a "
		    "list"));
	if (json_array_size(comps) > LIMIT_REPORT_COMPONENTS)
		return fy_fail(e, FY_E_FORMAT, where, _("%zu components, at most "
		    "%d allowed"), json_array_size(comps),
		    LIMIT_REPORT_COMPONENTS);
	r->ncomps = json_array_size(comps);
	if (r->ncomps > 0 &&
	    (r->comps = calloc(r->ncomps, sizeof(*r->comps))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	for (i = 0; i < r->ncomps; i++) {
		if (parse_comp(json_array_get(comps, i), &r->comps[i], i, where,
		    e) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(r->comps[j].name, r->comps[i].name) == 0 &&
			    strcmp(r->comps[j].variant,
			    r->comps[i].variant) == 0)
				return fy_fail(e, FY_E_FORMAT, where,
				    _("component %s is listed twice"),
				    r->comps[i].name);
	}
	return 0;
}

int
creport_parse_verified(const uint8_t *buf, size_t len, const char *where,
    struct creport **out, struct fy_err *e)
{
	json_error_t je;
	json_t *root;
	struct creport *r;

	if (len > LIMIT_REPORT_BYTES)
		return fy_fail(e, FY_E_FORMAT, where, _("report is %zu bytes, "
		    "at most %u allowed"), len, LIMIT_REPORT_BYTES);
	if (!json_depth_ok(buf, len, REPORT_DEPTH))
		return fy_fail(e, FY_E_FORMAT, where, _("JSON nested deeper "
		    "than %d levels"), REPORT_DEPTH);
	if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return fy_fail(e, FY_E_FORMAT, where, _("malformed JSON at line "
		    "%d: %s"), je.line, je.text);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		json_decref(root);
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	}
	if (!json_is_object(root) || parse_doc(root, where, r, e) == -1) {
		if (!fy_failed(e))
			fy_fail(e, FY_E_FORMAT, where, _("a report is a JSON "
			    "object"));
		json_decref(root);
		creport_free(r);
		return -1;
	}
	json_decref(root);
	*out = r;
	return 0;
}

static json_t *
opt_str(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
time_str(int64_t t)
{
	char buf[21];

	if (t <= 0)
		return json_null();
	manifest_time_fmt(t, buf);
	return json_string(buf);
}

static json_t *
emit_results(const struct creport_result *x, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:o, s:o, "
		    "s:o}", "time", time_str(x[i].time), "event", x[i].event,
		    "result", x[i].result, "from", opt_str(x[i].from), "to",
		    opt_str(x[i].to), "medium", opt_str(x[i].medium)));
	return a;
}

char *
creport_emit(const struct creport *r, size_t *len, struct fy_err *e)
{
	json_t *doc, *comps = json_array();
	struct creport *back = NULL;
	char *s, *out;
	size_t i, n;

	for (i = 0; comps != NULL && i < r->ncomps; i++) {
		const struct creport_comp *c = &r->comps[i];

		json_array_append_new(comps, json_pack("{s:s, s:s, s:o, s:o, "
		    "s:o, s:b, s:o}", "name", c->name, "variant", c->variant,
		    "installed", opt_str(c->installed), "generation",
		    opt_str(c->generation), "installed_at",
		    c->installed[0] ? time_str(c->installed_at) : json_null(),
		    "pinned", c->pinned, "results",
		    emit_results(c->results, c->nresults)));
	}
	doc = json_pack("{s:s, s:i, s:I, s:o, s:s, s:s, s:s, s:I, s:I, s:o, "
	    "s:o}", "format", CREPORT_FORMAT, "format_version",
	    CREPORT_FORMAT_VERSION, "serial", (json_int_t)r->serial,
	    "trusted_time", time_str(r->time), "client_id", r->client_id, "hostname",
	    r->hostname, "ferry_version", r->ferry_version, "keyset_version",
	    (json_int_t)r->keyset_version, "free_bytes",
	    (json_int_t)(r->free_bytes > (uint64_t)INT64_MAX ? INT64_MAX :
	    r->free_bytes), "results", emit_results(r->results, r->nresults),
	    "components", comps);
	if (doc == NULL) {
		fy_fail(e, FY_E_INTERNAL, "report", _("a value cannot be "
		    "written as JSON"));
		return NULL;
	}
	s = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(1) |
	    JSON_ENSURE_ASCII);
	json_decref(doc);
	if (s == NULL || (out = malloc(strlen(s) + 2)) == NULL) {
		free(s);
		fy_fail(e, FY_E_INTERNAL, "report", "out of memory");
		return NULL;
	}
	n = strlen(s);
	memcpy(out, s, n);
	out[n++] = '\n';
	out[n] = '\0';
	free(s);
	/* What we write, we accept: the publisher's reader is the judge. */
	if (creport_parse_verified((const uint8_t *)out, n, "report", &back,
	    e) == -1) {
		e->code = FY_E_INTERNAL;
		free(out);
		return NULL;
	}
	creport_free(back);
	*len = n;
	return out;
}
