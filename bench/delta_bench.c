/* SPDX-License-Identifier: MIT */
/*
 * delta_bench: time ferry's single-file delta codec on two files, for
 * bench/delta.sh (peak RSS is measured around this process by
 * /usr/bin/time).  Prints one line: "method bytes seconds".
 *   delta_bench enc OLD NEW OUT [LEVEL [WORKERS]]
 *   delta_bench dec OLD BLOB OUT WANT_SIZE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/io.h"
#include "formats/delta.h"

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

int
main(int argc, char **argv)
{
	struct fy_err e = { 0 };
	struct delta_opts o = { .level = 19, .workers = 1 };
	uint8_t *a = NULL, *b = NULL, *out = NULL;
	size_t alen = 0, blen = 0, outlen = 0;
	double t0, t1;
	int fd;

	if (argc < 5 || (strcmp(argv[1], "enc") && strcmp(argv[1], "dec"))) {
		fprintf(stderr, "usage: delta_bench enc OLD NEW OUT [LEVEL "
		    "[WORKERS]] | dec OLD BLOB OUT SIZE\n");
		return 2;
	}
	if (io_read_bounded(AT_FDCWD, argv[2], (size_t)1 << 31, &a, &alen,
	    &e) == -1 || io_read_bounded(AT_FDCWD, argv[3], (size_t)1 << 31,
	    &b, &blen, &e) == -1)
		die(&e);
	if (argv[1][0] == 'e') {
		if (argc > 5)
			o.level = atoi(argv[5]);
		if (argc > 6)
			o.workers = atoi(argv[6]);
		t0 = now();
		if (delta_encode(a, alen, b, blen, &o, &out, &outlen, &e) == -1)
			die(&e);
		t1 = now();
		printf("%d %zu %.3f\n", delta_method(out, outlen), outlen,
		    t1 - t0);
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
