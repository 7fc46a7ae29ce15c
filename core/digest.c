/* SPDX-License-Identifier: MIT */
/*
 * digest: SHA-256 via libgcrypt; file checks bounded by the declared size.
 */
#include <errno.h>
#include <gcrypt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/i18n.h"
#include "core/io.h"

#define DIGEST_BUFSZ	(256 * 1024)

struct digest {
	gcry_md_hd_t	md;
};

void
digest_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	if (!gcry_check_version(GCRYPT_VERSION))
		abort();	/* linked against an older libgcrypt: a bug */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

struct digest *
digest_new(void)
{
	struct digest *d;

	digest_init();
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (gcry_md_open(&d->md, GCRY_MD_SHA256, 0) != 0) {
		free(d);
		return NULL;
	}
	return d;
}

void
digest_update(struct digest *d, const void *buf, size_t len)
{
	gcry_md_write(d->md, buf, len);
}

void
digest_final(struct digest *d, uint8_t out[DIGEST_LEN])
{
	memcpy(out, gcry_md_read(d->md, GCRY_MD_SHA256), DIGEST_LEN);
	gcry_md_reset(d->md);
}

void
digest_reset(struct digest *d)
{
	gcry_md_reset(d->md);
}

void
digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	gcry_md_close(d->md);
	free(d);
}

void
digest_buf(const void *buf, size_t len, uint8_t out[DIGEST_LEN])
{
	digest_init();
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, buf, len);
}

/* Hash dirfd/path, failing as soon as it exceeds `limit` bytes. */
static int
hash_fd_bounded(int fd, const char *path, uint64_t limit,
    uint8_t out[DIGEST_LEN], uint64_t *seen_out, struct fy_err *e)
{
	struct digest *d = NULL;
	uint8_t *buf = NULL;
	uint64_t seen = 0;
	ssize_t n;
	int rc = -1;

	if ((d = digest_new()) == NULL || (buf = malloc(DIGEST_BUFSZ)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, path, "out of memory");
		goto out;
	}
	for (;;) {
		n = read(fd, buf, DIGEST_BUFSZ);
		if (n == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fy_fail_errno(e, FY_E_IO, path, _("read failed"));
			goto out;
		}
		seen += (uint64_t)n;
		if (seen > limit) {
			fy_fail(e, FY_E_INTEGRITY, path, "longer than the %"
			    PRIu64 " bytes declared", limit);
			goto out;
		}
		digest_update(d, buf, (size_t)n);
	}
	digest_final(d, out);
	*seen_out = seen;
	rc = 0;
out:
	free(buf);
	digest_free(d);
	return rc;
}

int
digest_file(int dirfd, const char *path, uint8_t out[DIGEST_LEN],
    uint64_t *size, struct fy_err *e)
{
	uint64_t seen;
	int fd, rc;

	if ((fd = io_open_regular(dirfd, path, NULL, e)) == -1)
		return -1;
	rc = hash_fd_bounded(fd, path, UINT64_MAX, out, &seen, e);
	close(fd);
	if (rc == 0 && size != NULL)
		*size = seen;
	return rc;
}

int
digest_check_file(int dirfd, const char *path, uint64_t size,
    const uint8_t want[DIGEST_LEN], struct fy_err *e)
{
	uint8_t got[DIGEST_LEN];
	uint64_t seen;
	int fd, rc;

	if ((fd = io_open_regular(dirfd, path, NULL, e)) == -1)
		return -1;
	rc = hash_fd_bounded(fd, path, size, got, &seen, e);
	close(fd);
	if (rc == -1)
		return -1;
	if (seen != size)
		return fy_fail(e, FY_E_INTEGRITY, path, "%" PRIu64 " bytes, "
		    "manifest says %" PRIu64, seen, size);
	if (memcmp(got, want, DIGEST_LEN) != 0)
		return fy_fail(e, FY_E_INTEGRITY, path,
		    _("sha256 differs from manifest"));
	return 0;
}

void
digest_to_hex(const uint8_t in[DIGEST_LEN], char out[DIGEST_HEXLEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	int i;

	for (i = 0; i < DIGEST_LEN; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[DIGEST_HEXLEN] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
digest_from_hex(const char *hex, uint8_t out[DIGEST_LEN])
{
	int i, hi, lo;

	if (hex == NULL || strlen(hex) != DIGEST_HEXLEN)
		return -1;
	for (i = 0; i < DIGEST_LEN; i++) {
		if ((hi = hexval(hex[2 * i])) < 0 ||
		    (lo = hexval(hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
