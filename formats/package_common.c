/* SPDX-License-Identifier: MIT */
/*
 * package_common: the pieces package_write.c and package_extract.c share:
 * the tar size bound that caps decompression, the zstd window derived
 * from it, and the UTF-8 locale switch.
 */
#include <string.h>

#include "core/i18n.h"
#include "formats/limits.h"
#include "formats/package_int.h"

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t
round512(uint64_t n)
{
	return n > UINT64_MAX - 511 ? UINT64_MAX : (n + 511) & ~(uint64_t)511;
}

uint64_t
package_tar_bound(const struct tree *t)
{
	uint64_t b = 1024 + 10240;
	size_t i;

	for (i = 0; i < t->n; i++) {
		b = sat_add(b, 1024 + round512(strlen(t->v[i].path) + 64));
		if (t->v[i].type == TREE_FILE)
			b = sat_add(b, round512(t->v[i].size));
	}
	return b;
}

int
package_window_log(uint64_t bound)
{
	int w = 10;

	while (w < LIMIT_BASE_WINDOW_LOG && ((uint64_t)1 << w) < bound)
		w++;
	return w;
}

locale_t
package_locale_begin(locale_t *mine, const char *where, struct fy_err *e)
{
	locale_t old, base;

	/*
	 * Only the character type changes (libarchive converts names by
	 * it); the other categories are copied from the caller's locale, so
	 * that a message made inside the window (an entry refused) is still
	 * in the user's language.
	 */
	base = duplocale(uselocale((locale_t)0));
	if (base != (locale_t)0)
		*mine = newlocale(LC_CTYPE_MASK, "C.UTF-8", base);
	else
		*mine = (locale_t)0;
	if (*mine == (locale_t)0) {
		if (base != (locale_t)0)
			freelocale(base);
		fy_fail_errno(e, FY_E_INTERNAL, where,
		    _("C.UTF-8 locale unavailable"));
		return (locale_t)0;
	}
	if ((old = uselocale(*mine)) == (locale_t)0) {
		fy_fail_errno(e, FY_E_INTERNAL, where, "uselocale failed");
		freelocale(*mine);
		*mine = (locale_t)0;
	}
	return old;
}

void
package_locale_end(locale_t old, locale_t mine)
{
	if (mine == (locale_t)0)
		return;
	uselocale(old);
	freelocale(mine);
}
