/* SPDX-License-Identifier: MIT */
/*
 * reap CMD [ARGS...]: run CMD as a child subreaper and wait for every
 * process it leaves behind, so that the CPU time of double-forked helpers
 * (GPGME starts gpg that way) is counted by the caller's /usr/bin/time or
 * hyperfine like any other child's.  Exit status: CMD's.
 *   cc -O2 -o reap bench/reap.c
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	pid_t pid, w;
	int st, rc = 127;

	if (argc < 2) {
		fprintf(stderr, "usage: reap CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		perror("reap: prctl");
		return 2;
	}
	if ((pid = fork()) == -1) {
		perror("reap: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	/* CMD, then whatever it orphaned (re-parented to us). */
	while ((w = wait(&st)) != -1 || errno == EINTR)
		if (w == pid)
			rc = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
	return rc;
}
