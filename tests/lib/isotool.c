/* SPDX-License-Identifier: MIT */
/*
 * isotool: test helper over formats/iso and formats/source.
 *
 *   isotool write SRCDIR ISOFILE LABEL [MTIME]   iso_write / iso_write_at
 *   isotool ls SPEC                              source_list, one a line
 *   isotool cat SPEC PATH [MAX]                  source_read to stdout
 *   isotool fetch SPEC PATH SIZE SHA256 DIR NAME source_fetch
 *   isotool kind SPEC                            dir, iso or http
 *
 * Errors: "isotool: <where>: <msg>" on stderr, exit fy_exit_code().
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/iso.h"
#include "formats/source.h"

static int
fail(const struct fy_err *e)
{
	fprintf(stderr, "isotool: %s: %s\n", e->where, e->msg);
	return fy_exit_code(e->code);
}

static int
usage(void)
{
	fprintf(stderr, "usage: isotool write SRCDIR ISOFILE LABEL [MTIME]\n"
	    "       isotool ls|kind SPEC\n"
	    "       isotool cat SPEC PATH [MAX]\n"
	    "       isotool fetch SPEC PATH SIZE SHA256 DIR NAME\n");
	return 2;
}

static int
run(struct source *s, int argc, char **argv, struct fy_err *e)
{
	static const char *kinds[] = { "dir", "iso", "http" };
	uint8_t sha[DIGEST_LEN], *buf;
	char **names;
	size_t i, n, len;
	int dfd, rc;

	if (strcmp(argv[1], "kind") == 0) {
		printf("%s\n", kinds[source_kind(s)]);
		return 0;
	}
	if (strcmp(argv[1], "ls") == 0) {
		if (source_list(s, &names, &n, e) == -1)
			return -1;
		for (i = 0; i < n; i++)
			printf("%s\n", names[i]);
		source_list_free(names, n);
		return 0;
	}
	if (strcmp(argv[1], "cat") == 0 && argc >= 4) {
		if (source_read(s, argv[3], argc > 4 ?
		    strtoul(argv[4], NULL, 10) : 16u << 20, &buf, &len,
		    e) == -1)
			return -1;
		fwrite(buf, 1, len, stdout);
		free(buf);
		return 0;
	}
	if (strcmp(argv[1], "fetch") == 0 && argc == 8) {
		if (digest_from_hex(argv[5], sha) == -1)
			return fy_fail(e, FY_E_USAGE, argv[5], "bad sha256");
		if ((dfd = open(argv[6], O_RDONLY | O_DIRECTORY)) == -1)
			return fy_fail_errno(e, FY_E_USAGE, argv[6], "open");
		rc = source_fetch(s, argv[3], strtoull(argv[4], NULL, 10),
		    sha, dfd, argv[7], NULL, NULL, e);
		close(dfd);
		return rc;
	}
	return fy_fail(e, FY_E_USAGE, argv[1], "unknown command");
}

int
main(int argc, char **argv)
{
	struct fy_err e = { 0 };
	struct source *s = NULL;
	int rc;

	if (argc < 3)
		return usage();
	digest_init();
	if (strcmp(argv[1], "write") == 0) {
		if (argc != 5 && argc != 6)
			return usage();
		rc = argc == 6 ? iso_write_at(argv[2], argv[3], argv[4],
		    strtoll(argv[5], NULL, 10), &e) :
		    iso_write(argv[2], argv[3], argv[4], &e);
		return rc == -1 ? fail(&e) : 0;
	}
	if (source_open(argv[2], &s, &e) == -1)
		return fail(&e);
	rc = run(s, argc, argv, &e);
	source_free(s);
	if (fflush(stdout) == EOF)
		return 3;
	return rc == -1 ? fail(&e) : 0;
}
