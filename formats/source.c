/* SPDX-License-Identifier: MIT */
/*
 * source: one door to the bytes of a medium, whatever holds it (see
 * source.h).  This file owns the rules every backend shares: a path is
 * checked against a clean relative grammar before any backend touches the
 * file system; every read is bounded (source_read at max, source_fetch at
 * the declared size); a fetched file is hashed while it is copied, so the
 * medium is read once and the staged copy is what gets verified (T27);
 * a failed fetch leaves no destination file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ascii.h"
#include "core/digest.h"
#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "formats/limits.h"
#include "formats/source.h"
#include "formats/source_impl.h"

int
source_path_ok(const char *path)
{
	const char *p, *c;
	size_t len, depth = 0;

	if (path == NULL || (len = strlen(path)) == 0 ||
	    len > LIMIT_PATH_BYTES)
		return 0;
	for (c = path; ; c = p + 1) {
		p = strchr(c, '/');
		if (p == NULL)
			p = c + strlen(c);
		if (p == c || (size_t)(p - c) > LIMIT_NAME_BYTES)
			return 0;	/* empty (also leading '/') or long */
		if ((p - c == 1 && c[0] == '.') ||
		    (p - c == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (++depth > LIMIT_PATH_DEPTH)
			return 0;
		if (*p == '\0')
			break;
	}
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}

int
source_fail_read(struct fy_err *e, int err, const char *where)
{
	errno = err;
	/* The device or the file is gone: the medium went away. */
	if (err == ENODEV || err == ENXIO || err == ESTALE)
		return fy_fail_errno(e, FY_E_VANISHED, where,
		    _("the medium changed or went away while reading"));
	if (err == EIO)
		return fy_fail_errno(e, FY_E_IO, where,
		    _("read failed; the medium failed or was removed"));
	return fy_fail_errno(e, FY_E_IO, where, _("read failed"));
}

int
source_list_add(struct source_listing *l, const char *name, int regular,
    struct fy_err *e)
{
	size_t len = strlen(name);
	char **v, *s;

	if (l->n >= LIMIT_FILES)
		return fy_fail(e, FY_E_FORMAT, name,
		    _("more than %d entries on "
		    "the medium"), LIMIT_FILES);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;

		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return fy_fail(e, FY_E_INTERNAL, name, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	if ((s = malloc(len + 2)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, name, "out of memory");
	memcpy(s, name, len);
	s[len] = '!';
	s[len + (regular ? 0 : 1)] = '\0';
	l->v[l->n++] = s;
	return 0;
}

static int
is_url(const char *spec)
{
	return asc_ncasecmp(spec, "http://", 7) == 0 ||
	    asc_ncasecmp(spec, "https://", 8) == 0;
}

static int
ends_iso(const char *spec)
{
	size_t n = strlen(spec);

	return n > 4 && asc_casecmp(spec + n - 4, ".iso") == 0;
}

int
source_open(const char *spec, struct source **out, struct fy_err *e)
{
	struct source *s;
	struct stat st;
	int rc;

	if (spec == NULL || *spec == '\0')
		return fy_fail(e, FY_E_USAGE, "", _("no medium given"));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
	s->dirfd = -1;
	/* The spec is the user's own argument: a symlink to the mount
	 * point or the image is followed; nothing below it is. */
	if (is_url(spec)) {
		s->kind = SOURCE_HTTP;
		rc = source_http_open(spec, s, e);
	} else if (stat(spec, &st) == -1) {
		rc = fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, spec, _("cannot open medium"));
	} else if (S_ISDIR(st.st_mode)) {
		s->kind = SOURCE_DIR;
		rc = source_dir_open(spec, s, e);
	} else if ((S_ISREG(st.st_mode) && (ends_iso(spec) ||
	    source_iso_detect(spec))) ||
	    (S_ISBLK(st.st_mode) && source_iso_detect(spec))) {
		/* A block device: a CD/DVD drive or a stick dd'ed from an
		 * image, read like the image file. */
		s->kind = SOURCE_ISO;
		rc = source_iso_open(spec, s, e);
	} else {
		rc = fy_fail(e, FY_E_USAGE, spec, _("not a folder, an ISO 9660 "
		    "image or an http(s) URL"));
	}
	if (rc == -1) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL && s->ops->free != NULL)
		s->ops->free(s);
	if (s->dirfd != -1)
		close(s->dirfd);
	free(s->name);
	free(s);
}

enum source_kind
source_kind(const struct source *s)
{
	return s->kind;
}

const char *
source_name(const struct source *s)
{
	return s->name;
}

int
source_dirfd(const struct source *s)
{
	return s->kind == SOURCE_DIR ? s->dirfd : -1;
}

static int
check_path(const char *path, struct fy_err *e)
{
	if (!source_path_ok(path))
		return fy_fail(e, FY_E_UNSAFE, path ? path : "",
		    _("unsafe path (absolute, empty or '..' component)"));
	return 0;
}

/* source_read: collect at most max bytes in memory. */
struct mem_sink {
	struct source_sink	 k;
	const char		*path;
	uint8_t			*buf;
	size_t			 len, cap, max;
};

static int
mem_write(struct source_sink *k, const void *buf, size_t len,
    struct fy_err *e)
{
	struct mem_sink *m = (struct mem_sink *)k;
	uint8_t *b;
	size_t cap;

	if (len > m->max - m->len)
		return fy_fail(e, FY_E_FORMAT, m->path, _("larger than the %zu "
		    "bytes allowed"), m->max);
	if (m->len + len + 1 > m->cap) {
		cap = m->cap ? m->cap : 4096;
		while (cap < m->len + len + 1)
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
		if (cap > m->max + 1)
			cap = m->max + 1;
		if ((b = realloc(m->buf, cap)) == NULL)
			return fy_fail(e, FY_E_INTERNAL, m->path,
			    "out of memory");
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

int
source_read(struct source *s, const char *path, size_t max, uint8_t **buf,
    size_t *len, struct fy_err *e)
{
	struct mem_sink m = { .k.write = mem_write, .path = path };

	if (check_path(path, e) == -1)
		return -1;
	m.max = max < SIZE_MAX - 1 ? max : SIZE_MAX - 2;
	if (s->ops->stream(s, path, &m.k, e) == -1) {
		free(m.buf);
		return -1;
	}
	if (m.buf == NULL && (m.buf = malloc(1)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	m.buf[m.len] = '\0';
	*buf = m.buf;
	*len = m.len;
	return 0;
}

int
source_exists(struct source *s, const char *path, struct fy_err *e)
{
	if (check_path(path, e) == -1)
		return -1;
	return s->ops->exists(s, path, e);
}

/*
 * source_fetch_fd: the copy is hashed by a thread of its own that reads it
 * back behind the writer (pread of what was written), so hashing and
 * copying share the two cores, and what is hashed is the copy itself,
 * the bytes that will be parsed.  Without the thread: hashed in line.
 */
#define BEHIND_BYTES	(1u << 20)

struct behind {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 fd;
	struct digest	*d;
	uint64_t	 written, hashed;
	int		 done, waiting, err;	/* err: errno of a failed read */
};

static void *
behind_run(void *arg)
{
	struct behind *b = arg;
	uint8_t *buf = malloc(BEHIND_BYTES);
	uint64_t at;
	size_t want;
	ssize_t n;
	int err;

	pthread_mutex_lock(&b->mu);
	if (buf == NULL)
		b->err = ENOMEM;
	while (b->err == 0) {
		while (!b->done && b->written - b->hashed < BEHIND_BYTES) {
			b->waiting = 1;
			pthread_cond_wait(&b->cv, &b->mu);
		}
		b->waiting = 0;
		if (b->written == b->hashed)
			break;			/* done, all hashed */
		at = b->hashed;
		want = b->written - at < BEHIND_BYTES ?
		    (size_t)(b->written - at) : BEHIND_BYTES;
		pthread_mutex_unlock(&b->mu);
		if (FY_FAULT("spool.reread") == -1)
			n = -1;
		else
			n = pread(b->fd, buf, want, (off_t)at);
		err = n == -1 ? errno : n == 0 ? EIO : 0;
		pthread_mutex_lock(&b->mu);
		if (err == EINTR)
			continue;
		if (err != 0) {
			b->err = err;
			break;
		}
		digest_update(b->d, buf, (size_t)n);
		b->hashed += (uint64_t)n;
	}
	pthread_mutex_unlock(&b->mu);
	free(buf);
	return NULL;
}

/* source_fetch: copy to the destination while hashing, bounded. */
struct fetch_sink {
	struct source_sink	 k;
	const char		*path, *dstname;
	int			 fd;
	uint64_t		 size, seen;
	struct digest		*d;
	struct behind		*b;	/* or NULL: hashed here */
	void			(*progress)(void *, uint64_t);
	void			*arg;
};

static int
fetch_write(struct source_sink *k, const void *buf, size_t len,
    struct fy_err *e)
{
	struct fetch_sink *f = (struct fetch_sink *)k;
	struct behind *b = f->b;

	if (len > f->size - f->seen)
		return fy_fail(e, FY_E_INTEGRITY, f->path, "longer than the %"
		    PRIu64 " bytes declared", f->size);
	if (b == NULL)
		digest_update(f->d, buf, len);
	if (f->fd != -1 && io_write_all(f->fd, buf, len, f->dstname, e) == -1)
		return -1;
	f->seen += len;
	if (b != NULL) {
		pthread_mutex_lock(&b->mu);
		b->written = f->seen;
		if (b->waiting && b->written - b->hashed >= BEHIND_BYTES)
			pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
	}
	if (f->progress != NULL)
		f->progress(f->arg, f->seen);
	return 0;
}

/* Start hashing fd behind the writer; NULL: hash in line instead. */
static struct behind *
behind_start(int fd, struct digest *d)
{
	struct behind *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->fd = fd;
	b->d = d;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (pthread_create(&b->th, NULL, behind_run, b) == 0)
		return b;
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
	return NULL;
}

/* Let the thread hash the rest, join it; -1 (e filled, unless `quiet`)
 * when it could not read the copy back. */
static int
behind_end(struct behind *b, const char *name, int quiet, struct fy_err *e)
{
	int err;

	if (b == NULL)
		return 0;
	pthread_mutex_lock(&b->mu);
	b->done = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->th, NULL);
	err = b->err;
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
	if (err != 0 && !quiet) {
		errno = err;
		return fy_fail_errno(e, FY_E_IO, name, _("cannot read back the "
		    "copy to hash it"));
	}
	return err != 0 ? -1 : 0;
}

/* With dstfd != -1: into that open file (the caller's: not closed,
 * synced or removed here); else into dstdirfd/dstname. */
static int
fetch(struct source *s, const char *path, uint64_t size,
    const uint8_t sha[DIGEST_LEN], int dstdirfd, const char *dstname,
    int dstfd, void (*progress)(void *arg, uint64_t bytes), void *arg,
    int sync, struct fy_err *e)
{
	struct fetch_sink f = { .k.write = fetch_write, .path = path,
	    .dstname = dstname, .size = size, .progress = progress,
	    .arg = arg, .fd = -1 };
	uint8_t got[DIGEST_LEN];
	int rc = -1;

	if (check_path(path, e) == -1)
		return -1;
	if ((f.d = digest_new()) == NULL)
		return fy_fail(e, FY_E_INTERNAL, path, "sha256 unavailable");
	/* dstdirfd -1: check only (verifymedia), nothing is written. */
	if (dstfd != -1) {
		f.fd = dstfd;
		dstdirfd = -1;
		f.b = behind_start(dstfd, f.d);
	} else if (dstdirfd != -1 && (f.fd = openat(dstdirfd, dstname,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) ==
	    -1) {
		fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE : FY_E_IO,
		    dstname, "cannot create");
		digest_free(f.d);
		return -1;
	}
	if (s->ops->stream(s, path, &f.k, e) == -1) {
		behind_end(f.b, dstname, 1, e);
		goto out;
	}
	if (behind_end(f.b, dstname, 0, e) == -1)
		goto out;
	if (f.seen != size) {
		fy_fail(e, FY_E_INTEGRITY, path, "%" PRIu64 " bytes, manifest "
		    "says %" PRIu64, f.seen, size);
		goto out;
	}
	digest_final(f.d, got);
	if (memcmp(got, sha, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, path,
		    _("sha256 differs from manifest"));
		goto out;
	}
	if (dstfd != -1) {
		f.fd = -1;	/* the caller's */
	} else if (f.fd != -1) {
		if (sync && io_fsync(f.fd, dstname, e) == -1)
			goto out;
		rc = close(f.fd);
		f.fd = -1;
		if (rc == -1) {
			fy_fail_errno(e, FY_E_IO, dstname, "close failed");
			goto out;
		}
	}
	rc = 0;
out:
	if (f.fd != -1 && dstfd == -1)
		close(f.fd);
	if (rc == -1 && dstdirfd != -1)
		(void)unlinkat(dstdirfd, dstname, 0);
	digest_free(f.d);
	return rc;
}

int
source_fetch(struct source *s, const char *path, uint64_t size,
    const uint8_t sha[DIGEST_LEN], int dstdirfd, const char *dstname,
    void (*progress)(void *arg, uint64_t bytes), void *arg,
    struct fy_err *e)
{
	return fetch(s, path, size, sha, dstdirfd, dstname, -1, progress,
	    arg, 1, e);
}

int
source_fetch_nosync(struct source *s, const char *path, uint64_t size,
    const uint8_t sha[DIGEST_LEN], int dstdirfd, const char *dstname,
    void (*progress)(void *arg, uint64_t bytes), void *arg,
    struct fy_err *e)
{
	return fetch(s, path, size, sha, dstdirfd, dstname, -1, progress,
	    arg, 0, e);
}

int
source_fetch_fd(struct source *s, const char *path, uint64_t size,
    const uint8_t sha[DIGEST_LEN], int fd, const char *name,
    void (*progress)(void *arg, uint64_t bytes), void *arg,
    struct fy_err *e)
{
	return fetch(s, path, size, sha, -1, name, fd, progress, arg, 0, e);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
source_list(struct source *s, char ***names, size_t *n, struct fy_err *e)
{
	struct source_listing l = { 0 };

	if (s->ops->list == NULL)
		return fy_fail(e, FY_E_USAGE, s->name,
		    _("cannot list the files "
		    "of this kind of source"));
	if (s->ops->list(s, &l, e) == -1) {
		source_list_free(l.v, l.n);
		return -1;
	}
	if (l.n > 0)
		qsort(l.v, l.n, sizeof(*l.v), cmp_names);
	*names = l.v;
	*n = l.n;
	return 0;
}

void
source_list_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
