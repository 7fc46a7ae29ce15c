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

/* What is mounted at (or holds) path?  Device from mountinfo, then
 * probed with libblkid; a plain directory on a non-block fs gives
 * device "" and the fs type from mountinfo. */
int	blk_probe_path(const char *path, struct blk_info *out,
	    struct fy_err *e);
/* Probe a device or image file directly (no mount needed). */
int	blk_probe_device(const char *dev, struct blk_info *out,
	    struct fy_err *e);
/* Every block device/partition libblkid knows, with its mount point if
 * any.  *out is malloc'ed. */
int	blk_list(struct blk_info **out, size_t *n, struct fy_err *e);
/* Largest single file the file system takes (FAT: 4 GiB - 1), or
 * UINT64_MAX. */
uint64_t blk_max_file_size(const char *fstype);

#endif
