/* SPDX-License-Identifier: MIT */
/*
 * readme: README.txt, the human half of a self-describing medium.  It says
 * what is on the medium, who built it and when, which key signed it, and
 * how to check and apply it with ferry or with plain gpgv and sha256sum,
 * and how to check it on a Windows host (PowerShell Get-FileHash or
 * certutil, gpgv from Gpg4win), which can verify and pass a medium on but
 * never apply it.  Plain ASCII with CRLF line ends, so that every Notepad
 * shows its lines (less, cat and grep do too).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/layout.h"
#include "mkmedia/emit.h"

struct sb {
	char	*s;
	size_t	 n, cap;
	int	 oom;
};

static void
add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->oom || need < 0)
		return;
	if (b->n + (size_t)need + 1 > b->cap) {
		size_t cap = (b->n + (size_t)need + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (ns == NULL) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

static void
component(struct sb *b, const struct mf_component *c)
{
	const struct mf_version *nv = mf_version_newest(c);
	size_t i, j;

	add(b, "  %s%s%s\n", c->name, *c->variant ? " variant " : "",
	    c->variant);
	for (i = 0; i < c->nversions; i++) {
		const struct mf_version *v = &c->versions[i];

		add(b, "    version %-18s %zu files, %llu bytes%s\n", v->version,
		    v->tree.n, (unsigned long long)v->tree.total,
		    v->base ? "" : " (reachable by delta only)");
		if (v->base)
			add(b, "      base package  %s (%llu bytes)\n",
			    v->base->path, (unsigned long long)v->base->size);
		for (j = 0; j < v->nreqs; j++)
			add(b, "      requires      %s >= %s\n",
			    v->reqs[j].component, v->reqs[j].min_version);
	}
	for (i = 0; i < c->ndeltas; i++)
		add(b, "    delta %s -> %s  %s (%llu bytes)\n", c->deltas[i].from,
		    c->deltas[i].to, c->deltas[i].file->path,
		    (unsigned long long)c->deltas[i].file->size);
	(void)nv;
}

/* The gpgv lines for doc and each of its signatures (doc.sig, doc.sig.2,
 * ...), with the keyring path kr and the separator of the host. */
static void
gpgv_lines(struct sb *b, const char *indent, const char *kr, const char *doc,
    size_t nsign)
{
	char sig[256];
	size_t i;

	for (i = 0; i < (nsign ? nsign : 1); i++) {
		if (layout_sig_name(doc, (unsigned)i, sig, sizeof(sig)) == -1)
			continue;
		add(b, "%sgpgv --keyring %s %s %s\n", indent, kr, sig, doc);
	}
}

/* A path of the medium (forward slashes) as Windows writes it. */
static void
backslashed(const char *p, char *out, size_t n)
{
	size_t i;

	for (i = 0; p[i] != '\0' && i + 1 < n; i++)
		out[i] = p[i] == '/' ? '\\' : p[i];
	out[i] = '\0';
}

/* The first base package on the medium (for the certutil example). */
static const char *
some_package(const struct manifest *m)
{
	size_t i, j;

	for (i = 0; i < m->ncomponents; i++)
		for (j = 0; j < m->components[i].nversions; j++)
			if (m->components[i].versions[j].base != NULL &&
			    m->components[i].versions[j].base->nparts == 0)
				return m->components[i].versions[j].base->path;
	return NULL;
}

/* Every "\n" becomes "\r\n"; frees s.  NULL when out of memory. */
static char *
crlf(char *s, size_t n, size_t *len)
{
	size_t i, k = 0, lines = 0;
	char *out;

	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	if ((out = malloc(n + lines + 1)) == NULL) {
		free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			out[k++] = '\r';
		out[k++] = s[i];
	}
	out[k] = '\0';
	free(s);
	*len = k;
	return out;
}

char *
emit_readme(const struct manifest *m, const struct mk_opts *o, size_t *len)
{
	struct sb b = { 0 };
	char created[21], expires[21], win[600];
	const char *pkg;
	size_t i;

	manifest_time_fmt(m->created, created);
	if (m->expires)
		manifest_time_fmt(m->expires, expires);
	add(&b, "FERRY UPDATE MEDIUM\n===================\n\n");
	add(&b, "Publisher   %s (channel %s)\n", m->publisher, m->channel);
	add(&b, "Medium      %s (serial %llu)\n", m->medium_id,
	    (unsigned long long)m->serial);
	add(&b, "Built       %s by %s\n", created, m->builder);
	add(&b, "Expires     %s\n", m->expires ? expires : "never");
	for (i = 0; i < o->nsign; i++)
		add(&b, "Signed by   %s\n", o->sign_keys[i]);
	add(&b, "\nCompare the fingerprint(s) above with the one you were "
	    "given on paper or\nby telephone.  Never trust a key that "
	    "arrives on the medium itself.\n");
	add(&b, "\nCONTENTS\n\n");
	for (i = 0; i < m->ncomponents; i++)
		component(&b, &m->components[i]);
	if (m->nnotices) {
		add(&b, "\nNOTICES\n\n");
		for (i = 0; i < m->nnotices; i++)
			add(&b, "  %s%s%s\n", m->notices[i].component ?
			    m->notices[i].component : "", m->notices[i].component
			    ? ": " : "", m->notices[i].text);
	}
	add(&b, "\nAPPLY (isolated Linux client with ferry installed)\n\n"
	    "  applymedia plan  /media/usb        (what would change, "
	    "nothing is written)\n"
	    "  applymedia apply /media/usb\n");
	add(&b, "\nVERIFY (with ferry)\n\n"
	    "  verifymedia --trust FINGERPRINT --keyring publisher.gpg "
	    "/media/usb\n");
	add(&b, "\nVERIFY (without ferry: GnuPG and coreutils only)\n\n"
	    "  cd /media/usb/%s\n", LAYOUT_DIR);
	gpgv_lines(&b, "  ", "/path/to/publisher.gpg", LAYOUT_MANIFEST,
	    o->nsign);
	gpgv_lines(&b, "  ", "/path/to/publisher.gpg", LAYOUT_SUMS, o->nsign);
	add(&b, "  sha256sum -c %s\n"
	    "  Every line must say OK and gpgv must name the fingerprint "
	    "above.\n", LAYOUT_SUMS);
	add(&b, "\nWINDOWS\n\n"
	    "  A Windows host cannot apply this medium: applymedia runs on "
	    "the Linux\n"
	    "  clients.  On Windows you can verify the medium (below) and "
	    "copy it\n"
	    "  unchanged to a share or web server that the Linux clients "
	    "read.  A\n"
	    "  vendor's own Windows clients are served by a Linux mirror "
	    "host that\n"
	    "  applies the vendor's update folder as a component (ferry's\n"
	    "  docs/MIRROR.md, \"vendor mirror host\").\n");
	add(&b, "\nVERIFY ON WINDOWS (PowerShell, and gpgv from Gpg4win)\n\n"
	    "  Here the medium is drive E: and the publisher's key, "
	    "exported with\n"
	    "  gpg --export, is C:\\keys\\publisher.gpg.\n\n"
	    "  1. The signatures (gpgv.exe comes with Gpg4win; each must "
	    "say \"Good\n"
	    "     signature\" and name the fingerprint above):\n\n"
	    "       cd E:\\%s\n", LAYOUT_DIR);
	gpgv_lines(&b, "       ", "C:\\keys\\publisher.gpg", LAYOUT_MANIFEST,
	    o->nsign);
	gpgv_lines(&b, "       ", "C:\\keys\\publisher.gpg", LAYOUT_SUMS,
	    o->nsign);
	add(&b, "\n  2. Every file against %s, in PowerShell in E:\\%s "
	    "(every line\n"
	    "     must say OK):\n\n"
	    "       Get-Content %s | ForEach-Object {\n"
	    "         $sum, $name = $_ -split '  ', 2\n"
	    "         $got = (Get-FileHash -Algorithm SHA256 -LiteralPath "
	    "$name).Hash\n"
	    "         if ($got -eq $sum) { \"OK      $name\" } "
	    "else { \"FAILED  $name\" } }\n",
	    LAYOUT_SUMS, LAYOUT_DIR, LAYOUT_SUMS);
	if ((pkg = some_package(m)) != NULL) {
		backslashed(pkg, win, sizeof(win));
		add(&b, "\n     Or one file at a time in cmd.exe, and compare "
		    "the hash with its line\n"
		    "     in %s:\n\n"
		    "       certutil -hashfile %s SHA256\n", LAYOUT_SUMS,
		    win);
	}
	add(&b, "\nFILES\n\n  %s/%s is the signed table of contents: every "
	    "file on this medium is\n  listed there with its size and "
	    "SHA-256.  Do not add, rename or edit files.\n",
	    LAYOUT_DIR, LAYOUT_MANIFEST);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return crlf(b.s, b.n, len);
}
