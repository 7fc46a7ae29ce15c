/* SPDX-License-Identifier: MIT */
/*
 * curl_dl: libcurl, loaded when the first HTTP source opens.  The tools
 * are not linked with libcurl: Debian's libcurl.so.4 brings some 30 more
 * shared libraries (TLS, Kerberos, LDAP, SASL, RTMP, SSH, ...), and
 * relocating them cost every run of applymedia and verifymedia about 5 ms
 * of CPU and, on a busy machine, several times that in wall time,
 * although only HTTP sources use it (docs/BENCHMARKS.md, issue 17).
 *
 * Which libcurl: ferry's private copy first, an HTTP(S)-only build of
 * Debian's own curl source (dist/curl/build-private.sh) that needs only
 * libssl, libcrypto and libc, found from the binary's own location as
 * core/localedir.c finds the catalogue: BINDIR/../lib/ferry/libcurl.so.4
 * when installed, libcurl.so.4 beside the binary in a build folder.  No
 * environment variable names it: applymedia runs as root, and whoever can
 * set a variable for it must not be able to make it load any library.
 * For the same reason the private file is used only when it is a regular
 * file owned by root or by the user running the tool, not writable by
 * group or others, in a folder of that kind too; anything else could be
 * replaced by another local user with code that runs in a root process,
 * so it is refused and the system's "libcurl.so.4" is loaded instead, as
 * when there is no private copy (docs/DEPENDENCIES.md).  The file checked
 * is the file loaded: it is opened once, checked with fstat(), and loaded
 * through /proc/self/fd/N.
 *
 * These are the only libcurl functions ferry calls (formats/source_http.c),
 * with libcurl's own signatures; each resolves the library once and
 * forwards.  Without any libcurl, curl_global_init() and curl_easy_init()
 * fail and the HTTP source reports "libcurl failed to start".
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exedir.h"

static struct {
	CURLcode	(*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
} fn;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;

/* Owned by root or by us, and nobody else may write to it. */
static int
trusted(const struct stat *st)
{
	return (st->st_uid == 0 || st->st_uid == geteuid()) &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* The private copy at PATH, if it is there and trusted: its handle. */
static void *
open_private(const char *path)
{
	char dir[PATH_MAX], via[64];
	struct stat st;
	char *slash;
	void *lib;
	int fd;

	if (strlen(path) >= sizeof(dir))
		return NULL;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return NULL;
	*slash = '\0';
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || !trusted(&st))
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	lib = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && trusted(&st)) {
		snprintf(via, sizeof(via), "/proc/self/fd/%d", fd);
		lib = dlopen(via, RTLD_NOW | RTLD_LOCAL);
	}
	close(fd);		/* the mapping stays */
	return lib;
}

/* ferry's private libcurl beside or under the running binary, else NULL. */
static void *
open_ferry_copy(void)
{
	static const char *const rel[] = {
		"/../lib/ferry/libcurl.so.4",	/* installed: BINDIR/.. */
		"/libcurl.so.4",		/* a build folder */
	};
	char exe[PATH_MAX], path[PATH_MAX + 32];
	size_t i;
	void *lib;

	if (ferry_exe_dir(exe, sizeof(exe)) == -1)
		return NULL;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", exe, rel[i]) >=
		    sizeof(path))
			continue;
		if ((lib = open_private(path)) != NULL)
			return lib;
	}
	return NULL;
}

/* Resolve every function from LIB; 1 when all are there. */
static int
resolve(void *lib)
{
	/* POSIX: a data pointer from dlsym() converts to a function one. */
	*(void **)&fn.global_init = dlsym(lib, "curl_global_init");
	*(void **)&fn.easy_init = dlsym(lib, "curl_easy_init");
	*(void **)&fn.easy_setopt = dlsym(lib, "curl_easy_setopt");
	*(void **)&fn.easy_perform = dlsym(lib, "curl_easy_perform");
	*(void **)&fn.easy_getinfo = dlsym(lib, "curl_easy_getinfo");
	*(void **)&fn.easy_cleanup = dlsym(lib, "curl_easy_cleanup");
	*(void **)&fn.easy_strerror = dlsym(lib, "curl_easy_strerror");
	return fn.global_init && fn.easy_init && fn.easy_setopt &&
	    fn.easy_perform && fn.easy_getinfo && fn.easy_cleanup &&
	    fn.easy_strerror;
}

static void
load(void)
{
	void *lib = open_ferry_copy();

	if (lib != NULL) {
		if (resolve(lib)) {
			loaded = 1;
			return;	/* loaded for the life of the process */
		}
		dlclose(lib);	/* not a libcurl after all */
	}
	if ((lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) != NULL)
		loaded = resolve(lib);
	/* The library stays loaded for the life of the process. */
}

static int
ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

CURLcode
curl_global_init(long flags)
{
	return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *
curl_easy_init(void)
{
	return ready() ? fn.easy_init() : NULL;
}

/* The argument's type follows from the option's number (curl.h:
 * CURLOPTTYPE_*), as libcurl itself reads it. */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode
curl_easy_perform(CURL *h)
{
	return ready() ? fn.easy_perform(h) : CURLE_FAILED_INIT;
}

/* Every CURLINFO_* takes a pointer to where the answer goes. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *answer;

	va_start(ap, info);
	answer = va_arg(ap, void *);
	va_end(ap);
	return ready() ? fn.easy_getinfo(h, info, answer) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup(CURL *h)
{
	if (ready())
		fn.easy_cleanup(h);
}

const char *
curl_easy_strerror(CURLcode rc)
{
	return ready() ? fn.easy_strerror(rc) : "libcurl.so.4 could not be "
	    "loaded";
}
