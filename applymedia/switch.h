/* SPDX-License-Identifier: MIT */
/*
 * switch: the one place the client changes version.  Before the rename of
 * c/<comp>/current the old generation is live; after it, the new one.
 * The application's path (config "path") is a symbolic link, created once,
 * to <state>/c/<comp>/current/tree, so the application always resolves
 * through the single commit point.
 */
#ifndef FERRY_SWITCH_H
#define FERRY_SWITCH_H

#include "applymedia/config.h"
#include "applymedia/state.h"

/* Is the application path free or already ours?  FY_E_CONFIG if it is a
 * real directory or a link elsewhere (nothing is changed). */
int	switch_check_path(const struct cfg *c, const struct state *s,
	    const struct cfg_component *cc, struct fy_err *e);
/* Before the pre_switch hook: current.tmp -> new (and previous.tmp ->
 * old, if any and not new), made durable; then previous -> old, durable.
 * What the application resolves (current) does not change. */
int	switch_prepare(int compfd, const char *new_id, const char *old_id,
	    struct fy_err *e);
/* The switch will not happen: the .tmp links go and previous is put back
 * to `prev` (its target before switch_prepare(); "" none; NULL: leave
 * previous alone). */
void	switch_unprepare(int compfd, const char *prev);
/* After switch_prepare(): current -> new, durable; then the application
 * link if missing. */
int	switch_commit(const struct cfg *c, const struct state *s, int compfd,
	    const struct cfg_component *cc, struct fy_err *e);
/* Create the application link if it is missing while current exists (a
 * crash between the first switch and the link); anything else there is
 * left alone. */
int	switch_repair_link(const struct cfg *c, const struct state *s,
	    const struct cfg_component *cc, struct fy_err *e);
/* Keep `keep` generations (current, previous, then newest); remove the
 * rest. */
int	switch_gc(int compfd, unsigned keep, struct fy_err *e);
/* Remove generation `id` unless current or previous names it: what a run
 * staged and then did not switch to (its pre_switch refused, or a failed
 * health check switched back). */
int	switch_drop(int compfd, const char *id, struct fy_err *e);

#endif
