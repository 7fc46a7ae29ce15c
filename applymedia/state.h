/* SPDX-License-Identifier: MIT */
/*
 * state: the client's state directory (docs/ADMIN-GUIDE.md section 8.3).
 *   lock                      locked (fcntl) by the running applymedia
 *   state.json                counters: per publisher the highest serial
 *                             accepted (and that manifest's hash) and the
 *                             manifest hash of each of the last 64 serials
 *                             accepted ("accepted"), the newest signed
 *                             time ever accepted, pins
 *   history.jsonl             one JSON line per event, fsync'ed
 *   spool/                    packages copied from the medium
 *   c/<component>/gens/<id>/  immutable generations: tree/ + meta.json
 *   c/<component>/current     -> gens/<id>   THE commit point
 *   c/<component>/previous    -> gens/<id>   rollback target
 *   gpg/h-<hash>/             the pinned keyring's GnuPG home, kept
 *                             between runs (verify/gpg_cache.c; derived,
 *                             safe to delete)
 * Everything in state.json can be re-derived from the generations'
 * meta.json (recovery takes the maximum), so a crash between the switch
 * and the bookkeeping never weakens replay protection.
 */
#ifndef FERRY_STATE_H
#define FERRY_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/tree.h"
#include "applymedia/config.h"

struct state {
	int		 fd;		/* state directory */
	int		 lockfd;
	char		 dir[1024];	/* rooted path of the state directory */
	void		*doc;		/* json_t: state.json */
	int		 hold_history;	/* state_log_hold(): lines not yet */
	int		 history_unsynced;	/* fsync'ed one by one */
};

/* A requirement of the generation's version ("requires" of the medium's
 * listing, formats/SPEC.md §4): `component` at `min` or later. */
struct gen_req {
	char		 component[65];
	char		 min[65];
};

/* Generation metadata (gens/<id>/meta.json). */
struct gen {
	char		 id[160];
	char		 component[65];
	char		 variant[65];
	char		 version[65];
	char		 publisher[65];
	char		 medium_id[65];
	uint64_t	 serial;
	int64_t		 signed_time;	/* manifest created */
	int64_t		 installed;
	char		 path[200];	/* how it was made: "base 8.0.1", ... */
	struct tree	 tree;
	/* what the version requires of other components (meta.json
	 * "requires", written for the rollback check; an older ferry's
	 * generations have none); freed by gen_free() */
	struct gen_req	*reqs;
	size_t		 nreqs;
};

/* Create if needed, lock (FY_E_BUSY if another applymedia holds it; wait
 * when `wait` is set), recover leftovers of a crashed run. */
int	state_open(const struct cfg *c, int wait, struct state **out,
	    struct fy_err *e);
/* Open without locking and without recovery, for read-only commands
 * (status); never writes. */
int	state_open_ro(const struct cfg *c, struct state **out, struct fy_err *e);
void	state_close(struct state *s);

uint64_t state_serial(const struct state *s, const char *publisher,
	    uint8_t sha[DIGEST_LEN], int *have_sha);
/* The manifest SHA-256 this client accepted for `serial` of `publisher`:
 * 1 known (sha filled), 0 not recorded. */
int	 state_serial_sha(const struct state *s, const char *publisher,
	    uint64_t serial, uint8_t sha[DIGEST_LEN]);
int64_t	 state_newest_time(const struct state *s);
int	 state_pinned(const struct state *s, const char *component);
/* Durable updates (state.json.tmp, fsync, rename, fsync). */
int	 state_accept(struct state *s, const char *publisher, uint64_t serial,
	    const char *medium_id, const uint8_t sha[DIGEST_LEN],
	    int64_t signed_time, struct fy_err *e);
int	 state_set_pin(struct state *s, const char *component, int pinned,
	    const char *why, struct fy_err *e);
/* Append one event to history.jsonl and syslog.  `fmt` is the plain-words
 * message ("patterns 2026.11.23-1 applied from medium x-7"). */
int	 state_log(struct state *s, const char *event, const char *component,
	    const char *from, const char *to, const char *medium_id,
	    uint64_t serial, const char *result, const char *fmt, ...)
	    __attribute__((format(printf, 9, 10)));

/* With hold set, state_log() writes its lines without an fsync each; the
 * call that clears it makes them all durable with one fsync (an update of
 * several components logs one line per component).  History is best
 * effort, like every state_log(): a crash before that fsync may lose the
 * held lines, never the update (state recovery derives the counters from
 * the generations).  Returns -1 if the fsync failed. */
int	 state_log_hold(struct state *s, int hold);

/* Component directories and generations. */
int	 gen_dir(struct state *s, const char *component, int create,
	    struct fy_err *e);		/* fd of c/<component> */
/* Read the generation a link ("current", "previous") points to: 0 found,
 * 1 none, -1 error. */
int	 gen_read(int compfd, const char *link, struct gen *out,
	    struct fy_err *e);
/* meta.json of a generation: with `sync`, replaced durably; without, a
 * new file in a staging folder that a later syncfs flushes. */
int	 gen_write_meta(int gendirfd, const struct gen *g, int sync,
	    struct fy_err *e);
void	 gen_free(struct gen *g);

#endif
