/* SPDX-License-Identifier: MIT */
/*
 * localedir: the catalogue folder from the program's own location (see
 * localedir.h).  /proc/self/exe names the running binary even when it
 * was started through a symlink or a relative path.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/localedir.h"

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
ferry_localedir(char *buf, size_t n, const char *fallback)
{
	const char *env = getenv("FERRY_LOCALEDIR");
	char exe[PATH_MAX];
	ssize_t len;
	char *slash;

	if (env != NULL && *env != '\0')
		return env;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0 || (size_t)len >= sizeof(exe) - 1)
		return fallback;
	exe[len] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return fallback;
	*slash = '\0';		/* the folder holding the binary */
	if ((size_t)snprintf(buf, n, "%s/../share/locale", exe) < n &&
	    is_dir(buf))
		return buf;
	if ((size_t)snprintf(buf, n, "%s/locale", exe) < n && is_dir(buf))
		return buf;
	return fallback;
}
