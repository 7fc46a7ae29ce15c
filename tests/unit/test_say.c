/* SPDX-License-Identifier: MIT */
/*
 * test_say: the one door for untrusted text (core/say.c).  say_escape()
 * leaves only valid UTF-8 without controls (overlongs, surrogates, C1
 * controls and bidirectional overrides become \xNN); say_out() keeps its
 * format (tabs, padding, positional arguments as translations use them)
 * and escapes every %s argument.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/say.h"

static void
esc_is(const char *in, const char *want)
{
	char out[256];

	say_escape(in, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("say_escape: got \"%s\", want \"%s\"", out, want);
}

static void
test_escape(void **unused)
{
	(void)unused;
	esc_is("plain ascii", "plain ascii");
	esc_is("a\nb\033[2J\\", "a\\x0ab\\x1b[2J\\x5c");
	esc_is("caf\xc3\xa9 cafe\xcc\x81 \xe6\x97\xa5 \xf0\x9f\x98\x80",
	    "caf\xc3\xa9 cafe\xcc\x81 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	esc_is("\xff\xfe", "\\xff\\xfe");
	esc_is("\xc0\xaf", "\\xc0\\xaf");			/* overlong '/' */
	esc_is("\xed\xa0\x80", "\\xed\\xa0\\x80");		/* surrogate */
	esc_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* > U+10FFFF */
	esc_is("\xc2\x9b" "2J", "\\xc2\\x9b2J");		/* C1 CSI */
	esc_is("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb");	/* RLO */
	esc_is("\xe2\x81\xa6x", "\\xe2\\x81\\xa6x");		/* LRI */
	esc_is("\x7f", "\\x7f");
}

/* say_unescape() undoes say_escape(): escaping again gives the same
 * text, so a stored escaped line goes out escaped once. */
static void
roundtrip_is(const char *raw)
{
	char once[256], back[256], twice[256];

	say_escape(raw, once, sizeof(once));
	say_unescape(once, back, sizeof(back));
	say_escape(back, twice, sizeof(twice));
	if (strcmp(once, twice) != 0)
		fail_msg("say_unescape: \"%s\" came back as \"%s\"", once,
		    twice);
}

static void
test_unescape(void **unused)
{
	char out[64];

	(void)unused;
	say_unescape("a\\x0ab\\x1b[2J\\x5c", out, sizeof(out));
	assert_string_equal(out, "a\nb\033[2J\\");
	say_unescape("\\x5cx41 \\xg1 \\x00 \\x", out, sizeof(out));
	assert_string_equal(out, "\\x41 \\xg1 \\x00 \\x");
	roundtrip_is("a\nb\033[2J\\");
	roundtrip_is("\xff\xfe caf\xc3\xa9 \xc2\x9b" "2J a\xe2\x80\xae" "b");
	roundtrip_is("literal \\x1b and \\x5c");
}

/* say_out()'s output for one call, through a temporary stdout. */
static char *
captured(void (*call)(void))
{
	static char buf[1024];
	char path[] = "/tmp/ferry-test-say.XXXXXX";
	int fd = mkstemp(path), saved;
	ssize_t n;

	assert_true(fd != -1);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	call();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return buf;
}

static void call_tabs(void)
{
	say_out("%s\t%s\tlabel=%s\n", "/m", "/dev/loop0", "X\nFAKE OK\033[2J");
}
static const char *volatile nothing;	/* NULL the compiler cannot see */
static void call_pad(void)
{
	say_out("%-6s|%5s|%zu|%llu|%d%%|%c|%s\n", "ab", "c", (size_t)7,
	    (unsigned long long)1 << 40, -3, '\n', nothing);
}
static void call_positional(void)
{
	say_out("key set %2$s, %4$zu of %3$u (%1$u)\n", 5u, "ex\tav", 2u,
	    (size_t)3);
}

static void
test_out(void **unused)
{
	(void)unused;
	assert_string_equal(captured(call_tabs),
	    "/m\t/dev/loop0\tlabel=X\\x0aFAKE OK\\x1b[2J\n");
	assert_string_equal(captured(call_pad),
	    "ab    |    c|7|1099511627776|-3%|\\x0a|(null)\n");
	assert_string_equal(captured(call_positional),
	    "key set ex\\x09av, 3 of 2 (5)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
