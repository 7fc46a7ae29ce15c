/* SPDX-License-Identifier: MIT */
/*
 * find: which ferry media are attached?  Mount-point names are never
 * trusted (an unlabelled stick mounts at odd paths): every block device
 * and partition libblkid knows is mapped to its mount point, and a mounted
 * file system holding ferry/manifest.json (at its root or one level down)
 * is a candidate.  Folders and ISO images named on the command line are
 * checked too.  The client's label/UUID policy filters the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "core/report.h"
#include "core/say.h"
#include "formats/blk.h"
#include "formats/layout.h"
#include "applymedia/am.h"
#include "applymedia/find.h"

static int
has_medium(const char *dir, char *out, size_t n)
{
	char p[2200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s/%s", dir, LAYOUT_DIR, LAYOUT_MANIFEST);
	if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(out, n, "%s", dir);
		return 1;
	}
	snprintf(p, sizeof(p), "%s/%s", dir, LAYOUT_MANIFEST);
	if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(out, n, "%s", dir);
		return 1;
	}
	return 0;
}

int
find_policy_ok(const struct cfg *c, const struct blk_info *b)
{
	/* Labels ignore ASCII case: mkmedia --label ferry_1127 writes the
	 * ISO 9660 volume id FERRY_1127, FAT keeps labels in upper case,
	 * and the admin copies what they typed into client.conf. */
	if (c->medium_label[0] && asc_casecmp(c->medium_label, b->label) != 0)
		return 0;
	if (c->medium_uuid[0] && asc_casecmp(c->medium_uuid, b->uuid) != 0)
		return 0;
	return 1;
}

static int
add(struct found **v, size_t *n, const char *path, const struct blk_info *b)
{
	struct found *nv;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].path, path) == 0)
			return 0;
	if ((nv = realloc(*v, (*n + 1) * sizeof(**v))) == NULL)
		return -1;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	snprintf(nv[*n].path, sizeof(nv[*n].path), "%s", path);
	if (b != NULL)
		nv[*n].blk = *b;
	(*n)++;
	return 0;
}

int
find_media(const struct cfg *c, const char *const *extra, size_t nextra,
    struct found **out, size_t *nout, struct fy_err *e)
{
	struct blk_info *devs = NULL, bi;
	struct found *v = NULL;
	struct fy_err pe;
	char hit[2200];
	size_t ndev = 0, n = 0, i;
	struct stat st;

	if (blk_list(&devs, &ndev, e) == -1)
		return -1;
	for (i = 0; i < ndev; i++) {
		if (devs[i].mountpoint[0] == '\0' || !find_policy_ok(c, &devs[i]))
			continue;
		if (has_medium(devs[i].mountpoint, hit, sizeof(hit)) &&
		    add(&v, &n, hit, &devs[i]) == -1)
			goto oom;
	}
	for (i = 0; i < nextra; i++) {
		memset(&pe, 0, sizeof(pe));
		memset(&bi, 0, sizeof(bi));
		if (stat(extra[i], &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!has_medium(extra[i], hit, sizeof(hit)))
				continue;
			(void)blk_probe_path(extra[i], &bi, &pe);
		} else {
			snprintf(hit, sizeof(hit), "%s", extra[i]);
			(void)blk_probe_device(extra[i], &bi, &pe);
			if (strcmp(bi.fstype, "iso9660") != 0)
				continue;
		}
		if (find_policy_ok(c, &bi) && add(&v, &n, hit, &bi) == -1)
			goto oom;
	}
	free(devs);
	*out = v;
	*nout = n;
	return 0;
oom:
	free(devs);
	free(v);
	return fy_fail(e, FY_E_INTERNAL, "find", "out of memory");
}

int
am_find(const struct am_opts *o, const char *const *extra, size_t nextra,
    struct fy_err *e)
{
	struct cfg c;
	struct found *v;
	size_t n, i;
	json_t *a;

	if (cfg_load(o->root, o->config, &c, e) == -1 ||
	    find_media(&c, extra, nextra, &v, &n, e) == -1)
		return -1;
	if (o->json) {
		a = json_array();
		for (i = 0; i < n; i++) {
			/* a label is raw bytes: escaped, it is always
			 * valid UTF-8 and the entry is never dropped */
			char lab[300], uuid[300], path[4200];

			say_escape(v[i].blk.label, lab, sizeof(lab));
			say_escape(v[i].blk.uuid, uuid, sizeof(uuid));
			say_escape(v[i].path, path, sizeof(path));
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, "
			    "s:s}", "path", path, "device", v[i].blk.device,
			    "fstype", v[i].blk.fstype, "label", lab,
			    "uuid", uuid));
		}
		report_json(a);
	} else {
		for (i = 0; i < n; i++)
			say_out("%s\t%s\t%s\tlabel=%s\tuuid=%s\n", v[i].path,
			    v[i].blk.device[0] ? v[i].blk.device : "-",
			    v[i].blk.fstype[0] ? v[i].blk.fstype : "-",
			    v[i].blk.label, v[i].blk.uuid);
		if (n == 0)
			say_info(_("no ferry medium found"));
	}
	free(v);
	return 0;
}

int
find_auto(const struct am_opts *o, char *out, size_t outsz, struct fy_err *e)
{
	struct cfg c;
	struct found *v;
	size_t n, i, len = 0;
	char list[1500] = "";

	if (cfg_load(o->root, o->config, &c, e) == -1 ||
	    find_media(&c, NULL, 0, &v, &n, e) == -1)
		return -1;
	if (n == 1)
		snprintf(out, outsz, "%s", v[0].path);
	for (i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", v[i].path);
	free(v);
	if (n == 0)
		return fy_fail(e, FY_E_NOTFOUND, "--auto", _("no ferry medium "
		    "is attached (checked every mounted block device)"));
	if (n > 1)
		return fy_fail(e, FY_E_USAGE, "--auto", _("%zu ferry media are "
		    "attached (%s); name the one to use"), n, list);
	return 0;
}
