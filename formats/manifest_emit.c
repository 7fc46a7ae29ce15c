/* SPDX-License-Identifier: MIT */
/*
 * manifest_emit: a struct manifest as canonical JSON (sorted keys, 1-space
 * indent, trailing newline), for mkmedia.  The result parses back (the
 * strict parser in formats/manifest.c) to the same manifest.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "formats/layout.h"
#include "formats/manifest.h"

static json_t *
emit_version(const struct mf_version *v)
{
	json_t *o = json_object(), *reqs;
	char t[21];
	size_t i;

	json_object_set_new(o, "version", json_string(v->version));
	if (v->released) {
		manifest_time_fmt(v->released, t);
		json_object_set_new(o, "released", json_string(t));
	}
	if (v->base)
		json_object_set_new(o, "base", json_string(v->base->path));
	if (!v->base_any_older)
		json_object_set_new(o, "base_over_any", json_false());
	if (v->nreqs) {
		reqs = json_array();
		for (i = 0; i < v->nreqs; i++)
			json_array_append_new(reqs, json_pack("{s:s, s:s}",
			    "component", v->reqs[i].component, "min",
			    v->reqs[i].min_version));
		json_object_set_new(o, "requires", reqs);
	}
	json_object_set_new(o, "tree", tree_to_json(&v->tree));
	return o;
}

static json_t *
emit_component(const struct mf_component *c)
{
	json_t *o = json_object(), *vs = json_array(), *ds;
	size_t i;

	json_object_set_new(o, "name", json_string(c->name));
	if (c->variant && *c->variant)
		json_object_set_new(o, "variant", json_string(c->variant));
	for (i = 0; i < c->nversions; i++)
		json_array_append_new(vs, emit_version(&c->versions[i]));
	json_object_set_new(o, "versions", vs);
	if (c->ndeltas) {
		ds = json_array();
		for (i = 0; i < c->ndeltas; i++)
			json_array_append_new(ds, json_pack("{s:s, s:s, s:s}",
			    "from", c->deltas[i].from, "to", c->deltas[i].to,
			    "file", c->deltas[i].file->path));
		json_object_set_new(o, "deltas", ds);
	}
	return o;
}

char *
manifest_emit(const struct manifest *m, size_t *len)
{
	json_t *root = json_object(), *a;
	char t[21], hex[DIGEST_HEXLEN + 1], *s;
	size_t i;

	json_object_set_new(root, "format", json_string(LAYOUT_FORMAT));
	json_object_set_new(root, "format_version",
	    json_integer(m->format_version ? m->format_version :
	    LAYOUT_FORMAT_VERSION_MIN));
	json_object_set_new(root, "publisher", json_string(m->publisher));
	json_object_set_new(root, "channel", json_string(m->channel));
	json_object_set_new(root, "serial", json_integer((json_int_t)m->serial));
	manifest_time_fmt(m->created, t);
	json_object_set_new(root, "created", json_string(t));
	if (m->expires) {
		manifest_time_fmt(m->expires, t);
		json_object_set_new(root, "expires", json_string(t));
	}
	json_object_set_new(root, "medium_id", json_string(m->medium_id));
	if (m->builder && *m->builder)
		json_object_set_new(root, "builder", json_string(m->builder));
	if (m->keyset_id && *m->keyset_id)
		json_object_set_new(root, "keyset", json_string(m->keyset_id));
	if (m->nnotices) {
		a = json_array();
		for (i = 0; i < m->nnotices; i++) {
			json_t *n = json_pack("{s:s}", "text", m->notices[i].text);

			if (m->notices[i].component)
				json_object_set_new(n, "component",
				    json_string(m->notices[i].component));
			json_array_append_new(a, n);
		}
		json_object_set_new(root, "notices", a);
	}
	a = json_array();
	for (i = 0; i < m->ncomponents; i++)
		json_array_append_new(a, emit_component(&m->components[i]));
	json_object_set_new(root, "components", a);
	a = json_array();
	for (i = 0; i < m->nfiles; i++) {
		json_t *f;
		size_t k;

		digest_to_hex(m->files[i].sha256, hex);
		f = json_pack("{s:s, s:I, s:s}", "path", m->files[i].path,
		    "size", (json_int_t)m->files[i].size, "sha256", hex);
		if (m->files[i].nparts) {
			json_t *parts = json_array();

			for (k = 0; k < m->files[i].nparts; k++)
				json_array_append_new(parts, json_string(
				    m->files[i].parts[k]->path));
			json_object_set_new(f, "parts", parts);
		}
		json_array_append_new(a, f);
	}
	json_object_set_new(root, "files", a);
	s = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1) |
	    JSON_ENSURE_ASCII);
	json_decref(root);
	if (s != NULL) {
		size_t n = strlen(s);
		char *r = realloc(s, n + 2);

		if (r == NULL) {
			free(s);
			return NULL;
		}
		r[n] = '\n';
		r[n + 1] = '\0';
		s = r;
		if (len)
			*len = n + 1;
	}
	return s;
}
