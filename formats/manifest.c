/* SPDX-License-Identifier: MIT */
/*
 * manifest: strict parse of verified manifest bytes, and lookups in the
 * parsed manifest (the canonical emit is formats/manifest_emit.c).
 * Invariant: a struct manifest returned by manifest_parse_verified() has
 * only valid identifiers, versions and paths, each medium file listed once,
 * and every package reference points into files[].
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/manifest.h"
#include "formats/version.h"

#define MAX_SERIAL	((1ull << 53) - 1)

/*
 * Only the canonical form is a time: strptime() alone also takes "0999"
 * as 999 (then printed back as "999-...", which does not parse), leading
 * blanks, February 31 and second 60 (silently moved on by timegm()).
 * Parsing and printing again must give the same string.
 */
int
manifest_time_parse(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;
	char back[21];
	time_t t;

	if (s == NULL || strlen(s) != 20)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	manifest_time_fmt((int64_t)t, back);
	if (strcmp(back, s) != 0)
		return -1;
	*out = (int64_t)t;
	return 0;
}

void
manifest_time_fmt(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Nesting depth of JSON text, counted outside strings, before jansson
 * sees it (jansson's own limit is 2048, far beyond what we accept). */
int
json_depth_ok(const uint8_t *b, size_t n, int max)
{
	int depth = 0, instr = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (instr) {
			if (b[i] == '\\')
				i++;
			else if (b[i] == '"')
				instr = 0;
		} else if (b[i] == '"')
			instr = 1;
		else if (b[i] == '{' || b[i] == '[') {
			if (++depth > max)
				return 0;
		} else if (b[i] == '}' || b[i] == ']')
			depth--;
	}
	return 1;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
free_component(struct mf_component *c)
{
	size_t i, j;

	free(c->name);
	free(c->variant);
	for (i = 0; i < c->nversions; i++) {
		struct mf_version *v = &c->versions[i];

		free(v->version);
		tree_free(&v->tree);
		for (j = 0; j < v->nreqs; j++) {
			free(v->reqs[j].component);
			free(v->reqs[j].min_version);
		}
		free(v->reqs);
	}
	free(c->versions);
	for (i = 0; i < c->ndeltas; i++) {
		free(c->deltas[i].from);
		free(c->deltas[i].to);
	}
	free(c->deltas);
}

void
manifest_free(struct manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->publisher);
	free(m->channel);
	free(m->medium_id);
	free(m->builder);
	free(m->keyset_id);
	for (i = 0; i < m->nnotices; i++) {
		free(m->notices[i].component);
		free(m->notices[i].text);
	}
	free(m->notices);
	for (i = 0; i < m->ncomponents; i++)
		free_component(&m->components[i]);
	free(m->components);
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].parts);
	}
	free(m->files);
	free(m);
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct mf_file *)a)->path,
	    ((const struct mf_file *)b)->path);
}

const struct mf_file *
manifest_file(const struct manifest *m, const char *path)
{
	struct mf_file key = { .path = (char *)path };

	if (m->nfiles == 0)
		return NULL;
	return bsearch(&key, m->files, m->nfiles, sizeof(key), cmp_file);
}

const struct mf_component *
manifest_component(const struct manifest *m, const char *name,
    const char *variant)
{
	size_t i;

	if (variant == NULL)
		variant = "";
	for (i = 0; i < m->ncomponents; i++)
		if (strcmp(m->components[i].name, name) == 0 &&
		    strcmp(m->components[i].variant, variant) == 0)
			return &m->components[i];
	return NULL;
}

const struct mf_version *
mf_version_find(const struct mf_component *c, const char *version)
{
	size_t i;

	for (i = 0; i < c->nversions; i++)
		if (strcmp(c->versions[i].version, version) == 0)
			return &c->versions[i];
	return NULL;
}

const struct mf_version *
mf_version_newest(const struct mf_component *c)
{
	return c->nversions ? &c->versions[c->nversions - 1] : NULL;
}

/* --- parsing ------------------------------------------------------------ */

struct pctx {
	struct manifest	*m;
	const char	*where;
	struct fy_err	*e;
};

static int
bad(struct pctx *p, const char *what, const json_error_t *je)
{
	return fy_fail(p->e, FY_E_FORMAT, p->where, "%s%s%s", what,
	    je ? ": " : "", je ? je->text : "");
}

/* A list field: a JSON array of min..max entries.  The message says which
 * rule the medium broke ("components: 300 entries, at most 256"). */
static int
check_list(struct pctx *p, json_t *arr, const char *name, size_t min,
    size_t max)
{
	size_t n = json_array_size(arr);

	if (!json_is_array(arr))
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("%s is not a "
		    "list"), name);
	if (n > max)
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("%s: %zu entries, "
		    "at most %zu"), name, n, max);
	if (n < min)
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("%s: %zu entries, "
		    "at least %zu"), name, n, min);
	return 0;
}

static struct mf_file *
file_ref(struct pctx *p, const char *path)
{
	struct mf_file *f = (struct mf_file *)manifest_file(p->m, path);

	if (f == NULL)
		fy_fail(p->e, FY_E_FORMAT, p->where, _("package %.*s%s is "
		    "not listed in files"), SHOWN(path));
	return f;
}

static int
cmp_file_nocase(const void *a, const void *b)
{
	return asc_casecmp((*(struct mf_file *const *)a)->path,
	    (*(struct mf_file *const *)b)->path);
}

/* Names equal but for case cannot both exist on FAT, exFAT or Joliet: a
 * manifest listing both describes no medium that can be written. */
static int
files_case_unique(struct pctx *p)
{
	struct mf_file **v;
	size_t i;
	int rc = 0;

	if (p->m->nfiles < 2)
		return 0;
	if ((v = malloc(p->m->nfiles * sizeof(*v))) == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "out of memory");
	for (i = 0; i < p->m->nfiles; i++)
		v[i] = &p->m->files[i];
	qsort(v, p->m->nfiles, sizeof(*v), cmp_file_nocase);
	for (i = 1; i < p->m->nfiles && rc == 0; i++)
		if (asc_casecmp(v[i - 1]->path, v[i]->path) == 0)
			rc = fy_fail(p->e, FY_E_FORMAT, p->where, _("files %s "
			    "and %s differ only in case (they collide on FAT "
			    "and NTFS)"), v[i - 1]->path, v[i]->path);
	free(v);
	return rc;
}

/* Resolve the "parts" of file i (names in arr) into pointers. */
static int
resolve_parts(struct pctx *p, struct mf_file *f, json_t *arr)
{
	uint64_t sum = 0;
	size_t k;

	if (check_list(p, arr, "parts", 2, 4096) == -1)
		return -1;
	if ((f->parts = calloc(json_array_size(arr), sizeof(*f->parts))) ==
	    NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	for (k = 0; k < json_array_size(arr); k++) {
		const char *name = json_string_value(json_array_get(arr, k));
		struct mf_file *part;

		if (name == NULL || (part = (struct mf_file *)manifest_file(p->m,
		    name)) == NULL || part == f)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("file %s: "
			    "part %s is not a listed file"), f->path,
			    name ? name : "?");
		f->parts[f->nparts++] = part;
		if (sum + part->size < sum)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("file %s: "
			    "part sizes overflow"), f->path);
		sum += part->size;
	}
	if (sum != f->size)
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("file %s: parts add "
		    "up to %llu bytes, not %llu"), f->path,
		    (unsigned long long)sum, (unsigned long long)f->size);
	return 0;
}

static int
parse_files(struct pctx *p, json_t *arr)
{
	json_error_t je;
	size_t i;

	if (check_list(p, arr, "files", 0, LIMIT_FILES) == -1)
		return -1;
	p->m->files = calloc(json_array_size(arr) + 1, sizeof(*p->m->files));
	if (p->m->files == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		struct mf_file *f = &p->m->files[i];
		const char *path, *sha;
		json_int_t size;
		json_t *parts = NULL;

		if (json_unpack_ex(json_array_get(arr, i), &je, JSON_STRICT,
		    "{s:s, s:I, s:s, s?o}", "path", &path, "size", &size,
		    "sha256", &sha, "parts", &parts) == -1)
			return bad(p, _("bad files entry"), &je);
		if (!layout_file_ok(path))
			return fy_fail(p->e, FY_E_UNSAFE, p->where, _("file "
			    "path %.*s%s is not allowed on a medium"),
			    SHOWN(path));
		if (size < 0 || digest_from_hex(sha, f->sha256) == -1)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("file %s: "
			    "bad size or sha256"), path);
		if ((f->path = strdup(path)) == NULL)
			return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
		f->size = (uint64_t)size;
		p->m->nfiles++;
	}
	qsort(p->m->files, p->m->nfiles, sizeof(*p->m->files), cmp_file);
	for (i = 1; i < p->m->nfiles; i++)
		if (strcmp(p->m->files[i - 1].path, p->m->files[i].path) == 0)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("file %s "
			    "is listed twice"), p->m->files[i].path);
	/* Parts last: they refer to other entries by name. */
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i), *parts = json_object_get(o,
		    "parts");

		if (parts != NULL && resolve_parts(p, (struct mf_file *)
		    manifest_file(p->m, json_string_value(json_object_get(o,
		    "path"))), parts) == -1)
			return -1;
	}
	for (i = 0; i < p->m->nfiles; i++) {	/* parts are plain files */
		size_t k;

		for (k = 0; k < p->m->files[i].nparts; k++)
			if (p->m->files[i].parts[k]->nparts != 0)
				return fy_fail(p->e, FY_E_FORMAT, p->where,
				    _("file %s: a part is itself split"),
				    p->m->files[i].path);
	}
	return files_case_unique(p);
}

static int
cmp_version(const void *a, const void *b)
{
	return version_cmp(((const struct mf_version *)a)->version,
	    ((const struct mf_version *)b)->version);
}

static int
parse_reqs(struct pctx *p, struct mf_version *v, json_t *arr)
{
	json_error_t je;
	size_t i;

	if (arr == NULL)
		return 0;
	if (check_list(p, arr, "requires", 0, LIMIT_COMPONENTS) == -1)
		return -1;
	if ((v->reqs = calloc(json_array_size(arr) + 1, sizeof(*v->reqs))) ==
	    NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	for (i = 0; i < json_array_size(arr); i++) {
		const char *comp, *min;

		if (json_unpack_ex(json_array_get(arr, i), &je, JSON_STRICT,
		    "{s:s, s:s}", "component", &comp, "min", &min) == -1)
			return bad(p, _("bad requires entry"), &je);
		if (!layout_id_ok(comp) || !version_valid(min))
			return bad(p, _("bad requires component or version"),
			    NULL);
		v->reqs[i].component = strdup(comp);
		v->reqs[i].min_version = strdup(min);
		v->nreqs++;
		if (v->reqs[i].component == NULL || v->reqs[i].min_version == NULL)
			return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	}
	return 0;
}

static int
parse_version(struct pctx *p, struct mf_version *v, json_t *o)
{
	const char *ver, *released = NULL, *base = NULL;
	json_t *tree, *reqs = NULL;
	int over_any = 1;
	json_error_t je;

	if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s?s, s?s, s?b, s?o, "
	    "s:o}", "version", &ver, "released", &released, "base", &base,
	    "base_over_any", &over_any, "requires", &reqs, "tree", &tree) == -1)
		return bad(p, _("bad version entry"), &je);
	if (!version_valid(ver))
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("version %.*s%s "
		    "is not a valid version string"), SHOWN(ver));
	if ((v->version = strdup(ver)) == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	if (released != NULL && manifest_time_parse(released,
	    &v->released) == -1)
		return bad(p, _("bad released time"), NULL);
	v->base_any_older = over_any;
	if (base != NULL && (v->base = file_ref(p, base)) == NULL)
		return -1;
	if (parse_reqs(p, v, reqs) == -1)
		return -1;
	return tree_from_json(tree, &v->tree, p->where, p->e);
}

static int
parse_deltas(struct pctx *p, struct mf_component *c, json_t *arr)
{
	json_error_t je;
	size_t i;

	if (arr == NULL)
		return 0;
	if (check_list(p, arr, "deltas", 0, LIMIT_DELTAS) == -1)
		return -1;
	if ((c->deltas = calloc(json_array_size(arr) + 1,
	    sizeof(*c->deltas))) == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	for (i = 0; i < json_array_size(arr); i++) {
		struct mf_delta *d = &c->deltas[i];
		const char *from, *to, *file;

		if (json_unpack_ex(json_array_get(arr, i), &je, JSON_STRICT,
		    "{s:s, s:s, s:s}", "from", &from, "to", &to, "file",
		    &file) == -1)
			return bad(p, _("bad delta entry"), &je);
		if (strcmp(from, to) == 0)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("delta "
			    "%.*s%s -> %.*s%s of %s: from and to are the same "
			    "version"), SHOWN(from), SHOWN(to), c->name);
		if (mf_version_find(c, from) == NULL ||
		    mf_version_find(c, to) == NULL)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("delta "
			    "%.*s%s -> %.*s%s of %s: version %.*s%s is not "
			    "listed"), SHOWN(from), SHOWN(to), c->name,
			    SHOWN(mf_version_find(c, from) == NULL ? from : to));
		d->from = strdup(from);
		d->to = strdup(to);
		c->ndeltas++;
		if (d->from == NULL || d->to == NULL)
			return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
		if ((d->file = file_ref(p, file)) == NULL)
			return -1;
	}
	return 0;
}

static int
parse_component(struct pctx *p, struct mf_component *c, json_t *o)
{
	const char *name, *variant = "";
	json_t *versions, *deltas = NULL;
	json_error_t je;
	size_t i;

	if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s?s, s:o, s?o}",
	    "name", &name, "variant", &variant, "versions", &versions,
	    "deltas", &deltas) == -1)
		return bad(p, _("bad component entry"), &je);
	if (!layout_id_ok(name) || (*variant && !layout_id_ok(variant)))
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("component "
		    "%.*s%s variant \"%.*s%s\": not a valid identifier"),
		    SHOWN(name), SHOWN(variant));
	c->name = strdup(name);
	c->variant = strdup(variant);
	if (c->name == NULL || c->variant == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	if (check_list(p, versions, "versions", 1, LIMIT_VERSIONS) == -1)
		return -1;
	if ((c->versions = calloc(json_array_size(versions),
	    sizeof(*c->versions))) == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	for (i = 0; i < json_array_size(versions); i++) {
		c->nversions++;
		if (parse_version(p, &c->versions[i],
		    json_array_get(versions, i)) == -1)
			return -1;
	}
	qsort(c->versions, c->nversions, sizeof(*c->versions), cmp_version);
	for (i = 1; i < c->nversions; i++)
		if (version_cmp(c->versions[i - 1].version,
		    c->versions[i].version) == 0)
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("version "
			    "%s of %s is listed twice"), c->versions[i].version,
			    name);
	return parse_deltas(p, c, deltas);
}

static int
parse_top(struct pctx *p, json_t *root)
{
	const char *format, *publisher, *channel, *created, *expires = NULL;
	const char *medium_id, *builder = "", *keyset = "";
	json_t *notices = NULL, *components, *files;
	json_int_t fv, serial;
	json_error_t je;
	struct manifest *m = p->m;
	size_t i;

	if (!json_is_object(root))
		return bad(p, _("not a JSON object"), NULL);
	if (json_unpack_ex(root, &je, 0, "{s:s, s:I}", "format", &format,
	    "format_version", &fv) == -1 || strcmp(format, LAYOUT_FORMAT) != 0)
		return bad(p, _("not a ferry manifest"), NULL);
	if (fv < LAYOUT_FORMAT_VERSION_MIN || fv > LAYOUT_FORMAT_VERSION)
		return fy_fail(p->e, FY_E_FORMAT, p->where, _("format version "
		    "%lld is not supported (this ferry reads versions %d to "
		    "%d)"), (long long)fv, LAYOUT_FORMAT_VERSION_MIN,
		    LAYOUT_FORMAT_VERSION);
	m->format_version = (int)fv;
	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s, s:I, s:s, s:s, "
	    "s:I, s:s, s?s, s:s, s?s, s?s, s?o, s:o, s:o}", "format", &format,
	    "format_version", &fv, "publisher", &publisher, "channel",
	    &channel, "serial", &serial, "created", &created, "expires",
	    &expires, "medium_id", &medium_id, "builder", &builder, "keyset",
	    &keyset, "notices", &notices, "components", &components, "files",
	    &files) == -1)
		return bad(p, _("bad manifest"), &je);
	if (!layout_id_ok(publisher) || !layout_id_ok(channel) ||
	    !layout_id_ok(medium_id))
		return bad(p, _("publisher, channel or medium id is not a "
		    "valid identifier"), NULL);
	if (serial < 0 || (uint64_t)serial > MAX_SERIAL)
		return bad(p, _("serial out of range"), NULL);
	if (manifest_time_parse(created, &m->created) == -1 ||
	    (expires != NULL && manifest_time_parse(expires, &m->expires) == -1))
		return bad(p, _("bad created or expires time"), NULL);
	/* expires 0 means "never": a signed 1970 expiry must not read so. */
	if (m->created <= 0 || (expires != NULL && m->expires <= m->created))
		return bad(p, _("created is not after 1970, or expires is not "
		    "after created"), NULL);
	m->serial = (uint64_t)serial;
	m->publisher = strdup(publisher);
	m->channel = strdup(channel);
	m->medium_id = strdup(medium_id);
	m->builder = strdup(builder);
	m->keyset_id = strdup(keyset);
	if (!m->publisher || !m->channel || !m->medium_id || !m->builder ||
	    !m->keyset_id)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	if (parse_files(p, files) == -1)
		return -1;
	if (notices != NULL) {
		if (check_list(p, notices, "notices", 0, LIMIT_NOTICES) == -1)
			return -1;
		m->notices = calloc(json_array_size(notices) + 1,
		    sizeof(*m->notices));
		if (m->notices == NULL)
			return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
		for (i = 0; i < json_array_size(notices); i++) {
			const char *comp = NULL, *text;

			if (json_unpack_ex(json_array_get(notices, i), &je,
			    JSON_STRICT, "{s?s, s:s}", "component", &comp,
			    "text", &text) == -1)
				return bad(p, _("bad notice"), &je);
			if (strlen(text) > LIMIT_NOTICE_BYTES)
				return fy_fail(p->e, FY_E_FORMAT, p->where,
				    _("notice %zu: %zu bytes, at most %d"), i + 1,
				    strlen(text), LIMIT_NOTICE_BYTES);
			m->notices[i].component = dup_or_null(comp);
			m->notices[i].text = strdup(text);
			m->nnotices++;
			if ((comp != NULL && m->notices[i].component == NULL) ||
			    m->notices[i].text == NULL)
				return fy_fail(p->e, FY_E_INTERNAL, p->where,
				    "out of memory");
		}
	}
	if (check_list(p, components, "components", 0, LIMIT_COMPONENTS) == -1)
		return -1;
	if ((m->components = calloc(json_array_size(components) + 1,
	    sizeof(*m->components))) == NULL)
		return fy_fail(p->e, FY_E_INTERNAL, p->where, "oom");
	for (i = 0; i < json_array_size(components); i++) {
		m->ncomponents++;
		if (parse_component(p, &m->components[i],
		    json_array_get(components, i)) == -1)
			return -1;
		if (manifest_component(m, m->components[i].name,
		    m->components[i].variant) != &m->components[i])
			return fy_fail(p->e, FY_E_FORMAT, p->where, _("component"
			    " %s is listed twice"), m->components[i].name);
	}
	return 0;
}

int
manifest_parse_verified(const uint8_t *buf, size_t len, const char *where,
    struct manifest **out, struct fy_err *e)
{
	struct pctx p = { .where = where, .e = e };
	json_error_t je;
	json_t *root;
	int rc;

	if (len > LIMIT_MANIFEST_BYTES)
		return fy_fail(e, FY_E_FORMAT, where, _("manifest larger than "
		    "%u bytes"), LIMIT_MANIFEST_BYTES);
	if (!json_depth_ok(buf, len, LIMIT_JSON_DEPTH))
		return fy_fail(e, FY_E_FORMAT, where, _("JSON nested deeper "
		    "than %d levels"), LIMIT_JSON_DEPTH);
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return fy_fail(e, FY_E_FORMAT, where, _("invalid JSON at line "
		    "%d: %s"), je.line, je.text);
	if ((p.m = calloc(1, sizeof(*p.m))) == NULL) {
		json_decref(root);
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	}
	rc = parse_top(&p, root);
	json_decref(root);
	if (rc == -1) {
		manifest_free(p.m);
		return -1;
	}
	*out = p.m;
	return 0;
}

char *
manifest_emit_checked(const struct manifest *m, size_t *len,
    struct fy_err *e)
{
	struct manifest *back = NULL;
	char *s;

	if ((s = manifest_emit(m, len)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, LAYOUT_MANIFEST, "out of memory");
		return NULL;
	}
	/* Our own bytes, never a medium's: nothing here is untrusted. */
	if (manifest_parse_verified((const uint8_t *)s, *len, LAYOUT_MANIFEST,
	    &back, e) == -1) {
		free(s);
		return NULL;
	}
	manifest_free(back);
	return s;
}
