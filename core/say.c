/* SPDX-License-Identifier: MIT */
/*
 * say: the only place ferry writes to the terminal (see say.h).
 */
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/localedir.h"
#include "core/say.h"

#ifndef FERRY_LOCALEDIR
#define FERRY_LOCALEDIR "/usr/local/share/locale"
#endif

static const char *tool = "ferry";
static enum say_level level = SAY_NORMAL;

void
say_init(const char *name)
{
	char ld[4096];

	tool = name;
	setlocale(LC_ALL, "");
	bindtextdomain(FERRY_TEXTDOMAIN,
	    ferry_localedir(ld, sizeof(ld), FERRY_LOCALEDIR));
	bind_textdomain_codeset(FERRY_TEXTDOMAIN, "UTF-8");
	textdomain(FERRY_TEXTDOMAIN);
}

void
say_set_level(enum say_level lvl)
{
	level = lvl;
}

enum say_level
say_level(void)
{
	return level;
}

const char *
say_tool(void)
{
	return tool;
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void
say_escape(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, n;

	if (outsz == 0)
		return;
	while (*s != '\0' && o + 5 < outsz) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			out[o++] = (char)*s++;
		} else if (*s >= 0x80 && (n = utf8_len(s)) > 0 &&
		    o + n < outsz) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
		} else {
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", *s++);
		}
	}
	out[o] = '\0';
}

void
say_error(const struct fy_err *e)
{
	char w[1024], m[1024];

	say_escape(e->where, w, sizeof(w));
	say_escape(e->msg, m, sizeof(m));
	if (w[0] != '\0')
		fprintf(stderr, "%s: %s: %s\n", tool, w, m);
	else
		fprintf(stderr, "%s: %s\n", tool, m);
}

static void
vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048], esc[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	say_escape(buf, esc, sizeof(esc));
	if (prefix != NULL)
		fprintf(f, "%s: %s%s\n", tool, prefix, esc);
	else
		fprintf(f, "%s\n", esc);
}

void
say_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, _("warning: "), fmt, ap);
	va_end(ap);
}

void
say_info(const char *fmt, ...)
{
	va_list ap;

	if (level < SAY_NORMAL)
		return;
	va_start(ap, fmt);
	vline(stdout, NULL, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void
say_verbose(const char *fmt, ...)
{
	va_list ap;

	if (level < SAY_VERBOSE)
		return;
	va_start(ap, fmt);
	vline(stderr, NULL, fmt, ap);
	va_end(ap);
}

struct progress {
	char		label[64];
	uint64_t	total;
	struct timespec	start;
	struct timespec	last;
};

static double
secs_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

struct progress *
progress_begin(const char *label, uint64_t total)
{
	struct progress *p;

	if (level < SAY_NORMAL || !isatty(STDERR_FILENO))
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	return p;
}

void
progress_update(struct progress *p, uint64_t done)
{
	double el, rate, eta;

	if (p == NULL || secs_since(&p->last) < 0.2)
		return;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	el = secs_since(&p->start);
	rate = el > 0 ? (double)done / el : 0;
	eta = rate > 0 && p->total > done ? (double)(p->total - done) / rate : 0;
	fprintf(stderr, "\r%s: %llu/%llu MiB  %.1f MiB/s  ETA %.0fs   ",
	    p->label, (unsigned long long)(done >> 20),
	    (unsigned long long)(p->total >> 20), rate / 1048576.0, eta);
}

void
progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	fprintf(stderr, "\r%*s\r", 70, "");
	free(p);
}
