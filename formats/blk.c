/* SPDX-License-Identifier: MIT */
/*
 * blk: which device and file system hold a path, and which block devices
 * exist (see blk.h).  Mounts come from /proc/self/mountinfo and are
 * matched to devices by major:minor, never by mount-point names; file
 * system type, label and UUID come from libblkid's superblock probe, read
 * only, with no blkid cache file (nothing is written to /run/blkid).
 */
#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/i18n.h"
#include "formats/blk.h"

#define MOUNTINFO	"/proc/self/mountinfo"
#define SYS_BLOCK	"/sys/class/block"
#define BLK_MAX_DEVS	4096

struct mnt {
	unsigned	maj, min;
	char		mp[1024];
	char		fstype[32];
	char		source[256];
};

/* Undo mountinfo's octal escapes (\040 space, \011 tab, \134 '\'). */
static void
unescape(const char *in, char *out, size_t n)
{
	size_t o = 0;

	while (*in != '\0' && o + 1 < n) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' &&
		    in[2] >= '0' && in[2] <= '7' && in[3] >= '0' &&
		    in[3] <= '7') {
			out[o++] = (char)((in[1] - '0') * 64 +
			    (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

/* One mountinfo line: "id parent maj:min root mp opts [opt...] - type
 * source superopts".  Returns 0, or -1 if the line is malformed. */
static int
parse_line(char *line, struct mnt *m)
{
	char *f[6], *save = NULL, *t;
	int i;

	for (i = 0, t = strtok_r(line, " \n", &save); t != NULL && i < 5;
	    t = strtok_r(NULL, " \n", &save))
		f[i++] = t;
	if (i < 5 || sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
		return -1;
	unescape(f[4], m->mp, sizeof(m->mp));
	while (t != NULL && strcmp(t, "-") != 0)
		t = strtok_r(NULL, " \n", &save);
	if (t == NULL || (f[0] = strtok_r(NULL, " \n", &save)) == NULL ||
	    (f[1] = strtok_r(NULL, " \n", &save)) == NULL)
		return -1;
	unescape(f[0], m->fstype, sizeof(m->fstype));
	unescape(f[1], m->source, sizeof(m->source));
	return 0;
}

/*
 * Scan mountinfo.  With path: the mount holding it (longest mount point
 * that is a component prefix; the later of equal ones, which is on top).
 * Else the first mount of device maj:min.  1 found, 0 none, -1 error.
 */
static int
find_mount(const char *path, unsigned maj, unsigned min, struct mnt *out,
    struct fy_err *e)
{
	struct mnt m;
	size_t cap = 0, len, best = 0;
	char *line = NULL;
	int found = 0;
	FILE *f;

	if ((f = fopen(MOUNTINFO, "re")) == NULL)
		return fy_fail_errno(e, FY_E_IO, MOUNTINFO, "cannot open");
	while (getline(&line, &cap, f) != -1) {
		memset(&m, 0, sizeof(m));
		if (parse_line(line, &m) == -1)
			continue;
		if (path == NULL) {
			if (m.maj == maj && m.min == min) {
				*out = m;
				found = 1;
				break;
			}
			continue;
		}
		len = strlen(m.mp);
		if (strcmp(m.mp, "/") == 0)
			len = 0;	/* every absolute path is below "/" */
		else if (strncmp(path, m.mp, len) != 0 ||
		    (path[len] != '/' && path[len] != '\0'))
			continue;
		if (!found || len >= best) {
			*out = m;
			best = len;
			found = 1;
		}
	}
	free(line);
	fclose(f);
	return found;
}

static void
copy_value(blkid_probe pr, const char *name, char *out, size_t n)
{
	const char *v = NULL;
	size_t len = 0;

	if (blkid_probe_lookup_value(pr, name, &v, &len) == 0 && v != NULL)
		snprintf(out, n, "%s", v);
}

/* Superblock probe of dev: type, label, uuid, size.  No signature is
 * fine (empty type); two signatures are FY_E_FORMAT. */
static int
probe(const char *dev, struct blk_info *out, struct fy_err *e)
{
	blkid_probe pr;
	blkid_loff_t size;
	int r;

	if ((pr = blkid_new_probe_from_filename(dev)) == NULL)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, dev, _("cannot open for probing"));
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
	    BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
	blkid_probe_enable_partitions(pr, 0);
	r = blkid_do_safeprobe(pr);
	if (r == 0) {
		copy_value(pr, "TYPE", out->fstype, sizeof(out->fstype));
		copy_value(pr, "LABEL", out->label, sizeof(out->label));
		copy_value(pr, "UUID", out->uuid, sizeof(out->uuid));
	}
	if ((size = blkid_probe_get_size(pr)) > 0)
		out->size_bytes = (uint64_t)size;
	blkid_free_probe(pr);
	if (r == -2)
		return fy_fail(e, FY_E_FORMAT, dev,
		    _("more than one file system "
		    "signature; refusing to guess"));
	if (r < 0)
		return fy_fail(e, FY_E_IO, dev, "cannot probe");
	return 0;
}

static void
fill_space(const char *path, struct blk_info *out)
{
	struct statvfs sv;

	if (statvfs(path, &sv) == 0) {
		out->free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
		out->size_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
	}
}

int
blk_probe_device(const char *dev, struct blk_info *out, struct fy_err *e)
{
	struct blk_info bi;
	struct stat st;
	struct mnt m;
	int r;

	memset(&bi, 0, sizeof(bi));
	if (stat(dev, &st) == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, dev, "cannot stat");
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return fy_fail(e, FY_E_USAGE, dev, _("neither a block device "
		    "nor an image file"));
	snprintf(bi.device, sizeof(bi.device), "%s", dev);
	if (probe(dev, &bi, e) == -1)
		return -1;
	if (S_ISBLK(st.st_mode)) {
		r = find_mount(NULL, major(st.st_rdev), minor(st.st_rdev), &m,
		    e);
		if (r == -1)
			return -1;
		if (r == 1) {
			snprintf(bi.mountpoint, sizeof(bi.mountpoint), "%s",
			    m.mp);
			fill_space(m.mp, &bi);
		}
	}
	*out = bi;
	return 0;
}

int
blk_probe_path(const char *path, struct blk_info *out, struct fy_err *e)
{
	struct blk_info bi, pb;
	char rp[PATH_MAX], dev[PATH_MAX], link[64];
	struct fy_err pe = { 0 };
	struct stat st;
	struct mnt m;
	int r;

	memset(&bi, 0, sizeof(bi));
	if (realpath(path, rp) == NULL)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, path, _("cannot resolve"));
	if ((r = find_mount(rp, 0, 0, &m, e)) == -1)
		return -1;
	if (r == 0)
		return fy_fail(e, FY_E_NOTFOUND, path, _("no mount holds it"));
	snprintf(bi.mountpoint, sizeof(bi.mountpoint), "%s", m.mp);
	snprintf(bi.fstype, sizeof(bi.fstype), "%s", m.fstype);
	/* The device by number: mountinfo's source may be stale or a name
	 * like "/dev/root"; /dev/block/M:m always names the node. */
	dev[0] = '\0';
	snprintf(link, sizeof(link), "/dev/block/%u:%u", m.maj, m.min);
	if (m.maj != 0 && realpath(link, dev) == NULL)
		snprintf(dev, sizeof(dev), "%s", m.source);
	if (dev[0] == '/' && stat(dev, &st) == 0 && S_ISBLK(st.st_mode)) {
		snprintf(bi.device, sizeof(bi.device), "%s", dev);
		memset(&pb, 0, sizeof(pb));
		/* Unreadable device (not root): keep what mountinfo says. */
		if (probe(dev, &pb, &pe) == 0) {
			if (pb.fstype[0] != '\0')
				memcpy(bi.fstype, pb.fstype, sizeof(bi.fstype));
			memcpy(bi.label, pb.label, sizeof(bi.label));
			memcpy(bi.uuid, pb.uuid, sizeof(bi.uuid));
		}
	}
	fill_space(rp, &bi);
	*out = bi;
	return 0;
}

static int
read_sys(const char *name, const char *attr, char *buf, size_t n)
{
	char p[PATH_MAX];
	ssize_t got;
	int fd;

	snprintf(p, sizeof(p), SYS_BLOCK "/%s/%s", name, attr);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got <= 0)
		return -1;
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int
cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct blk_info *)a)->device,
	    ((const struct blk_info *)b)->device);
}

/* One /sys/class/block entry; 1 added, 0 skipped. */
static int
list_one(const char *name, struct blk_info *bi, struct fy_err *e)
{
	char buf[64];
	unsigned long long sectors;
	unsigned maj, min;
	struct fy_err pe = { 0 };
	struct stat st;
	struct mnt m;
	int r;

	memset(bi, 0, sizeof(*bi));
	if (read_sys(name, "size", buf, sizeof(buf)) == -1 ||
	    sscanf(buf, "%llu", &sectors) != 1 || sectors == 0)
		return 0;	/* detached loop device, empty drive */
	if (read_sys(name, "dev", buf, sizeof(buf)) == -1 ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2)
		return 0;
	snprintf(bi->device, sizeof(bi->device), "/dev/%s", name);
	if (stat(bi->device, &st) == 0 && S_ISBLK(st.st_mode) &&
	    major(st.st_rdev) == maj && minor(st.st_rdev) == min)
		(void)probe(bi->device, bi, &pe);	/* unreadable: "" */
	bi->size_bytes = sectors * 512;
	if ((r = find_mount(NULL, maj, min, &m, e)) == -1)
		return -1;
	if (r == 1) {
		snprintf(bi->mountpoint, sizeof(bi->mountpoint), "%s", m.mp);
		if (bi->fstype[0] == '\0')
			snprintf(bi->fstype, sizeof(bi->fstype), "%s",
			    m.fstype);
		fill_space(m.mp, bi);
		bi->size_bytes = sectors * 512;
	}
	return 1;
}

int
blk_list(struct blk_info **out, size_t *n, struct fy_err *e)
{
	struct blk_info *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r, rc = -1;

	if ((d = opendir(SYS_BLOCK)) == NULL)
		return fy_fail_errno(e, FY_E_IO, SYS_BLOCK, "cannot list");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (cnt == cap) {
			if (cap >= BLK_MAX_DEVS)
				break;
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				fy_fail(e, FY_E_INTERNAL, SYS_BLOCK,
				    "out of memory");
				goto out;
			}
			v = nv;
		}
		if ((r = list_one(de->d_name, &v[cnt], e)) == -1)
			goto out;
		cnt += (size_t)r;
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), cmp_dev);
	*out = v;
	*n = cnt;
	v = NULL;
	rc = 0;
out:
	closedir(d);
	free(v);
	return rc;
}

uint64_t
blk_max_file_size(const char *fstype)
{
	static const char *fat[] = { "fat", "fat12", "fat16", "fat32",
	    "msdos", "umsdos", "vfat" };	/* keep sorted */
	size_t i;

	if (fstype == NULL)
		return UINT64_MAX;
	for (i = 0; i < sizeof(fat) / sizeof(fat[0]); i++)
		if (strcmp(fstype, fat[i]) == 0)
			return 0xffffffffULL;
	return UINT64_MAX;
}
