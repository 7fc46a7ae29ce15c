/* SPDX-License-Identifier: MIT */
/*
 * fiu_shim: an LD_PRELOAD fault injector for the L3 I/O-error sweep
 * (tests/crash/io_errors.sh builds it: cc -shared -fPIC -o fiu_shim.so
 * fiu_shim.c -ldl).  It lives here, not in tests/lib/, because the
 * Makefile links every C file in tests/lib into a program.
 *
 * Counted calls: write pwrite fsync fdatasync syncfs close renameat rename
 * symlinkat mkdirat unlinkat openat (openat only with O_CREAT; open,
 * open64, openat64, pwrite64, renameat2 count as their base name).  Only
 * calls whose path or file descriptor lies below FERRY_SHIM_DIR are
 * counted (resolved through /proc/self/fd), so reads of the medium, gpg's
 * own files and stderr never shift the numbering; with FERRY_SHIM_DIR
 * unset every call counts.
 *
 * FERRY_SHIM=call:k:errno[:persistent] fails the k-th counted call of
 * `call` (errno EIO, ENOSPC, EDQUOT or EROFS) and, with persistent, every
 * later one.  A failed call has no effect, except close, which (like the
 * kernel) releases the descriptor and then reports the error.
 * FERRY_SHIM_LOG=file receives, at exit, "call count" per line and one
 * "injected call path" line per injected failure.
 * The process that loads the shim first consumes the variables (and
 * LD_PRELOAD), so helpers it starts (gpg) run unshimmed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_WRITE, C_PWRITE, C_FSYNC, C_FDATASYNC, C_SYNCFS, C_CLOSE,
	C_RENAMEAT, C_RENAME, C_SYMLINKAT, C_MKDIRAT, C_UNLINKAT, C_OPENAT,
	C__N };
static const char *names[C__N] = { "write", "pwrite", "fsync", "fdatasync",
	"syncfs", "close", "renameat", "rename", "symlinkat", "mkdirat",
	"unlinkat", "openat" };

static int	active;
static char	dir[PATH_MAX];
static size_t	dirlen;
static int	target = -1, fail_errno, persistent;
static long	fail_k;
static long	count[C__N];
static char	injected[16][PATH_MAX + 16];
static int	ninjected;
static char	logpath[PATH_MAX];

static ssize_t	(*r_write)(int, const void *, size_t);
static ssize_t	(*r_pwrite)(int, const void *, size_t, off_t);
static int	(*r_fsync)(int);
static int	(*r_fdatasync)(int);
static int	(*r_syncfs)(int);
static int	(*r_close)(int);
static int	(*r_renameat)(int, const char *, int, const char *);
static int	(*r_renameat2)(int, const char *, int, const char *,
		    unsigned);
static int	(*r_rename)(const char *, const char *);
static int	(*r_symlinkat)(const char *, int, const char *);
static int	(*r_mkdirat)(int, const char *, mode_t);
static int	(*r_unlinkat)(int, const char *, int);
static int	(*r_openat)(int, const char *, int, ...);
static int	(*r_open)(const char *, int, ...);

#define RESOLVE(f) do { if (r_##f == NULL) \
	*(void **)&r_##f = dlsym(RTLD_NEXT, #f); } while (0)

static int
errno_of(const char *s)
{
	if (strcmp(s, "EIO") == 0)
		return EIO;
	if (strcmp(s, "ENOSPC") == 0)
		return ENOSPC;
	if (strcmp(s, "EDQUOT") == 0)
		return EDQUOT;
	if (strcmp(s, "EROFS") == 0)
		return EROFS;
	return EIO;
}

static void
dump(void)
{
	char line[PATH_MAX + 64];
	int fd, i, n;

	if (!active || logpath[0] == '\0')
		return;
	RESOLVE(open);
	RESOLVE(write);
	RESOLVE(close);
	fd = r_open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return;
	for (i = 0; i < C__N; i++) {
		n = snprintf(line, sizeof(line), "%s %ld\n", names[i], count[i]);
		(void)!r_write(fd, line, (size_t)n);
	}
	for (i = 0; i < ninjected; i++) {
		n = snprintf(line, sizeof(line), "injected %s\n", injected[i]);
		(void)!r_write(fd, line, (size_t)n);
	}
	r_close(fd);
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char *spec = getenv("FERRY_SHIM"), *d = getenv("FERRY_SHIM_DIR");
	const char *log = getenv("FERRY_SHIM_LOG");
	char buf[128], *p, *q;
	int i;

	if (spec == NULL && log == NULL)
		return;
	active = 1;
	if (d != NULL) {
		snprintf(dir, sizeof(dir), "%s", d);
		dirlen = strlen(dir);
	}
	if (log != NULL)
		snprintf(logpath, sizeof(logpath), "%s", log);
	if (spec != NULL && strcmp(spec, "count") != 0) {
		snprintf(buf, sizeof(buf), "%s", spec);
		if ((p = strchr(buf, ':')) != NULL) {
			*p++ = '\0';
			for (i = 0; i < C__N; i++)
				if (strcmp(buf, names[i]) == 0)
					target = i;
			fail_k = strtol(p, &q, 10);
			if (*q == ':') {
				p = q + 1;
				if ((q = strchr(p, ':')) != NULL) {
					*q++ = '\0';
					persistent = strcmp(q, "persistent") == 0;
				}
				fail_errno = errno_of(p);
			}
		}
	}
	unsetenv("FERRY_SHIM");
	unsetenv("FERRY_SHIM_DIR");
	unsetenv("FERRY_SHIM_LOG");
	unsetenv("LD_PRELOAD");
	atexit(dump);
}

/* Is dirfd/path (or fd, when path is NULL) below FERRY_SHIM_DIR? */
static int
below(int dirfd, const char *path)
{
	char link[64], buf[PATH_MAX * 2];
	ssize_t n;

	if (dirlen == 0)
		return 1;
	if (path != NULL && path[0] == '/')
		return strncmp(path, dir, dirlen) == 0 &&
		    (path[dirlen] == '\0' || path[dirlen] == '/');
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/self/cwd");
	else
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, buf, PATH_MAX);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strncmp(buf, dir, dirlen) == 0 &&
	    (buf[dirlen] == '\0' || buf[dirlen] == '/');
}

/* Count a call; 1 if it must fail (errno set). */
static int
hit(int c, int dirfd, const char *path)
{
	int saved = errno;
	long k;

	if (!active || !below(dirfd, path)) {
		errno = saved;
		return 0;
	}
	k = ++count[c];
	errno = saved;
	if (c != target || k < fail_k || (k > fail_k && !persistent))
		return 0;
	if (ninjected < 16) {
		char link[64], buf[PATH_MAX];
		ssize_t n = -1;

		if (path == NULL) {
			snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
			n = readlink(link, buf, sizeof(buf) - 1);
		}
		if (n > 0)
			buf[n] = '\0';
		snprintf(injected[ninjected++], sizeof(injected[0]), "%s %s",
		    names[c], path != NULL ? path : n > 0 ? buf : "?");
	}
	errno = fail_errno;
	return 1;
}

ssize_t
write(int fd, const void *b, size_t n)
{
	RESOLVE(write);
	return hit(C_WRITE, fd, NULL) ? -1 : r_write(fd, b, n);
}

ssize_t
pwrite(int fd, const void *b, size_t n, off_t off)
{
	RESOLVE(pwrite);
	return hit(C_PWRITE, fd, NULL) ? -1 : r_pwrite(fd, b, n, off);
}

ssize_t
pwrite64(int fd, const void *b, size_t n, off_t off)
{
	return pwrite(fd, b, n, off);
}

int
fsync(int fd)
{
	RESOLVE(fsync);
	return hit(C_FSYNC, fd, NULL) ? -1 : r_fsync(fd);
}

int
fdatasync(int fd)
{
	RESOLVE(fdatasync);
	return hit(C_FDATASYNC, fd, NULL) ? -1 : r_fdatasync(fd);
}

int
syncfs(int fd)
{
	RESOLVE(syncfs);
	return hit(C_SYNCFS, fd, NULL) ? -1 : r_syncfs(fd);
}

int
close(int fd)
{
	int fail, e, rc;

	RESOLVE(close);
	fail = hit(C_CLOSE, fd, NULL);
	e = errno;
	rc = r_close(fd);
	if (!fail)
		return rc;
	errno = e;
	return -1;
}

int
renameat(int ofd, const char *o, int nfd, const char *n)
{
	RESOLVE(renameat);
	return hit(C_RENAMEAT, nfd, n) ? -1 : r_renameat(ofd, o, nfd, n);
}

int
renameat2(int ofd, const char *o, int nfd, const char *n, unsigned flags)
{
	RESOLVE(renameat2);
	return hit(C_RENAMEAT, nfd, n) ? -1 :
	    r_renameat2(ofd, o, nfd, n, flags);
}

int
rename(const char *o, const char *n)
{
	RESOLVE(rename);
	return hit(C_RENAME, AT_FDCWD, n) ? -1 : r_rename(o, n);
}

int
symlinkat(const char *t, int fd, const char *n)
{
	RESOLVE(symlinkat);
	return hit(C_SYMLINKAT, fd, n) ? -1 : r_symlinkat(t, fd, n);
}

int
mkdirat(int fd, const char *p, mode_t m)
{
	RESOLVE(mkdirat);
	return hit(C_MKDIRAT, fd, p) ? -1 : r_mkdirat(fd, p, m);
}

int
unlinkat(int fd, const char *p, int flags)
{
	RESOLVE(unlinkat);
	return hit(C_UNLINKAT, fd, p) ? -1 : r_unlinkat(fd, p, flags);
}

static int
do_openat(int fd, const char *p, int flags, mode_t m)
{
	RESOLVE(openat);
	if ((flags & O_CREAT) && hit(C_OPENAT, fd, p))
		return -1;
	return r_openat(fd, p, flags, m);
}

int
openat(int fd, const char *p, int flags, ...)
{
	mode_t m = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		m = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_openat(fd, p, flags, m);
}

int
openat64(int fd, const char *p, int flags, ...)
{
	mode_t m = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		m = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_openat(fd, p, flags, m);
}

int
open(const char *p, int flags, ...)
{
	mode_t m = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		m = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_openat(AT_FDCWD, p, flags, m);
}

int
open64(const char *p, int flags, ...)
{
	mode_t m = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		m = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_openat(AT_FDCWD, p, flags, m);
}
