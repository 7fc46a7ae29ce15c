/* SPDX-License-Identifier: MIT */
/*
 * blk: block devices, file systems and mount points, through libblkid and
 * /proc/self/mountinfo (formats/SPEC.md §8).  Used by mkmedia to learn what
 * stick it writes to, and by applymedia to find attached media without
 * relying on mount-point names.
 */
#ifndef FERRY_BLK_H
#define FERRY_BLK_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct blk_info {
	char		device[256];	/* /dev/sdb1, /dev/loop3, or "" */
	char		mountpoint[1024];	/* "" when not mounted */
	char		fstype[32];	/* "vfat", "ext4", "iso9660", ... */
	char		label[128];
	char		uuid[64];
	uint64_t	free_bytes;	/* statvfs, 0 when not mounted */
	uint64_t	size_bytes;
};

/* What is mounted at (or holds) path?  The mount is the longest mount
 * point above realpath(path) in /proc/self/mountinfo; its device is
 * found by major:minor and probed with libblkid (a device we may not
 * read keeps mountinfo's fs type, with no label or uuid); a directory on
 * a non-block fs gives device "" and the fs type from mountinfo.
 * free_bytes and size_bytes are statvfs() of path.  FY_E_NOTFOUND,
 * FY_E_IO. */
int	blk_probe_path(const char *path, struct blk_info *out,
	    struct fy_err *e);
/* Probe a device or image file directly (no mount needed); a mounted
 * device also gets its mount point and statvfs() figures.  Two file
 * system signatures on one device are FY_E_FORMAT (never guessed).
 * FY_E_NOTFOUND, FY_E_USAGE (neither a block device nor a file), FY_E_IO. */
int	blk_probe_device(const char *dev, struct blk_info *out,
	    struct fy_err *e);
/* Every block device and partition in /sys/class/block with a non-zero
 * size (detached loop devices and empty drives are left out), sorted by
 * device, probed with libblkid (fstype "" when no file system or the node
 * cannot be read) and with its first mount point, if any.  size_bytes is
 * the device size.  *out is malloc'ed (NULL when *n is 0). */
int	blk_list(struct blk_info **out, size_t *n, struct fy_err *e);
/* Largest single file the file system takes (FAT: 4 GiB - 1), or
 * UINT64_MAX. */
uint64_t blk_max_file_size(const char *fstype);

#endif
