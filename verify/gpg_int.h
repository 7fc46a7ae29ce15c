/* SPDX-License-Identifier: MIT */
/*
 * gpg_int: what verify/gpg_*.c share and nobody else sees.
 */
#ifndef FERRY_GPG_INT_H
#define FERRY_GPG_INT_H

#include <limits.h>
#include <stdint.h>
#include <gpgme.h>

#include "verify/gpg.h"
#include "verify/gpg_pinned.h"

/*
 * What the verdict needs to know of a key in the home (gpg_verify.c):
 * listed by gpg once, or read back from a cached home, where they are
 * kept beside the keys they describe (gpg_cache.c, "ferry-keys").  None
 * of these depends on the time of the listing: expiry is kept as a date
 * and judged against the trusted time of each verification.
 */
struct gpg_subfact {
	char		 fpr[GPG_FPR_MAX];	/* "" if gpg gave none */
	int64_t		 timestamp;		/* creation */
	int64_t		 expires;		/* 0: never */
	unsigned	 length;		/* bits */
	int		 algo;			/* gpgme_pubkey_algo_t */
	unsigned	 revoked:1, invalid:1, can_sign:1;
};
struct gpg_keyfact {
	char		 fpr[GPG_FPR_MAX];	/* primary; "" if none */
	unsigned	 revoked:1, invalid:1;
	size_t		 nsub;			/* sub[0]: the primary key */
	struct gpg_subfact *sub;
};

struct gpg_verifier {
	char		  home[PATH_MAX];	/* private 0700 GNUPGHOME */
	gpgme_ctx_t	  ctx;			/* engine bound to home */
	gpgme_ctx_t	  lctx;			/* a second one, for the key
						 * listing beside a verify */
	char		(*pinned)[GPG_FPR_MAX];	/* upper case, full length */
	size_t		  npinned;
	int		  cached;	/* home is a cache entry: never
					 * written to, never removed */
	int		  building;	/* home is a cache build holding
					 * exactly the pinned keys */
	int		  rehome;	/* ctx still names the home's build
					 * folder: gpg_ctx_ready() */
	struct {
		char	  dir[PATH_MAX];	/* of the build, "" none */
		int	  shared;
	}		  cache;
	uint8_t		 *ring;		/* the bytes imported from the
					 * keyring: its pinned keys
					 * (gpg_pinned.h) or all of it */
	size_t		  ringlen;
	struct gpg_unpinned *unpinned;	/* the keys left out of ring, */
	size_t		  nunpinned;	/* only to name them in refusals */
	struct gpg_keyfact *keys;	/* every key of the home, listed */
	size_t		  nkeys;	/* once (gpg_verify.c) or read */
	int		  listed;	/* from the cached home */
	int		  pending;	/* gpg_verify_start()s not ended:
					 * no import, no gpg_verifier_keep */
};

/* gpg_verifier_new() that imports every key of the keyring, pinned or
 * not: for a caller that looks at what the file holds (keyset_keys.c). */
int	gpg_verifier_new_whole(const char *keyring, const char *const *pinned,
	    size_t npinned, struct gpg_verifier **out, struct fy_err *e);

/* The gpg.conf (and common.conf) of every verification home. */
extern const char gpg_home_conf[];
extern const char gpg_home_common[];
/* Write them into the empty directory `home`. */
int	gpg_home_write_conf(const char *home, struct fy_err *e);

/* gpg_cache.c.  Each returns 0 or -1 and never reports: a cache that
 * does not work only costs time.  find: a valid entry for ring into home.
 * start: a new private build folder (conf written) into home.  publish:
 * build folder home (keys imported, a verification passed) becomes the
 * entry; home is updated. */
int	gpg_cache_find(const struct gpg_cache *c, const uint8_t *ring,
	    size_t len, char *home, size_t size, uint8_t **facts,
	    size_t *factslen);
int	gpg_cache_start(const struct gpg_cache *c, char *home, size_t size);
int	gpg_cache_publish(const struct gpg_cache *c, const uint8_t *ring,
	    size_t len, const char *facts, size_t factslen, char *home,
	    size_t size);
/* Point ctx at another home (after a publish, or leaving the cache). */
int	gpg_ctx_rehome(gpgme_ctx_t ctx, const char *home, struct fy_err *e);
/* Before an operation on v->ctx: point it at v->home if that moved (a
 * published cache build; done only when needed, as each costs a gpg
 * start).  FY_E_INTERNAL on failure. */
int	gpg_ctx_ready(struct gpg_verifier *v, struct fy_err *e);
/* Forget the listed keys (after an import); free n facts. */
void	gpg_keys_drop(struct gpg_verifier *v);
void	gpg_facts_free(struct gpg_keyfact *keys, size_t n);
/* The listed keys as the text a cached home keeps (malloc'ed, *len
 * bytes, NUL-terminated), and back: gpg_facts_load replaces v's keys and
 * marks them listed, or returns -1 and leaves v unlisted on any text it
 * did not write. */
int	gpg_facts_text(const struct gpg_verifier *v, char **text, size_t *len);
int	gpg_facts_load(struct gpg_verifier *v, const uint8_t *text,
	    size_t len);

/* A fresh OpenPGP context: engine home `home` (NULL: gpg's default),
 * offline, binary output, no text mode.  FY_E_INTERNAL on failure.
 * Pointing GPGME at a home runs "gpg --version" once; contexts opened on
 * the home of the previous one share that run (gpg_sign.c). */
int	gpg_ctx_open(const char *home, gpgme_ctx_t *out, struct fy_err *e);
/* Copy a GPGME data object's bytes into a malloc'ed buffer (the caller
 * frees it with free()) and release the object in all cases. */
int	gpg_data_take(gpgme_data_t d, uint8_t **out, size_t *outlen,
	    const char *where, struct fy_err *e);
/* Is fpr (any case) in the verifier's pinned set? */
int	gpg_is_pinned(const struct gpg_verifier *v, const char *fpr);

#endif
