/* SPDX-License-Identifier: MIT */
/*
 * config: the client configuration file (docs/man/ferry-client.conf.5),
 * default /etc/ferry/client.conf.  INI style: a [client] section and one
 * [component NAME] section per tracked component.  With --root DIR every
 * absolute path in it (and the default config path) is taken below DIR,
 * which is how the tests run a whole client inside a scratch folder.
 */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CFG_MAX_COMPONENTS	64
#define CFG_MAX_KEYS		16
#define CFG_PATH		1024
#define CFG_CMD			1024

enum cfg_expired { CFG_EXPIRED_REFUSE, CFG_EXPIRED_WARN, CFG_EXPIRED_ALLOW };

struct cfg_component {
	char		name[65];
	char		variant[65];	/* "" none */
	char		path[CFG_PATH];	/* where the application reads it */
	char		pre_switch[CFG_CMD];
	char		post_switch[CFG_CMD];
	char		health_check[CFG_CMD];
	unsigned	timeout;	/* seconds per hook (default 60) */
};

struct cfg {
	char		root[CFG_PATH];		/* "" or --root */
	char		file[CFG_PATH];		/* the config file read */
	char		state_dir[CFG_PATH];
	char		keyring[CFG_PATH];
	char		trust[CFG_MAX_KEYS][66];
	size_t		ntrust;
	unsigned	threshold;		/* default 1 */
	char		publisher[65];		/* "" any */
	char		channel[65];		/* "" any */
	unsigned	keep;			/* generations kept, >= 2 */
	enum cfg_expired expired;
	unsigned	grace_days;		/* warn, then refuse (7) */
	unsigned	max_age_days;		/* 0 off */
	unsigned	max_jump_days;		/* fast-forward warning (400) */
	char		medium_label[128];	/* "" any */
	char		medium_uuid[64];	/* "" any */
	char		on_failure[CFG_CMD];
	char		client_id[65];		/* "" /etc/machine-id */
	int		report;			/* report = yes: after
						 * every apply (issue 18) */
	struct cfg_component c[CFG_MAX_COMPONENTS];
	size_t		nc;
};

/* Read and validate.  path NULL: <root>/etc/ferry/client.conf. */
int	cfg_load(const char *root, const char *path, struct cfg *out,
	    struct fy_err *e);
/* Prefix an absolute configured path with the root ("" root: as is). */
void	cfg_rooted(const struct cfg *c, const char *path, char *out,
	    size_t n);
const struct cfg_component *cfg_component(const struct cfg *c,
	    const char *name);

#endif
