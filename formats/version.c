/* SPDX-License-Identifier: MIT */
/*
 * version: validation and total ordering of vendor version strings (see
 * version.h).  A string is cut into tokens: a digit run, a letter run, or
 * one '~'; separators (. _ + -) only end runs.  Two strings compare token
 * by token, with the end of a string treated as one more token, in the
 * order   '~'  <  end  <  letters  <  digits.
 * Digit runs compare numerically (leading zeros ignored, any length),
 * letter runs by byte value.  Because this is a lexicographic comparison
 * over a total preorder of tokens, version_cmp() is antisymmetric and
 * transitive; tests/fuzz/fuzz_version.c checks it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "formats/limits.h"
#include "formats/version.h"

enum tok_kind {		/* order matters: it is the order between kinds */
	TOK_TILDE = 0,
	TOK_END,
	TOK_ALPHA,
	TOK_DIGIT,
};

struct tok {
	enum tok_kind	 kind;
	const char	*s;	/* the run (digits: leading zeros skipped) */
	size_t		 len;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_sep(char c)
{
	return c == '.' || c == '_' || c == '+' || c == '-';
}

bool
version_valid(const char *v)
{
	size_t n;

	if (v == NULL || !(is_digit(v[0]) || is_alpha(v[0])))
		return false;
	for (n = 0; v[n] != '\0'; n++) {
		if (n >= LIMIT_ID_BYTES)
			return false;
		if (!is_digit(v[n]) && !is_alpha(v[n]) && !is_sep(v[n]) &&
		    v[n] != '~')
			return false;
	}
	return true;
}

/*
 * Next token at *pp; advances *pp past it.  Any byte that is not a digit,
 * letter or '~' acts as a separator, so the order stays total even for
 * strings version_valid() refuses (callers must not rely on that).
 */
static struct tok
next_tok(const char **pp)
{
	const char *p = *pp;
	struct tok t = { TOK_END, p, 0 };

	while (*p != '\0' && !is_digit(*p) && !is_alpha(*p) && *p != '~')
		p++;
	if (*p == '\0') {
		t.s = p;
	} else if (*p == '~') {
		t.kind = TOK_TILDE;
		t.s = p++;
		t.len = 1;
	} else if (is_digit(*p)) {
		t.kind = TOK_DIGIT;
		while (*p == '0' && is_digit(p[1]))
			p++;
		t.s = p;
		while (is_digit(*p))
			p++;
		t.len = (size_t)(p - t.s);
	} else {
		t.kind = TOK_ALPHA;
		t.s = p;
		while (is_alpha(*p))
			p++;
		t.len = (size_t)(p - t.s);
	}
	*pp = p;
	return t;
}

static int
tok_cmp(const struct tok *a, const struct tok *b)
{
	size_t n;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case TOK_DIGIT:
		/* Leading zeros are gone: the longer run is the larger. */
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
		return memcmp(a->s, b->s, a->len);
	case TOK_ALPHA:
		n = a->len < b->len ? a->len : b->len;
		if ((c = memcmp(a->s, b->s, n)) != 0)
			return c;
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
		return 0;
	default:
		return 0;
	}
}

int
version_cmp(const char *a, const char *b)
{
	struct tok ta, tb;
	int c;

	for (;;) {
		ta = next_tok(&a);
		tb = next_tok(&b);
		if ((c = tok_cmp(&ta, &tb)) != 0)
			return c < 0 ? -1 : 1;
		if (ta.kind == TOK_END)
			return 0;
	}
}
