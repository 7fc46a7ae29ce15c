/* SPDX-License-Identifier: MIT */
/*
 * auto: `applymedia auto DEVICE`, the plug-in apply that ferry-auto@.service
 * runs when udev sees a new file system (dist/udev/69-ferry-auto.rules).
 *   match   libblkid reads the device's label and UUID (no mount) and the
 *           client's medium policy decides, by the code `find` and --auto
 *           use (find_policy_ok); a device that does not match is never
 *           mounted, and without a policy nothing is
 *   mount   read-only, nosuid, nodev, noexec, on a private mount point
 *           (<root>/run/ferry/auto/NAME, 0700)
 *   apply   the ordinary apply (waits for another applymedia)
 *   report  (report = yes) remount read-write just long enough to write
 *           this client's report onto the medium
 *   unmount sync, unmount, remove the mount point
 * and one outcome line on stdout, which the unit sends to the journal and
 * the console: "ferry: updated patterns A -> B; stick may be removed".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/say.h"
#include "formats/blk.h"
#include "formats/layout.h"
#include "applymedia/am.h"
#include "applymedia/find.h"

#define AUTO_DIR	"/run/ferry/auto"

/* File systems a medium is written to (mkmedia: folder on a stick, --fat,
 * ISO image).  Anything else is not mounted, whatever its label says: a
 * label is not signed, and every file system driver is attack surface. */
static const char *const auto_fstypes[] = {
	"vfat", "exfat", "ext2", "ext3", "ext4", "iso9660", "udf", NULL,
};

static int
fstype_ok(const char *t)
{
	size_t i;

	for (i = 0; auto_fstypes[i] != NULL; i++)
		if (strcmp(auto_fstypes[i], t) == 0)
			return 1;
	return 0;
}

/* The private mount point: <root>/run/ferry/auto/<device name>. */
static int
make_mountpoint(const struct cfg *c, const char *dev, char *mp, size_t n,
    struct fy_err *e)
{
	const char *name = strrchr(dev, '/');
	char dir[CFG_PATH + 32];
	struct stat st;

	name = name != NULL ? name + 1 : dev;
	cfg_rooted(c, AUTO_DIR, dir, sizeof(dir));
	if ((size_t)snprintf(mp, n, "%s/%s", dir, name) >= n)
		return fy_fail(e, FY_E_USAGE, dev, _("device name too long"));
	/* The folder of the mount points is 0700: a mounted file system's
	 * root has its own mode, so this is what keeps other users out. */
	if (io_mkdirs(AT_FDCWD, dir, e) == -1)
		return -1;
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || chmod(dir, 0700) == -1)
		return fy_fail(e, FY_E_UNSAFE, dir, _("not a folder owned by "
		    "this user"));
	if (mkdir(mp, 0700) == -1 && errno != EEXIST)
		return fy_fail_errno(e, FY_E_IO, mp, _("cannot create the mount "
		    "point"));
	/* left by a run that was killed: must be an empty folder of ours */
	if (lstat(mp, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid())
		return fy_fail(e, FY_E_UNSAFE, mp, _("the mount point is not a "
		    "folder owned by this user"));
	(void)chmod(mp, 0700);
	return 0;
}

static void
unmount_medium(const char *mp)
{
	struct fy_err e = { 0 };
	int fd, i;

	if ((fd = open(mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)syncfs(fd);
		close(fd);
	}
	/* A hook or a shell may still hold a file open for a moment. */
	for (i = 0; i < 50; i++) {
		if (umount2(mp, UMOUNT_NOFOLLOW) == 0 || errno == EINVAL)
			break;
		if (errno != EBUSY) {
			i = 50;
			break;
		}
		usleep(100 * 1000);
	}
	if (i == 50) {
		fy_fail_errno(&e, FY_E_IO, mp, _("cannot unmount; detached "
		    "instead (the stick is safe to remove once no process "
		    "uses it)"));
		say_error(&e);
		(void)umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW);
	}
	(void)rmdir(mp);
}

/* Test builds only: the kernel the suite runs on may lack a driver
 * (vfat, iso9660) that every client kernel has.  FERRY_TEST_MOUNT_BIND=DIR
 * then stands in for the device's file system: DIR (the same medium,
 * written to a folder as the media tests do) is bound read-only with the
 * same flags.  The probe, the policy, the mount point, the apply and the
 * unmount are the real ones.  1 when it stood in; -1 with errno kept
 * for the caller's message. */
static int
mount_stand_in(const char *mp, unsigned long flags)
{
	const char *dir = FY_TEST_ENV("FERRY_TEST_MOUNT_BIND");
	int err = errno;

	if (dir == NULL || err != ENODEV)
		return -1;
	if (mount(dir, mp, NULL, MS_BIND, NULL) == -1)
		return -1;
	if (mount(NULL, mp, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == -1) {
		err = errno;
		(void)umount2(mp, MNT_DETACH);
		errno = err;
		return -1;
	}
	return 1;
}

/* report = yes: the medium is remounted read-write just long enough to
 * write this client's report to ferry-reports/ on it (applymedia report
 * --to); the caller then syncs and unmounts.  After a failed apply too:
 * the publisher learns of the failure.  A report that cannot be written
 * (a disc, a full or write-protected stick) is a warning: the apply's
 * outcome stands. */
static void
auto_report(const struct am_opts *o, const char *mp, unsigned long flags,
    int standin)
{
	struct am_opts ro = *o;
	struct fy_err e = { 0 };
	unsigned long rw = (flags & ~(unsigned long)MS_RDONLY) | MS_REMOUNT |
	    (standin ? MS_BIND : 0);

	if (mount(NULL, mp, NULL, rw, NULL) == -1) {
		say_warn(_("report = yes: cannot remount %s read-write (%s); no "
		    "report written"), mp, strerror(errno));
		return;
	}
	say_verbose(_("%s remounted read-write for the report"), mp);
	ro.source = NULL;
	ro.to = mp;
	ro.show = 0;
	ro.summary = NULL;
	ro.blk = NULL;
	if (am_report(&ro, &e) == -1)
		say_warn(_("report not written to %s: %s%s%s"), mp, e.where,
		    e.where[0] ? ": " : "", e.msg);
}

int
am_auto(const struct am_opts *o, const char *dev, struct fy_err *e)
{
	struct am_opts ao = *o;
	struct blk_info bi;
	struct cfg c;
	char mp[CFG_PATH + 300], summary[1200] = "";
	unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct stat st;
	int rc, standin = 0;

	if (cfg_load(o->root, o->config, &c, e) == -1)
		return -1;
	if (stat(dev, &st) == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, dev, _("cannot stat"));
	if (!S_ISBLK(st.st_mode))
		return fy_fail(e, FY_E_USAGE, dev, _("not a block device"));
	if (c.medium_label[0] == '\0' && c.medium_uuid[0] == '\0') {
		say_out(_("ferry: %s: plug-in apply is off (client.conf sets "
		    "neither medium_label nor medium_uuid); not mounted\n"),
		    dev);
		return 0;
	}
	if (blk_probe_device(dev, &bi, e) == -1)
		return -1;
	if (!find_policy_ok(&c, &bi)) {
		say_out(_("ferry: %s: label \"%s\" uuid %s is not this client's "
		    "medium; not mounted\n"), dev, bi.label,
		    bi.uuid[0] ? bi.uuid : "-");
		return 0;
	}
	if (!fstype_ok(bi.fstype))
		return fy_fail(e, FY_E_WRONG, dev, _("file system \"%s\" is not "
		    "one ferry mounts (vfat, exfat, ext2/3/4, iso9660, udf); "
		    "not mounted"), bi.fstype[0] ? bi.fstype : "none");
	if (make_mountpoint(&c, dev, mp, sizeof(mp), e) == -1)
		return -1;
	/* our own mount, left by a run that was killed outside the unit
	 * (in the unit, its mount namespace goes with it) */
	if (bi.mountpoint[0] != '\0' && strcmp(bi.mountpoint, mp) == 0 &&
	    umount2(mp, UMOUNT_NOFOLLOW) == 0)
		bi.mountpoint[0] = '\0';
	if (bi.mountpoint[0] != '\0')
		return fy_fail(e, FY_E_BUSY, dev, _("already mounted at %s; "
		    "apply from there (applymedia apply %s)"), bi.mountpoint,
		    bi.mountpoint);
	if (mount(dev, mp, bi.fstype, flags, NULL) == -1 &&
	    (standin = mount_stand_in(mp, flags)) == -1) {
		fy_fail_errno(e, FY_E_IO, dev, _("cannot mount %s read-only at "
		    "%s"), bi.fstype, mp);
		(void)rmdir(mp);
		return -1;
	}
	say_verbose(_("%s mounted read-only at %s"), dev, mp);
	ao.source = mp;
	ao.wait = 1;
	ao.blk = &bi;
	ao.summary = summary;
	ao.summary_len = sizeof(summary);
	ao.no_report = 1;
	rc = am_apply(&ao, e);
	if (c.report)
		auto_report(&ao, mp, flags, standin);
	unmount_medium(mp);
	if (rc == -1 && summary[0] != '\0') {	/* some components switched */
		say_out(_("ferry: the medium on %s was partly applied (%s); "
		    "stick may be removed\n"), dev, e->msg);
		return -1;
	}
	if (rc == -1) {
		say_out(_("ferry: the medium on %s was not applied (%s); stick "
		    "may be removed\n"), dev, e->msg);
		return -1;
	}
	if (summary[0] != '\0')
		say_out(_("ferry: updated %s; stick may be removed\n"),
		    summary);
	else
		say_out(_("ferry: nothing to update on %s; stick may be "
		    "removed\n"), dev);
	return 0;
}
