/* SPDX-License-Identifier: MIT */
/*
 * mkmedia: the publisher side.  main.c parses options into struct mk_opts
 * and calls exactly one of the mk_* commands.
 */
#ifndef FERRY_MKMEDIA_H
#define FERRY_MKMEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "mkmedia/repo.h"
#include "verify/report_check.h"

struct fleet_need;

#define MK_MAX_LIST	32

struct mk_opts {
	const char	*repo;			/* default "." */
	int64_t		 now;			/* SOURCE_DATE_EPOCH or clock */
	int		 json;
	/* init */
	const char	*publisher, *channel;
	struct repo_policy policy;
	/* add */
	const char	*component, *variant, *version, *source;
	int64_t		 released;
	int		 no_base_over_any;
	struct repo_req	 reqs[MK_MAX_LIST];
	size_t		 nreqs;
	/* build */
	const char	*out;			/* folder or mount point */
	const char	*iso;			/* ISO image file */
	const char	*label;
	const char	*sign_keys[MK_MAX_LIST];
	size_t		 nsign;
	const char	*gnupghome;
	int64_t		 expires_days;		/* 0: no expiry */
	const char	*notices[MK_MAX_LIST];	/* "comp: text" or "text" */
	size_t		 nnotices;
	const char	*only[MK_MAX_LIST];	/* "comp[:variant][=version]" */
	size_t		 nonly;
	uint64_t	 max_size;		/* 0: no limit */
	const char	*since;			/* previous manifest.json */
	/* --for REPORTS (issue 18): the folders or sticks of reports, and
	 * what the trusted clients among them have installed (fleetsel.h),
	 * filled by build */
	const char	*for_paths[MK_MAX_LIST];
	size_t		 nfor;
	const struct fleet_need *needs;
	size_t		 nneeds;
	uint64_t	 serial;		/* 0: repository's + 1 */
	int		 fat;			/* treat --out as FAT */
	uint64_t	 split_size;		/* set by build: 0 no split */
	/* keyset (keyset_cmd.c) */
	const char	*keyset_cmd;		/* init, rotate, revoke, list */
	const char	*ks_add[MK_MAX_LIST];
	size_t		 nks_add;
	const char	*ks_remove[MK_MAX_LIST];
	size_t		 nks_remove;
	unsigned	 ks_threshold;		/* 0: 1 (init) or kept (rotate) */
	/* fleet enroll (fleet.c) */
	const char	*fleet_key;		/* --key FILE */
	const char	*fleet_name;		/* --name NAME */
};

int	mk_init(const struct mk_opts *o, struct fy_err *e);
int	mk_add(const struct mk_opts *o, struct fy_err *e);
/* extract.c: unpack the vendor archive `file` into the folder dstfd
 * (regular files and folders; hard links become copies). */
int	mk_extract_archive(const char *file, int dstfd, struct fy_err *e);
int	mk_list(const struct mk_opts *o, struct fy_err *e);
int	mk_build(const struct mk_opts *o, struct fy_err *e);
int	mk_keyset(const struct mk_opts *o, struct fy_err *e);

/* keyset_cmd.c: the repository's key-set files (statements 1..*top with
 * keyrings and signatures) that every medium carries; paths are the same
 * relative to the repository and to the medium folder.  *out (free())
 * is NULL and *top 0 when the repository has no key sets. */
struct mk_keyfile {
	char		path[80];
	uint64_t	size;
	uint8_t		sha[DIGEST_LEN];
};
int	mk_keyset_files(int repofd, struct mk_keyfile **out, size_t *n,
	    unsigned *top, struct fy_err *e);
/* 0 when fprs (the --sign-key list) hold the threshold of the
 * repository's newest key set, or the repository has none; else -1,
 * FY_E_CONFIG naming the set's keys.  build calls it before it signs or
 * writes anything: a medium signed by a key the chain has dropped would
 * be refused by every client that follows the chain. */
int	mk_keyset_sign_ok(int repofd, const char *const *fprs, size_t n,
	    struct fy_err *e);

/* fleet.c (issue 18): the enrolled clients (repository fleet/) and the
 * view of their reports.  `mkmedia fleet enroll FPR` and `mkmedia fleet
 * REPORTS...`: argv are the words after "fleet". */
int	mk_fleet(const struct mk_opts *o, int argc, char **argv,
	    struct fy_err *e);
/* Every report under paths (folders of reports, or sticks holding
 * ferry-reports/), verified against the clients enrolled in the
 * repository at `repo` (verify/report_check.h): out->view.e[i] with state
 * FLEET_NEWEST is the one trusted report that counts for client
 * e[i].pin; nothing else may be used to build.  mk_fleet_free() after. */
struct mk_fleet {
	struct fleet_pin *pins;
	size_t		 npins;
	struct fleet_view view;
};
int	mk_fleet_load(const char *repo, const char *const *paths, size_t n,
	    int64_t now, struct mk_fleet *out, struct fy_err *e);
void	mk_fleet_free(struct mk_fleet *f);

/* deltas.c: make the deltas the policy wants for a new version. */
int	mk_make_deltas(struct repo *r, struct repo_comp *c, const char *to,
	    struct fy_err *e);

#endif
