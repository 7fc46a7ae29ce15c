/* SPDX-License-Identifier: MIT */
/*
 * gpg_verify: the signature verdict (../shared/RELIABILITY.md §6 items 4-13).
 * Invariant: data is accepted only when at least `threshold` distinct
 * pinned primary keys each made a signature that gpg reports as good and
 * that passes our own checks: clean summary, key and signing subkey not
 * revoked, not invalid and not expired at the caller's trusted time,
 * signing capability, SHA-256/384/512, an accepted public-key algorithm.
 * gpgme_op_verify()'s return code and the VALID/GREEN bits are never the
 * verdict.  Each signature file is a separate gpg run, so a bad signature
 * cannot hide a good one that follows it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "verify/gpg_int.h"
#include "verify/sigframe.h"

#define RSA_MIN_BITS	3072

#define SUM_REFUSED	(GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED |	\
	GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED |		\
	GPGME_SIGSUM_KEY_MISSING | GPGME_SIGSUM_CRL_MISSING |		\
	GPGME_SIGSUM_CRL_TOO_OLD | GPGME_SIGSUM_BAD_POLICY |		\
	GPGME_SIGSUM_SYS_ERROR | GPGME_SIGSUM_TOFU_CONFLICT)

struct tally {
	size_t	n;			/* distinct pinned primaries */
	char	fpr[LIMIT_SIGS][GPG_FPR_MAX];
	int64_t	newest;
	char	why[320];		/* first refusal, "" if none */
};

static const char *
day(int64_t t, char buf[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, 16, "@%lld", (long long)t);
	return buf;
}

static const char *
hash_name(gpgme_hash_algo_t h)
{
	switch (h) {
	case GPGME_MD_MD5:	return "MD5";
	case GPGME_MD_SHA1:	return "SHA-1";
	case GPGME_MD_RMD160:	return "RIPEMD-160";
	case GPGME_MD_SHA224:	return "SHA-224";
	default:
		return gpgme_hash_algo_name(h) ? gpgme_hash_algo_name(h) :
		    "an unknown digest";
	}
}

static bool
full_fpr(const char *f)
{
	size_t n = f ? strlen(f) : 0;

	return (n == 40 || n == 64) && strspn(f, "0123456789abcdefABCDEF") == n;
}

/* The subkey of k whose fingerprint is sfpr (the primary is sub[0]). */
static const struct gpg_subfact *
find_subkey(const struct gpg_keyfact *k, const char *sfpr)
{
	size_t i;

	for (i = 0; i < k->nsub; i++)
		if (k->sub[i].fpr[0] != '\0' &&
		    asc_casecmp(k->sub[i].fpr, sfpr) == 0)
			return &k->sub[i];
	return NULL;
}

/* What the key data says at trusted time `now`; "" if nothing is wrong. */
static void
judge_key(const struct gpg_keyfact *k, const struct gpg_subfact *sk,
    gpgme_signature_t s, int64_t now, char *why, size_t n)
{
	const struct gpg_subfact *pk = &k->sub[0];
	char d1[16], d2[16];

	if (pk->revoked || k->revoked)
		snprintf(why, n, _("signing key %s is revoked"), k->fpr);
	else if (sk->revoked)
		snprintf(why, n, _("signing subkey %s of key %s is revoked"),
		    sk->fpr, k->fpr);
	else if (pk->invalid || sk->invalid || k->invalid)
		snprintf(why, n, _("signing key %s is invalid"), k->fpr);
	else if (pk->expires > 0 && now >= pk->expires)
		snprintf(why, n, _("signing key %s expired on %s (trusted time "
		    "%s)"), k->fpr, day(pk->expires, d1), day(now, d2));
	else if (sk->expires > 0 && now >= sk->expires)
		snprintf(why, n, _("signing subkey %s of key %s expired on %s "
		    "(trusted time %s)"), sk->fpr, k->fpr, day(sk->expires, d1),
		    day(now, d2));
	else if ((int64_t)s->timestamp < sk->timestamp)
		snprintf(why, n,
		    _("signature made on %s, before its signing key "
		    "%s existed"), day(s->timestamp, d1), sk->fpr);
	else if (s->exp_timestamp > 0 && now >= (int64_t)s->exp_timestamp)
		snprintf(why, n, _("signature expired on %s (trusted time %s)"),
		    day(s->exp_timestamp, d1), day(now, d2));
	else if (!sk->can_sign || s->wrong_key_usage)
		snprintf(why, n, _("key %s is not allowed to make signatures"),
		    sk->fpr);
	else if (sk->algo == GPGME_PK_RSA && sk->length < RSA_MIN_BITS)
		snprintf(why, n, _("signing key %s is RSA with %u bits, fewer "
		    "than %d"), sk->fpr, sk->length, RSA_MIN_BITS);
	else if (sk->algo != GPGME_PK_RSA && sk->algo != GPGME_PK_EDDSA &&
	    sk->algo != GPGME_PK_ECDSA)
		snprintf(why, n, _("signing key %s uses %s, which is refused"),
		    sk->fpr, gpgme_pubkey_algo_name(sk->algo) ?
		    gpgme_pubkey_algo_name(sk->algo) : _("an unknown "
		    "algorithm"));
	else
		why[0] = '\0';
}

void
gpg_facts_free(struct gpg_keyfact *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(keys[i].sub);
	free(keys);
}

void
gpg_keys_drop(struct gpg_verifier *v)
{
	gpg_facts_free(v->keys, v->nkeys);
	v->keys = NULL;
	v->nkeys = 0;
	v->listed = 0;
}

static void
copy_fpr(char dst[GPG_FPR_MAX], const char *src)
{
	if (src == NULL || strlen(src) >= GPG_FPR_MAX)
		dst[0] = '\0';
	else
		strcpy(dst, src);
}

/* The facts of one listed key; -1 out of memory. */
static int
fact_of(gpgme_key_t k, struct gpg_keyfact *f)
{
	gpgme_subkey_t sk;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		n++;
	if (n == 0)
		return 0;			/* never matches a signature */
	if ((f->sub = calloc(n, sizeof(*f->sub))) == NULL)
		return -1;
	copy_fpr(f->fpr, k->fpr);
	f->revoked = k->revoked != 0;
	f->invalid = k->invalid != 0;
	for (sk = k->subkeys; sk != NULL; sk = sk->next) {
		struct gpg_subfact *s = &f->sub[f->nsub++];

		copy_fpr(s->fpr, sk->fpr);
		s->timestamp = sk->timestamp;
		s->expires = sk->expires;
		s->length = sk->length;
		s->algo = sk->pubkey_algo;
		s->revoked = sk->revoked != 0;
		s->invalid = sk->invalid != 0;
		s->can_sign = sk->can_sign != 0;
	}
	return 0;
}

/* Start listing every key of the home on v->lctx (a second context on
 * the same home, which starts no "gpg --version"), so that the listing
 * runs while v->ctx verifies.  -1: not started (list_end then fails). */
static int
list_start(struct gpg_verifier *v)
{
	if (v->lctx == NULL && gpg_ctx_open(v->home, &v->lctx, NULL) == -1)
		return -1;
	if (gpgme_op_keylist_start(v->lctx, NULL, 0) != 0)
		return -1;
	return 0;
}

/* Collect what list_start began: every key of the home, once per
 * verifier (one gpg run instead of one gpgme_get_key() per signature,
 * each of which starts gpg twice); again after an import. */
static int
list_end(struct gpg_verifier *v, int started)
{
	gpgme_keylist_result_t r;
	struct gpg_keyfact *grown;
	gpgme_key_t k;
	gpgme_error_t err;

	gpg_keys_drop(v);
	if (!started)
		return -1;
	while ((err = gpgme_op_keylist_next(v->lctx, &k)) == 0) {
		if ((grown = realloc(v->keys, (v->nkeys + 1) *
		    sizeof(*grown))) == NULL) {
			gpgme_key_unref(k);
			err = gpg_error(GPG_ERR_ENOMEM);
			break;
		}
		v->keys = grown;
		err = fact_of(k, &v->keys[v->nkeys]) == -1 ?
		    gpg_error(GPG_ERR_ENOMEM) : 0;
		gpgme_key_unref(k);
		if (err != 0)
			break;
		v->nkeys++;
	}
	if (gpgme_err_code(err) != GPG_ERR_EOF) {
		gpgme_op_keylist_end(v->lctx);
		gpg_keys_drop(v);
		return -1;
	}
	r = gpgme_op_keylist_result(v->lctx);
	if (r == NULL || r->truncated) {
		gpg_keys_drop(v);
		return -1;
	}
	v->listed = 1;
	return 0;
}

/* The key holding (sub)key sfpr, as gpgme_get_key(sfpr) would find it:
 * exactly one key must match.  NULL if none or several. */
static const struct gpg_keyfact *
key_of(const struct gpg_verifier *v, const char *sfpr)
{
	const struct gpg_keyfact *found = NULL;
	size_t i;

	for (i = 0; v->listed && i < v->nkeys; i++)
		if (v->keys[i].nsub > 0 &&
		    find_subkey(&v->keys[i], sfpr) != NULL) {
			if (found != NULL)
				return NULL;	/* ambiguous */
			found = &v->keys[i];
		}
	return found;
}

/*
 * One signature.  Returns true and sets primary (upper case) when it
 * counts; otherwise writes the reason to why.
 */
static bool
judge(struct gpg_verifier *v, gpgme_signature_t s, int64_t now,
    char primary[GPG_FPR_MAX], char *why, size_t n)
{
	gpgme_error_t code = gpgme_err_code(s->status);
	const char *sfpr = s->fpr ? s->fpr : "(unknown)";
	const struct gpg_keyfact *k = NULL;
	const struct gpg_subfact *sk = NULL;
	const char *left;

	/* Order: crypto, then identity, then our policy, then gpg's. */
	if (code == GPG_ERR_BAD_SIGNATURE || (s->summary & GPGME_SIGSUM_RED)) {
		snprintf(why, n, _("bad signature"));
		return false;
	}
	if (code == GPG_ERR_NO_PUBKEY ||
	    (s->summary & GPGME_SIGSUM_KEY_MISSING) || !full_fpr(s->fpr) ||
	    (k = key_of(v, s->fpr)) == NULL ||
	    (sk = find_subkey(k, s->fpr)) == NULL) {
		/* A key of the keyring that was not imported, as it is not
		 * pinned (gpg_pinned.c): named by its primary fingerprint,
		 * as when it was in the home. */
		left = gpg_unpinned_primary(v->unpinned, v->nunpinned, sfpr);
		if (left != NULL && !gpg_is_pinned(v, left))
			sfpr = left;
		snprintf(why, n, gpg_is_pinned(v, sfpr) ? _("signed by pinned "
		    "key %s, which is missing from the keyring") :
		    _("signed by key %s, which is not pinned"), sfpr);
		return false;
	}
	if (!gpg_is_pinned(v, k->fpr)) {
		snprintf(why, n, _("signed by key %s, which is not pinned"),
		    k->fpr[0] ? k->fpr : "(unknown)");
		return false;
	}
	judge_key(k, sk, s, now, why, n);
	if (why[0] == '\0') {
		if (code == GPG_ERR_CERT_REVOKED ||
		    (s->summary & GPGME_SIGSUM_KEY_REVOKED))
			snprintf(why, n,
			    _("signing key %s is revoked"), k->fpr);
		else if (code == GPG_ERR_KEY_EXPIRED ||
		    (s->summary & GPGME_SIGSUM_KEY_EXPIRED))
			snprintf(why, n, _("signing key %s has expired by the "
			    "system clock"), k->fpr);
		else if (code == GPG_ERR_SIG_EXPIRED ||
		    (s->summary & GPGME_SIGSUM_SIG_EXPIRED))
			snprintf(why, n,
			    _("signature has expired by the system "
			    "clock"));
		else if (code != GPG_ERR_NO_ERROR ||
		    (s->summary & SUM_REFUSED))
			snprintf(why, n, _("signature rejected by gpg: %s "
			    "(summary 0x%x)"), gpgme_strerror(s->status),
			    (unsigned)s->summary);
		else if (s->hash_algo != GPGME_MD_SHA256 &&
		    s->hash_algo != GPGME_MD_SHA384 &&
		    s->hash_algo != GPGME_MD_SHA512)
			snprintf(why, n,
			    _("signature uses %s, which is refused"),
			    hash_name(s->hash_algo));
	}
	if (why[0] == '\0')
		snprintf(primary, GPG_FPR_MAX, "%s", k->fpr);
	return why[0] == '\0' && gpg_fpr_normalise(primary);
}

static void
refusal(struct tally *t, size_t i, size_t nsigs, const char *why)
{
	if (t->why[0] != '\0')
		return;
	if (nsigs > 1)
		snprintf(t->why, sizeof(t->why), _("signature %zu: %s"), i + 1,
		    why);
	else
		snprintf(t->why, sizeof(t->why), "%s", why);
}

static void
count(struct tally *t, const char *primary, int64_t when, size_t i,
    size_t nsigs)
{
	char why[128];
	size_t j;

	for (j = 0; j < t->n; j++)
		if (strcmp(t->fpr[j], primary) == 0) {
			snprintf(why, sizeof(why), _("key %s signed more than "
			    "once"), primary);
			refusal(t, i, nsigs, why);
			return;
		}
	if (t->n == LIMIT_SIGS)
		return;
	snprintf(t->fpr[t->n++], GPG_FPR_MAX, "%s", primary);
	if (when > t->newest)
		t->newest = when;
}

/* What one gpg run over signature file i said (err: gpgme's return for
 * the run, the result read from ctx), into the tally.  The same for a
 * run gpg_verify waited for and one gpg_verify_start began. */
static void
judge_run(struct gpg_verifier *v, gpgme_ctx_t ctx, gpgme_error_t err,
    int64_t now, size_t i, size_t nsigs, struct tally *t)
{
	gpgme_verify_result_t r = gpgme_op_verify_result(ctx);
	gpgme_signature_t s;
	char why[320], primary[GPG_FPR_MAX];

	if (err != 0)
		refusal(t, i, nsigs, gpgme_strerror(err));
	else if (r == NULL || r->signatures == NULL)
		refusal(t, i, nsigs, _("not a binary detached signature: gpg "
		    "found no signature"));
	else
		for (s = r->signatures; s != NULL; s = s->next) {
			why[0] = '\0';
			if (judge(v, s, now, primary, why, sizeof(why)))
				count(t, primary, (int64_t)s->timestamp, i,
				    nsigs);
			else
				refusal(t, i, nsigs, why);
		}
}

/* The data and signature objects of one gpg run (no copies: the caller's
 * buffers stay unchanged until the run ends). */
static int
run_data(const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen,
    gpgme_data_t *dd, gpgme_data_t *sd, const char *where, struct fy_err *e)
{
	gpgme_error_t err;

	*dd = *sd = NULL;
	if ((err = gpgme_data_new_from_mem(dd, (const char *)data, len,
	    0)) != 0 || (err = gpgme_data_new_from_mem(sd, (const char *)sig,
	    siglen, 0)) != 0) {
		gpgme_data_release(*dd);
		*dd = NULL;
		return fy_fail(e, FY_E_INTERNAL, where, "gpgme: %s",
		    gpgme_strerror(err));
	}
	return 0;
}

/* Signature file i: frame check, one gpg run, judge every signature. */
static int
verify_one(struct gpg_verifier *v, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen, int64_t now, size_t i, size_t nsigs,
    const char *where, struct tally *t, struct fy_err *e)
{
	struct fy_err fe = { 0 };
	gpgme_data_t dd = NULL, sd = NULL;
	gpgme_error_t err;
	int rc = -1, listing = 0;

	if (sigframe_check(sig, siglen, where, NULL, &fe) == -1) {
		refusal(t, i, nsigs, fe.msg);
		return 0;
	}
	if (run_data(data, len, sig, siglen, &dd, &sd, where, e) == -1)
		goto out;
	if (gpg_ctx_ready(v, e) == -1)
		goto out;
	/* Keys not known yet (a home just built): list them in a second
	 * gpg beside the verifying one; both only read the home. */
	if (!v->listed)
		listing = list_start(v) == 0 ? 1 : -1;
	err = gpgme_op_verify(v->ctx, sd, dd, NULL);
	if (listing != 0 && list_end(v, listing == 1) == -1) {
		fy_fail(e, FY_E_INTERNAL, where, "gpg: cannot list the keys "
		    "of the verification home");
		goto out;
	}
	judge_run(v, v->ctx, err, now, i, nsigs, t);
	rc = 0;
out:
	gpgme_data_release(dd);
	gpgme_data_release(sd);
	return rc;
}

/* gpg_verify's refusals before any gpg run. */
static int
verify_args(unsigned threshold, size_t nsigs, const char *where,
    struct fy_err *e)
{
	if (threshold > LIMIT_SIGS)
		return fy_fail(e, FY_E_CONFIG, where, _("threshold %u is more "
		    "than the %d signatures a document may carry"), threshold,
		    LIMIT_SIGS);
	if (nsigs == 0)
		return fy_fail(e, FY_E_SIGNATURE, where, _("no signature"));
	if (nsigs > LIMIT_SIGS)
		return fy_fail(e, FY_E_SIGNATURE, where,
		    _("%zu signature files, "
		    "at most %d are read"), nsigs, LIMIT_SIGS);
	return 0;
}

/* gpg_verify's verdict over the tally of every signature file. */
static int
verdict(const struct tally *t, unsigned threshold, const char *where,
    struct gpg_signers *out, struct fy_err *e)
{
	if (t->n < threshold) {
		if (threshold == 1)
			return fy_fail(e, FY_E_SIGNATURE, where, "%s",
			    t->why[0] ? t->why : _("no signature from a pinned "
			    "key"));
		return fy_fail(e, FY_E_SIGNATURE, where, _("%zu of %u required "
		    "signatures from pinned keys%s%s"), t->n, threshold,
		    t->why[0] ? "; " : "", t->why);
	}
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->n = t->n;
		memcpy(out->fpr, t->fpr, sizeof(out->fpr));
		out->newest_sig_time = t->newest;
	}
	return 0;
}

int
gpg_verify(struct gpg_verifier *v, const uint8_t *data, size_t len,
    const uint8_t *const *sigs, const size_t *siglens, size_t nsigs,
    unsigned threshold, int64_t now, const char *where,
    struct gpg_signers *out, struct fy_err *e)
{
	struct tally t;
	size_t i;

	memset(&t, 0, sizeof(t));
	if (threshold == 0)
		threshold = 1;
	if (verify_args(threshold, nsigs, where, e) == -1)
		return -1;
	for (i = 0; i < nsigs; i++)
		if (verify_one(v, data, len, sigs[i], siglens[i], now, i, nsigs,
		    where, &t, e) == -1)
			return -1;
	return verdict(&t, threshold, where, out, e);
}

/*
 * The same verification in two halves (gpg.h).  Each signature file gets
 * a GPGME context of its own on the verifier's home (no "gpg --version":
 * the engine information is the process-wide one, gpg_ctx_open) and an
 * asynchronous gpgme_op_verify_start, which starts its gpg at once, in
 * GPGME's global event loop; gpg_verify_end waits for each run in turn
 * with gpgme_wait (which also drives the others) and judges its result
 * with judge_run(), as verify_one does, in the order of the files.
 */
struct gpg_run {
	gpgme_ctx_t	 ctx;		/* NULL: no gpg run (frame refused) */
	gpgme_data_t	 dd, sd;
	gpgme_error_t	 err;		/* the start's, then the run's */
	int		 running;	/* in GPGME's event loop */
	char		 frame[320];	/* the frame check's refusal, or "" */
};

struct gpg_pending {
	struct gpg_verifier *v;
	size_t		 nsigs;
	unsigned	 threshold;
	int64_t		 now;
	char		 where[sizeof(((struct fy_err *)0)->where)];
	struct gpg_run	 run[LIMIT_SIGS];
};

/* Wait for run r to end (gpgme_wait also drives the others); r->err is
 * then what gpgme_op_verify would have returned. */
static void
run_wait(struct gpg_run *r)
{
	gpgme_error_t st = 0;

	if (!r->running)
		return;
	r->running = 0;
	if (gpgme_wait(r->ctx, &st, 1) != r->ctx) {
		/* The event loop failed (select): take the run out of it
		 * before its context goes. */
		gpgme_cancel(r->ctx);
		(void)gpgme_wait(r->ctx, NULL, 0);
		if (st == 0)
			st = gpg_error(GPG_ERR_GENERAL);
	}
	r->err = st;
}

static void
run_free(struct gpg_run *r)
{
	run_wait(r);
	gpgme_release(r->ctx);
	gpgme_data_release(r->dd);
	gpgme_data_release(r->sd);
	memset(r, 0, sizeof(*r));
}

static void
pending_free(struct gpg_pending *p)
{
	size_t i;

	for (i = 0; i < p->nsigs; i++)
		run_free(&p->run[i]);
	if (p->v->pending > 0)
		p->v->pending--;
	free(p);
}

int
gpg_verify_start(struct gpg_verifier *v, const uint8_t *data, size_t len,
    const uint8_t *const *sigs, const size_t *siglens, size_t nsigs,
    unsigned threshold, int64_t now, const char *where,
    struct gpg_pending **out, struct fy_err *e)
{
	struct gpg_pending *p;
	struct fy_err fe;
	size_t i;

	if (threshold == 0)
		threshold = 1;
	if (verify_args(threshold, nsigs, where, e) == -1)
		return -1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	p->v = v;
	p->threshold = threshold;
	p->now = now;
	snprintf(p->where, sizeof(p->where), "%s", where);
	p->nsigs = nsigs;
	v->pending++;
	for (i = 0; i < nsigs; i++) {
		struct gpg_run *r = &p->run[i];

		memset(&fe, 0, sizeof(fe));
		if (sigframe_check(sigs[i], siglens[i], where, NULL,
		    &fe) == -1) {
			snprintf(r->frame, sizeof(r->frame), "%s", fe.msg);
			continue;
		}
		if (run_data(data, len, sigs[i], siglens[i], &r->dd, &r->sd,
		    where, e) == -1 || gpg_ctx_open(v->home, &r->ctx, e) == -1)
			goto fail;
		/* A start that fails is a refusal, as gpgme_op_verify's. */
		r->err = gpgme_op_verify_start(r->ctx, r->sd, r->dd, NULL);
		r->running = r->err == 0;
	}
	*out = p;
	return 0;
fail:
	pending_free(p);
	return -1;
}

int
gpg_verify_end(struct gpg_pending *p, struct gpg_signers *out,
    struct fy_err *e)
{
	struct gpg_verifier *v = p->v;
	struct tally t;
	size_t i;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < p->nsigs; i++) {
		struct gpg_run *r = &p->run[i];

		if (r->ctx == NULL) {
			refusal(&t, i, p->nsigs, r->frame);
			continue;
		}
		run_wait(r);
		/* Keys not known yet (no verification through v so far):
		 * listed now, as verify_one lists them beside its run. */
		if (!v->listed && list_end(v, list_start(v) == 0) == -1) {
			fy_fail(e, FY_E_INTERNAL, p->where, "gpg: cannot list "
			    "the keys of the verification home");
			goto out;
		}
		judge_run(v, r->ctx, r->err, p->now, i, p->nsigs, &t);
	}
	rc = verdict(&t, p->threshold, p->where, out, e);
out:
	pending_free(p);
	return rc;
}

void
gpg_verify_drop(struct gpg_pending *p)
{
	if (p != NULL)
		pending_free(p);
}
