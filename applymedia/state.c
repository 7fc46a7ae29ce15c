/* SPDX-License-Identifier: MIT */
/*
 * state: lock, recovery, counters and history (see state.h).
 * Invariant: after state_open() returned, no staging directory, temporary
 * link or temporary file of a previous run exists, every "current" link
 * names a complete generation, and the counters are at least what the
 * installed generations prove.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/lockfile.h"
#include "core/say.h"
#include "applymedia/state.h"

#define STATE_FILE	"state.json"
#define STATE_MAX	(1u << 20)
#define META_MAX	(64u << 20)
/* Accepted serials remembered per publisher with their manifest hash. */
#define STATE_ACCEPTED	64

static json_t *
doc_of(const struct state *s)
{
	return (json_t *)s->doc;
}

static int
load_doc(struct state *s, struct fy_err *e)
{
	uint8_t *buf;
	size_t len;
	json_error_t je;
	json_t *d;

	if (!io_exists(s->fd, STATE_FILE)) {
		s->doc = json_pack("{s:{}, s:I, s:{}}", "publishers",
		    "newest_signed_time", (json_int_t)0, "pins");
		return 0;
	}
	if (io_read_bounded(s->fd, STATE_FILE, STATE_MAX, &buf, &len, e) == -1)
		return -1;
	d = json_loadb((char *)buf, len, 0, &je);
	free(buf);
	if (d == NULL || !json_is_object(json_object_get(d, "publishers")) ||
	    !json_is_object(json_object_get(d, "pins"))) {
		json_decref(d);
		return fy_fail(e, FY_E_FORMAT, STATE_FILE, _("corrupt client "
		    "state; restore it from backup or remove it to start "
		    "afresh (replay protection is then re-derived from the "
		    "installed generations)"));
	}
	s->doc = d;
	return 0;
}

static int
save_doc(struct state *s, struct fy_err *e)
{
	char *txt = json_dumps(doc_of(s), JSON_SORT_KEYS | JSON_INDENT(1));
	json_t *back;
	int rc;

	if (txt == NULL)
		return fy_fail(e, FY_E_INTERNAL, STATE_FILE, "out of memory");
	/* jansson 2.14 can return a truncated document when an allocation
	 * fails inside json_dumps (a key goes missing): read it back before
	 * it replaces the only copy of the anti-replay record. */
	if ((back = json_loads(txt, 0, NULL)) == NULL ||
	    !json_equal(back, doc_of(s))) {
		json_decref(back);
		free(txt);
		return fy_fail(e, FY_E_INTERNAL, STATE_FILE, "out of memory");
	}
	json_decref(back);
	rc = FY_FAULT("state.write") == -1 ?
	    fy_fail_errno(e, FY_E_IO, STATE_FILE, _("write failed")) :
	    io_replace_file(s->fd, STATE_FILE, txt, strlen(txt), 0644, e);
	free(txt);
	return rc;
}

void
gen_free(struct gen *g)
{
	tree_free(&g->tree);
	free(g->reqs);
	g->reqs = NULL;
	g->nreqs = 0;
}

static json_t *
reqs_to_json(const struct gen *g)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < g->nreqs; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "component",
		    g->reqs[i].component, "min", g->reqs[i].min));
	return a;
}

/* "requires" of meta.json: absent (older generations) is none; an entry
 * that is not two strings is corrupt metadata. */
static int
reqs_from_json(json_t *a, struct gen *g, const char *meta, struct fy_err *e)
{
	const char *c, *m;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 256)
		return fy_fail(e, FY_E_FORMAT, meta, _("corrupt generation "
		    "metadata"));
	if (json_array_size(a) == 0)
		return 0;
	if ((g->reqs = calloc(json_array_size(a), sizeof(*g->reqs))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, meta, "out of memory");
	for (i = 0; i < json_array_size(a); i++) {
		c = json_string_value(json_object_get(json_array_get(a, i),
		    "component"));
		m = json_string_value(json_object_get(json_array_get(a, i),
		    "min"));
		if (c == NULL || m == NULL)
			return fy_fail(e, FY_E_FORMAT, meta, _("corrupt "
			    "generation metadata"));
		snprintf(g->reqs[i].component, sizeof(g->reqs[i].component),
		    "%s", c);
		snprintf(g->reqs[i].min, sizeof(g->reqs[i].min), "%s", m);
		g->nreqs++;
	}
	return 0;
}

/* A new file in a directory nobody relies on before its flush. */
static int
write_new(int dirfd, const char *name, const char *txt, size_t len,
    struct fy_err *e)
{
	int fd, rc;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    FY_E_IO, name, _("cannot create"));
	rc = io_write_all(fd, txt, len, name, e);
	if (close(fd) == -1 && rc == 0)
		rc = fy_fail_errno(e, FY_E_IO, name, _("close failed"));
	return rc;
}

int
gen_write_meta(int gendirfd, const struct gen *g, int sync, struct fy_err *e)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, "
	    "s:s, s:o}", "id", g->id, "component", g->component, "variant",
	    g->variant, "version", g->version, "publisher", g->publisher,
	    "medium_id", g->medium_id, "serial", (json_int_t)g->serial,
	    "signed_time", (json_int_t)g->signed_time, "installed",
	    (json_int_t)g->installed, "path", g->path, "tree",
	    tree_to_json(&g->tree));
	char *txt;
	int rc;

	if (g->nreqs > 0)
		json_object_set_new(j, "requires", reqs_to_json(g));
	txt = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	if (txt == NULL)
		return fy_fail(e, FY_E_INTERNAL, "meta.json", "out of memory");
	if (sync)
		rc = io_replace_file(gendirfd, "meta.json", txt, strlen(txt),
		    0644, e);
	else
		rc = write_new(gendirfd, "meta.json", txt, strlen(txt), e);
	free(txt);
	return rc;
}

static void
cpy(char *dst, size_t n, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, n, "%s", v ? v : "");
}

int
gen_read(int compfd, const char *link, struct gen *out, struct fy_err *e)
{
	char target[300], meta[400];
	uint8_t *buf;
	size_t len;
	ssize_t n;
	json_t *j;
	int rc;

	memset(out, 0, sizeof(*out));
	tree_init(&out->tree);
	n = readlinkat(compfd, link, target, sizeof(target) - 1);
	if (n == -1)
		return errno == ENOENT ? 1 : fy_fail_errno(e, FY_E_IO, link,
		    _("cannot read link"));
	target[n] = '\0';
	if (strncmp(target, "gens/", 5) != 0 || strchr(target + 5, '/') ||
	    strstr(target, ".."))
		return fy_fail(e, FY_E_FORMAT, link, _("points outside the "
		    "generations: %s"), target);
	snprintf(meta, sizeof(meta), "%s/meta.json", target);
	if (io_read_bounded(compfd, meta, META_MAX, &buf, &len, e) == -1)
		return -1;
	j = json_loadb((char *)buf, len, 0, NULL);
	free(buf);
	if (j == NULL)
		return fy_fail(e, FY_E_FORMAT, meta, _("corrupt generation "
		    "metadata"));
	cpy(out->id, sizeof(out->id), j, "id");
	cpy(out->component, sizeof(out->component), j, "component");
	cpy(out->variant, sizeof(out->variant), j, "variant");
	cpy(out->version, sizeof(out->version), j, "version");
	cpy(out->publisher, sizeof(out->publisher), j, "publisher");
	cpy(out->medium_id, sizeof(out->medium_id), j, "medium_id");
	cpy(out->path, sizeof(out->path), j, "path");
	out->serial = (uint64_t)json_integer_value(json_object_get(j, "serial"));
	out->signed_time = json_integer_value(json_object_get(j,
	    "signed_time"));
	out->installed = json_integer_value(json_object_get(j, "installed"));
	rc = tree_from_json(json_object_get(j, "tree"), &out->tree, meta, e);
	if (rc == 0)
		rc = reqs_from_json(json_object_get(j, "requires"), out, meta, e);
	json_decref(j);
	return rc;
}

int
gen_dir(struct state *s, const char *component, int create, struct fy_err *e)
{
	char path[200];

	if (s->fd == -1)
		return fy_fail(e, FY_E_NOTFOUND, component, "nothing installed");
	snprintf(path, sizeof(path), "c/%s/gens", component);
	if (create && io_mkdirs(s->fd, path, e) == -1)
		return -1;
	snprintf(path, sizeof(path), "c/%s", component);
	return io_open_dir(s->fd, path, e);
}

/* Remove staging leftovers and temporary links of one component; make
 * sure "current" names a complete generation; raise counters. */
static int
recover_component(struct state *s, int compfd, const char *name,
    struct fy_err *e)
{
	struct dirent *de;
	struct gen g;
	char target[300];
	DIR *d;
	int gfd, r;

	(void)unlinkat(compfd, "current.tmp", 0);
	(void)unlinkat(compfd, "previous.tmp", 0);
	if ((gfd = io_open_dir(compfd, "gens", e)) == -1)
		return e->code == FY_E_NOTFOUND ? (fy_clear(e), 0) : -1;
	if ((d = fdopendir(gfd)) == NULL) {
		close(gfd);
		return fy_fail_errno(e, FY_E_IO, name, _("cannot read gens"));
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".stage-", 7) == 0) {
			say_verbose("recovery: removing %s/%s", name, de->d_name);
			if (io_remove_tree(dirfd(d), de->d_name, e) == -1)
				break;
		}
	closedir(d);
	if (fy_failed(e))
		return -1;
	r = gen_read(compfd, "current", &g, e);
	if (r == -1) {
		/* current names something unusable: fall back to previous */
		struct fy_err pe = { 0 };
		struct gen pg;

		if (gen_read(compfd, "previous", &pg, &pe) != 0)
			return -1;
		fy_clear(e);
		say_warn(_("%s: current generation unusable; switching back to "
		    "%s"), name, pg.version);
		snprintf(target, sizeof(target), "gens/%s", pg.id);
		r = io_replace_symlink(compfd, "current", target, e);
		gen_free(&pg);
		return r;
	}
	if (r == 0) {
		json_t *pubs = json_object_get(doc_of(s), "publishers");
		json_t *p = json_object_get(pubs, g.publisher);
		json_int_t have = json_integer_value(json_object_get(p,
		    "serial"));
		json_int_t t = json_integer_value(json_object_get(doc_of(s),
		    "newest_signed_time"));

		/* The manifest hash of that serial is not known here: the
		 * highest serial is raised, the record of accepted serials
		 * (state_accept) is kept as it is. */
		if (g.publisher[0] && p == NULL)
			json_object_set_new(pubs, g.publisher, p = json_object());
		if (g.publisher[0] && have < (json_int_t)g.serial) {
			json_object_set_new(p, "serial",
			    json_integer((json_int_t)g.serial));
			json_object_set_new(p, "medium_id",
			    json_string(g.medium_id));
			json_object_del(p, "manifest_sha256");
		}
		if (t < g.signed_time)
			json_object_set_new(doc_of(s), "newest_signed_time",
			    json_integer(g.signed_time));
		gen_free(&g);
	}
	return 0;
}

/* A power cut during an append to history.jsonl can leave a partial
 * last line, or a line whose lost pages read back as zeros (the size was
 * persisted, the data not).  Cut the file back to its last complete line
 * without NUL bytes, so the next append starts a clean line and readers
 * see every earlier entry.  Best effort, like the history itself. */
static void
history_repair(struct state *s)
{
	char buf[65536];
	struct stat st;
	off_t base;
	ssize_t n;
	size_t end, start;
	int fd = openat(s->fd, "history.jsonl", O_RDWR | O_NOFOLLOW |
	    O_CLOEXEC);

	if (fd == -1)
		return;
	if (fstat(fd, &st) == -1 || st.st_size == 0)
		goto out;
	base = st.st_size > (off_t)sizeof(buf) ? st.st_size -
	    (off_t)sizeof(buf) : 0;
	if ((n = pread(fd, buf, sizeof(buf), base)) <= 0)
		goto out;
	end = (size_t)n;
	for (;;) {
		/* [start, end): the last line, with its newline if any */
		size_t nl = end;

		while (nl > 0 && buf[nl - 1] != '\n')
			nl--;
		if (nl < end) {			/* a partial last line */
			end = nl;
			continue;
		}
		if (end == 0)
			break;
		start = end - 1;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (start == 0 && base > 0)
			break;			/* longer than the window: keep */
		if (memchr(buf + start, '\0', end - start) == NULL)
			break;
		end = start;			/* a line with zeroed pages */
	}
	if (base + (off_t)end < st.st_size) {
		say_verbose("recovery: cutting a torn last line from "
		    "history.jsonl");
		if (ftruncate(fd, base + (off_t)end) == 0)
			(void)fsync(fd);
	}
out:
	close(fd);
}

static int
recover(struct state *s, struct fy_err *e)
{
	struct dirent *de;
	json_t *before;
	DIR *d;
	int cfd, fd, rc = 0;

	(void)unlinkat(s->fd, STATE_FILE ".tmp", 0);
	history_repair(s);
	if (io_remove_tree(s->fd, "spool", e) == -1)
		return -1;
	if ((cfd = io_open_dir(s->fd, "c", e)) == -1) {
		if (e->code != FY_E_NOTFOUND)
			return -1;
		fy_clear(e);		/* nothing installed yet */
		return 0;
	}
	if ((d = fdopendir(cfd)) == NULL) {
		close(cfd);
		return fy_fail_errno(e, FY_E_IO, "c", _("cannot read"));
	}
	before = json_deep_copy(doc_of(s));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((fd = io_open_dir(dirfd(d), de->d_name, e)) == -1)
			break;
		if (recover_component(s, fd, de->d_name, e) == -1) {
			close(fd);
			break;
		}
		close(fd);
	}
	closedir(d);
	/* Counters raised from the generations (a crash between the switch
	 * and the bookkeeping) are written back, so state.json alone is
	 * right again; an unchanged state is never rewritten. */
	if (fy_failed(e))
		rc = -1;
	else if (!json_equal(before, doc_of(s)))
		rc = save_doc(s, e);
	json_decref(before);
	return rc;
}

/* The state directory cannot be written by this user: say what to do. */
static int
not_writable(const struct cfg *c, const char *dir, int err, struct fy_err *e)
{
	fy_clear(e);
	errno = err;
	return fy_fail(e, FY_E_IO, dir, _("cannot write the client state "
	    "(%s): run applymedia as root, or set state_dir in %s to a "
	    "directory this user may write"), strerror(err), c->file);
}

static int
open_common(const struct cfg *c, struct state **out, struct fy_err *e,
    int create)
{
	struct state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return fy_fail(e, FY_E_INTERNAL, "state", "out of memory");
	s->fd = s->lockfd = -1;
	cfg_rooted(c, c->state_dir, s->dir, sizeof(s->dir));
	if (create && io_mkdirs(AT_FDCWD, s->dir, e) == -1) {
		if (e->sys_errno == EACCES || e->sys_errno == EPERM ||
		    e->sys_errno == EROFS)
			not_writable(c, s->dir, e->sys_errno, e);
		goto fail;
	}
	if ((s->fd = io_open_dir(AT_FDCWD, s->dir, e)) == -1)
		goto fail;
	*out = s;
	return 0;
fail:
	free(s);
	return -1;
}

/* The lock is a record lock of this process (core/lockfile.h): an flock
 * held by a child GPGME or a hook forked left the next run refused,
 * naming the dead run's pid (tests/crash/concurrent.sh case 4).  The file
 * is opened once and only here: closing any descriptor of it would
 * release the lock. */
int
state_open(const struct cfg *c, int wait, struct state **out, struct fy_err *e)
{
	struct state *s;
	char pid[32];

	if (open_common(c, &s, e, 1) == -1)
		return -1;
	s->lockfd = openat(s->fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (s->lockfd == -1) {
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			not_writable(c, s->dir, errno, e);
		else
			fy_fail_errno(e, FY_E_IO, s->dir, _("cannot open the "
			    "lock file"));
		goto fail;
	}
	if (lockfile_lock(s->lockfd, 1, 0) == -1) {
		char other[32] = "?";
		ssize_t n;

		if (errno != EAGAIN && errno != EACCES) {
			fy_fail_errno(e, FY_E_IO, s->dir, _("cannot lock"));
			goto fail;
		}
		n = pread(s->lockfd, other, sizeof(other) - 1, 0);

		if (n > 0)
			other[strcspn(other, "\n")] = '\0';
		if (!wait) {
			fy_fail(e, FY_E_BUSY, s->dir,
			    _("another applymedia (pid %s) is "
			    "working on this client; try again when it has "
			    "finished"), other);
			goto fail;
		}
		/* --wait: say what we wait for, then block. */
		say_info(_("waiting for another applymedia (pid %s) to finish "
		    "its work on %s (--wait)"), other, s->dir);
		if (lockfile_lock(s->lockfd, 1, 1) == -1) {
			fy_fail_errno(e, FY_E_IO, s->dir, _("cannot lock"));
			goto fail;
		}
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* The pid is only for the "busy" message; the record lock is the
	 * lock. */
	if (ftruncate(s->lockfd, 0) == 0 &&
	    pwrite(s->lockfd, pid, strlen(pid), 0) == -1)
		say_verbose("lock: cannot record pid: %s", strerror(errno));
	if (load_doc(s, e) == -1 || recover(s, e) == -1)
		goto fail;
	*out = s;
	return 0;
fail:
	state_close(s);
	return -1;
}

int
state_open_ro(const struct cfg *c, struct state **out, struct fy_err *e)
{
	struct state *s;

	if (open_common(c, &s, e, 0) == -1) {
		if (e->code != FY_E_NOTFOUND)
			return -1;
		/* Nothing installed yet: an empty state, nothing created. */
		fy_clear(e);
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return fy_fail(e, FY_E_INTERNAL, "state", "oom");
		s->fd = s->lockfd = -1;
		cfg_rooted(c, c->state_dir, s->dir, sizeof(s->dir));
	}
	if (load_doc(s, e) == -1) {
		state_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
state_close(struct state *s)
{
	if (s == NULL)
		return;
	json_decref(doc_of(s));
	if (s->lockfd != -1)
		close(s->lockfd);	/* releases the lock */
	if (s->fd != -1)
		close(s->fd);
	free(s);
}

uint64_t
state_serial(const struct state *s, const char *publisher,
    uint8_t sha[DIGEST_LEN], int *have_sha)
{
	json_t *p = json_object_get(json_object_get(doc_of(s), "publishers"),
	    publisher);
	const char *hex = json_string_value(json_object_get(p,
	    "manifest_sha256"));

	*have_sha = hex != NULL && digest_from_hex(hex, sha) == 0;
	return (uint64_t)json_integer_value(json_object_get(p, "serial"));
}

int
state_serial_sha(const struct state *s, const char *publisher,
    uint64_t serial, uint8_t sha[DIGEST_LEN])
{
	json_t *p = json_object_get(json_object_get(doc_of(s), "publishers"),
	    publisher);
	char key[24];
	const char *hex;
	int have;

	snprintf(key, sizeof(key), "%llu", (unsigned long long)serial);
	hex = json_string_value(json_object_get(json_object_get(p,
	    "accepted"), key));
	if (hex != NULL && digest_from_hex(hex, sha) == 0)
		return 1;
	/* state.json written before the record existed: the highest serial
	 * and its hash only */
	return state_serial(s, publisher, sha, &have) == serial && have;
}

int64_t
state_newest_time(const struct state *s)
{
	return json_integer_value(json_object_get(doc_of(s),
	    "newest_signed_time"));
}

int
state_pinned(const struct state *s, const char *component)
{
	return json_object_get(json_object_get(doc_of(s), "pins"),
	    component) != NULL;
}

/* Keep the STATE_ACCEPTED highest serials of `acc` ({"serial": hex}). */
static void
trim_accepted(json_t *acc)
{
	const char *k;
	char low[24];
	json_t *v;

	while (json_object_size(acc) > STATE_ACCEPTED) {
		low[0] = '\0';
		json_object_foreach(acc, k, v)
			if (low[0] == '\0' || strtoull(k, NULL, 10) <
			    strtoull(low, NULL, 10))
				snprintf(low, sizeof(low), "%s", k);
		json_object_del(acc, low);
	}
}

int
state_accept(struct state *s, const char *publisher, uint64_t serial,
    const char *medium_id, const uint8_t sha[DIGEST_LEN], int64_t signed_time,
    struct fy_err *e)
{
	char hex[DIGEST_HEXLEN + 1], key[24];
	json_t *pubs = json_object_get(doc_of(s), "publishers");
	json_t *p = json_object_get(pubs, publisher), *acc;

	digest_to_hex(sha, hex);
	/* The anti-replay record: every step is checked, so a failure fails
	 * the run instead of leaving a medium accepted but unrecorded. */
	if (p == NULL && json_object_set_new(pubs, publisher,
	    p = json_object()) == -1)
		goto oom;
	/* The highest serial moves only up; an older medium that was
	 * accepted (it offered something newer) is recorded beside it. */
	if ((json_object_get(p, "serial") == NULL ||
	    (uint64_t)json_integer_value(json_object_get(p, "serial")) <=
	    serial) && (json_object_set_new(p, "serial",
	    json_integer((json_int_t)serial)) == -1 ||
	    json_object_set_new(p, "medium_id", json_string(medium_id)) == -1 ||
	    json_object_set_new(p, "manifest_sha256", json_string(hex)) == -1))
		goto oom;
	if (!json_is_object(acc = json_object_get(p, "accepted")) &&
	    json_object_set_new(p, "accepted", acc = json_object()) == -1)
		goto oom;
	snprintf(key, sizeof(key), "%llu", (unsigned long long)serial);
	if (json_object_set_new(acc, key, json_string(hex)) == -1)
		goto oom;
	trim_accepted(acc);
	if (state_newest_time(s) < signed_time &&
	    json_object_set_new(doc_of(s), "newest_signed_time",
	    json_integer(signed_time)) == -1)
		goto oom;
	return save_doc(s, e);
oom:
	return fy_fail(e, FY_E_INTERNAL, STATE_FILE, _("cannot record serial "
	    "%llu of %s: out of memory"), (unsigned long long)serial,
	    publisher);
}

int
state_set_pin(struct state *s, const char *component, int pinned,
    const char *why, struct fy_err *e)
{
	json_t *pins = json_object_get(doc_of(s), "pins");

	if (pinned)
		json_object_set_new(pins, component, json_string(why));
	else
		json_object_del(pins, component);
	return save_doc(s, e);
}

#define ESC(v, buf)	((v) != NULL ? (say_escape((v), (buf), \
			    sizeof(buf)), (buf)) : NULL)

int
state_log_hold(struct state *s, int hold)
{
	int fd, rc = 0;

	if (!hold && s->history_unsynced) {
		fd = openat(s->fd, "history.jsonl", O_WRONLY | O_APPEND |
		    O_CLOEXEC | O_NOFOLLOW);
		if (fd == -1 || fsync(fd) == -1)
			rc = -1;
		if (fd != -1)
			close(fd);
		s->history_unsynced = 0;
	}
	s->hold_history = hold;
	return rc;
}

int
state_log(struct state *s, const char *event, const char *component,
    const char *from, const char *to, const char *medium_id, uint64_t serial,
    const char *result, const char *fmt, ...)
{
	char msg[2048], t[32], *line;
	char ec[300], ef[300], et[300], em[300];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	json_t *j;
	int fd, rc = 0;

	/* Through core/say.c's escaping: valid UTF-8 without controls, so
	 * json_pack cannot fail on a hostile name and every refusal is
	 * logged, as one line, here and in syslog. */
	va_start(ap, fmt);
	say_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gmtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:s, s:s}",
	    "time", t, "event", event, "component", ESC(component, ec), "from",
	    ESC(from, ef), "to", ESC(to, et), "medium", ESC(medium_id, em),
	    "serial", (json_int_t)serial, "result", result, "message", msg);
	line = j != NULL ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	json_decref(j);
	say_syslog(strcmp(result, "ok") == 0 ? LOG_INFO : LOG_ERR,
	    "applymedia", msg);
	if (line == NULL)
		return -1;
	fd = openat(s->fd, "history.jsonl", O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1 || dprintf(fd, "%s\n", line) < 0 ||
	    (!s->hold_history && fsync(fd) == -1))
		rc = -1;	/* history is best effort: never fail an apply */
	else if (s->hold_history)
		s->history_unsynced = 1;
	if (fd != -1)
		close(fd);
	free(line);
	return rc;
}
