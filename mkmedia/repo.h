/* SPDX-License-Identifier: MIT */
/*
 * repo: the publisher's local repository of ingested versions (mkmedia
 * init and add, docs/ADMIN-GUIDE.md section 1).  Layout under the repository directory:
 *   ferry-repo.json                         publisher, channel, policy, serial
 *   lock                                    writers' lock (repo_lock.c)
 *   components/<comp>[+<variant>]/<version>/tree/...      the files
 *   components/<comp>[+<variant>]/<version>/version.json  listing + meta
 *   components/<comp>[+<variant>]/<version>/base.tar.zst  base package
 *   components/<comp>[+<variant>]/deltas/<from>__<to>.fdelta
 * A version directory appears by one rename once complete, so a crash
 * during `add` leaves no half version (only a .incoming-* to clean).
 */
#ifndef FERRY_REPO_H
#define FERRY_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/tree.h"

enum delta_mode { DELTA_NONE, DELTA_CHAIN, DELTA_STAR, DELTA_BOTH };

/* The level of base packages when the repository does not say (written
 * before base_level existed): fast enough that a 1 GiB component is
 * ingested in minutes (docs/ADMIN-GUIDE.md 1.3). */
#define REPO_BASE_LEVEL	12

struct repo_policy {
	enum delta_mode	mode;		/* default star */
	unsigned	window;		/* last W versions (default 4) */
	unsigned	window_days;	/* 0: no age limit */
	int		level;		/* zstd level of deltas (19) */
	int		base_level;	/* zstd level of base packages */
};

struct repo_req {
	char	component[65];
	char	min[65];
};

struct repo_version {
	char		 comp[65];
	char		 variant[65];
	char		 version[65];
	int64_t		 added;		/* unix time of ingest */
	int64_t		 released;	/* vendor's time, 0 unknown */
	struct tree	 tree;
	uint64_t	 base_size;
	uint8_t		 base_sha[DIGEST_LEN];
	struct repo_req	*reqs;
	size_t		 nreqs;
	int		 base_over_any;
};

struct repo_delta {
	char		 from[65];
	char		 to[65];
	uint64_t	 size;
	uint8_t		 sha[DIGEST_LEN];
};

struct repo_comp {
	char		 name[65];
	char		 variant[65];
	char		 dir[140];	/* components/<comp>[+<variant>] */
	struct repo_version *v;		/* ascending */
	size_t		 nv;
	struct repo_delta *d;
	size_t		 nd;
};

struct repo {
	int		 fd;		/* repository directory */
	char		 path[1024];
	char		 publisher[65];
	char		 channel[65];
	uint64_t	 serial;	/* last built serial */
	struct repo_policy policy;
	struct repo_comp *c;
	size_t		 nc;
};

int	repo_init(const char *path, const char *publisher, const char *channel,
	    const struct repo_policy *p, struct fy_err *e);
/* Open and load everything (listings, deltas). */
int	repo_open(const char *path, struct repo **out, struct fy_err *e);
/* The repository's description file; a folder without it is none. */
#define REPO_FILE_NAME	"ferry-repo.json"
/* repo_lock.c: the writers' lock, held until exit (FY_E_BUSY when
 * another mkmedia holds it; nothing when `path` is not a repository);
 * repo_lock_create makes its file (mkmedia init). */
int	repo_lock(const char *path, struct fy_err *e);
int	repo_lock_create(int repofd, struct fy_err *e);
void	repo_free(struct repo *r);
/* Persist ferry-repo.json (serial, policy). */
int	repo_save(struct repo *r, struct fy_err *e);
struct repo_comp *repo_comp(struct repo *r, const char *name,
	    const char *variant);
const struct repo_version *repo_version(const struct repo_comp *c,
	    const char *version);
/* The directory name of a component: "comp" or "comp+variant". */
void	repo_comp_dir(const char *name, const char *variant, char *out,
	    size_t n);
/* Version json <-> struct. */
int	repo_version_save(int dirfd, const struct repo_version *v,
	    struct fy_err *e);
/* When the vendor released it, else when it was ingested (windows by age). */
int64_t	repo_version_time(const struct repo_version *v);
const char *repo_mode_name(enum delta_mode m);
int	repo_mode_parse(const char *s, enum delta_mode *m);

#endif
