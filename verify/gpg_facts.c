/* SPDX-License-Identifier: MIT */
/*
 * gpg_facts: the keys' facts as a cached verification home keeps them
 * (verify/gpg_cache.c "ferry-keys"), written from a listing and read back
 * (gpg_int.h gpg_facts_text, gpg_facts_load).  Invariant: the loader
 * accepts exactly what the writer makes; anything else leaves the
 * verifier unlisted, so its keys are listed by gpg as in a fresh home.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/gpg_int.h"

/*
 * The facts as a cached home keeps them ("ferry-keys", hashed into the
 * home's stamp by gpg_cache.c):
 *   ferry keys 1
 *   key FPR REVOKED INVALID NSUB
 *   sub FPR REVOKED INVALID CAN_SIGN ALGO BITS CREATED EXPIRES   (NSUB x)
 * FPR is "-" when gpg gave none.  The loader accepts exactly what the
 * writer makes.
 */
#define FACTS_TAG	"ferry keys 1\n"
#define FACTS_MAX_SUB	256

static int
put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *grown;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len :
		    0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (*buf != NULL && (size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		if ((grown = realloc(*buf, *cap + (size_t)n + 1024)) == NULL)
			return -1;
		*buf = grown;
		*cap += (size_t)n + 1024;
	}
}

int
gpg_facts_text(const struct gpg_verifier *v, char **text, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0, i, j;
	int rc;

	*text = NULL;
	if (!v->listed)
		return -1;
	rc = put(&buf, &n, &cap, "%s", FACTS_TAG);
	for (i = 0; rc == 0 && i < v->nkeys; i++) {
		const struct gpg_keyfact *k = &v->keys[i];

		rc = put(&buf, &n, &cap, "key %s %u %u %zu\n",
		    k->fpr[0] ? k->fpr : "-", (unsigned)k->revoked,
		    (unsigned)k->invalid, k->nsub);
		for (j = 0; rc == 0 && j < k->nsub; j++) {
			const struct gpg_subfact *sk = &k->sub[j];

			rc = put(&buf, &n, &cap, "sub %s %u %u %u %d %u "
			    "%lld %lld\n", sk->fpr[0] ? sk->fpr : "-",
			    (unsigned)sk->revoked, (unsigned)sk->invalid,
			    (unsigned)sk->can_sign, sk->algo, sk->length,
			    (long long)sk->timestamp, (long long)sk->expires);
		}
	}
	if (rc == -1) {
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* One line of the facts (NUL-terminated copy in line); "-" or a hex
 * fingerprint of at most GPG_FPR_MAX - 1 digits into fpr. */
static int
fact_fpr(const char *word, char fpr[GPG_FPR_MAX])
{
	size_t n = strlen(word);

	if (strcmp(word, "-") == 0) {
		fpr[0] = '\0';
		return 0;
	}
	if (n == 0 || n >= GPG_FPR_MAX ||
	    strspn(word, "0123456789ABCDEFabcdef") != n)
		return -1;
	strcpy(fpr, word);
	return 0;
}

static int
bit(unsigned u)
{
	return u <= 1 ? 0 : -1;
}

int
gpg_facts_load(struct gpg_verifier *v, const uint8_t *text, size_t len)
{
	struct gpg_keyfact *keys = NULL, *grown;
	size_t nkeys = 0, pos, nsub = 0, want = 0;
	char line[256], word[GPG_FPR_MAX + 1];
	unsigned r, iv, cs, bits;
	long long ts, ex;
	int algo, used;

	gpg_keys_drop(v);
	if (len < strlen(FACTS_TAG) ||
	    memcmp(text, FACTS_TAG, strlen(FACTS_TAG)) != 0 ||
	    memchr(text, '\0', len) != NULL || text[len - 1] != '\n')
		return -1;
	for (pos = strlen(FACTS_TAG); pos < len; ) {
		const uint8_t *nl = memchr(text + pos, '\n', len - pos);
		size_t l = (size_t)(nl - (text + pos));

		if (l >= sizeof(line))
			goto bad;
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		used = -1;
		if (nsub < want) {
			struct gpg_subfact *sk = &keys[nkeys - 1].sub[nsub];

			if (sscanf(line, "sub %65s %u %u %u %d %u %lld %lld%n",
			    word, &r, &iv, &cs, &algo, &bits, &ts, &ex,
			    &used) != 8 || used != (int)l ||
			    fact_fpr(word, sk->fpr) == -1 || bit(r) ||
			    bit(iv) || bit(cs) || ts < 0 || ex < 0)
				goto bad;
			sk->revoked = r;
			sk->invalid = iv;
			sk->can_sign = cs;
			sk->algo = algo;
			sk->length = bits;
			sk->timestamp = ts;
			sk->expires = ex;
			keys[nkeys - 1].nsub = ++nsub;
			continue;
		}
		if (sscanf(line, "key %65s %u %u %zu%n", word, &r, &iv, &want,
		    &used) != 4 || used != (int)l || bit(r) || bit(iv) ||
		    want == 0 || want > FACTS_MAX_SUB ||
		    nkeys >= LIMIT_KEYSET_BYTES / 32 ||
		    (grown = realloc(keys, (nkeys + 1) * sizeof(*keys))) == NULL)
			goto bad;
		keys = grown;
		memset(&keys[nkeys], 0, sizeof(keys[nkeys]));
		if ((keys[nkeys].sub = calloc(want, sizeof(*keys->sub))) ==
		    NULL || fact_fpr(word, keys[nkeys].fpr) == -1) {
			free(keys[nkeys].sub);
			goto bad;
		}
		keys[nkeys].revoked = r;
		keys[nkeys].invalid = iv;
		nkeys++;
		nsub = 0;
	}
	if (nsub < want)
		goto bad;
	v->keys = keys;
	v->nkeys = nkeys;
	v->listed = 1;
	return 0;
bad:
	gpg_facts_free(keys, nkeys);
	return -1;
}
