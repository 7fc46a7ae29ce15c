/* SPDX-License-Identifier: MIT */
/*
 * fault: the test-build implementation of FY_FAULT() (see fault.h).
 */
#include "core/fault.h"

#ifdef FERRY_TEST_HOOKS
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
	int	 parsed;
	char	 name[128];
	long	 nth;
	char	 action[16];
	long	 seen;
} arm;

static void
parse_env(void)
{
	const char *s = getenv("FERRY_FAULT");
	const char *c1, *c2;

	arm.parsed = 1;
	if (s == NULL || (c1 = strchr(s, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL ||
	    (size_t)(c1 - s) >= sizeof(arm.name))
		return;
	memcpy(arm.name, s, (size_t)(c1 - s));
	arm.nth = strtol(c1 + 1, NULL, 10);
	snprintf(arm.action, sizeof(arm.action), "%s", c2 + 1);
}

static pthread_mutex_t arm_lock = PTHREAD_MUTEX_INITIALIZER;

int
fault_point(const char *name)
{
	const char *log = getenv("FERRY_FAULT_LOG");
	int fd, hit;

	if (log != NULL && (fd = open(log, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) != -1) {
		dprintf(fd, "%s\n", name);
		close(fd);
	}
	/* verifymedia hashes from several threads: count under a lock */
	pthread_mutex_lock(&arm_lock);
	if (!arm.parsed)
		parse_env();
	hit = arm.name[0] != '\0' && strcmp(arm.name, name) == 0 &&
	    ++arm.seen == arm.nth;
	pthread_mutex_unlock(&arm_lock);
	if (!hit)
		return 0;
	if (strcmp(arm.action, "kill") == 0)
		raise(SIGKILL);
	if (strcmp(arm.action, "stop") == 0) {
		raise(SIGSTOP);
		return 0;
	}
	if (strcmp(arm.action, "eio") == 0) {
		errno = EIO;
		return -1;
	}
	if (strcmp(arm.action, "enospc") == 0) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int
fault_skip(const char *name)
{
	const char *s = getenv("FERRY_SEED_BUG");

	return s != NULL && strcmp(s, name) == 0;
}
#else
typedef int fault_unused;	/* ISO C forbids an empty translation unit */
#endif
