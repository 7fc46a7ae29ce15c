/* SPDX-License-Identifier: MIT */
/*
 * hooks: fork, setsid, exec /bin/sh -c CMD; wait with a deadline.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/say.h"
#include "applymedia/hooks.h"

/* Every value goes through the escaping of core/say.c: a volume label, a
 * version or an entry name must not give a hook (and the mail, SNMP trap
 * or syslog line it sends) a second line or a terminal escape. */
static void
setenv_opt(const char *k, const char *v)
{
	char esc[2048];

	say_escape(v ? v : "", esc, sizeof(esc));
	setenv(k, esc, 1);
}

int
hook_run(const char *cmd, unsigned timeout, const struct hook_env *env,
    struct fy_err *e)
{
	struct timespec start, now, nap = { 0, 10 * 1000 * 1000 };
	pid_t pid, r;
	int status;

	if (cmd == NULL || *cmd == '\0')
		return 0;
	fflush(NULL);
	if ((pid = fork()) == -1)
		return fy_fail_errno(e, FY_E_HOOK, env->event,
		    _("cannot fork"));
	if (pid == 0) {
		setsid();
		setenv_opt("FERRY_EVENT", env->event);
		setenv_opt("FERRY_COMPONENT", env->component);
		setenv_opt("FERRY_FROM", env->from);
		setenv_opt("FERRY_TO", env->to);
		setenv_opt("FERRY_PATH", env->path);
		setenv_opt("FERRY_MEDIUM", env->medium);
		setenv_opt("FERRY_MESSAGE", env->message);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR)
			return fy_fail_errno(e, FY_E_HOOK, env->event,
			    "waitpid failed");
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout && now.tv_sec - start.tv_sec >= (time_t)timeout) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return fy_fail(e, FY_E_HOOK, env->component,
			    _("%s hook "
			    "did not finish within %u s and was killed: %s"),
			    env->event, timeout, cmd);
		}
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return fy_fail(e, FY_E_HOOK, env->component, _("%s hook exited "
		    "with status %d: %s"), env->event, WEXITSTATUS(status), cmd);
	return fy_fail(e, FY_E_HOOK, env->component, _("%s hook killed by "
	    "signal %d: %s"), env->event, WTERMSIG(status), cmd);
}
