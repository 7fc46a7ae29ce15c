/* SPDX-License-Identifier: MIT */
/*
 * delta_ctl: difference-run expansion and control entries, shared by the
 * decoders of delta methods 3 to 6 (delta_bsd_dec.c, delta_streams.c).
 * Invariant: every length and offset is checked before a byte is
 * touched, and every run or entry but the first produces output, so the
 * work is bounded by the declared output size.
 */
#include <string.h>

#include "formats/delta_ctl.h"

int
delta_runs_step(struct delta_runs *r, uint64_t zero, uint64_t lit,
    const char *where, struct fy_err *e)
{
	if (zero == 0 && lit == 0)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference run "
		    "produces no output");
	if (zero > r->dlen - r->wp || lit > r->dlen - r->wp - zero ||
	    lit > r->dlen - r->rp || r->wp + zero > r->rp)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference run "
		    "outside its buffer");
	memset(r->d + r->wp, 0, (size_t)zero);
	r->wp += zero;
	memmove(r->d + r->wp, r->d + r->rp, (size_t)lit);
	r->wp += lit;
	r->rp += lit;
	return 0;
}

int
delta_runs_done(const struct delta_runs *r, const char *where,
    struct fy_err *e)
{
	if (r->wp != r->dlen || r->rp != r->dlen)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "stream covers %llu of %llu bytes",
		    (unsigned long long)r->wp, (unsigned long long)r->dlen);
	return 0;
}

/* The entry count is bounded by the output: every entry the encoder
 * writes starts at a new position of the new file, so a longer stream
 * would only be work without output (formats/SPEC.md §7.3). */
int
delta_ctl_step(struct delta_ctl *a, const uint64_t v[3], const char *where,
    struct fy_err *e)
{
	uint64_t add = v[0], ext = v[1], zz = v[2], i;
	int64_t seek = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);

	if (++a->nent > a->want + 1)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta control stream "
		    "has more entries than the file has bytes");
	if (a->strict && add == 0 && ext == 0 && a->nent > 1)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta control entry "
		    "produces no output");
	if (add > a->want - a->op || add > a->dlen - a->dp ||
	    a->oldpos < 0 || (uint64_t)a->oldpos > a->oldlen ||
	    add > a->oldlen - (uint64_t)a->oldpos ||
	    ext > a->want - a->op - add || ext > a->xlen - a->xp)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta control entry "
		    "outside its buffers");
	for (i = 0; i < add; i++)
		a->dst[a->op + i] = (uint8_t)(a->old[(uint64_t)a->oldpos + i] +
		    a->db[a->dp + i]);
	a->op += add;
	a->dp += add;
	a->oldpos += (int64_t)add;
	if (ext > 0)
		memcpy(a->dst + a->op, a->eb + a->xp, (size_t)ext);
	a->op += ext;
	a->xp += ext;
	if (__builtin_add_overflow(a->oldpos, seek, &a->oldpos))
		return fy_fail(e, FY_E_INTEGRITY, where, "delta control entry "
		    "outside its buffers");
	return 0;
}

int
delta_ctl_done(const struct delta_ctl *a, const char *where,
    struct fy_err *e)
{
	if (a->op != a->want || a->dp != a->dlen || a->xp != a->xlen)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta control stream "
		    "covers %llu of %llu bytes", (unsigned long long)a->op,
		    (unsigned long long)a->want);
	return 0;
}
