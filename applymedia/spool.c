/* SPDX-License-Identifier: MIT */
/*
 * spool: copy what the plans need off the medium, hashed (spool.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/mem.h"
#include "applymedia/spool.h"
#include "applymedia/stage.h"

static void
on_progress(void *arg, uint64_t bytes)
{
	struct fetch_ctx *f = arg;

	progress_update(f->p, f->base + bytes);
}

uint64_t
spool_plan_files(const struct plan *p, const struct mf_file **out, size_t *n)
{
	uint64_t bytes = 0;
	size_t i;

	*n = 0;
	if (p->base != NULL) {
		out[(*n)++] = p->base->base;
		bytes += p->base->base->size;
	}
	for (i = 0; i < p->nsteps; i++) {
		out[(*n)++] = p->steps[i]->file;
		bytes += p->steps[i]->file->size;
	}
	return bytes;
}

/* Join the spooled parts of a split file into `name`, hashing. */
static int
join_parts(int spoolfd, const struct mf_file *f, const char *name,
    struct fy_err *e)
{
	char pn[DIGEST_HEXLEN + 1];
	uint8_t *buf = NULL, sha[DIGEST_LEN];
	struct digest *d = digest_new();
	uint64_t total = 0;
	ssize_t n;
	size_t k;
	int out, in, rc = -1;

	out = openat(spoolfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (out == -1 || d == NULL || (buf = malloc(1u << 20)) == NULL) {
		fy_fail_errno(e, FY_E_IO, f->path, "cannot join parts");
		goto out;
	}
	for (k = 0; k < f->nparts; k++) {
		stage_spool_name(f->parts[k], pn);
		if ((in = io_open_regular(spoolfd, pn, NULL, e)) == -1)
			goto out;
		while ((n = io_read_full(in, buf, 1u << 20, pn, e)) > 0) {
			digest_update(d, buf, (size_t)n);
			total += (uint64_t)n;
			if (io_write_all(out, buf, (size_t)n, name, e) == -1)
				break;
		}
		close(in);
		if (fy_failed(e))
			goto out;
	}
	digest_final(d, sha);
	if (total != f->size || memcmp(sha, f->sha256, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, f->path, _("joined parts do not match "
		    "the manifest"));
		goto out;
	}
	for (k = 0; k < f->nparts; k++) {
		stage_spool_name(f->parts[k], pn);
		(void)unlinkat(spoolfd, pn, 0);
	}
	rc = 0;
out:
	if (out != -1) {
		close(out);
		if (rc == -1)
			(void)unlinkat(spoolfd, name, 0);
	}
	free(buf);
	digest_free(d);
	return rc;
}

int
spool_fetch_one(struct run *r, int spoolfd, const struct mf_file *f,
    struct fetch_ctx *fc, struct fy_err *e)
{
	char name[DIGEST_HEXLEN + 1];
	struct fy_err ignore = { 0 };
	size_t k;

	stage_spool_name(f, name);
	if (digest_check_file(spoolfd, name, f->size, f->sha256, &ignore) == 0)
		return 0;
	(void)unlinkat(spoolfd, name, 0);
	if (f->nparts) {		/* FAT32 split: parts, then join */
		for (k = 0; k < f->nparts; k++)
			if (spool_fetch_one(r, spoolfd, f->parts[k], fc, e) == -1)
				return -1;
		return join_parts(spoolfd, f, name, e);
	}
	/* Not flushed: the spool is removed before the new generations are
	 * flushed (so a big package is never written to the disk), after a
	 * crash by start-up recovery, and every use hashes what it reads. */
	if (source_fetch_nosync(r->src, f->path, f->size, f->sha256, spoolfd,
	    name, on_progress, fc, e) == -1)
		return -1;
	fc->base += f->size;
	return 0;
}

/* A number from a one-line cgroup file; UINT64_MAX: none ("max"). */
static uint64_t
cg_value(const char *dir, const char *file)
{
	char path[4200], line[64];
	unsigned long long v;
	uint64_t r = UINT64_MAX;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "re")) == NULL)
		return UINT64_MAX;
	if (fgets(line, sizeof(line), f) != NULL &&
	    sscanf(line, "%llu", &v) == 1)
		r = (uint64_t)v;
	fclose(f);
	return r;
}

/* What the memory cgroup of this process still allows (its limit less
 * its use: shared memory counts there and cannot be written back), or
 * UINT64_MAX: no limit known.  cgroup v2, else v1's memory controller. */
static uint64_t
cgroup_room(void)
{
	char line[4096], dir[4200];
	uint64_t lim = UINT64_MAX, use = 0, v;
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t n;

	if (f == NULL)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((n = strlen(line)) > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", line + 3);
			v = cg_value(dir, "memory.max");
			if (v < lim) {
				lim = v;
				use = cg_value(dir, "memory.current");
			}
		} else if (strstr(line, ":memory:") != NULL) {
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup/memory%s",
			    strstr(line, ":memory:") + 8);
			v = cg_value(dir, "memory.limit_in_bytes");
			if (v < lim) {
				lim = v;
				use = cg_value(dir, "memory.usage_in_bytes");
			}
		}
	}
	fclose(f);
	if (lim == UINT64_MAX || use == UINT64_MAX)
		return UINT64_MAX;
	return use < lim ? lim - use : 0;
}

/*
 * A plan that installs a base package alone reads it once, with no
 * fallback that could need it again: it is spooled into memory (a memfd)
 * when it fits in a quarter of the memory available, hashed while copied
 * as on disk.  No page of it goes to the state's file system, and as the
 * extraction cuts out what it has read (package_extract_base_once), its
 * pages serve the files written.  0: spooled there; 1: not taken (too
 * big, split, no memfd); -1: the fetch failed.
 */
static int
spool_to_memory(struct run *r, struct job *j, uint64_t *budget,
    struct fetch_ctx *fc, struct fy_err *e)
{
	const struct mf_file *f = j->plan.base != NULL ? j->plan.base->base :
	    NULL;
	char name[DIGEST_HEXLEN + 1];
	int fd;

	if (f == NULL || j->plan.nsteps != 0 || f->nparts != 0 ||
	    f->size > *budget)
		return 1;
	if (FY_FAULT("spool.memfd") == -1 ||
	    (fd = memfd_create("ferry-spool", MFD_CLOEXEC)) == -1)
		return 1;	/* on disk then */
	stage_spool_name(f, name);
	if (source_fetch_fd(r->src, f->path, f->size, f->sha256, fd, name,
	    on_progress, fc, e) == -1) {
		close(fd);
		return -1;
	}
	*budget -= f->size;
	fc->base += f->size;
	j->pkgmem = fd;
	j->have_pkgmem = 1;
	return 0;
}

void
spool_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].have_pkgmem) {
			close(r->jobs[i].pkgmem);
			r->jobs[i].have_pkgmem = 0;
		}
}

int
spool_all(struct run *r, int spoolfd, uint64_t *read, struct fy_err *e)
{
	const struct mf_file *files[PLAN_MAX_STEPS + 1];
	struct fetch_ctx fc = { 0 };
	uint64_t total = 0, budget = mem_available(), room;
	size_t i, k, n;
	int rc;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_WORK)
			total += spool_plan_files(&r->jobs[i].plan, files, &n);
	fc.p = progress_begin(_("reading medium"), total);
	/* A quarter of what is left, of the machine and of the cgroup (a
	 * service's MemoryMax); memory unknown: all on disk. */
	room = cgroup_room();
	budget = budget == UINT64_MAX ? 0 : budget / 4;
	if (room / 4 < budget)
		budget = room / 4;
	for (i = 0; i < r->njobs; i++) {
		if (r->jobs[i].st != JOB_WORK)
			continue;
		if ((rc = spool_to_memory(r, &r->jobs[i], &budget, &fc, e)) !=
		    1) {
			if (rc == 0)
				continue;
			progress_end(fc.p);
			return -1;
		}
		spool_plan_files(&r->jobs[i].plan, files, &n);
		for (k = 0; k < n; k++)
			if (spool_fetch_one(r, spoolfd, files[k], &fc, e) == -1) {
				progress_end(fc.p);
				return -1;
			}
	}
	progress_end(fc.p);
	*read = fc.base;
	return 0;
}
