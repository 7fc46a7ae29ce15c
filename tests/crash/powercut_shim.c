/* SPDX-License-Identifier: MIT */
/*
 * powercut_shim: LD_PRELOAD companion of powercut_fs.c.  FUSE does not
 * forward syncfs() or sync() to the file system, so after the real call
 * this shim tells powercut_fs through a getxattr of the name
 * "user.powercut.syncfs" (on the fd for syncfs, on $POWERCUT_MNT for
 * sync), which the recorder logs as a "syncfs" barrier in order.
 * Test helper only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/xattr.h>

int
syncfs(int fd)
{
	static int (*real)(int);
	int r;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	r = real(fd);
	(void)fgetxattr(fd, "user.powercut.syncfs", NULL, 0);
	return r;
}

void
sync(void)
{
	static void (*real)(void);
	const char *m = getenv("POWERCUT_MNT");

	if (real == NULL)
		real = (void (*)(void))dlsym(RTLD_NEXT, "sync");
	real();
	if (m != NULL)
		(void)getxattr(m, "user.powercut.syncfs", NULL, 0);
}
