/* SPDX-License-Identifier: MIT */
/*
 * config: parse the client configuration (see config.h).  Every error
 * names the file and line.  Unknown keys are errors: a misspelt
 * "trsut =" must not silently leave a client without pinned keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/num.h"
#include "formats/layout.h"
#include "applymedia/config.h"
#include "verify/gpg.h"

#define CFG_MAX_BYTES	(256u << 10)

static char *
trim(char *s)
{
	char *end;

	while (asc_space((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && asc_space((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Inline comments (docs/man/ferry-client.conf.5): a '#' at the start of a
 * value or after a space or tab starts a comment that runs to the end of
 * the line, in every value, commands included.  A '#' inside a word
 * ("/opt/av#2") is part of the value.  So "path = /opt/av/Bases   # old"
 * is /opt/av/Bases, never a name with the comment in it.
 */
static char *
strip_comment(char *v)
{
	char *p;

	for (p = v; *p != '\0'; p++)
		if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	return v;
}

static int
set_str(char *dst, size_t n, const char *v, const char *where, int line,
    const char *key, struct fy_err *e)
{
	if (strlen(v) >= n)
		return fy_fail(e, FY_E_CONFIG, where, _("line %d: %s is too "
		    "long"), line, key);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
set_uint(unsigned *dst, const char *v, const char *where, int line,
    const char *key, struct fy_err *e)
{
	char what[96];

	snprintf(what, sizeof(what), _("line %d: %s"), line, key);
	return num_parse_uint(v, 0, 1000000, dst, FY_E_CONFIG, where, what, e);
}

static int
client_key(struct cfg *c, const char *k, char *v, int line, struct fy_err *e)
{
	const char *f = c->file;
	char *tok, *save = NULL;

	if (strcmp(k, "state_dir") == 0)
		return set_str(c->state_dir, sizeof(c->state_dir), v, f, line, k, e);
	if (strcmp(k, "keyring") == 0)
		return set_str(c->keyring, sizeof(c->keyring), v, f, line, k, e);
	if (strcmp(k, "trust") == 0) {
		for (tok = strtok_r(v, ", \t", &save); tok != NULL;
		    tok = strtok_r(NULL, ", \t", &save)) {
			if (c->ntrust >= CFG_MAX_KEYS || strlen(tok) > 64 ||
			    !gpg_fpr_normalise(tok))
				return fy_fail(e, FY_E_CONFIG, f, _("line %d: "
				    "trust takes full fingerprints (40 or 64 hex "
				    "digits), not %s"), line, tok);
			snprintf(c->trust[c->ntrust++], 66, "%s", tok);
		}
		return 0;
	}
	if (strcmp(k, "threshold") == 0)
		return set_uint(&c->threshold, v, f, line, k, e);
	if (strcmp(k, "publisher") == 0)
		return set_str(c->publisher, sizeof(c->publisher), v, f, line, k, e);
	if (strcmp(k, "channel") == 0)
		return set_str(c->channel, sizeof(c->channel), v, f, line, k, e);
	if (strcmp(k, "keep") == 0)
		return set_uint(&c->keep, v, f, line, k, e);
	if (strcmp(k, "grace_days") == 0)
		return set_uint(&c->grace_days, v, f, line, k, e);
	if (strcmp(k, "max_age_days") == 0)
		return set_uint(&c->max_age_days, v, f, line, k, e);
	if (strcmp(k, "max_jump_days") == 0)
		return set_uint(&c->max_jump_days, v, f, line, k, e);
	if (strcmp(k, "medium_label") == 0)
		return set_str(c->medium_label, sizeof(c->medium_label), v, f,
		    line, k, e);
	if (strcmp(k, "medium_uuid") == 0)
		return set_str(c->medium_uuid, sizeof(c->medium_uuid), v, f,
		    line, k, e);
	if (strcmp(k, "on_failure") == 0)
		return set_str(c->on_failure, sizeof(c->on_failure), v, f, line,
		    k, e);
	if (strcmp(k, "client_id") == 0) {
		if (!layout_id_ok(v))
			return fy_fail(e, FY_E_CONFIG, f, _("line %d: client_id "
			    "takes 1-64 of [a-z0-9._-], starting with a letter "
			    "or digit"), line);
		return set_str(c->client_id, sizeof(c->client_id), v, f, line,
		    k, e);
	}
	if (strcmp(k, "report") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return fy_fail(e, FY_E_CONFIG, f, _("line %d: report "
			    "must be yes or no"), line);
		c->report = strcmp(v, "yes") == 0;
		return 0;
	}
	if (strcmp(k, "expired") == 0) {
		if (strcmp(v, "refuse") == 0)
			c->expired = CFG_EXPIRED_REFUSE;
		else if (strcmp(v, "warn") == 0)
			c->expired = CFG_EXPIRED_WARN;
		else if (strcmp(v, "allow") == 0)
			c->expired = CFG_EXPIRED_ALLOW;
		else
			return fy_fail(e, FY_E_CONFIG, f, _("line %d: expired "
			    "must be refuse, warn or allow"), line);
		return 0;
	}
	return fy_fail(e, FY_E_CONFIG, f, _("line %d: unknown key %s in "
	    "[client]"), line, k);
}

static int
comp_key(struct cfg *c, struct cfg_component *x, const char *k, const char *v,
    int line, struct fy_err *e)
{
	const char *f = c->file;

	if (strcmp(k, "path") == 0)
		return set_str(x->path, sizeof(x->path), v, f, line, k, e);
	if (strcmp(k, "variant") == 0)
		return set_str(x->variant, sizeof(x->variant), v, f, line, k, e);
	if (strcmp(k, "pre_switch") == 0)
		return set_str(x->pre_switch, sizeof(x->pre_switch), v, f, line,
		    k, e);
	if (strcmp(k, "post_switch") == 0)
		return set_str(x->post_switch, sizeof(x->post_switch), v, f,
		    line, k, e);
	if (strcmp(k, "health_check") == 0)
		return set_str(x->health_check, sizeof(x->health_check), v, f,
		    line, k, e);
	if (strcmp(k, "timeout") == 0)
		return set_uint(&x->timeout, v, f, line, k, e);
	return fy_fail(e, FY_E_CONFIG, f, _("line %d: unknown key %s in "
	    "[component %s]"), line, k, x->name);
}

static int
validate(struct cfg *c, struct fy_err *e)
{
	size_t i;

	if (c->state_dir[0] != '/')
		return fy_fail(e, FY_E_CONFIG, c->file, _("state_dir must be an "
		    "absolute path"));
	if (c->keyring[0] != '/')
		return fy_fail(e, FY_E_CONFIG, c->file, _("keyring must be an "
		    "absolute path"));
	/* No trust = line is allowed: the pin may live in the state
	 * (applymedia trust add); keystate_load() checks that one exists. */
	if (c->threshold == 0 || (c->ntrust > 0 && c->threshold > c->ntrust))
		return fy_fail(e, FY_E_CONFIG, c->file, _("threshold %u must be "
		    "between 1 and the %zu pinned keys"), c->threshold,
		    c->ntrust);
	if (c->keep < 2)
		return fy_fail(e, FY_E_CONFIG, c->file, _("keep must be at "
		    "least 2 (current and previous)"));
	for (i = 0; i < c->nc; i++) {
		if (c->c[i].path[0] != '/')
			return fy_fail(e, FY_E_CONFIG, c->file, _("component %s: "
			    "path must be an absolute path"), c->c[i].name);
		if (c->c[i].variant[0] && !layout_id_ok(c->c[i].variant))
			return fy_fail(e, FY_E_CONFIG, c->file, _("component %s: "
			    "bad variant"), c->c[i].name);
	}
	return 0;
}

int
cfg_load(const char *root, const char *path, struct cfg *out,
    struct fy_err *e)
{
	struct cfg *c = out;
	struct cfg_component *cur = NULL;
	char *buf = NULL, *line, *next, *k, *v, *eq;
	size_t len;
	int lineno = 0, rc = -1;

	memset(c, 0, sizeof(*c));
	snprintf(c->root, sizeof(c->root), "%s", root ? root : "");
	if (path != NULL)
		snprintf(c->file, sizeof(c->file), "%s", path);
	else
		snprintf(c->file, sizeof(c->file), "%s/etc/ferry/client.conf",
		    c->root);
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/ferry");
	snprintf(c->keyring, sizeof(c->keyring), "/etc/ferry/trusted.gpg");
	c->threshold = 1;
	c->keep = 2;
	c->grace_days = 7;
	c->max_jump_days = 400;
	if (io_read_bounded(AT_FDCWD, c->file, CFG_MAX_BYTES, (uint8_t **)&buf,
	    &len, e) == -1) {
		e->code = FY_E_CONFIG;
		return -1;
	}
	/* A UTF-8 byte order mark (Windows editors write one) is skipped. */
	next = buf;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		next += 3;
	while ((line = next) != NULL) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char name[80];

			if (strcmp(line, "[client]") == 0) {
				cur = NULL;
				continue;
			}
			if (sscanf(line, "[component %64[^]]]", name) != 1 ||
			    !layout_id_ok(name) || c->nc >= CFG_MAX_COMPONENTS ||
			    cfg_component(c, name) != NULL) {
				fy_fail(e, FY_E_CONFIG, c->file, _("line %d: bad "
				    "or repeated section %s"), lineno, line);
				goto out;
			}
			cur = &c->c[c->nc++];
			snprintf(cur->name, sizeof(cur->name), "%s", name);
			cur->timeout = 60;
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			fy_fail(e, FY_E_CONFIG, c->file, _("line %d: expected "
			    "key = value"), lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(line);
		v = trim(strip_comment(eq + 1));
		if ((cur ? comp_key(c, cur, k, v, lineno, e) :
		    client_key(c, k, v, lineno, e)) == -1)
			goto out;
	}
	rc = validate(c, e);
out:
	free(buf);
	return rc;
}

void
cfg_rooted(const struct cfg *c, const char *path, char *out, size_t n)
{
	snprintf(out, n, "%s%s", c->root, path);
}

const struct cfg_component *
cfg_component(const struct cfg *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nc; i++)
		if (strcmp(c->c[i].name, name) == 0)
			return &c->c[i];
	return NULL;
}
