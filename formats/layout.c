/* SPDX-License-Identifier: MIT */
/*
 * layout: names on a medium (see layout.h).  Package names carry a content
 * hash prefix, so two different packages can never share a name and an
 * unchanged package keeps its name from one medium to the next (which is
 * what makes incremental stick rewrites cheap).
 */
#include <stdio.h>
#include <string.h>

#include "core/ascii.h"
#include "formats/layout.h"
#include "formats/tree.h"

bool
layout_id_ok(const char *id)
{
	size_t n;

	if (id == NULL || (n = strlen(id)) == 0 || n > 64)
		return false;
	if (!asc_lower((unsigned char)id[0]) && !asc_digit((unsigned char)id[0]))
		return false;
	for (; *id != '\0'; id++)
		if (!(asc_lower((unsigned char)*id) || asc_digit((unsigned char)*id) ||
		    *id == '.' || *id == '_' || *id == '-'))
			return false;
	return true;
}

int
layout_sig_name(const char *doc, unsigned i, char *buf, size_t n)
{
	int r;

	if (i == 0)
		r = snprintf(buf, n, "%s.sig", doc);
	else
		r = snprintf(buf, n, "%s.sig.%u", doc, i + 1);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

/* Versions may hold upper case and '+' '~'; file names may not. */
static void
name_part(const char *in, char *out, size_t n)
{
	size_t o = 0;

	for (; *in != '\0' && o + 1 < n; in++) {
		unsigned char c = (unsigned char)*in;

		if (asc_upper(c))
			out[o++] = (char)asc_tolower(c);
		else if (asc_lower(c) || asc_digit(c) || c == '.' || c == '-' ||
		    c == '_')
			out[o++] = (char)c;
		else
			out[o++] = '_';
	}
	out[o] = '\0';
}

static void
comp_dir(const char *comp, const char *variant, char *out, size_t n)
{
	if (variant != NULL && *variant != '\0')
		snprintf(out, n, "%s-%s", comp, variant);
	else
		snprintf(out, n, "%s", comp);
}

int
layout_base_name(const char *comp, const char *variant, const char *version,
    const uint8_t sha[DIGEST_LEN], char *buf, size_t n)
{
	char dir[160], v[80], hex[DIGEST_HEXLEN + 1];
	int r;

	comp_dir(comp, variant, dir, sizeof(dir));
	name_part(version, v, sizeof(v));
	digest_to_hex(sha, hex);
	r = snprintf(buf, n, "%s/%s/%s-%s-base-%.12s.tar.zst", LAYOUT_PKG_DIR,
	    dir, comp, v, hex);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

int
layout_delta_name(const char *comp, const char *variant, const char *from,
    const char *to, const uint8_t sha[DIGEST_LEN], char *buf, size_t n)
{
	char dir[160], f[80], t[80], hex[DIGEST_HEXLEN + 1];
	int r;

	comp_dir(comp, variant, dir, sizeof(dir));
	name_part(from, f, sizeof(f));
	name_part(to, t, sizeof(t));
	digest_to_hex(sha, hex);
	r = snprintf(buf, n, "%s/%s/%s-%s-to-%s-%.12s.fdelta", LAYOUT_PKG_DIR,
	    dir, comp, f, t, hex);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

bool
layout_file_ok(const char *path)
{
	const char *p;

	if (!tree_path_ok(path) || strlen(path) > 200)
		return false;
	/* The only upper-case names: the fixed top-level documents
	 * README.txt, SHA256SUMS, SHA256SUMS.sig and SHA256SUMS.sig.N. */
	if (strcmp(path, LAYOUT_README) == 0 || strcmp(path, LAYOUT_SUMS) == 0)
		return true;
	if (strncmp(path, LAYOUT_SUMS ".sig", strlen(LAYOUT_SUMS) + 4) == 0) {
		p = path + strlen(LAYOUT_SUMS) + 4;
		if (*p == '\0')
			return true;
		if (p[0] != '.' || p[1] < '2' || p[1] > '9' || p[2] != '\0')
			return false;
		return true;
	}
	for (p = path; *p != '\0'; p++)
		if (!(asc_lower((unsigned char)*p) || asc_digit((unsigned char)*p) ||
		    *p == '.' || *p == '_' || *p == '-' || *p == '/'))
			return false;
	return true;
}
