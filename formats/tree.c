/* SPDX-License-Identifier: MIT */
/*
 * tree: listings of component versions (see tree.h): the path grammar,
 * sorting, lookups and the JSON form, all fuzzable without a file system
 * (scanning and verifying a directory is formats/tree_fs.c).  The
 * invariant: a listing that passed tree_sort() or tree_from_json() holds
 * only clean, unique (also ignoring case and Unicode normalization) paths,
 * and every parent directory of a file is itself listed.
 */
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <uninorm.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "core/unicode.h"
#include "formats/limits.h"
#include "formats/tree.h"

/* One file, and all files of a tree together, at most 1 PiB: sizes are
 * summed (space checks, tar bounds) and the sum must not wrap. */
#define TREE_MAX_BYTES	(1ull << 50)

/* Why a path is not a clean listing path (formats/SPEC.md section 5). */
enum path_problem {
	PP_OK, PP_EMPTY, PP_LONG, PP_ABSOLUTE, PP_CONTROL, PP_BACKSLASH,
	PP_CHAR, PP_UTF8, PP_EMPTY_NAME, PP_LONG_NAME, PP_DOTS, PP_TRAILING,
	PP_DEEP
};

/* *bad: the character of PP_CHAR. */
static enum path_problem
path_problem(const char *p, char *bad)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t comp = 0, depth = 1, n;

	if (p == NULL || *p == '\0')
		return PP_EMPTY;
	if (strlen(p) > LIMIT_PATH_BYTES)
		return PP_LONG;
	if (*p == '/')
		return PP_ABSOLUTE;
	for (;;) {
		const unsigned char *start = s;

		comp = 0;
		while (*s != '\0' && *s != '/') {
			if (*s < 0x20 || *s == 0x7f)
				return PP_CONTROL;
			if (*s == '\\')
				return PP_BACKSLASH;
			if (strchr("<>:\"|?*", *s) != NULL) {
				*bad = (char)*s;
				return PP_CHAR;
			}
			if ((n = utf8_seq(s, NULL)) == 0)
				return PP_UTF8;
			s += n;
			comp += n;
		}
		if (comp == 0)
			return PP_EMPTY_NAME;	/* "a//b", "a/" */
		if (comp > LIMIT_NAME_BYTES)
			return PP_LONG_NAME;
		if ((comp == 1 && start[0] == '.') ||
		    (comp == 2 && start[0] == '.' && start[1] == '.'))
			return PP_DOTS;
		/* Windows drops a trailing dot or space: "a." == "a". */
		if (s[-1] == '.' || s[-1] == ' ')
			return PP_TRAILING;
		if (*s == '\0')
			return PP_OK;
		if (++depth > LIMIT_PATH_DEPTH)
			return PP_DEEP;
		s++;			/* skip '/' */
	}
}

bool
tree_path_ok(const char *p)
{
	char bad;

	return path_problem(p, &bad) == PP_OK;
}

/* The refusal of a path that a vendor release has (mkmedia add): why,
 * in words, one whole message each (the English log takes its msgid). */
static int
path_fail(const char *path, enum path_problem pp, char bad, struct fy_err *e)
{
	switch (pp) {
	case PP_LONG:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: longer than %d bytes (formats/SPEC.md section "
		    "5)"), LIMIT_PATH_BYTES);
	case PP_ABSOLUTE:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: absolute (formats/SPEC.md section 5)"));
	case PP_CONTROL:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: a control character in a name (formats/SPEC.md "
		    "section 5)"));
	case PP_BACKSLASH:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: a backslash in a name (FAT and NTFS take it "
		    "for a folder separator; formats/SPEC.md section 5)"));
	case PP_CHAR:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: the character %c in a name (FAT and NTFS "
		    "cannot hold any of < > : \" | ? *; formats/SPEC.md "
		    "section 5)"), bad);
	case PP_UTF8:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: a name that is not valid UTF-8 "
		    "(formats/SPEC.md section 5)"));
	case PP_EMPTY_NAME:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: an empty name (formats/SPEC.md section 5)"));
	case PP_LONG_NAME:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: a name longer than %d bytes (formats/SPEC.md "
		    "section 5)"), LIMIT_NAME_BYTES);
	case PP_DOTS:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: a . or .. name (formats/SPEC.md section 5)"));
	case PP_TRAILING:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: a name that ends in a dot or a space (Windows "
		    "drops it; formats/SPEC.md section 5)"));
	case PP_DEEP:
		return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
		    "component: more than %d levels deep (formats/SPEC.md "
		    "section 5)"), LIMIT_PATH_DEPTH);
	case PP_EMPTY:
	case PP_OK:
		break;
	}
	return fy_fail(e, FY_E_UNSAFE, path, _("path not allowed in a "
	    "component: empty (formats/SPEC.md section 5)"));
}

void
tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
}

void
tree_free(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	tree_init(t);
}

int
tree_add(struct tree *t, const char *path, enum tree_type type, uint32_t mode,
    uint64_t size, const uint8_t *sha256, struct fy_err *e)
{
	struct tree_entry *nv, *x;
	enum path_problem pp;
	char bad = 0;

	if ((pp = path_problem(path, &bad)) != PP_OK)
		return path_fail(path, pp, bad, e);
	if (t->n >= LIMIT_FILES)
		return fy_fail(e, FY_E_FORMAT, path, _("more than %d entries"),
		    LIMIT_FILES);
	if (type == TREE_FILE && size > TREE_MAX_BYTES - t->total)
		return fy_fail(e, FY_E_FORMAT, path, _("files add up to more "
		    "than %llu bytes"), (unsigned long long)TREE_MAX_BYTES);
	if ((t->n & (t->n - 1)) == 0) {		/* grow at powers of two */
		nv = realloc(t->v, (t->n ? t->n * 2 : 16) * sizeof(*nv));
		if (nv == NULL)
			return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
		t->v = nv;
	}
	x = &t->v[t->n];
	memset(x, 0, sizeof(*x));
	if ((x->path = strdup(path)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	x->type = type;
	x->mode = mode;
	if (type == TREE_FILE) {
		x->size = size;
		if (sha256 != NULL)
			memcpy(x->sha256, sha256, DIGEST_LEN);
		t->total += size;
	}
	t->n++;
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct tree_entry *)a)->path,
	    ((const struct tree_entry *)b)->path);
}

/* A path as a file system that ignores case and Unicode normalization
 * sees it: case-folded NFD (macOS; FAT and NTFS ignore case).  Two listed
 * paths with one key would be one file there.  NULL: out of memory. */
struct folded {
	char			*key;
	const struct tree_entry	*x;
};

static char *
fold_key(const char *path)
{
	const unsigned char *s = (const unsigned char *)path;
	size_t n = 0, i;
	uint8_t *k;
	char *out;

	while (*s != '\0' && *s < 0x80)
		s++;
	if (*s == '\0') {		/* ASCII: NFD already */
		if ((out = strdup(path)) != NULL)
			for (i = 0; out[i] != '\0'; i++)
				if (out[i] >= 'A' && out[i] <= 'Z')
					out[i] = (char)(out[i] - 'A' + 'a');
		return out;
	}
	k = u8_casefold((const uint8_t *)path, strlen(path), NULL, UNINORM_NFD,
	    NULL, &n);
	if (k == NULL || (out = malloc(n + 1)) == NULL) {
		free(k);
		return NULL;
	}
	memcpy(out, k, n);
	out[n] = '\0';
	free(k);
	return out;
}

static int
cmp_folded(const void *a, const void *b)
{
	return strcmp(((const struct folded *)a)->key,
	    ((const struct folded *)b)->key);
}

/* No two paths that are one file on a case- or normalization-insensitive
 * file system: "Readme"/"README", "caf\u00e9"/"cafe\u0301". */
static int
check_collisions(const struct tree *t, const char *where, struct fy_err *e)
{
	struct folded *f;
	size_t i;
	int rc = 0;

	if ((f = calloc(t->n, sizeof(*f))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	for (i = 0; i < t->n && rc == 0; i++) {
		f[i].x = &t->v[i];
		if ((f[i].key = fold_key(t->v[i].path)) == NULL)
			rc = fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	}
	if (rc == 0)
		qsort(f, t->n, sizeof(*f), cmp_folded);
	for (i = 1; i < t->n && rc == 0; i++) {
		const char *a = f[i - 1].x->path, *b = f[i].x->path;

		if (strcmp(f[i - 1].key, f[i].key) != 0)
			continue;
		if (asc_casecmp(a, b) == 0)
			rc = fy_fail(e, FY_E_FORMAT, where, _("paths %.*s%s "
			    "and %.*s%s differ only in case (they collide on "
			    "FAT and NTFS)"), SHOWN(a), SHOWN(b));
		else
			rc = fy_fail(e, FY_E_FORMAT, where, _("paths %.*s%s "
			    "and %.*s%s are one name in two Unicode forms or "
			    "cases (they collide on macOS, FAT and NTFS)"),
			    SHOWN(a), SHOWN(b));
	}
	for (i = 0; i < t->n; i++)
		free(f[i].key);
	free(f);
	return rc;
}

int
tree_sort(struct tree *t, const char *where, struct fy_err *e)
{
	const struct tree_entry *parent;
	char buf[LIMIT_PATH_BYTES + 1], *slash;
	size_t i;
	int rc = 0;

	if (t->n == 0)
		return 0;
	qsort(t->v, t->n, sizeof(*t->v), cmp_entry);
	for (i = 1; i < t->n; i++)
		if (strcmp(t->v[i - 1].path, t->v[i].path) == 0)
			return fy_fail(e, FY_E_FORMAT, where, _("path %.*s%s "
			    "is listed twice"), SHOWN(t->v[i].path));
	rc = check_collisions(t, where, e);
	/* Every parent must be a listed directory. */
	for (i = 0; i < t->n && rc == 0; i++) {
		snprintf(buf, sizeof(buf), "%s", t->v[i].path);
		if ((slash = strrchr(buf, '/')) == NULL)
			continue;
		*slash = '\0';
		parent = tree_find(t, buf);
		if (parent == NULL || parent->type != TREE_DIR)
			rc = fy_fail(e, FY_E_FORMAT, where, _("%.*s%s is "
			    "listed but its directory %.*s%s is not"),
			    SHOWN(t->v[i].path), SHOWN(buf));
	}
	return rc;
}

const struct tree_entry *
tree_find(const struct tree *t, const char *path)
{
	struct tree_entry key = { .path = (char *)path };

	if (t->n == 0)
		return NULL;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_entry);
}

const struct tree_entry *
tree_find_sha(const struct tree *t, const uint8_t sha256[DIGEST_LEN])
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].type == TREE_FILE &&
		    memcmp(t->v[i].sha256, sha256, DIGEST_LEN) == 0)
			return &t->v[i];
	return NULL;
}

json_t *
tree_to_json(const struct tree *t)
{
	char hex[DIGEST_HEXLEN + 1], mode[8];
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct tree_entry *x = &t->v[i];

		snprintf(mode, sizeof(mode), "%04o", x->mode);
		if (x->type == TREE_DIR) {
			o = json_pack("{s:s, s:s, s:s}", "path", x->path,
			    "type", "dir", "mode", mode);
		} else {
			digest_to_hex(x->sha256, hex);
			o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "path",
			    x->path, "type", "file", "mode", mode, "size",
			    (json_int_t)x->size, "sha256", hex);
		}
		json_array_append_new(a, o);
	}
	return a;
}

static int
entry_from_json(const json_t *o, struct tree *t, const char *where,
    struct fy_err *e)
{
	const char *path = NULL, *type = NULL, *mode = NULL, *sha = NULL;
	json_int_t size = -1;
	uint8_t digest[DIGEST_LEN];
	json_error_t je;
	int isdir;

	if (json_unpack_ex((json_t *)o, &je, JSON_STRICT, "{s:s, s:s, s:s, "
	    "s?I, s?s}", "path", &path, "type", &type, "mode", &mode,
	    "size", &size, "sha256", &sha) == -1)
		return fy_fail(e, FY_E_FORMAT, where, _("bad tree entry: %s"),
		    je.text);
	if (!tree_path_ok(path))
		return fy_fail(e, FY_E_UNSAFE, where, _("tree path %.*s%s is "
		    "not a clean relative name"), SHOWN(path));
	isdir = strcmp(type, "dir") == 0;
	if (!isdir && strcmp(type, "file") != 0)
		return fy_fail(e, FY_E_FORMAT, where, _("%.*s%s: unknown type "
		    "%.*s%s"), SHOWN(path), SHOWN(type));
	if (isdir) {
		if (strcmp(mode, "0755") != 0 || size != -1 || sha != NULL)
			return fy_fail(e, FY_E_FORMAT, where, _("%.*s%s: bad "
			    "directory entry"), SHOWN(path));
		return tree_add(t, path, TREE_DIR, 0755, 0, NULL, e);
	}
	if (strcmp(mode, "0644") != 0 && strcmp(mode, "0755") != 0)
		return fy_fail(e, FY_E_FORMAT, where, _("%.*s%s: mode "
		    "%.*s%s not allowed"), SHOWN(path), SHOWN(mode));
	if (size < 0 || (uint64_t)size > TREE_MAX_BYTES)
		return fy_fail(e, FY_E_FORMAT, where, _("%.*s%s: size missing "
		    "or out of range"), SHOWN(path));
	if ((uint64_t)size > TREE_MAX_BYTES - t->total)
		return fy_fail(e, FY_E_FORMAT, where, _("%.*s%s: the files "
		    "add up to more than %llu bytes"), SHOWN(path),
		    (unsigned long long)TREE_MAX_BYTES);
	if (sha == NULL || digest_from_hex(sha, digest) == -1)
		return fy_fail(e, FY_E_FORMAT, where, _("%.*s%s: sha256 is not "
		    "64 lower-case hex digits"), SHOWN(path));
	return tree_add(t, path, TREE_FILE, mode[1] == '7' ? 0755 : 0644,
	    (uint64_t)size, digest, e);
}

int
tree_from_json(const json_t *j, struct tree *out, const char *where,
    struct fy_err *e)
{
	struct tree t;
	size_t i;

	if (!json_is_array(j))
		return fy_fail(e, FY_E_FORMAT, where, _("tree is not a list"));
	if (json_array_size(j) > LIMIT_FILES)
		return fy_fail(e, FY_E_FORMAT, where, _("tree has more than %d "
		    "entries"), LIMIT_FILES);
	tree_init(&t);
	for (i = 0; i < json_array_size(j); i++)
		if (entry_from_json(json_array_get(j, i), &t, where, e) == -1)
			goto fail;
	if (tree_sort(&t, where, e) == -1)
		goto fail;
	*out = t;
	return 0;
fail:
	tree_free(&t);
	return -1;
}

void
tree_digest(const struct tree *t, uint8_t out[DIGEST_LEN])
{
	struct digest *d = digest_new();
	char hex[DIGEST_HEXLEN + 1], line[LIMIT_PATH_BYTES + 128];
	size_t i;
	int n;

	if (d == NULL)
		abort();
	for (i = 0; i < t->n; i++) {
		const struct tree_entry *x = &t->v[i];

		if (x->type == TREE_DIR)
			n = snprintf(line, sizeof(line), "d %04o %s\n", x->mode,
			    x->path);
		else {
			digest_to_hex(x->sha256, hex);
			n = snprintf(line, sizeof(line), "f %04o %llu %s %s\n",
			    x->mode, (unsigned long long)x->size, hex, x->path);
		}
		digest_update(d, line, (size_t)n);
	}
	digest_final(d, out);
	digest_free(d);
}
