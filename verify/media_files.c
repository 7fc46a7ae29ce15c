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

/*
 * Companion manifests (SPEC.md §2.2): while mkmedia rewrites a complete
 * medium, manifest.json.next (the new manifest, before the switch) and
 * manifest.json.prev (the old one, after it) carry their own signatures.
 * A companion is read and verified exactly like manifest.json (same
 * verifier, threshold and trusted time) and parsed only then; it must be
 * of the same publisher and channel.  It never decides what the medium
 * is: it only vouches, by size and SHA-256, for files of the other
 * generation that a rewrite leaves beside the current one.
 */
#define NCOMPANIONS	2

struct companions {
	struct manifest	*m[NCOMPANIONS];
	size_t		 n;
};

static int
is_companion(const char *name)
{
	return strcmp(name, LAYOUT_NEXT) == 0 || strcmp(name, LAYOUT_PREV) == 0 ||
	    is_sig_of(name, LAYOUT_NEXT) || is_sig_of(name, LAYOUT_PREV);
}

static void
load_companions(struct media *md, struct companions *c, struct sink *s)
{
	static const char *const names[NCOMPANIONS] = { LAYOUT_NEXT,
	    LAYOUT_PREV };
	struct fy_err e = { 0 };
	size_t i;
	int r;

	for (i = 0; i < NCOMPANIONS; i++) {
		if ((r = source_exists(md->src, names[i], &e)) == -1)
			emit(s, &e);
		if (r != 1)
			continue;
		if (media_companion(md, names[i], &c->m[c->n], &e) == -1)
			emit(s, &e);
		else
			c->n++;
	}
}

/* Does the file at path hold the bytes a companion lists for it?  Returns
 * that companion's manifest, or NULL. */
static const struct manifest *
vouched(struct media *md, struct companions *c, const char *path)
{
	const struct mf_file *f;
	struct fy_err e;
	size_t i;

	for (i = 0; i < c->n; i++) {
		memset(&e, 0, sizeof(e));
		if ((f = manifest_file(c->m[i], path)) == NULL || f->nparts)
			continue;
		if (source_fetch(md->src, path, f->size, f->sha256, -1, NULL,
		    NULL, NULL, &e) == 0) {
			md->switching++;
			if (c->m[i]->serial > md->other_serial)
				md->other_serial = c->m[i]->serial;
			return c->m[i];
		}
	}
	return NULL;
}

/* The manifest whose entry for `path` matches these bytes: md->m first. */
static const struct manifest *
owner(struct media *md, struct companions *c, const char *path,
    const uint8_t *buf, size_t len)
{
	uint8_t sha[DIGEST_LEN];
	const struct mf_file *f;
	size_t i;

	digest_buf(buf, len, sha);
	if ((f = manifest_file(md->m, path)) != NULL && f->size == len &&
	    memcmp(f->sha256, sha, DIGEST_LEN) == 0)
		return md->m;
	for (i = 0; i < c->n; i++)
		if ((f = manifest_file(c->m[i], path)) != NULL &&
		    f->size == len && memcmp(f->sha256, sha, DIGEST_LEN) == 0)
			return c->m[i];
	return NULL;
}

/* SHA256SUMS and its signatures as read, and their verification: started
 * by media_open() (trust.with_sums: media_sums_start, before the manifest
 * is verified; its bytes only go to gpg there), or here. */
struct media_sums {
	uint8_t		*buf;		/* NULL: unreadable (err says why) */
	size_t		 len;
	uint8_t		*sigs[LIMIT_SIGS];
	size_t		 lens[LIMIT_SIGS];
	size_t		 nsigs;
	int		 sigs_read;	/* else err says why not */
	struct gpg_pending *run;	/* started, not judged yet */
	int		 refused;	/* gpg_verify_start's refusal: err */
	struct fy_err	 err;
};

static void
sums_read(struct media *md, struct media_sums *j)
{
	if (source_read(md->src, LAYOUT_SUMS, LIMIT_SUMS_BYTES, &j->buf,
	    &j->len, &j->err) == -1) {
		j->buf = NULL;
		return;
	}
	if (media_read_sigs(md->src, LAYOUT_SUMS, j->sigs, j->lens, &j->nsigs,
	    &j->err) == 0)
		j->sigs_read = 1;
}

void
media_sums_start(struct media *md)
{
	const uint8_t *csigs[LIMIT_SIGS];
	struct media_sums *j;
	size_t i;

	if (md->sums != NULL || (j = calloc(1, sizeof(*j))) == NULL)
		return;			/* then checked late, as without */
	md->sums = j;
	sums_read(md, j);
	if (!j->sigs_read)
		return;
	for (i = 0; i < j->nsigs; i++)
		csigs[i] = j->sigs[i];
	if (gpg_verify_start(md->v, j->buf, j->len, csigs, j->lens, j->nsigs,
	    md->threshold, md->now, LAYOUT_SUMS, &j->run, &j->err) == -1)
		j->refused = 1;
}

void
media_sums_free(struct media_sums *j)
{
	if (j == NULL)
		return;
	gpg_verify_drop(j->run);	/* before the buffers it reads */
	while (j->nsigs > 0)
		free(j->sigs[--j->nsigs]);
	free(j->buf);
	free(j);
}

/* SHA256SUMS must be signed like the manifest and agree with it.  During
 * a rewrite it agrees with the manifest it belongs to, and its signature
 * files may still (or already) be those of the other generation: each is
 * then vouched for by size and SHA-256 (check_listed, check_extras).
 * Problems are reported in the same order whether its check was started
 * early or is made here: the reads, the signature's verdict, the lines. */
static void
check_sums(struct media *md, struct companions *c, struct sink *s)
{
	const struct manifest *m = md->m;
	const uint8_t *csigs[LIMIT_SIGS];
	struct media_sums *j = md->sums;
	size_t i, listed = 0;
	struct gpg_signers who;
	struct fy_err e = { 0 };
	char *line, *save = NULL;
	int rc;

	md->sums = NULL;		/* taken: a second check reads again */
	if (j == NULL) {
		if ((j = calloc(1, sizeof(*j))) == NULL) {
			fy_fail(&e, FY_E_INTERNAL, LAYOUT_SUMS, "out of memory");
			emit(s, &e);
			return;
		}
		sums_read(md, j);
	}
	if (j->buf == NULL) {
		emit(s, &j->err);
		goto out;
	}
	if (c->n > 0 && (m = owner(md, c, LAYOUT_SUMS, j->buf, j->len)) ==
	    NULL)
		m = md->m;
	if (j->sigs_read) {
		size_t mixed = 0;
		char name[64];

		for (i = 0; i < j->nsigs; i++) {
			csigs[i] = j->sigs[i];
			layout_sig_name(LAYOUT_SUMS, (unsigned)i, name,
			    sizeof(name));
			if (c->n > 0 && owner(md, c, name, j->sigs[i],
			    j->lens[i]) != m)
				mixed++;
		}
		if (j->run != NULL) {
			rc = gpg_verify_end(j->run, &who, &e);
			j->run = NULL;
		} else if (j->refused) {
			e = j->err;
			rc = -1;
		} else
			rc = gpg_verify(md->v, j->buf, j->len, csigs, j->lens,
			    j->nsigs, md->threshold, md->now, LAYOUT_SUMS, &who,
			    &e);
		if (rc == -1) {
			if (mixed == 0)
				emit(s, &e);
			fy_clear(&e);
		}
	} else
		emit(s, &j->err);
	for (line = strtok_r((char *)j->buf, "\n", &save); line != NULL;
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
out:
	media_sums_free(j);
}

static void
check_extras(struct media *md, struct companions *c, struct sink *s)
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
		    !is_companion(names[i]) &&
		    manifest_file(md->m, names[i]) == NULL &&
		    vouched(md, c, names[i]) == NULL) {
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

/* Every listed file: size and SHA-256 (or, during a rewrite, the bytes
 * a companion lists for the same path). */
static void
check_listed(struct media *md, struct companions *c, struct sink *s)
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
			if (check_one(md, i, &e) == -1) {
				if (vouched(md, c, md->m->files[i].path) == NULL)
					emit(s, &e);
				fy_clear(&e);
			}
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
			if (vouched(md, c, md->m->files[i].path) == NULL)
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
	struct companions c = { .n = 0 };
	size_t i;

	md->switching = 0;
	md->other_serial = 0;
	load_companions(md, &c, &s);
	check_listed(md, &c, &s);
	check_sums(md, &c, &s);
	check_extras(md, &c, &s);
	for (i = 0; i < c.n; i++)
		manifest_free(c.m[i]);
	*worst = s.worst;
	return s.n;
}
