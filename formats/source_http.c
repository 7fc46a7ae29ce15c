/* SPDX-License-Identifier: MIT */
/*
 * source_http: a medium folder served by an http(s) mirror, read with
 * libcurl.  The mirror is untrusted exactly like a stick: it only delivers
 * bytes, and source.c caps, hashes and size-checks them; the manifest is
 * believed only after its signature (media_check), over https too.  This
 * file protects the transport rules: http and https only, no redirect is
 * ever followed, certificates are checked (FERRY_CA_BUNDLE adds a private
 * CA file), a stalled transfer is aborted (low-speed limit), transient
 * failures are retried a bounded number of times with backoff, and a cut
 * transfer resumes with a Range request from the last byte delivered, so
 * the sink sees every byte once and in order.  Proxies come from the
 * standard http_proxy / https_proxy / no_proxy variables (libcurl).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/ascii.h"
#include "formats/layout.h"
#include "formats/source_impl.h"

#define HTTP_TRIES		4	/* one attempt and 3 retries */
#define HTTP_BACKOFF_MS		500	/* doubled after each retry */

struct http {
	CURL	*c;
	char	*base;			/* URL of the folder, ends in '/' */
	long	 low_limit, low_time;	/* bytes/s, seconds */
	long	 tries;
	char	 errbuf[CURL_ERROR_SIZE];
};

/* One transfer (all attempts) of one file. */
struct xfer {
	struct http		*h;
	struct source_sink	*k;
	struct fy_err		*e;	/* filled by the sink */
	uint64_t		 off;	/* bytes given to the sink so far */
	uint64_t		 skip;	/* bytes to drop: Range was ignored */
	int64_t			 range_start;	/* Content-Range, or -1 */
	long			 status;
	int			 checked, refused, badstatus;
};

static long
env_long(const char *name, long def, long min, long max, int *bad)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max)
		*bad = 1;
	return n;
}

/* base + path, every byte outside [A-Za-z0-9._~/-] percent-encoded. */
static char *
make_url(const struct http *h, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t bl = strlen(h->base), i, o;
	char *u;

	if ((u = malloc(bl + 3 * strlen(path) + 1)) == NULL)
		return NULL;
	memcpy(u, h->base, bl);
	for (i = 0, o = bl; path[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)path[i];

		if (asc_alnum(ch) || strchr("._~/-", ch) != NULL) {
			u[o++] = (char)ch;
		} else {
			u[o++] = '%';
			u[o++] = hex[ch >> 4];
			u[o++] = hex[ch & 15];
		}
	}
	u[o] = '\0';
	return u;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = sz * n;
	unsigned long long a;
	char line[256];

	if (len >= sizeof(line))
		return len;
	memcpy(line, p, len);
	line[len] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0)
		x->range_start = -1;	/* a new response begins */
	else if (asc_ncasecmp(line, "content-range:", 14) == 0 &&
	    sscanf(line + 14, " bytes %llu-", &a) == 1)
		x->range_start = (int64_t)a;
	return len;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = sz * n, drop;

	if (!x->checked) {
		x->checked = 1;
		curl_easy_getinfo(x->h->c, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->status == 200)
			x->skip = x->off;	/* whole file again */
		else if (!(x->status == 206 && x->off > 0 &&
		    x->range_start == (int64_t)x->off)) {
			x->badstatus = 1;
			return 0;
		}
	}
	if (x->skip > 0) {
		drop = x->skip < len ? (size_t)x->skip : len;
		x->skip -= drop;
		p += drop;
		len -= drop;
	}
	if (len > 0 && x->k->write(x->k, p, len, x->e) == -1) {
		x->refused = 1;
		return 0;
	}
	x->off += len;
	return sz * n;
}

/* Is this failure worth another attempt? */
static int
transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	case CURLE_HTTP_RETURNED_ERROR:
		return status == 408 || status == 429 || status == 500 ||
		    status == 502 || status == 503 || status == 504;
	default:
		return 0;
	}
}

/* Turn a failed attempt into the error the caller sees. */
static int
fail_xfer(struct http *h, const char *path, CURLcode rc, long status,
    const struct xfer *x, struct fy_err *e)
{
	const char *why = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);

	if (x != NULL && x->badstatus) {
		if (status >= 300 && status < 400)
			return fy_fail(e, FY_E_IO, path, "mirror answered HTTP "
			    "%ld (a redirect; redirects are not followed: "
			    "point at the final URL)", status);
		if (status == 206)
			return fy_fail(e, FY_E_IO, path, "mirror answered a "
			    "range request with the wrong range");
		return fy_fail(e, FY_E_IO, path, "mirror answered HTTP %ld",
		    status);
	}
	switch (rc) {
	case CURLE_HTTP_RETURNED_ERROR:
		if (status == 404 || status == 410)
			return fy_fail(e, FY_E_INCOMPLETE, path, "missing on "
			    "the mirror (HTTP %ld)", status);
		return fy_fail(e, FY_E_IO, path, "mirror answered HTTP %ld",
		    status);
	case CURLE_OPERATION_TIMEDOUT:
		if (strncmp(why, "Operation too slow", 18) == 0)
			return fy_fail(e, FY_E_IO, path, "mirror too slow: "
			    "less than %ld bytes/s for %ld s, transfer aborted",
			    h->low_limit, h->low_time);
		return fy_fail(e, FY_E_IO, path, "timed out: %s", why);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return fy_fail(e, FY_E_IO, path, "TLS failed, the mirror's "
		    "certificate was refused (%s); for a private CA set "
		    "FERRY_CA_BUNDLE=FILE", why);
	default:
		return fy_fail(e, FY_E_IO, path, "cannot read from the mirror: "
		    "%s", why);
	}
}

static void
backoff(long attempt)
{
	long ms = HTTP_BACKOFF_MS << (attempt < 6 ? attempt : 6);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/*
 * GET (k != NULL) or HEAD (k == NULL) of path, with retries.  For a GET
 * every attempt after the first asks only for the bytes not yet delivered.
 * Returns 0, or -1 with e filled; *status is the last HTTP status.
 */
static int
request(struct http *h, const char *path, struct source_sink *k,
    long *status, struct fy_err *e)
{
	struct xfer x = { .h = h, .k = k, .e = e, .range_start = -1 };
	char range[32], *url;
	CURLcode rc = CURLE_OK;
	long attempt;

	if ((url = make_url(h, path)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	curl_easy_setopt(h->c, CURLOPT_URL, url);
	/* A HEAD answered 404 is how a probe learns that a file is absent:
	 * with CURLOPT_FAILONERROR libcurl would close the connection on it,
	 * and every probe would cost the next request a new one (a client
	 * one day behind opened 5 connections for 9 requests).  So a HEAD
	 * judges its status itself, below; a GET keeps failing early. */
	curl_easy_setopt(h->c, CURLOPT_FAILONERROR, k != NULL ? 1L : 0L);
	if (k == NULL)
		curl_easy_setopt(h->c, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(h->c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h->c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h->c, CURLOPT_HEADERDATA, &x);
	for (attempt = 0; attempt < h->tries; attempt++) {
		if (attempt > 0)
			backoff(attempt - 1);
		x.checked = x.badstatus = 0;
		x.skip = 0;
		x.status = 0;
		x.range_start = -1;
		h->errbuf[0] = '\0';
		if (k != NULL && x.off > 0) {
			snprintf(range, sizeof(range), "%" PRIu64 "-", x.off);
			curl_easy_setopt(h->c, CURLOPT_RANGE, range);
		} else
			curl_easy_setopt(h->c, CURLOPT_RANGE, NULL);
		rc = curl_easy_perform(h->c);
		curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &x.status);
		if (k == NULL && rc == CURLE_OK && x.status >= 400)
			rc = CURLE_HTTP_RETURNED_ERROR;
		if (x.refused)
			break;
		if (rc == CURLE_OK && !x.checked && k != NULL &&
		    x.status != 200 && !(x.status == 206 && x.off > 0)) {
			x.badstatus = 1;	/* e.g. a 3xx without a body */
			break;
		}
		if (rc == CURLE_OK || !transient(rc, x.status))
			break;
	}
	curl_easy_setopt(h->c, CURLOPT_RANGE, NULL);
	free(url);
	*status = x.status;
	if (x.refused)
		return -1;	/* the sink filled e */
	if (rc == CURLE_OK && !x.badstatus) {
		if (x.skip > 0)
			return fy_fail(e, FY_E_INTEGRITY, path, "shorter "
			    "than before on the mirror's second answer");
		return 0;
	}
	return fail_xfer(h, path, rc, x.status, &x, e);
}

static int
http_stream(struct source *s, const char *path, struct source_sink *k,
    struct fy_err *e)
{
	long status;

	return request(s->impl, path, k, &status, e);
}

static int
http_exists(struct source *s, const char *path, struct fy_err *e)
{
	struct fy_err le = { 0 };
	long status;

	if (request(s->impl, path, NULL, &status, &le) == 0) {
		if (status == 200)
			return 1;
		return fy_fail(e, FY_E_IO, path, "mirror answered HTTP %ld%s",
		    status, status >= 300 && status < 400 ? " (a redirect; "
		    "redirects are not followed)" : "");
	}
	if (le.code == FY_E_INCOMPLETE)
		return 0;
	*e = le;
	return -1;
}

static void
http_free(struct source *s)
{
	struct http *h = s->impl;

	if (h == NULL)
		return;
	if (h->c != NULL)
		curl_easy_cleanup(h->c);
	free(h->base);
	free(h);
	s->impl = NULL;
}

static const struct source_ops http_ops = {
	.stream = http_stream,
	.exists = http_exists,
	.list = NULL,		/* a mirror has no listing (autoindex off) */
	.free = http_free,
};

static int
setup(struct http *h, const char *spec, struct fy_err *e)
{
	const char *ca = getenv("FERRY_CA_BUNDLE");
	long connect;
	int bad = 0;

	connect = env_long("FERRY_HTTP_CONNECT_TIMEOUT", 10, 1, 3600, &bad);
	h->low_time = env_long("FERRY_HTTP_LOW_SPEED_TIME", 30, 1, 3600, &bad);
	h->low_limit = env_long("FERRY_HTTP_LOW_SPEED_LIMIT", 1024, 1,
	    1L << 30, &bad);
	h->tries = 1 + env_long("FERRY_HTTP_RETRIES", HTTP_TRIES - 1, 0, 10,
	    &bad);
	if (bad)
		return fy_fail(e, FY_E_USAGE, spec, "bad FERRY_HTTP_* value in "
		    "the environment (whole seconds, bytes/s or retries)");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (h->c = curl_easy_init()) == NULL)
		return fy_fail(e, FY_E_INTERNAL, spec, "libcurl failed to "
		    "start");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h->c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h->c, CURLOPT_REDIR_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(h->c, CURLOPT_LOW_SPEED_LIMIT, h->low_limit);
	curl_easy_setopt(h->c, CURLOPT_LOW_SPEED_TIME, h->low_time);
	curl_easy_setopt(h->c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h->c, CURLOPT_USERAGENT, "ferry/" FERRY_VERSION);
	curl_easy_setopt(h->c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->c, CURLOPT_HEADERFUNCTION, on_header);
	/* Certificate and host name checks stay on (libcurl's default);
	 * a private CA is added, never the checks removed. */
	if (ca != NULL && *ca != '\0')
		curl_easy_setopt(h->c, CURLOPT_CAINFO, ca);
	return 0;
}

/* Does the folder at h->base look like a medium?  1, 0, -1. */
static int
probe(struct source *s, struct fy_err *e)
{
	int r;

	if ((r = http_exists(s, LAYOUT_MANIFEST, e)) != 0)
		return r;
	return http_exists(s, LAYOUT_INCOMPLETE, e);
}

int
source_http_open(const char *spec, struct source *s, struct fy_err *e)
{
	struct http *h;
	size_t n = strlen(spec);
	char *sub;
	int r;

	if (strpbrk(spec, "?# \t\r\n") != NULL)
		return fy_fail(e, FY_E_USAGE, spec, "a mirror URL names a "
		    "folder: no query, fragment or blank");
	while (n > 8 && spec[n - 1] == '/')
		n--;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
	s->impl = h;
	s->ops = &http_ops;
	if (asprintf(&h->base, "%.*s/", (int)n, spec) == -1) {
		h->base = NULL;
		fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
		goto fail;
	}
	if ((s->name = strdup(h->base)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
		goto fail;
	}
	if (setup(h, spec, e) == -1 || (r = probe(s, e)) == -1)
		goto fail;
	if (r == 0) {
		/* The medium root, holding ferry/, like a stick. */
		if (asprintf(&sub, "%s" LAYOUT_DIR "/", h->base) == -1) {
			fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
			goto fail;
		}
		free(h->base);
		h->base = sub;
		if ((r = probe(s, e)) == -1)
			goto fail;
		if (r == 0) {
			fy_fail(e, FY_E_NOTFOUND, spec, "no ferry medium here "
			    "(neither " LAYOUT_MANIFEST " nor " LAYOUT_DIR "/"
			    LAYOUT_MANIFEST " on the mirror)");
			goto fail;
		}
		free(s->name);
		if ((s->name = strdup(h->base)) == NULL) {
			fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
			goto fail;
		}
	}
	return 0;
fail:
	http_free(s);
	free(s->name);
	s->name = NULL;
	s->ops = NULL;
	return -1;
}
