/* SPDX-License-Identifier: MIT */
/*
 * hooks: run an administrator's command (/bin/sh -c) around the switch,
 * with a timeout.  The command sees FERRY_EVENT, FERRY_COMPONENT,
 * FERRY_FROM, FERRY_TO, FERRY_PATH and FERRY_MEDIUM in its environment
 * (FERRY_PATH: the component's path as this run writes it, below --root).
 * On timeout the whole process group is killed.
 */
#ifndef FERRY_HOOKS_H
#define FERRY_HOOKS_H

#include "core/err.h"

struct hook_env {
	const char	*event;		/* pre_switch, post_switch, ... */
	const char	*component;
	const char	*from;		/* "" when nothing was installed */
	const char	*to;
	const char	*path;		/* the component's link on this host:
					 * its path below --root DIR */
	const char	*medium;
	const char	*message;	/* on_failure: the error line */
};

/* Empty or NULL cmd: nothing to run, 0.  FY_E_HOOK on a non-zero exit,
 * a signal or a timeout. */
int	hook_run(const char *cmd, unsigned timeout, const struct hook_env *env,
	    struct fy_err *e);

#endif
