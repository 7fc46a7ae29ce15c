/* SPDX-License-Identifier: MIT */
/*
 * fork_kill_shim: an LD_PRELOAD that reproduces a kill between a child's
 * fork and its exec (tests/crash/concurrent.sh builds it: cc -shared
 * -fPIC -o fork_kill_shim.so fork_kill_shim.c -lpthread).  It lives here,
 * not in tests/lib/, because the Makefile links every C file in
 * tests/lib into a program.
 *
 * With FERRY_FORK_KILL_MS=N, the first fork() of the process that loads
 * the shim (GPGME's spawn of gpg: applymedia holds its lock by then)
 * kills that process with SIGKILL as soon as fork() returns in it, and
 * the new child sleeps N ms before it goes on to close its descriptors
 * and exec: what a busy machine does to a child that is not scheduled
 * for a while.  The process that loads the shim first consumes the
 * variable (and LD_PRELOAD), so gpg runs unshimmed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pid_t owner;
static long sleep_ms = -1;
static int fired, from_owner;

static void
before(void)
{
	from_owner = getpid() == owner && !fired;
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
	unsetenv("FERRY_FORK_KILL_MS");
	unsetenv("LD_PRELOAD");
	pthread_atfork(before, in_parent, in_child);
}
