/* SPDX-License-Identifier: MIT */
/*
 * am: the applymedia commands.  main.c fills struct am_opts and calls one
 * am_* function; they share the preparation in prepare.c: open the state
 * (locked for apply), open and verify the medium, check replay, time and
 * publisher policies, and plan every component.
 */
#ifndef FERRY_AM_H
#define FERRY_AM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "formats/blk.h"
#include "applymedia/config.h"
#include "formats/plan.h"
#include "applymedia/stage.h"
#include "applymedia/state.h"
#include "verify/media_check.h"

struct am_opts {
	const char	*root;		/* --root */
	const char	*config;	/* --config */
	const char	*source;
	const char	*component;	/* --component */
	const char	*to;		/* --to VERSION */
	int		 allow_downgrade;
	int		 allow_expired;
	int		 check_local;
	int		 json;
	int		 wait;		/* --wait for the lock */
	int		 inspect;	/* status: report prerequisites, no refusal */
	int64_t		 now;		/* clock (FERRY_TEST_NOW in tests) */
	const char	*trust_cmd;	/* trust list|add|remove */
	const char	*fpr;		/* trust add/remove FPR */
	const char	*key_file;	/* trust add --key FILE */
	int		 show;		/* report --show */
	int		 no_report;	/* auto: the report is written after
					 * the remount, not by apply */
	/* apply: when not NULL, filled with what changed ("patterns A -> B,
	 * engine C -> D"; "" when nothing did) for the plug-in apply */
	char		*summary;
	size_t		 summary_len;
	/* auto: the device mounted at source, probed and matched before
	 * the mount; the medium policy is checked against it again */
	const struct blk_info *blk;
};

/* JOB_FAILED: its switch failed (a hook, or the switch itself);
 * JOB_UNTRIED: not attempted after another component's failure
 * (outcome.c). */
enum job_state { JOB_WORK, JOB_SKIP, JOB_DONE, JOB_FAILED, JOB_UNTRIED };

struct job {
	const struct cfg_component *cc;
	const struct mf_component *mc;
	struct gen	 local;
	int		 have_local;
	int		 local_ok;
	struct plan	 plan;
	struct gen	 newg;
	struct staged	 staged;	/* built, not yet published */
	int		 have_new;	/* newg is published in gens/ */
	enum job_state	 st;
	char		 note[300];	/* why skipped, or the result */
	int		 fell_back;
	int		 pinned;	/* skipped: held back by a pin */
	int		 pkgmem;	/* its base package spooled in memory */
	int		 have_pkgmem;	/* (spool.c), read once by stage.c */
	struct fy_err	 err;		/* JOB_FAILED, JOB_UNTRIED: why */
	const char	*hook;		/* JOB_FAILED by this hook, or NULL */
};

struct run {
	const struct am_opts *o;
	struct cfg	 cfg;
	struct state	*st;
	struct source	*src;
	struct media	*md;
	int64_t		 trusted_now;
	struct job	 jobs[CFG_MAX_COMPONENTS];
	size_t		 njobs;
	json_t		*out;		/* --json document */
	struct fy_err	 blocked;	/* inspect: the unmet prerequisite */
	/* The medium's serial is below the highest one accepted from its
	 * publisher (formats/SPEC.md §13): it may bring a component
	 * forward, never back, and is otherwise "nothing to do". */
	int		 older;
	uint64_t	 accepted_serial;	/* that highest serial */
	size_t		 nswitch;	/* components the switches began with */
};

/* outcome.c: after a failed switch.  outcome_untried(): 1 (and j->err
 * set) when j is not to be attempted: `stop` (a failure that stops the
 * rest) is set, or j's target requires a component that failed or was
 * not attempted, above the version of it live now.  outcome_log(): its history line.  outcome_finish():
 * removes what was staged and is not live; when a component failed,
 * fills `e`: its error, or for several components the summary line. */
int	outcome_untried(const struct run *r, struct job *j,
	    const struct job *stop);
void	outcome_log(struct run *r, const struct job *j);
void	outcome_finish(struct run *r, struct fy_err *e);

/* prepare.c */
int	am_prepare(struct run *r, const struct am_opts *o, int locked,
	    struct fy_err *e);
void	am_release(struct run *r);
/* Refusals are logged ("refused medium X: reason") and on_failure runs. */
void	am_report_failure(struct run *r, const char *what,
	    const struct fy_err *e);

/* rollback_check.c: rolling `comp` back to `prev` would leave another
 * component's installed version without the version of comp it
 * requires: -1 with FY_E_PREREQ and a hint; 0 allowed. */
int	rollback_check(struct run *r, const char *comp, const struct gen *prev,
	    struct fy_err *e);
/* The same for apply --allow-downgrade: a job taking its component below
 * what a component this run leaves alone requires: -1 (FY_E_PREREQ). */
int	downgrade_check(struct run *r, struct fy_err *e);

int	am_plan(const struct am_opts *o, struct fy_err *e);
int	am_apply(const struct am_opts *o, struct fy_err *e);
int	am_status(const struct am_opts *o, struct fy_err *e);
int	am_rollback(const struct am_opts *o, struct fy_err *e);
int	am_verify(const struct am_opts *o, struct fy_err *e);
int	am_pin(const struct am_opts *o, int pin, struct fy_err *e);
int	am_trust(const struct am_opts *o, struct fy_err *e);	/* trust.c */
/* report.c (issue 18): the report key, one report, and report = yes. */
int	am_enroll(const struct am_opts *o, struct fy_err *e);
int	am_report(const struct am_opts *o, struct fy_err *e);
/* After an apply (success or failure): with report = yes, the report to
 * ferry-reports/ on the medium; a failure only warns and is logged. */
void	am_report_after_apply(struct run *r);
/* auto.c: `applymedia auto DEVICE` (ferry-auto@.service) */
int	am_auto(const struct am_opts *o, const char *dev, struct fy_err *e);

#endif
