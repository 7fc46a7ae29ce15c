/* SPDX-License-Identifier: MIT */
/*
 * fork_kill_shim: an LD_PRELOAD that reproduces a kill between a child's
 * fork and its exec (tests/crash/concurrent.sh builds it: cc -shared
 * -fPIC -o fork_kill_shim.so fork_kill_shim.c -lpthread).  It lives here,
 * not in tests/lib/, because the Makefile links every C file in
 * tests/lib into a program.
 *
 * With FERRY_FORK_KILL_MS=N, the first fork() of the process that loads
 * the shim after it took the lock FERRY_FORK_KILL_LOCK (applymedia's lock
 * file names its pid; without the variable, the first fork() at all)
 * kills that process with SIGKILL as soon as fork() returns in it, and
 * the new child sleeps N ms before it goes on to close its descriptors
 * and exec: what a busy machine does to a child that is not scheduled
 * for a while.  (GPGME's first spawn, the engine's gpg --version, may
 * come before the lock is taken: it runs on a thread while the medium is
 * read.)  The process that loads the shim first consumes the variables
 * (and LD_PRELOAD), so gpg runs unshimmed.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pid_t owner;
static long sleep_ms = -1;
static int fired, from_owner;
static char lock_path[PATH_MAX];

/* Has this process taken the lock (its pid is in the lock file), or is
 * there no lock to wait for? */
static int
holds_lock(void)
{
	char buf[32];
	FILE *f;
	size_t n;

	if (lock_path[0] == '\0')
		return 1;
	if ((f = fopen(lock_path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return atol(buf) == (long)getpid();
}

static void
before(void)
{
	from_owner = getpid() == owner && !fired && holds_lock();
}

static void
in_parent(void)
{
	if (!from_owner)
		return;
	fired = 1;
	raise(SIGKILL);
}

static void
in_child(void)
{
	struct timespec ts;

	if (!from_owner)
		return;
	fired = 1;
	ts.tv_sec = sleep_ms / 1000;
	ts.tv_nsec = (sleep_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
}

__attribute__((constructor)) static void
init(void)
{
	const char *v = getenv("FERRY_FORK_KILL_MS");

	if (v == NULL)
		return;
	sleep_ms = atol(v);
	owner = getpid();
	if ((v = getenv("FERRY_FORK_KILL_LOCK")) != NULL)
		snprintf(lock_path, sizeof(lock_path), "%s", v);
	unsetenv("FERRY_FORK_KILL_MS");
	unsetenv("FERRY_FORK_KILL_LOCK");
	unsetenv("LD_PRELOAD");
	pthread_atfork(before, in_parent, in_child);
}
