/* SPDX-License-Identifier: MIT */
/*
 * localedir: the catalogue folder from the program's own location (see
 * localedir.h; core/exedir.c finds it).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exedir.h"
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

	if (env != NULL && *env != '\0')
		return env;
	if (ferry_exe_dir(exe, sizeof(exe)) == -1)
		return fallback;
	if ((size_t)snprintf(buf, n, "%s/../share/locale", exe) < n &&
	    is_dir(buf))
		return buf;
	if ((size_t)snprintf(buf, n, "%s/locale", exe) < n && is_dir(buf))
		return buf;
	return fallback;
}
