/* SPDX-License-Identifier: MIT */
/*
 * media_files: verifymedia's end-to-end check of a medium whose manifest
 * was verified by media_open(): every listed file, SHA256SUMS, extras.
 * Reports every problem (bsdtar's "delayed exit"), never stops at the first.
 * A folder's files are hashed by up to HASH_THREADS threads (one per CPU;
 * each thread reads whole files through source_fetch, which holds no
 * shared state for a folder); problems are still reported in manifest
 * order.  ISO images and HTTP are read by one thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "verify/media_check.h"

struct sink {
	void	(*report)(void *, const struct fy_err *);
	void	*arg;
	size_t	 n;
	enum fy_code worst;
};

/* Most severe first: the exit code of a verifymedia run is the first of
 * these that occurred. */
static const enum fy_code severity[] = {
	FY_E_SIGNATURE, FY_E_FORMAT, FY_E_UNSAFE, FY_E_INTEGRITY,
	FY_E_INCOMPLETE, FY_E_IO, FY_E_INTERNAL,
};

static int
rank(enum fy_code c)
{
	size_t i;

	for (i = 0; i < sizeof(severity) / sizeof(severity[0]); i++)
		if (severity[i] == c)
			return (int)i;
	return (int)(sizeof(severity) / sizeof(severity[0]));
}

static void
emit(struct sink *s, struct fy_err *e)
{
	s->report(s->arg, e);
	if (s->n++ == 0 || rank(e->code) < rank(s->worst))
		s->worst = e->code;
	fy_clear(e);
}

static int
is_sig_of(const char *name, const char *doc)
{
	char buf[256];
	unsigned i;

	for (i = 0; i < LIMIT_SIGS; i++)
		if (layout_sig_name(doc, i, buf, sizeof(buf)) == 0 &&
		    strcmp(buf, name) == 0)
			return 1;
	return 0;
}

/* SHA256SUMS must be signed like the manifest and agree with it. */
static void
check_sums(struct media *md, struct sink *s)
{
	const struct manifest *m = md->m;
	uint8_t *buf = NULL, *sigs[LIMIT_SIGS];
	const uint8_t *csigs[LIMIT_SIGS];
	size_t len, lens[LIMIT_SIGS], nsigs = 0, i, listed = 0;
	struct gpg_signers who;
	struct fy_err e = { 0 };
	char *line, *save = NULL;

	if (source_read(md->src, LAYOUT_SUMS, LIMIT_SUMS_BYTES, &buf, &len,
	    &e) == -1) {
		emit(s, &e);
		return;
	}
	if (media_read_sigs(md->src, LAYOUT_SUMS, sigs, lens, &nsigs, &e) == 0) {
		for (i = 0; i < nsigs; i++)
			csigs[i] = sigs[i];
		if (gpg_verify(md->v, buf, len, csigs, lens, nsigs,
		    md->threshold, md->now, LAYOUT_SUMS, &who, &e) == -1)
			emit(s, &e);
		while (nsigs > 0)
			free(sigs[--nsigs]);
	} else
		emit(s, &e);
	for (line = strtok_r((char *)buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		uint8_t sha[DIGEST_LEN];
		const struct mf_file *f;
		char hex[DIGEST_HEXLEN + 1];

		if (strlen(line) < DIGEST_HEXLEN + 3 || line[64] != ' ' ||
		    line[65] != ' ') {
			fy_fail(&e, FY_E_FORMAT, LAYOUT_SUMS, _("malformed line"));
			emit(s, &e);
			continue;
		}
		memcpy(hex, line, DIGEST_HEXLEN);
		hex[DIGEST_HEXLEN] = '\0';
		f = manifest_file(m, line + 66);
		if (digest_from_hex(hex, sha) == -1 || f == NULL ||
		    memcmp(f->sha256, sha, DIGEST_LEN) != 0) {
			fy_fail(&e, FY_E_INTEGRITY, LAYOUT_SUMS, _("%s disagrees "
			    "with the manifest"), line + 66);
			emit(s, &e);
		} else
			listed++;
	}
	for (i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i].path, LAYOUT_SUMS) != 0 &&
		    !is_sig_of(m->files[i].path, LAYOUT_SUMS) &&
		    m->files[i].nparts == 0)	/* split: its parts are listed */
			listed--;
	if (listed != 0) {
		fy_fail(&e, FY_E_INTEGRITY, LAYOUT_SUMS, _("does not list the "
		    "same files as the manifest"));
		emit(s, &e);
	}
	free(buf);
}

static void
check_extras(struct media *md, struct sink *s)
{
	struct fy_err e = { 0 };
	char **names;
	size_t n, i;

	if (source_kind(md->src) == SOURCE_HTTP)
		return;		/* a web server cannot list; nothing to find */
	if (source_list(md->src, &names, &n, &e) == -1) {
		emit(s, &e);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]);

		if (l > 0 && names[i][l - 1] == '!') {
			names[i][l - 1] = '\0';
			fy_fail(&e, FY_E_UNSAFE, names[i], _("not a regular file "
			    "(link, device or fifo) on the medium"));
			emit(s, &e);
		} else if (strcmp(names[i], LAYOUT_MANIFEST) != 0 &&
		    !is_sig_of(names[i], LAYOUT_MANIFEST) &&
		    manifest_file(md->m, names[i]) == NULL) {
			fy_fail(&e, FY_E_INTEGRITY, names[i], _("extra file, not "
			    "listed in the manifest"));
			emit(s, &e);
		}
	}
	source_list_free(names, n);
}

#define HASH_THREADS	4

struct hash_job {
	struct media	 *md;
	struct fy_err	**bad;		/* per file: NULL, or its failure */
	size_t		  next;		/* next file to take (atomic) */
	int		  lost;		/* a failure could not be recorded */
};

static int
check_one(struct media *md, size_t i, struct fy_err *e)
{
	const struct mf_file *f = &md->m->files[i];

	if (f->nparts)
		return 0;	/* not on the medium: its parts are */
	return source_fetch(md->src, f->path, f->size, f->sha256, -1, NULL,
	    NULL, NULL, e);
}

static void *
hash_worker(void *arg)
{
	struct hash_job *j = arg;
	struct fy_err e;
	size_t i;

	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) <
	    j->md->m->nfiles) {
		memset(&e, 0, sizeof(e));
		if (check_one(j->md, i, &e) == 0)
			continue;
		if ((j->bad[i] = malloc(sizeof(e))) != NULL)
			*j->bad[i] = e;
		else
			__atomic_store_n(&j->lost, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Every listed file: size and SHA-256. */
static void
check_listed(struct media *md, struct sink *s)
{
	struct hash_job j = { .md = md };
	pthread_t tid[HASH_THREADS - 1];
	struct fy_err e = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, nt, want = 1, n = md->m->nfiles;

	if (source_kind(md->src) == SOURCE_DIR && cpus > 1 && n > 1)
		want = cpus < HASH_THREADS ? (size_t)cpus : HASH_THREADS;
	if (want > 1 && (j.bad = calloc(n, sizeof(*j.bad))) == NULL)
		want = 1;
	if (want == 1) {
		for (i = 0; i < n; i++)
			if (check_one(md, i, &e) == -1)
				emit(s, &e);
		return;
	}
	digest_init();		/* once, before any thread hashes */
	for (nt = 0; nt + 1 < want; nt++)
		if (pthread_create(&tid[nt], NULL, hash_worker, &j) != 0)
			break;
	hash_worker(&j);
	for (i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < n; i++)
		if (j.bad[i] != NULL) {
			emit(s, j.bad[i]);
			free(j.bad[i]);
		}
	free(j.bad);
	if (j.lost) {
		fy_fail(&e, FY_E_INTERNAL, source_name(md->src), "out of memory "
		    "while recording a failed file");
		emit(s, &e);
	}
}

size_t
media_check_files(struct media *md,
    void (*report)(void *arg, const struct fy_err *e), void *arg,
    enum fy_code *worst)
{
	struct sink s = { .report = report, .arg = arg, .worst = FY_OK };

	check_listed(md, &s);
	check_sums(md, &s);
	check_extras(md, &s);
	*worst = s.worst;
	return s.n;
}
