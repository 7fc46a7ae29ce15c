/* SPDX-License-Identifier: MIT */
/*
 * digest: SHA-256 through libgcrypt (SHA-NI where the CPU has it).
 * A streaming context for copy-while-hashing, and whole-file checks that
 * stop as soon as a file passes its declared size.
 */
#ifndef FERRY_DIGEST_H
#define FERRY_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define DIGEST_LEN	32
#define DIGEST_HEXLEN	64

struct digest;				/* opaque streaming context */

/* Initialise libgcrypt once per process (idempotent, thread-unsafe). */
void	digest_init(void);

struct digest	*digest_new(void);	/* NULL on out of memory */
void	 digest_update(struct digest *d, const void *buf, size_t len);
/* Write the 32-byte result; the context may then be freed or reset. */
void	 digest_final(struct digest *d, uint8_t out[DIGEST_LEN]);
void	 digest_reset(struct digest *d);
void	 digest_free(struct digest *d);	/* NULL is fine */

void	 digest_buf(const void *buf, size_t len, uint8_t out[DIGEST_LEN]);
/* Hash a regular file dirfd/path; *size gets its length. */
int	 digest_file(int dirfd, const char *path, uint8_t out[DIGEST_LEN],
	    uint64_t *size, struct fy_err *e);
/* Is dirfd/path exactly `size` bytes with SHA-256 `want`?  A longer file
 * fails as soon as it passes `size` (FY_E_INTEGRITY). */
int	 digest_check_file(int dirfd, const char *path, uint64_t size,
	    const uint8_t want[DIGEST_LEN], struct fy_err *e);

void	 digest_to_hex(const uint8_t in[DIGEST_LEN],
	    char out[DIGEST_HEXLEN + 1]);
/* Exactly 64 lower-case hex digits; returns 0 or -1. */
int	 digest_from_hex(const char *hex, uint8_t out[DIGEST_LEN]);

#endif
