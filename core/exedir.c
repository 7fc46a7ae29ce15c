/* SPDX-License-Identifier: MIT */
/*
 * exedir: the folder holding the running program (see exedir.h).
 */
#include <string.h>
#include <unistd.h>

#include "core/exedir.h"

int
ferry_exe_dir(char *buf, size_t n)
{
	ssize_t len;
	char *slash;

	if (n < 2)
		return -1;
	len = readlink("/proc/self/exe", buf, n - 1);
	if (len <= 0 || (size_t)len >= n - 1)
		return -1;
	buf[len] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';		/* "/prog" gives "": the root */
	return 0;
}
