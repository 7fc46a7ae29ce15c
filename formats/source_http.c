/* SPDX-License-Identifier: MIT */
/*
 * source_http: http(s):// mirrors.  Placeholder until the libcurl backend
 * lands: it refuses every URL, so no code path can believe it read bytes
 * from a mirror.  The real backend replaces this file and fills
 * struct source_ops (formats/source_impl.h).
 */
#include "formats/source_impl.h"

int
source_http_open(const char *spec, struct source *s, struct fy_err *e)
{
	(void)s;
	return fy_fail(e, FY_E_USAGE, spec,
	    "http sources are not supported in this build");
}
