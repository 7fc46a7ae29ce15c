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
};

int	mk_init(const struct mk_opts *o, struct fy_err *e);
int	mk_add(const struct mk_opts *o, struct fy_err *e);
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

/* deltas.c: make the deltas the policy wants for a new version. */
int	mk_make_deltas(struct repo *r, struct repo_comp *c, const char *to,
	    struct fy_err *e);

#endif
