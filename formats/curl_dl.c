/* SPDX-License-Identifier: MIT */
/*
 * curl_dl: libcurl, loaded when the first HTTP source opens.  The tools
 * are not linked with libcurl: it brings some 27 more shared libraries
 * (TLS, Kerberos, LDAP, ICU, ...), and relocating them cost every run of
 * applymedia and verifymedia about 5 ms of CPU and, on a busy machine,
 * several times that in wall time, although only HTTP sources use it
 * (docs/BENCHMARKS.md, issue 17).  These are the only libcurl functions
 * ferry calls (formats/source_http.c), with libcurl's own signatures;
 * each resolves libcurl.so.4 once and forwards.  Without the library,
 * curl_global_init() and curl_easy_init() fail and the HTTP source
 * reports "libcurl failed to start".
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>

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

static void
load(void)
{
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL)
		return;
	/* POSIX: a data pointer from dlsym() converts to a function one. */
	*(void **)&fn.global_init = dlsym(lib, "curl_global_init");
	*(void **)&fn.easy_init = dlsym(lib, "curl_easy_init");
	*(void **)&fn.easy_setopt = dlsym(lib, "curl_easy_setopt");
	*(void **)&fn.easy_perform = dlsym(lib, "curl_easy_perform");
	*(void **)&fn.easy_getinfo = dlsym(lib, "curl_easy_getinfo");
	*(void **)&fn.easy_cleanup = dlsym(lib, "curl_easy_cleanup");
	*(void **)&fn.easy_strerror = dlsym(lib, "curl_easy_strerror");
	loaded = fn.global_init && fn.easy_init && fn.easy_setopt &&
	    fn.easy_perform && fn.easy_getinfo && fn.easy_cleanup &&
	    fn.easy_strerror;
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
