/* SPDX-License-Identifier: MIT */
/*
 * say: the only place ferry writes to the terminal (see say.h).
 */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/localedir.h"
#include "core/say.h"
#include "core/unicode.h"

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

/* Length of the UTF-8 sequence at s that may be shown as it is, or 0:
 * strictly valid, and not a C1 control (U+0080..U+009F, which some
 * terminals obey like ESC) nor a bidirectional override (U+200E/F,
 * U+202A..U+202E, U+2066..U+2069, which reorder what the reader sees). */
static size_t
shown_len(const unsigned char *s)
{
	unsigned cp;
	size_t n = utf8_seq(s, &cp);

	if (n < 2 || cp < 0xa0 || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
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
		} else if (*s >= 0x80 && (n = shown_len(s)) > 0 &&
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
say_unescape(const char *in, char *out, size_t outsz)
{
	static const char hx[] = "0123456789abcdef";	/* say_escape's */
	const char *hi, *lo;
	size_t o = 0;

	if (outsz == 0)
		return;
	while (*in != '\0' && o + 1 < outsz) {
		if (in[0] == '\\' && in[1] == 'x' && in[2] != '\0' &&
		    in[3] != '\0' && (hi = strchr(hx, in[2])) != NULL &&
		    (lo = strchr(hx, in[3])) != NULL && (hi != hx || lo != hx)) {
			out[o++] = (char)((hi - hx) << 4 | (lo - hx));
			in += 4;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

void
say_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	say_escape(buf, out, outsz);
}

void
say_format(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_vformat(out, outsz, fmt, ap);
	va_end(ap);
}

/*
 * The format is the program's own text and is kept as it is (tabs,
 * padding); every %s argument is escaped before it is put in.  Supports
 * what the tools and their translations use: positional arguments
 * ("%2$s", as po/ja.po reorders them), flags, width, precision, the
 * length modifiers hh h l ll z j t, and d i u x X c s p %.
 */
enum argkind { A_NONE, A_INT, A_LONG, A_LLONG, A_SIZE, A_INTMAX, A_PTRDIFF,
	A_PTR, A_STR };

#define MAX_ARGS	16

struct convspec {
	char		 spec[32];	/* "%-12s" without any "n$" */
	int		 pos;		/* 1-based argument */
	enum argkind	 kind;
	char		 conv;
};

/* Parse the conversion at p ('%' already seen at p[-1]); *next is what
 * follows it.  -1 on a conversion this formatter does not take. */
static int
parse_conv(const char *p, int *seq, struct convspec *c, const char **next)
{
	const char *q = p, *body;
	int pos = 0;
	size_t n;

	while (*q >= '0' && *q <= '9')
		pos = pos * 10 + (*q++ - '0');
	if (*q == '$' && pos > 0)
		body = ++q;
	else {
		pos = ++*seq;
		q = body = p;
	}
	while (*q != '\0' && strchr("-+ #0", *q) != NULL)
		q++;
	while ((*q >= '0' && *q <= '9') || *q == '.')
		q++;
	while (*q != '\0' && strchr("hlzjt", *q) != NULL)
		q++;
	n = (size_t)(q - body) + 1;
	if (*q == '\0' || pos > MAX_ARGS || n + 2 > sizeof(c->spec))
		return -1;
	c->spec[0] = '%';
	memcpy(c->spec + 1, body, n);
	c->spec[n + 1] = '\0';
	c->pos = pos;
	c->conv = *q;
	switch (*q) {
	case 's': c->kind = A_STR; break;
	case 'p': c->kind = A_PTR; break;
	case 'c': c->kind = A_INT; break;
	case 'd': case 'i': case 'u': case 'x': case 'X':
		c->kind = strstr(c->spec, "ll") ? A_LLONG :
		    strchr(c->spec, 'l') ? A_LONG : strchr(c->spec, 'z') ?
		    A_SIZE : strchr(c->spec, 'j') ? A_INTMAX :
		    strchr(c->spec, 't') ? A_PTRDIFF : A_INT;
		break;
	default:
		return -1;
	}
	*next = q + 1;
	return 0;
}

static void
vformat_args(FILE *f, const char *fmt, va_list ap)
{
	union {
		int		 i;
		long		 l;
		long long	 ll;
		size_t		 z;
		intmax_t	 j;
		ptrdiff_t	 t;
		void		*p;
		const char	*s;
	} val[MAX_ARGS + 1];
	enum argkind kind[MAX_ARGS + 1] = { A_NONE };
	char esc[4096], one[8];
	struct convspec c;
	const char *p, *q, *next;
	int seq = 0, nargs = 0, i;

	/* Pass 1: the type of every argument, by position. */
	for (p = fmt; (p = strchr(p, '%')) != NULL; p = next) {
		if (p[1] == '%') {
			next = p + 2;
			continue;
		}
		if (parse_conv(p + 1, &seq, &c, &next) == -1)
			return;		/* not ours: print nothing wrong */
		kind[c.pos] = c.kind;
		if (c.pos > nargs)
			nargs = c.pos;
	}
	for (i = 1; i <= nargs; i++)
		switch (kind[i]) {
		case A_NONE:	return;	/* a gap: cannot know its type */
		case A_INT:	val[i].i = va_arg(ap, int); break;
		case A_LONG:	val[i].l = va_arg(ap, long); break;
		case A_LLONG:	val[i].ll = va_arg(ap, long long); break;
		case A_SIZE:	val[i].z = va_arg(ap, size_t); break;
		case A_INTMAX:	val[i].j = va_arg(ap, intmax_t); break;
		case A_PTRDIFF:	val[i].t = va_arg(ap, ptrdiff_t); break;
		case A_PTR:	val[i].p = va_arg(ap, void *); break;
		case A_STR:	val[i].s = va_arg(ap, const char *); break;
		}
	/* Pass 2: the text, with every string argument escaped. */
	seq = 0;
	for (p = fmt; *p != '\0'; p = next) {
		if (*p != '%' || p[1] == '%') {
			q = *p == '%' ? p + 1 : p;
			next = strchr(q + (*p == '%'), '%');
			if (next == NULL)
				next = q + strlen(q);
			fwrite(q, 1, (size_t)(next - q), f);
			continue;
		}
		if (parse_conv(p + 1, &seq, &c, &next) == -1)
			return;
		switch (c.kind) {
		case A_STR:
			say_escape(val[c.pos].s != NULL ? val[c.pos].s :
			    "(null)", esc, sizeof(esc));
			fprintf(f, c.spec, esc);
			break;
		case A_PTR:	fprintf(f, c.spec, val[c.pos].p); break;
		case A_LONG:	fprintf(f, c.spec, val[c.pos].l); break;
		case A_LLONG:	fprintf(f, c.spec, val[c.pos].ll); break;
		case A_SIZE:	fprintf(f, c.spec, val[c.pos].z); break;
		case A_INTMAX:	fprintf(f, c.spec, val[c.pos].j); break;
		case A_PTRDIFF:	fprintf(f, c.spec, val[c.pos].t); break;
		default:
			if (c.conv == 'c') {
				one[0] = (char)val[c.pos].i;
				one[1] = '\0';
				say_escape(one, esc, sizeof(esc));
				fputs(esc, f);
			} else
				fprintf(f, c.spec, val[c.pos].i);
			break;
		}
	}
}

void
say_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat_args(stdout, fmt, ap);
	va_end(ap);
}

void
say_out_bytes(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if ((b[i] < 0x20 && b[i] != '\n') || b[i] >= 0x7f)
			break;
	if (i == len) {			/* printable ASCII and newlines */
		fwrite(b, 1, len, stdout);
		return;
	}
	for (i = 0; i < len; i++) {	/* anything else: escaped */
		char one[2] = { (char)b[i], '\0' }, esc[8];

		if (b[i] == '\n')
			fputc('\n', stdout);
		else {
			say_escape(one, esc, sizeof(esc));
			fwrite(esc, 1, strlen(esc), stdout);
		}
	}
}

void
say_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat_args(stderr, fmt, ap);
	va_end(ap);
}

void
say_json(json_t *doc)
{
	if (doc == NULL)
		return;
	json_dumpf(doc, stdout, JSON_SORT_KEYS | JSON_INDENT(1));
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(doc);
}

void
say_syslog(int priority, const char *ident, const char *msg)
{
	char esc[2048];

	say_escape(msg, esc, sizeof(esc));
	openlog(ident, LOG_PID, LOG_DAEMON);
	syslog(priority, "%s", esc);
	closelog();
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
	say_escape(label, p->label, sizeof(p->label));
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	p->last.tv_sec -= 1;	/* the first update shows at once */
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
