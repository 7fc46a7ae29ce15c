/* SPDX-License-Identifier: MIT */
/*
 * creport: a client report (formats/SPEC.md §14), the one file a client
 * sends back to the publisher: who it is, what it has installed, what its
 * last runs did, how much space it has left, and nothing else.
 *
 * Reports travel from many clients to an internet-facing publisher, so
 * the reader is as strict as the manifest's: only bytes whose detached
 * signature verify/report_check.c has verified against the pinned fleet
 * keys are parsed (creport_parse_verified(), called from there only;
 * tests/cli/structure.sh keeps it so); size and depth limits, duplicate
 * keys, unknown or missing keys, wrong types, numbers out of range and
 * strings outside their grammar are all FY_E_FORMAT.
 *
 * A report is written as report-<fpr>-<serial>.json (lower-case hex
 * primary fingerprint of the client's report key, serial as 10 digits)
 * with its binary detached signature next to it (.sig); the name cannot
 * collide between clients, and the newest serial per key wins.
 */
#ifndef FERRY_CREPORT_H
#define FERRY_CREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CREPORT_FORMAT		"ferry-report"
#define CREPORT_FORMAT_VERSION	1
#define CREPORT_DIR		"ferry-reports"	/* on a medium, beside ferry/ */
#define LIMIT_REPORT_BYTES	(256u << 10)	/* one report file */
#define LIMIT_REPORT_RESULTS	8	/* results per component / client */
#define LIMIT_REPORT_COMPONENTS	64	/* = the client's CFG_MAX_COMPONENTS */
#define CREPORT_MAX_SERIAL	((1ull << 53) - 1)
#define CREPORT_NAME_MAX	96	/* "report-<64 hex>-<10 digits>.json" */

struct creport_result {		/* one line of the client's history */
	int64_t		time;
	char		event[33];	/* apply, refused, failed, rollback, ... */
	char		result[17];	/* "ok" or an exit code's name */
	char		from[65];	/* versions, "" none */
	char		to[65];
	char		medium[65];	/* medium id, "" none */
};

struct creport_comp {
	char		name[65];
	char		variant[65];	/* "" none */
	char		installed[65];	/* version, "" nothing installed */
	char		generation[160];	/* "" nothing installed */
	int64_t		installed_at;	/* 0 nothing installed */
	int		pinned;
	struct creport_result results[LIMIT_REPORT_RESULTS];	/* oldest first */
	size_t		nresults;
};

struct creport {
	uint64_t	serial;		/* per client, grows with every report */
	int64_t		time;		/* the client's trusted time */
	char		client_id[65];
	char		hostname[254];
	char		ferry_version[33];
	unsigned	keyset_version;	/* 0: the configuration's pin */
	uint64_t	free_bytes;	/* free space of the state directory */
	struct creport_result results[LIMIT_REPORT_RESULTS];	/* not about
						 * one component: refused media */
	size_t		nresults;
	struct creport_comp *comps;	/* owned, in configuration order */
	size_t		ncomps;
};

/* Parse bytes whose signature has been verified.  0, or -1 FY_E_FORMAT
 * naming `where`; *out (creport_free) only on success. */
int	creport_parse_verified(const uint8_t *buf, size_t len,
	    const char *where, struct creport **out, struct fy_err *e);
/* Canonical JSON (sorted keys, 1-space indent, ASCII, trailing newline),
 * malloc'ed; NULL and FY_E_INTERNAL if r breaks a rule the reader
 * enforces (so a client never writes a report its publisher refuses; the
 * message is the reader's) or out of memory. */
char	*creport_emit(const struct creport *r, size_t *len, struct fy_err *e);
void	 creport_free(struct creport *r);		/* NULL is fine */

/* The grammar the reader enforces, for the writer's sanitising. */
int	creport_hostname_ok(const char *s);
int	creport_gen_ok(const char *s);
int	creport_event_ok(const char *s);
int	creport_result_ok(const char *s);

/* "report-<fpr lower case>-<serial %010llu>.json"; -1 if fpr is not a
 * full fingerprint.  creport_name_parse: the inverse, fpr upper case
 * (GPG_FPR_MAX bytes); -1 for any other name. */
int	creport_name(const char *fpr, uint64_t serial, char *buf, size_t n);
int	creport_name_parse(const char *name, char *fpr, size_t fprsize,
	    uint64_t *serial);

#endif
