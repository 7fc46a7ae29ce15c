/* SPDX-License-Identifier: MIT */
/*
 * hooks: fork, setsid, exec /bin/sh -c CMD; wait with a deadline.  The
 * wait wakes when the hook exits (a pidfd; polling every 10 ms where the
 * kernel has none, before Linux 5.3): the pre_switch and post_switch hooks
 * bracket the services' downtime, so no tick of it is slept away.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/say.h"
#include "applymedia/hooks.h"
#include "verify/gpg.h"

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

/* Sleep until pidfd `pfd` is readable (the child exited) or `ms` pass
 * (-1: no limit); without a pidfd, 10 ms. */
static void
nap(int pfd, long ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct pollfd p = { .fd = pfd, .events = POLLIN };

	if (pfd == -1) {
		nanosleep(&ts, NULL);
		return;
	}
	(void)poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
}

int
hook_run(const char *cmd, unsigned timeout, const struct hook_env *env,
    struct fy_err *e)
{
	struct timespec start, now;
	pid_t pid, r;
	long left;
	int status, pfd = -1;

	if (cmd == NULL || *cmd == '\0')
		return 0;
	fflush(NULL);
	if ((pid = fork()) == -1)
		return fy_fail_errno(e, FY_E_HOOK, env->event,
		    _("cannot fork"));
	if (pid == 0) {
		setsid();
		gpg_env_child();	/* the admin's GNUPGHOME, not ours */
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
#ifdef SYS_pidfd_open
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR) {
			if (pfd != -1)
				close(pfd);
			return fy_fail_errno(e, FY_E_HOOK, env->event,
			    "waitpid failed");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout ? (long)timeout * 1000 -
		    ((long)(now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000) : -1;
		if (timeout && now.tv_sec - start.tv_sec >= (time_t)timeout) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			if (pfd != -1)
				close(pfd);
			return fy_fail(e, FY_E_HOOK, env->component,
			    _("%s hook "
			    "did not finish within %u s and was killed: %s"),
			    env->event, timeout, cmd);
		}
		/* Past the deadline by the clock's ms, not yet by its
		 * seconds: wake again to let the check above decide. */
		nap(pfd, left < 0 && timeout ? 1 : left);
	}
	if (pfd != -1)
		close(pfd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return fy_fail(e, FY_E_HOOK, env->component, _("%s hook exited "
		    "with status %d: %s"), env->event, WEXITSTATUS(status), cmd);
	return fy_fail(e, FY_E_HOOK, env->component, _("%s hook killed by "
	    "signal %d: %s"), env->event, WTERMSIG(status), cmd);
}
