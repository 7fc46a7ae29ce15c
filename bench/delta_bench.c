/* SPDX-License-Identifier: MIT */
/*
 * delta_bench: time ferry's single-file delta codec on two files, for
 * bench/delta.sh (peak RSS is measured around this process by
 * /usr/bin/time).  Prints one line: "method bytes seconds".
 *   delta_bench enc OLD NEW OUT [LEVEL [WORKERS [FORMAT]]]
 *   delta_bench dec OLD BLOB OUT WANT_SIZE
 *   delta_bench bsd OLD NEW OUT METHOD [LEVEL]   (method 3 to 6 as
 *       delta_bsd_encode_pick() takes it; payload without the method
 *       byte; prints the method used; for bench/sparse.sh)
 *   delta_bench pkg OLDDIR NEWDIR OUT LEVEL WORKERS FORMAT
 *       the delta package between two trees (what mkmedia writes), then
 *       applied into a scratch directory and checked against NEWDIR's
 *       listing; prints "bytes encode_cpu_seconds"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/resource.h>

#include "core/digest.h"
#include "core/io.h"
#include "formats/delta.h"
#include "formats/deltapkg.h"
#include "formats/delta_bsd.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const struct fy_err *e)
{
	fprintf(stderr, "delta_bench: %s: %s\n", e->where, e->msg);
	exit(1);
}

static double
cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int
pkg(int argc, char **argv)
{
	struct fy_err e = { 0 };
	struct delta_opts o = { .level = atoi(argv[5]),
	    .workers = atoi(argv[6]), .format = atoi(argv[7]) };
	struct tree from, to;
	char dst[] = "/tmp/ferry-pkgbench.XXXXXX", cmd[128];
	int ffd, tfd, out, dfd;
	double c0, c1;
	struct stat st;

	(void)argc;
	digest_init();
	tree_init(&from);
	tree_init(&to);
	if ((ffd = open(argv[2], O_RDONLY | O_DIRECTORY)) == -1 ||
	    (tfd = open(argv[3], O_RDONLY | O_DIRECTORY)) == -1 ||
	    (out = open(argv[4], O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1) {
		perror("delta_bench");
		return 1;
	}
	if (tree_scan(ffd, &from, &e) == -1 || tree_scan(tfd, &to, &e) == -1)
		die(&e);
	c0 = cpu();
	if (deltapkg_write(ffd, &from, tfd, &to, &o, out, &e) == -1)
		die(&e);
	c1 = cpu();
	if (mkdtemp(dst) == NULL || (dfd = open(dst, O_RDONLY |
	    O_DIRECTORY)) == -1) {
		perror("delta_bench");
		return 1;
	}
	if (lseek(out, 0, SEEK_SET) != 0 || deltapkg_apply(out, argv[4], ffd,
	    &from, &to, dfd, 0, &e) == -1)
		die(&e);
	fstat(out, &st);
	printf("%lld %.3f\n", (long long)st.st_size, c1 - c0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dst);
	return system(cmd) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct fy_err e = { 0 };
	struct delta_opts o = { .level = 19, .workers = 1 };
	struct delta_trace tr = { 0 };
	uint8_t *a = NULL, *b = NULL, *out = NULL;
	size_t alen = 0, blen = 0, outlen = 0;
	double t0, t1;
	int fd, used = 0;

	if (argc == 8 && strcmp(argv[1], "pkg") == 0)
		return pkg(argc, argv);
	if (argc < 5 || (strcmp(argv[1], "enc") && strcmp(argv[1], "dec") &&
	    strcmp(argv[1], "bsd"))) {
		fprintf(stderr, "usage: delta_bench enc OLD NEW OUT [LEVEL "
		    "[WORKERS]] | dec OLD BLOB OUT SIZE\n");
		return 2;
	}
	if (io_read_bounded(AT_FDCWD, argv[2], (size_t)1 << 31, &a, &alen,
	    &e) == -1 || io_read_bounded(AT_FDCWD, argv[3], (size_t)1 << 31,
	    &b, &blen, &e) == -1)
		die(&e);
	if (argv[1][0] == 'b') {
		if (argc < 6)
			return 2;
		t0 = now();
		if (delta_bsd_encode_pick(a, alen, b, blen, argc > 6 ?
		    atoi(argv[6]) : 19, atoi(argv[5]), &used, &out, &outlen,
		    &e) == -1)
			die(&e);
		t1 = now();
		printf("%d %zu %.3f\n", used, outlen, t1 - t0);
	} else if (argv[1][0] == 'e') {
		if (argc > 5)
			o.level = atoi(argv[5]);
		if (argc > 6)
			o.workers = atoi(argv[6]);
		if (argc > 7)
			o.format = atoi(argv[7]);
		t0 = now();
		o.trace = &tr;
		if (delta_encode(a, alen, b, blen, &o, &out, &outlen, &e) == -1)
			die(&e);
		t1 = now();
		printf("%d %zu %.3f\n", delta_method(out, outlen), outlen,
		    t1 - t0);
		fprintf(stderr, "delta_bench: level-1 whole %zu, patch %zu; "
		    "method 3-6 %s; level-1 candidate dropped %d, remade %d\n",
		    tr.whole1, tr.patch1, tr.bsd == 0 ? "not a candidate" :
		    tr.bsd == 1 ? "tried" : "skipped", tr.l1_dropped,
		    tr.l1_remade);
		fprintf(stderr, "delta_bench: method 3-6 %zu B; method 2 %s "
		    "(level %d); whole at level %s; CPU s: whole1 %.1f patch1 "
		    "%.1f bsd %.1f patch %.1f remake %.1f whole %.1f\n",
		    tr.bsdlen, tr.patch == 0 ? "not tried" : tr.patch == 1 ?
		    "finished" : "stopped at its limit", tr.patch_level,
		    tr.whole ? "tried" :
		    "not tried", tr.cpu[0], tr.cpu[1], tr.cpu[2], tr.cpu[3],
		    tr.cpu[4], tr.cpu[5]);
	} else {
		if (argc < 6)
			return 2;
		outlen = strtoull(argv[5], NULL, 10);
		if ((out = malloc(outlen + 1)) == NULL)
			return 1;
		t0 = now();
		if (delta_decode(a, alen, b, blen, out, outlen, argv[3],
		    &e) == -1)
			die(&e);
		t1 = now();
		printf("%d %zu %.3f\n", delta_method(b, blen), outlen,
		    t1 - t0);
	}
	if ((fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    io_write_all(fd, out, outlen, argv[4], &e) == -1)
		die(&e);
	close(fd);
	free(a);
	free(b);
	free(out);
	return 0;
}
