/* SPDX-License-Identifier: MIT */
/*
 * delta: the single-file codec's encoder (formats/SPEC.md §7; the
 * decoder is delta_dec.c).  A blob is one method byte and a payload; the
 * encoder tries the methods that can win for this pair of files and keeps
 * the smallest.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zstd.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "formats/limits.h"

#define WHERE_ENC	"(delta encoder)"
/* Only files with a NUL byte in their first MiB (executables, archives,
 * images) try method 3: on text it lost to method 2 in every pair of the
 * benchmark corpus and costs 4 bytes of suffix array per old byte. */
#define BSD_SNIFF	((size_t)1 << 20)
#define BSD_MIN		64
/* Format 2 tries method 4 on text too, up to this old size: on the
 * caniuse series (small JS files, concatenated) it wins. */
#define BSD_TEXT_MAX	((size_t)32 << 20)
/* Files this large are first encoded at level 1 with and without the old
 * file (a few per cent of a level-19 encode): when the old file saves
 * less than 1/PROBE_GAIN there, the methods that use it are not tried at
 * the full level. */
#define PROBE_MIN	((size_t)1 << 20)
#define PROBE_GAIN	50
/* A large pair (above PATCH_MT_MAX) whose old file saves less than
 * 1/BSD_PROBE_GAIN of the new file's level-1 frame does not try method
 * 3/4: most of the new file is then new bytes, which its extra stream
 * codes no better than method 2 does, while its scan searches the old
 * file at almost every byte.  Bun 1.4.1 -> 1.4.5 (79.6 and 107.4 MB):
 * the old file saves 18% at level 1; method 6's 32,533,695 B (100 CPU-s)
 * lost to method 2's 32,275,527 B.  1.4.3 -> 1.4.5 (41% saved) and 1.4.4
 * -> 1.4.5 (78%), where method 4/6 wins, still try it. */
#define BSD_PROBE_GAIN	4
/* Pairs up to this size (old + new) get zstd's threaded mode for method 2
 * even with one worker (enc_patch), and methods 2 and 3/4 side by side
 * when two threads are allowed; larger pairs run them one at a time, and
 * method 2 threaded only when it is the only method tried. */
#define PATCH_MT_MAX	((uint64_t)64 << 20)
/* A large pair (above PATCH_MT_MAX) of binary files (a NUL byte in the
 * new file's first MiB) that has run method 3-6 runs method 2 at this
 * level at most.  At level 19 the two cost about twice what `zstd -19
 * --long --patch-from` does: Bun 1.4.1 -> 1.4.3 (79.6 and 89.0 MB), 82
 * CPU-s for method 6's 21.7 MB, then 82 for method 2 until its output
 * passed that (29 of them loading the old file into level 19's tables
 * before its first byte of output; its whole frame is 23.7 MB).  Method
 * 3-6 beat method 2 at level 19 on every such pair measured (Bun 1.4.1
 * -> 1.4.2, 1.4.1 and 1.4.2 -> 1.4.3, 1.4.3 -> 1.4.5 and 1.4.4 -> 1.4.5;
 * by 9% on 1.4.1 -> 1.4.3), and nothing cheaper predicts level 19
 * that closely: on the binaries of bench/delta.sh (esbuild) its frame
 * was 0.79-0.90 of level 12's (Bun: 0.87), 0.79-0.87 of level 14's
 * (Bun: 0.95), 0.58-0.79 of level 1's (Bun: 0.70).  At level 12 (6.6
 * CPU-s on that pair, 27.4 MB) method 2 stays a candidate where method
 * 3-6 does badly; where level 19 would have won, the blob kept is at
 * most method 3-6's.  Text keeps `level`: there method 2 often wins. */
#define PATCH_AFTER_BSD	12
/* Input fed to the streaming encoder between two checks of its output. */
#define DELTA_STEP	((size_t)1 << 20)

/* Level, window and match-finder tables no larger than the window needs:
 * level 19's defaults (2^24 chain, 2^22 hash entries) alone cost 80 MiB,
 * more than a 4 MiB window can use. */
static int
set_params(ZSTD_CCtx *c, int level, int wlog, size_t srclen, size_t dictlen)
{
	ZSTD_compressionParameters cp = ZSTD_getCParams(level, srclen,
	    dictlen);
	unsigned clog = cp.chainLog < (unsigned)wlog ? cp.chainLog :
	    (unsigned)wlog;
	unsigned hlog = cp.hashLog < (unsigned)wlog - 1 ? cp.hashLog :
	    (unsigned)wlog - 1;

	return ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel,
	    level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, wlog)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_chainLog,
	    (int)clog)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_hashLog,
	    (int)hlog)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0)) ?
	    -1 : 0;
}

/* Compress src with c's parameters into a new buffer, after a method
 * byte when method is not 0. */
static int
compress_new(ZSTD_CCtx *c, const uint8_t *src, size_t len, uint8_t method,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	size_t hdr = method != 0, cap = ZSTD_compressBound(len) + hdr, r;
	uint8_t *buf;

	if ((buf = malloc(cap)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	buf[0] = method;
	r = ZSTD_compress2(c, buf + hdr, cap - hdr, src, len);
	if (ZSTD_isError(r)) {
		free(buf);
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "zstd: %s",
		    ZSTD_getErrorName(r));
	}
	*out = buf;
	*outlen = r + hdr;
	return 0;
}

int
delta_zstd(const uint8_t *src, size_t len, int level, int wlog, int csize,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	ZSTD_CCtx *c;
	int rc = -1;

	if ((c = ZSTD_createCCtx()) == NULL)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	if (set_params(c, level, wlog, len, 0) == -1 ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag,
	    csize)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c,
	    ZSTD_c_enableLongDistanceMatching, wlog > 27)))
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "zstd parameters refused");
	else
		rc = compress_new(c, src, len, 0, out, outlen, e);
	ZSTD_freeCCtx(c);
	return rc;
}

/* Method 2 at `level`.  The frame is made streaming, 1 MiB of the new
 * file at a time, so an encode whose output already passes `limit` stops
 * there: *out is then NULL (not an error). */
static int
enc_patch(const uint8_t *old, size_t oldlen, const uint8_t *nw,
    size_t newlen, int level, int workers, int mt, size_t limit,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	ZSTD_CCtx *c = NULL;
	uint8_t *buf = NULL;
	size_t cap = ZSTD_compressBound(newlen) + 1, r;
	ZSTD_inBuffer in = { nw, 0, 0 };
	ZSTD_outBuffer ob;
	int rc = -1;

	*out = NULL;
	if ((c = ZSTD_createCCtx()) == NULL || (buf = malloc(cap)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (set_params(c, level, delta_wlog((uint64_t)oldlen + newlen), newlen,
	    oldlen) == -1 ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c,
	    ZSTD_c_enableLongDistanceMatching, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(c, newlen)) ||
	    ZSTD_isError(ZSTD_CCtx_refPrefix(c, old, oldlen))) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "zstd parameters refused");
		goto out;
	}
	/* With `mt`, zstd's threaded mode, even with one worker (as the zstd
	 * CLI runs by default): its long-distance matcher sees the old file
	 * (in the single-threaded mode it adds nothing with a prefix), so its
	 * frames were 1-8% smaller on the bcd pairs (8.1.1 -> 8.1.9: 46,813 B
	 * against 47,493 B) and the esbuild pair, 18% on an octokit pair,
	 * 0.2% larger on a caniuse tar; the frame is the same for any number
	 * of workers.  It buffers the whole new file before its first output
	 * byte (one job), which costs memory and the early stop below: the
	 * caller leaves it off where memory is short.  Without thread support
	 * in libzstd this fails; the single-threaded frame is fine. */
	if (mt)
		(void)ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, workers > 1 ?
		    workers : 1);
	else
		/* The new file stays where it is while the loop below hands
		 * it over 1 MiB at a time (the same pointer, a growing
		 * size): zstd then keeps no copy of it (up to its window). */
		(void)ZSTD_CCtx_setParameter(c, ZSTD_c_stableInBuffer, 1);
	buf[0] = DELTA_M_PATCH;
	ob.dst = buf + 1;
	ob.size = cap - 1;
	ob.pos = 0;
	for (;;) {
		ZSTD_EndDirective end = ZSTD_e_continue;

		if (in.size < newlen)
			in.size = newlen - in.size > DELTA_STEP ?
			    in.size + DELTA_STEP : newlen;
		if (in.size == newlen)
			end = ZSTD_e_end;
		r = ZSTD_compressStream2(c, &ob, &in, end);
		if (ZSTD_isError(r)) {
			fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "zstd: %s",
			    ZSTD_getErrorName(r));
			goto out;
		}
		if (ob.pos + 1 > limit) {	/* hopeless: stop here */
			rc = 0;
			goto out;
		}
		if (end == ZSTD_e_end && r == 0)
			break;
	}
	*out = buf;
	*outlen = ob.pos + 1;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	ZSTD_freeCCtx(c);
	return rc;
}

static int
enc_whole(const uint8_t *nw, size_t newlen, int level, uint8_t **out,
    size_t *outlen, struct fy_err *e)
{
	uint8_t *f = NULL, *buf;
	size_t flen = 0;

	if (delta_zstd(nw, newlen, level, delta_wlog(newlen), 1, &f, &flen,
	    e) == -1)
		return -1;
	if ((buf = malloc(flen + 1)) == NULL) {
		free(f);
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	}
	buf[0] = DELTA_M_ZSTD;
	memcpy(buf + 1, f, flen);
	free(f);
	*out = buf;
	*outlen = flen + 1;
	return 0;
}

struct bsd_job {
	const uint8_t	*old, *nw;
	size_t		 oldlen, newlen;
	int		 level, method, rc;
	uint8_t		*out;
	size_t		 outlen;
	struct fy_err	 e;
};

static void *
bsd_run(void *arg)
{
	struct bsd_job *j = arg;

	j->rc = delta_bsd_encode_pick(j->old, j->oldlen, j->nw, j->newlen,
	    j->level, j->method, &j->method, &j->out, &j->outlen, &j->e);
	return NULL;
}

static int
bsd_worth_trying(const uint8_t *old, size_t oldlen, const uint8_t *nw,
    size_t newlen, int format)
{
	(void)old;
	if (oldlen < BSD_MIN || newlen < BSD_MIN || oldlen > DELTA_BSD_MAX_OLD)
		return 0;
	if (format >= 2 && oldlen <= BSD_TEXT_MAX)
		return 1;
	return memchr(nw, 0, newlen < BSD_SNIFF ? newlen : BSD_SNIFF) != NULL;
}

/* Keep the smaller of *best and (b, blen); ties keep *best (cheaper to
 * decode: candidates arrive in order of decoding cost). */
static void
keep(uint8_t **best, size_t *bestlen, uint8_t *b, size_t blen)
{
	if (b == NULL)
		return;
	if (*best == NULL || blen < *bestlen) {
		free(*best);
		*best = b;
		*bestlen = blen;
	} else
		free(b);
}

/* Method 3/4's result (job) as a candidate: the blob with its method
 * byte, kept when smaller than *best (ties keep *best). */
static int
take_bsd(struct bsd_job *job, uint8_t **best, size_t *bestlen,
    struct fy_err *e)
{
	uint8_t *b;

	if (job->rc == -1)
		return fy_fail(e, job->e.code, job->e.where, "%s", job->e.msg);
	if ((b = malloc(job->outlen + 1)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	b[0] = (uint8_t)job->method;
	memcpy(b + 1, job->out, job->outlen);
	free(job->out);
	job->out = NULL;
	keep(best, bestlen, b, job->outlen + 1);
	return 0;
}

/* May the whole file at `level` beat `best` and fit `cap`?  `w1` is its
 * size at level 1.  Level 19 has not beaten level 1 by more than 40% on
 * a file of the benchmark corpus, nor by 1% on one that level 1 could
 * not shrink by 10% (packed or encrypted data); on small files the old
 * rule (a delta four times smaller than level 1 is never beaten) keeps
 * deciding. */
static int
whole_may_win(size_t newlen, size_t w1, size_t best, size_t cap)
{
	size_t lb;

	if (newlen < PROBE_MIN)
		lb = w1 / 4;
	else if ((uint64_t)w1 * 10 >= (uint64_t)newlen * 9)
		lb = w1 - w1 / 100;
	else
		lb = w1 - w1 / 10 * 4;
	return lb < best && lb < cap;
}

/* Process CPU seconds so far, for the trace. */
static double
cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == -1)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Charge the CPU time since *t to stage `i` of the trace. */
static void
lap(struct delta_trace *tr, int i, double *t)
{
	double n;

	if (tr == NULL)
		return;
	n = cpu_now();
	tr->cpu[i] += n - *t;
	*t = n;
}

int
delta_encode(const uint8_t *old, size_t oldlen, const uint8_t *new_,
    size_t newlen, const struct delta_opts *o, uint8_t **out,
    size_t *outlen, struct fy_err *e)
{
	struct bsd_job job = { .old = old, .oldlen = oldlen, .nw = new_,
	    .newlen = newlen, .rc = 0 };
	struct delta_budget *bud = o != NULL ? o->budget : NULL;
	pthread_t th;
	uint8_t *best = NULL, *b = NULL;
	size_t bestlen = 0, blen = 0, w1, cap, lim, l1len = 0;
	int level, workers, bsd, threaded = 0, useful = 1, l1m = 0, rc = -1;
	struct delta_trace *tr = o != NULL ? o->trace : NULL;
	int small = (uint64_t)oldlen + newlen <= (o != NULL &&
	    o->large_above != 0 ? o->large_above : PATCH_MT_MAX);
	int probed = 0, tried, plevel;
	double t0 = 0;

	level = (o != NULL && o->level != 0) ? o->level : 19;
	if (level < 1 || level > ZSTD_maxCLevel())
		return fy_fail(e, FY_E_USAGE, WHERE_ENC, "compression level "
		    "%d, expected 1..%d", level, ZSTD_maxCLevel());
	if (tr != NULL) {
		memset(tr, 0, sizeof(*tr));
		t0 = cpu_now();
	}
	workers = (o != NULL && o->workers > 1) ? o->workers : 1;
	cap = bud == NULL ? SIZE_MAX : bud->left > SIZE_MAX ? SIZE_MAX :
	    (size_t)bud->left;
	job.level = level;
	job.method = o == NULL || o->format < 2 ? DELTA_M_BSD : o->format == 2 ?
	    DELTA_M_BSD2 : o->format == 3 ? DELTA_M_BSD5 : DELTA_M_BSD6;
	/* Level 1 without the old file: a candidate, and the yardstick. */
	if (enc_whole(new_, newlen, 1, &best, &bestlen, e) == -1)
		return -1;
	w1 = bestlen;
	lap(tr, 0, &t0);
	if (oldlen > 0 && newlen >= PROBE_MIN) {
		if (enc_patch(old, oldlen, new_, newlen, 1, workers, small,
		    SIZE_MAX, &b, &blen, e) == -1)
			goto out;
		lap(tr, 1, &t0);
		useful = (uint64_t)blen * PROBE_GAIN < (uint64_t)w1 *
		    (PROBE_GAIN - 1);
		probed = 1;
		if (tr != NULL) {
			tr->whole1 = w1;
			tr->patch1 = blen;
		}
		/* BSD_PROBE_GAIN: is the old file worth method 3/4's scan? */
		if (!small && (uint64_t)blen * BSD_PROBE_GAIN >=
		    (uint64_t)w1 * (BSD_PROBE_GAIN - 1))
			probed = 2;
		keep(&best, &bestlen, b, blen);
		b = NULL;
	}
	tried = useful && bsd_worth_trying(old, oldlen, new_, newlen,
	    o != NULL ? o->format : 1);
	bsd = tried && probed != 2;
	if (tr != NULL)
		tr->bsd = !tried ? 0 : bsd ? 1 : 2;
	/* A large pair runs method 3/4 and then method 2 one at a time,
	 * each with buffers the size of old or new: the level-1 candidate
	 * (as large as a third of new) is not held through them.  Its size
	 * and method are remembered; it is made again (the same bytes)
	 * when nothing smaller turns up. */
	if (bsd && !small) {
		l1m = best[0];
		l1len = bestlen;
		free(best);
		best = NULL;
		bestlen = 0;
		if (tr != NULL)
			tr->l1_dropped = 1;
	}
	/* Method 3/4 and method 2 run side by side when we may use two
	 * threads and the pair is small (zstd then gets what is left).  A
	 * large pair runs them one after the other, within the memory bound
	 * of formats/SPEC.md §7.4: method 3/4 first, so that method 2 stops
	 * as soon as its output passes that. */
	if (bsd && workers > 1 && small) {
		if (pthread_create(&th, NULL, bsd_run, &job) != 0) {
			fy_fail_errno(e, FY_E_INTERNAL, WHERE_ENC,
			    "cannot start a thread");
			goto out;
		}
		threaded = 1;
		workers--;
	} else if (bsd) {
		bsd_run(&job);
		lap(tr, 2, &t0);
		if (tr != NULL && job.rc == 0)
			tr->bsdlen = job.outlen + 1;
		if (take_bsd(&job, &best, &bestlen, e) == -1)
			goto out;
	}
	if (useful && oldlen > 0) {
		plevel = level;
		if (bsd && !small && level > PATCH_AFTER_BSD && memchr(new_, 0,
		    newlen < BSD_SNIFF ? newlen : BSD_SNIFF) != NULL)
			plevel = PATCH_AFTER_BSD;
		if (tr != NULL)
			tr->patch_level = plevel;
		lim = best != NULL && bestlen < cap ? bestlen : cap;
		if (l1m != 0 && l1len < lim)
			lim = l1len;
		/* zstd's threaded mode, which holds a copy of the new file,
		 * only where method 3/4 was never a candidate (a pair that
		 * skips it above keeps the frame, and the memory, it had) */
		if (enc_patch(old, oldlen, new_, newlen, plevel, workers,
		    small || (!tried && workers > 1), lim, &b, &blen, e) == -1)
			goto out;
		lap(tr, 3, &t0);
		if (tr != NULL)
			tr->patch = b != NULL ? 1 : 2;
		/* method 2 wins ties with method 3/4: cheaper to decode */
		if (b != NULL && blen == bestlen && (best[0] == DELTA_M_BSD ||
		    best[0] == DELTA_M_BSD2 || best[0] == DELTA_M_BSD5 ||
		    best[0] == DELTA_M_BSD6)) {
			free(best);
			best = NULL;
		}
		keep(&best, &bestlen, b, blen);
		b = NULL;
	}
	if (threaded) {
		pthread_join(th, NULL);
		threaded = 0;
		if (tr != NULL && job.rc == 0)
			tr->bsdlen = job.outlen + 1;
		if (take_bsd(&job, &best, &bestlen, e) == -1)
			goto out;
	}
	/* The level-1 candidate dropped above wins ties, as it did when it
	 * was held (it came first). */
	if (l1m != 0 && (best == NULL || l1len <= bestlen)) {
		if ((l1m == DELTA_M_ZSTD ? enc_whole(new_, newlen, 1, &b,
		    &blen, e) : enc_patch(old, oldlen, new_, newlen, 1,
		    workers, small, SIZE_MAX, &b, &blen, e)) == -1)
			goto out;
		free(best);
		best = b;
		bestlen = blen;
		b = NULL;
		if (tr != NULL)
			tr->l1_remade = 1;
		lap(tr, 4, &t0);
	}
	l1m = 0;
	/* The whole file at `level` costs as much as a delta: only when it
	 * may still win.  A whole frame wins ties: it decodes without the
	 * old file. */
	if (level != 1 && whole_may_win(newlen, w1, bestlen, cap)) {
		if (enc_whole(new_, newlen, level, &b, &blen, e) == -1)
			goto out;
		lap(tr, 5, &t0);
		if (tr != NULL)
			tr->whole = 1;
		if (blen <= bestlen) {
			free(best);
			best = NULL;
		}
		keep(&best, &bestlen, b, blen);
		b = NULL;
	}
	if (bestlen > cap) {
		bud->over = 1;
		fy_fail(e, FY_E_NOSPACE, WHERE_ENC, "delta blob of at least %zu "
		    "bytes, more than the %zu left for the package", bestlen,
		    cap);
		goto out;
	}
	if (bud != NULL)
		bud->left -= bestlen;
	*out = best;
	*outlen = bestlen;
	best = NULL;
	rc = 0;
out:
	if (threaded)
		pthread_join(th, NULL);
	free(job.out);
	free(best);
	return rc;
}
