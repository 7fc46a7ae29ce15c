/* SPDX-License-Identifier: MIT */
/*
 * syncfs: the kernel check behind syncfs_reports_errors() (see syncfs.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/syncfs.h"

int
syncfs_reports_errors(void)
{
	static int known = -1;
	struct utsname u;
	const char *env;
	int major = 0, minor = 0;

	if (known != -1)
		return known;
	env = getenv("FERRY_FSYNC_EACH");
	if (env != NULL && strcmp(env, "1") == 0)
		return known = 0;
	if (uname(&u) == -1 || strcmp(u.sysname, "Linux") != 0 ||
	    sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return known = 0;
	return known = major > 5 || (major == 5 && minor >= 8);
}
