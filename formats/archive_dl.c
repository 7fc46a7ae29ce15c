/* SPDX-License-Identifier: MIT */
/*
 * archive_dl: libarchive, loaded when the first archive or entry is
 * created.  The tools are not linked with libarchive: libarchive.so.13
 * brings libxml2, ICU (libicuuc, libicudata), libstdc++, libgcc_s,
 * libnettle, libacl, liblz4, libbz2 and more into every process start.  A
 * trivial program linked with ferry's libraries cost 2.86 ms of CPU with
 * -larchive against 0.95 ms without, and a later dlopen of libcurl is
 * ~1.7 ms cheaper without libarchive's tree in the global scope
 * (docs/DEPENDENCIES.md, issue 17), although only ISO images, base
 * packages, format 1 delta packages and mkmedia's ingest use it.
 *
 * This file defines every libarchive function ferry, its tests, helpers
 * and benchmarks call, with the prototypes of <archive.h> and
 * <archive_entry.h> (included, so the compiler checks each one); each
 * forwards to the function dlsym() found in libarchive.so.13, opened once
 * (RTLD_LOCAL: its own calls between its functions stay inside it).  The
 * constructors (archive_read_new, archive_write_new, archive_entry_new)
 * return NULL when the library cannot be loaded, and the destructors
 * accept NULL, as libarchive's do; every other function is only reachable
 * with an object a constructor returned, so it calls straight through.
 * The definitions are hidden: the executable never exports archive_* to a
 * libarchive in the same process (even linked with -rdynamic, or with
 * -larchive as well), so libarchive's calls to itself are never
 * interposed by these.  Sites that create archives call
 * archive_dl_ready() first, for a one-line error naming the library.
 * Test builds: FERRY_TEST_ARCHIVE_SONAME=<file> opens that instead
 * (tests/cli/archive_dl.sh).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "formats/archive_dl.h"

#define HIDDEN	__attribute__((visibility("hidden")))

typedef struct archive A;
typedef struct archive_entry E;

/*
 * Every function but the constructors, destructors and archive_set_error:
 * R(return type, name, parameters, arguments) returns a value,
 * V(name, parameters, arguments) returns void.
 */
#define ARCHIVE_DL_CALLS(R, V) \
	R(int, archive_entry_acl_count, (E *e, int t), (e, t)) \
	R(E *, archive_entry_clear, (E *e), (e)) \
	V(archive_entry_copy_hardlink, (E *e, const char *s), (e, s)) \
	V(archive_entry_copy_pathname, (E *e, const char *s), (e, s)) \
	V(archive_entry_copy_symlink, (E *e, const char *s), (e, s)) \
	R(mode_t, archive_entry_filetype, (E *e), (e)) \
	R(const char *, archive_entry_hardlink, (E *e), (e)) \
	R(mode_t, archive_entry_mode, (E *e), (e)) \
	R(const char *, archive_entry_pathname, (E *e), (e)) \
	R(mode_t, archive_entry_perm, (E *e), (e)) \
	V(archive_entry_set_atime, (E *e, time_t t, long ns), (e, t, ns)) \
	V(archive_entry_set_ctime, (E *e, time_t t, long ns), (e, t, ns)) \
	V(archive_entry_set_filetype, (E *e, unsigned int t), (e, t)) \
	V(archive_entry_set_gid, (E *e, la_int64_t g), (e, g)) \
	V(archive_entry_set_mtime, (E *e, time_t t, long ns), (e, t, ns)) \
	V(archive_entry_set_nlink, (E *e, unsigned int n), (e, n)) \
	V(archive_entry_set_pathname, (E *e, const char *s), (e, s)) \
	V(archive_entry_set_perm, (E *e, mode_t m), (e, m)) \
	V(archive_entry_set_rdev, (E *e, dev_t d), (e, d)) \
	V(archive_entry_set_size, (E *e, la_int64_t n), (e, n)) \
	V(archive_entry_set_uid, (E *e, la_int64_t u), (e, u)) \
	R(la_int64_t, archive_entry_size, (E *e), (e)) \
	R(int, archive_entry_size_is_set, (E *e), (e)) \
	R(int, archive_entry_sparse_count, (E *e), (e)) \
	R(const char *, archive_entry_symlink, (E *e), (e)) \
	V(archive_entry_xattr_add_entry, (E *e, const char *n, const void *v, \
	    size_t z), (e, n, v, z)) \
	R(int, archive_entry_xattr_count, (E *e), (e)) \
	R(int, archive_errno, (A *a), (a)) \
	R(const char *, archive_error_string, (A *a), (a)) \
	R(la_int64_t, archive_filter_bytes, (A *a, int n), (a, n)) \
	R(la_ssize_t, archive_read_data, (A *a, void *b, size_t n), (a, b, n)) \
	R(int, archive_read_data_block, (A *a, const void **b, size_t *n, \
	    la_int64_t *o), (a, b, n, o)) \
	R(int, archive_read_next_header, (A *a, E **e), (a, e)) \
	R(int, archive_read_open, (A *a, void *d, archive_open_callback *o, \
	    archive_read_callback *r, archive_close_callback *c), \
	    (a, d, o, r, c)) \
	R(int, archive_read_open1, (A *a), (a)) \
	R(int, archive_read_open_fd, (A *a, int fd, size_t b), (a, fd, b)) \
	R(int, archive_read_open_filename, (A *a, const char *f, size_t b), \
	    (a, f, b)) \
	R(int, archive_read_set_callback_data, (A *a, void *d), (a, d)) \
	R(int, archive_read_set_close_callback, (A *a, \
	    archive_close_callback *c), (a, c)) \
	R(int, archive_read_set_read_callback, (A *a, \
	    archive_read_callback *c), (a, c)) \
	R(int, archive_read_set_seek_callback, (A *a, \
	    archive_seek_callback *c), (a, c)) \
	R(int, archive_read_set_skip_callback, (A *a, \
	    archive_skip_callback *c), (a, c)) \
	R(int, archive_read_support_filter_all, (A *a), (a)) \
	R(int, archive_read_support_format_all, (A *a), (a)) \
	R(int, archive_read_support_format_iso9660, (A *a), (a)) \
	R(int, archive_read_support_format_tar, (A *a), (a)) \
	R(int, archive_write_add_filter_none, (A *a), (a)) \
	R(int, archive_write_close, (A *a), (a)) \
	R(la_ssize_t, archive_write_data, (A *a, const void *b, size_t n), \
	    (a, b, n)) \
	R(int, archive_write_fail, (A *a), (a)) \
	R(int, archive_write_finish_entry, (A *a), (a)) \
	R(int, archive_write_header, (A *a, E *e), (a, e)) \
	R(int, archive_write_open, (A *a, void *d, archive_open_callback *o, \
	    archive_write_callback *w, archive_close_callback *c), \
	    (a, d, o, w, c)) \
	R(int, archive_write_open_fd, (A *a, int fd), (a, fd)) \
	R(int, archive_write_set_bytes_in_last_block, (A *a, int n), (a, n)) \
	R(int, archive_write_set_bytes_per_block, (A *a, int n), (a, n)) \
	R(int, archive_write_set_format_iso9660, (A *a), (a)) \
	R(int, archive_write_set_format_option, (A *a, const char *m, \
	    const char *o, const char *v), (a, m, o, v)) \
	R(int, archive_write_set_format_pax, (A *a), (a)) \
	R(int, archive_write_set_format_pax_restricted, (A *a), (a)) \
	R(int, archive_write_set_options, (A *a, const char *o), (a, o))

/* Constructors (NULL without the library) and destructors (NULL is a
 * no-op, before and after loading). */
#define ARCHIVE_DL_LIFE(R, V) \
	R(A *, archive_read_new, (void), ()) \
	R(A *, archive_write_new, (void), ()) \
	R(E *, archive_entry_new, (void), ()) \
	R(int, archive_read_free, (A *a), (a)) \
	R(int, archive_write_free, (A *a), (a)) \
	V(archive_entry_free, (E *e), (e)) \
	V(archive_set_error, (A *a, int err, const char *fmt, ...), ())

#define PTR_R(ret, name, params, args)	ret (*name) params;
#define PTR_V(name, params, args)	void (*name) params;
static struct {
	ARCHIVE_DL_CALLS(PTR_R, PTR_V)
	ARCHIVE_DL_LIFE(PTR_R, PTR_V)
} fn;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char why[384];		/* dlerror() of the failed load */

static int
sym(void *lib, void **p, const char *name)
{
	const char *err;

	(void)dlerror();
	*p = dlsym(lib, name);
	if (*p != NULL)
		return 1;
	err = dlerror();
	snprintf(why, sizeof(why), "%s", err ? err : name);
	return 0;
}

static void
load(void)
{
	const char *so = FY_TEST_ENV("FERRY_TEST_ARCHIVE_SONAME");
	const char *err;
	void *lib;

	if (so == NULL || *so == '\0')
		so = ARCHIVE_DL_SONAME;
	if ((lib = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		snprintf(why, sizeof(why), "%s", err ? err : so);
		return;
	}
	/* POSIX: a data pointer from dlsym() converts to a function one. */
#define SYM_R(ret, name, params, args) \
	if (!sym(lib, (void **)&fn.name, #name)) \
		goto broken;
#define SYM_V(name, params, args)	SYM_R(void, name, params, args)
	ARCHIVE_DL_CALLS(SYM_R, SYM_V)
	ARCHIVE_DL_LIFE(SYM_R, SYM_V)
	loaded = 1;
	/* The library stays loaded for the life of the process. */
	return;
broken:
	memset(&fn, 0, sizeof(fn));
	dlclose(lib);
}

static int
ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

int
archive_dl_ready(struct fy_err *e)
{
	if (ready())
		return 0;
	return fy_fail(e, FY_E_INTERNAL, ARCHIVE_DL_SONAME,
	    _("cannot load the library: %s"), why);
}

#define CALL_R(ret, name, params, args) \
	HIDDEN ret name params { return fn.name args; }
#define CALL_V(name, params, args) \
	HIDDEN void name params { fn.name args; }
ARCHIVE_DL_CALLS(CALL_R, CALL_V)

HIDDEN A *
archive_read_new(void)
{
	return ready() ? fn.archive_read_new() : NULL;
}

HIDDEN A *
archive_write_new(void)
{
	return ready() ? fn.archive_write_new() : NULL;
}

HIDDEN E *
archive_entry_new(void)
{
	return ready() ? fn.archive_entry_new() : NULL;
}

HIDDEN int
archive_read_free(A *a)
{
	return a == NULL ? ARCHIVE_OK : fn.archive_read_free(a);
}

HIDDEN int
archive_write_free(A *a)
{
	return a == NULL ? ARCHIVE_OK : fn.archive_write_free(a);
}

HIDDEN void
archive_entry_free(E *e)
{
	if (e != NULL)
		fn.archive_entry_free(e);
}

/* libarchive has no va_list form: the message is formatted here and
 * handed over as "%s" (ferry's messages are short; a longer one is cut). */
HIDDEN void
archive_set_error(A *a, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (fmt == NULL) {
		fn.archive_set_error(a, err, NULL);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn.archive_set_error(a, err, "%s", msg);
}
