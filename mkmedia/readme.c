/* SPDX-License-Identifier: MIT */
/*
 * readme: README.txt, the human half of a self-describing medium.  It says
 * what is on the medium, who built it and when, which key signed it, and
 * how to check and apply it with ferry or with plain gpgv and sha256sum.
 * It is plain ASCII with CRLF-free lines so Notepad and less both show it.
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

char *
emit_readme(const struct manifest *m, const struct mk_opts *o, size_t *len)
{
	struct sb b = { 0 };
	char created[21], expires[21];
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
	add(&b, "\nAPPLY (isolated client with ferry installed)\n\n"
	    "  applymedia plan  /media/usb        (what would change, "
	    "nothing is written)\n"
	    "  applymedia apply /media/usb\n"
	    "  On Windows-style clients point the update source at the "
	    "folder %s\\ (e.g. E:\\%s).\n", LAYOUT_DIR, LAYOUT_DIR);
	add(&b, "\nVERIFY (with ferry)\n\n"
	    "  verifymedia --trust FINGERPRINT --keyring publisher.gpg "
	    "/media/usb\n");
	add(&b, "\nVERIFY (without ferry: GnuPG and coreutils only)\n\n"
	    "  cd /media/usb/%s\n"
	    "  gpgv --keyring /path/to/publisher.gpg %s.sig %s\n"
	    "  gpgv --keyring /path/to/publisher.gpg %s.sig %s\n"
	    "  sha256sum -c %s\n"
	    "  Every line must say OK and gpgv must name the fingerprint "
	    "above.\n", LAYOUT_DIR, LAYOUT_MANIFEST, LAYOUT_MANIFEST,
	    LAYOUT_SUMS, LAYOUT_SUMS, LAYOUT_SUMS);
	add(&b, "\nFILES\n\n  %s/%s is the signed table of contents: every "
	    "file on this medium is\n  listed there with its size and "
	    "SHA-256.  Do not add, rename or edit files.\n",
	    LAYOUT_DIR, LAYOUT_MANIFEST);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	*len = b.n;
	return b.s;
}
