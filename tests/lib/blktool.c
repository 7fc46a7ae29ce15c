/* SPDX-License-Identifier: MIT */
/*
 * blktool: test helper over formats/blk.
 *
 *   blktool path PATH     blk_probe_path, one "key=value" a line
 *   blktool dev DEV       blk_probe_device, same lines
 *   blktool list          blk_list, one device a line:
 *                         device<TAB>fstype<TAB>label<TAB>uuid<TAB>mountpoint
 *   blktool maxfile TYPE  blk_max_file_size
 *
 * Errors: "blktool: <where>: <msg>" on stderr, exit fy_exit_code().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "formats/blk.h"

static void
show(const struct blk_info *b)
{
	printf("device=%s\nmountpoint=%s\nfstype=%s\nlabel=%s\nuuid=%s\n"
	    "free=%" PRIu64 "\nsize=%" PRIu64 "\n", b->device, b->mountpoint,
	    b->fstype, b->label, b->uuid, b->free_bytes, b->size_bytes);
}

int
main(int argc, char **argv)
{
	struct fy_err e = { 0 };
	struct blk_info b, *v = NULL;
	size_t i, n = 0;
	int rc = -1;

	if (argc == 3 && strcmp(argv[1], "path") == 0) {
		if ((rc = blk_probe_path(argv[2], &b, &e)) == 0)
			show(&b);
	} else if (argc == 3 && strcmp(argv[1], "dev") == 0) {
		if ((rc = blk_probe_device(argv[2], &b, &e)) == 0)
			show(&b);
	} else if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if ((rc = blk_list(&v, &n, &e)) == 0)
			for (i = 0; i < n; i++)
				printf("%s\t%s\t%s\t%s\t%s\n", v[i].device,
				    v[i].fstype, v[i].label, v[i].uuid,
				    v[i].mountpoint);
		free(v);
	} else if (argc == 3 && strcmp(argv[1], "maxfile") == 0) {
		printf("%" PRIu64 "\n", blk_max_file_size(argv[2]));
		rc = 0;
	} else {
		fprintf(stderr, "usage: blktool path PATH | dev DEV | list | "
		    "maxfile TYPE\n");
		return 2;
	}
	if (rc == -1) {
		fprintf(stderr, "blktool: %s: %s\n", e.where, e.msg);
		return fy_exit_code(e.code);
	}
	return 0;
}
