/* SPDX-License-Identifier: MIT */
/*
 * deltapkg_write: making a delta package (formats/SPEC.md §7): the
 * format choice and format 1's tar (format 2 and later:
 * deltapkg_compact.c).  Apart from deltapkg.c, which applying needs, so
 * that applymedia links no delta encoder (formats/delta_dec.c).
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "formats/archive_dl.h"
#include "formats/deltapkg.h"
#include "formats/deltapkg_int.h"

static json_t *
make_index(const struct tree *from, const struct tree *to)
{
	const struct tree_entry *t, *x;
	json_t *files = json_array(), *o, *idx;
	uint8_t d[DIGEST_LEN];
	char hf[DIGEST_HEXLEN + 1], ht[DIGEST_HEXLEN + 1], name[BLOB_NAMELEN];
	size_t i, nblob = 0;

	tree_digest(from, d);
	digest_to_hex(d, hf);
	tree_digest(to, d);
	digest_to_hex(d, ht);
	for (i = 0; files != NULL && i < to->n; i++) {
		t = &to->v[i];
		if (t->type != TREE_FILE)
			continue;
		if ((x = deltapkg_pick_copy(from, t)) != NULL)
			o = json_pack("{s:s, s:s}", "path", t->path, "copy",
			    x->path);
		else {
			snprintf(name, sizeof(name), BLOB_FMT, ++nblob);
			x = deltapkg_pick_base(from, t->path);
			o = x ? json_pack("{s:s, s:s, s:s}", "path", t->path,
			    "blob", name, "base", x->path) :
			    json_pack("{s:s, s:s}", "path", t->path, "blob",
			    name);
		}
		if (o == NULL || json_array_append_new(files, o) == -1) {
			json_decref(files);
			return NULL;
		}
	}
	idx = json_pack("{s:i, s:s, s:s, s:o}", "format", INDEX_FORMAT,
	    "from", hf, "to", ht, "files", files);
	return idx;
}

static int
add_member(struct archive *a, const char *name, const void *buf, size_t len,
    struct fy_err *e)
{
	struct archive_entry *ae = archive_entry_new();
	int rc = -1;

	if (ae == NULL)
		return fy_fail(e, FY_E_INTERNAL, name, "out of memory");
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)len);
	archive_entry_set_mtime(ae, 0, 0);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	if (archive_write_header(a, ae) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(a, buf, len) != (la_ssize_t)len))
		fy_fail(e, FY_E_IO, name, "cannot write tar member: %s",
		    archive_error_string(a));
	else
		rc = 0;
	archive_entry_free(ae);
	return rc;
}

int
deltapkg_write(int fromfd, const struct tree *from, int tofd,
    const struct tree *to, const struct delta_opts *o, int outfd,
    struct fy_err *e)
{
	struct delta_opts d = { .level = 19, .workers = 1 };

	if (o != NULL)
		d = *o;
	if (d.format == 1)
		return deltapkg_write_v1(fromfd, from, tofd, to, &d, outfd, e);
	if (d.format < 2 || d.format > DELTAPKG_FORMAT_MAX)
		d.format = DELTAPKG_FORMAT_MAX;
	return deltapkg_write_v2(fromfd, from, tofd, to, &d, outfd, e);
}

int
deltapkg_write_v1(int fromfd, const struct tree *from, int tofd,
    const struct tree *to, const struct delta_opts *o, int outfd,
    struct fy_err *e)
{
	struct archive *a = NULL;
	json_t *idx = NULL, *f;
	const struct tree_entry *base;
	uint8_t *ob = NULL, *nb = NULL, *blob = NULL;
	char *js = NULL;
	size_t i, bloblen = 0;
	int rc = -1;

	if (archive_dl_ready(e) == -1)
		return -1;
	if ((idx = make_index(from, to)) == NULL ||
	    (js = json_dumps(idx, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, INDEX_NAME, "out of memory");
		goto out;
	}
	if ((a = archive_write_new()) == NULL ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 512) != ARCHIVE_OK ||
	    archive_write_open_fd(a, outfd) != ARCHIVE_OK) {
		fy_fail(e, FY_E_IO, "(delta package)", "cannot start tar: %s",
		    a ? archive_error_string(a) : "out of memory");
		goto out;
	}
	if (add_member(a, INDEX_NAME, js, strlen(js), e) == -1)
		goto out;
	json_array_foreach(json_object_get(idx, "files"), i, f) {
		if (json_object_get(f, "blob") == NULL)
			continue;
		if (deltapkg_read_listed(tofd, tree_find(to, json_string_value(
		    json_object_get(f, "path"))), &nb, e) == -1)
			goto out;
		base = json_object_get(f, "base") ? tree_find(from,
		    json_string_value(json_object_get(f, "base"))) : NULL;
		if (base != NULL &&
		    deltapkg_read_listed(fromfd, base, &ob, e) == -1)
			goto out;
		if (delta_encode(ob, base ? base->size : 0, nb,
		    tree_find(to, json_string_value(json_object_get(f,
		    "path")))->size, o, &blob, &bloblen, e) == -1 ||
		    add_member(a, json_string_value(json_object_get(f,
		    "blob")), blob, bloblen, e) == -1)
			goto out;
		free(ob);
		free(nb);
		free(blob);
		ob = nb = blob = NULL;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		fy_fail(e, FY_E_IO, "(delta package)", "cannot finish tar: %s",
		    archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	if (a != NULL)
		archive_write_free(a);
	free(ob);
	free(nb);
	free(blob);
	free(js);
	json_decref(idx);
	return rc;
}
