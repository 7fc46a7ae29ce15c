/* SPDX-License-Identifier: MIT */
/*
 * powercut_fs: the recording half of the power-loss simulator (issue 16,
 * docs/BENCHMARKS-crash.md "L4").  A single-threaded FUSE pass-through:
 *
 *   powercut_fs BACKING LOG BLOB MOUNTPOINT [fuse options]
 *
 * serves BACKING at MOUNTPOINT and appends every mutating operation, in
 * the order the kernel delivers them, to LOG (one line each; the bytes
 * of each write go to BLOB).  Objects are named by a stable id, not by
 * path: "i<st_ino>" for an inode that existed in BACKING at mount time,
 * "n<seq>" for one created through the mount.  Entry operations name
 * the parent directory by id, so tests/crash/powercut.py can replay any
 * subset of the log onto the initial snapshot.  Log lines (names %XX
 * escaped):
 *
 *   create P NAME ID MODE        regular file (create, mknod)
 *   mkdir P NAME ID MODE
 *   symlink P NAME ID TARGET
 *   link P NAME ID               new name for an existing inode
 *   unlink P NAME ID             ID: the inode the name named
 *   rmdir P NAME ID
 *   rename P1 N1 P2 N2 ID VICTIM FLAGS  (VICTIM "-" if none replaced)
 *   write ID OFF LEN BLOBOFF
 *   trunc ID SIZE
 *   chmod ID MODE
 *   fsync ID DATASYNC            fsync/fdatasync of a file
 *   fsyncdir ID                  fsync of a directory
 *   syncfs                       syncfs()/sync(), reported by the
 *                                LD_PRELOAD shim powercut_shim.c as a
 *                                getxattr "user.powercut.syncfs" (FUSE
 *                                does not forward syncfs)
 *
 * Nothing is fsynced on BACKING: the recorded barriers are what counts.
 * Test helper only; never installed.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

static int basefd = -1;
static FILE *logf_;
static FILE *blobf;
static uint64_t bloboff;
static uint64_t seq;

/* --- inode number -> id ("n<seq>" for created ones) ---------------- */
#define TABSZ (1u << 20)
struct slot { uint64_t ino; uint64_t id; };	/* id 0: empty */
static struct slot *tab;

static struct slot *
slot_of(uint64_t ino)
{
	uint64_t h = (ino * 0x9E3779B97F4A7C15ull) >> 44;

	for (;;) {
		struct slot *s = &tab[h & (TABSZ - 1)];

		if (s->id == 0 || s->ino == ino)
			return s;
		h++;
	}
}

static void
id_str(uint64_t ino, char *out, size_t n)
{
	struct slot *s = slot_of(ino);

	if (s->id != 0)
		snprintf(out, n, "n%llu", (unsigned long long)s->id);
	else
		snprintf(out, n, "i%llu", (unsigned long long)ino);
}

static void
id_new(uint64_t ino, char *out, size_t n)
{
	struct slot *s = slot_of(ino);

	s->ino = ino;
	s->id = ++seq;
	id_str(ino, out, n);
}

/* --- paths ----------------------------------------------------------- */
static const char *
rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Parent id and leaf of PATH. */
static int
parent_of(const char *path, char *pid, size_t n, const char **leaf)
{
	char buf[4096];
	const char *r = rel(path), *slash = strrchr(r, '/');
	struct stat st;

	if (slash == NULL) {
		snprintf(buf, sizeof(buf), ".");
		*leaf = r;
	} else {
		snprintf(buf, sizeof(buf), "%.*s", (int)(slash - r), r);
		*leaf = slash + 1;
	}
	if (fstatat(basefd, buf, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -errno;
	id_str(st.st_ino, pid, n);
	return 0;
}

static int
stat_of(const char *path, struct stat *st)
{
	return fstatat(basefd, rel(path), st, AT_SYMLINK_NOFOLLOW) == -1 ?
	    -errno : 0;
}

static int
ino_of(const char *path, uint64_t *ino)
{
	struct stat st;

	if (stat_of(path, &st) != 0)
		return -ENOENT;
	*ino = st.st_ino;
	return 0;
}

static void
esc(const char *s, char *out, size_t n)
{
	size_t o = 0;

	for (; *s && o + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._-+/,:=@~", c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, n - o, "%%%02X", c);
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, n, "%%");	/* never an empty field */
}

static void
logln(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
logln(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(logf_, fmt, ap);
	va_end(ap);
	fputc('\n', logf_);
}

/* Log an entry operation "OP P NAME ..." for PATH. */
static void
log_entry(const char *op, const char *path, const char *rest)
{
	char pid[32], e[8192];
	const char *leaf;

	if (parent_of(path, pid, sizeof(pid), &leaf) != 0)
		return;
	esc(leaf, e, sizeof(e));
	logln("%s %s %s %s", op, pid, e, rest);
}

/* --- operations ------------------------------------------------------ */
static void *
pc_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;
	cfg->hard_remove = 1;		/* no .fuse_hidden files */
	cfg->nullpath_ok = 1;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return NULL;
}

static void
pc_destroy(void *p)
{
	(void)p;
	fflush(logf_);
	fflush(blobf);
}

static int
pc_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	int r = fi != NULL ? fstat((int)fi->fh, st) :
	    fstatat(basefd, rel(path), st, AT_SYMLINK_NOFOLLOW);

	return r == -1 ? -errno : 0;
}

static int
pc_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(basefd, rel(path), buf, size - 1);

	if (n == -1)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int
pc_mknod(const char *path, mode_t mode, dev_t rdev)
{
	char id[32], rest[64];
	struct stat st;

	if (!S_ISREG(mode))
		return -EPERM;		/* the model knows files, dirs, links */
	if (mknodat(basefd, rel(path), mode, rdev) == -1)
		return -errno;
	if (stat_of(path, &st) != 0)
		return -EIO;
	id_new(st.st_ino, id, sizeof(id));
	snprintf(rest, sizeof(rest), "%s %o", id, st.st_mode & 07777);
	log_entry("create", path, rest);
	return 0;
}

static int
pc_mkdir(const char *path, mode_t mode)
{
	char id[32], rest[64];
	struct stat st;

	if (mkdirat(basefd, rel(path), mode) == -1)
		return -errno;
	if (stat_of(path, &st) != 0)
		return -EIO;
	id_new(st.st_ino, id, sizeof(id));
	snprintf(rest, sizeof(rest), "%s %o", id, st.st_mode & 07777);
	log_entry("mkdir", path, rest);
	return 0;
}

static int
pc_remove(const char *path, int flags, const char *op)
{
	char id[32];
	uint64_t ino = 0;

	if (ino_of(path, &ino) != 0)
		return -ENOENT;
	id_str(ino, id, sizeof(id));
	/* log first: the parent lookup needs the path */
	if (unlinkat(basefd, rel(path), flags) == -1)
		return -errno;
	log_entry(op, path, id);
	return 0;
}

static int
pc_unlink(const char *path)
{
	return pc_remove(path, 0, "unlink");
}

static int
pc_rmdir(const char *path)
{
	return pc_remove(path, AT_REMOVEDIR, "rmdir");
}

static int
pc_symlink(const char *target, const char *path)
{
	char id[32], rest[8192], t[8000];
	uint64_t ino = 0;

	if (symlinkat(target, basefd, rel(path)) == -1)
		return -errno;
	(void)ino_of(path, &ino);
	id_new(ino, id, sizeof(id));
	esc(target, t, sizeof(t));
	snprintf(rest, sizeof(rest), "%s %s", id, t);
	log_entry("symlink", path, rest);
	return 0;
}

static int
pc_rename(const char *from, const char *to, unsigned int flags)
{
	char p1[32], p2[32], id[32], victim[32] = "-", e1[8192], e2[8192];
	const char *l1, *l2;
	uint64_t ino = 0, vino = 0;

	if (ino_of(from, &ino) != 0)
		return -ENOENT;
	id_str(ino, id, sizeof(id));
	if (ino_of(to, &vino) == 0)
		id_str(vino, victim, sizeof(victim));
	if (parent_of(from, p1, sizeof(p1), &l1) != 0 ||
	    parent_of(to, p2, sizeof(p2), &l2) != 0)
		return -ENOENT;
	if (renameat2(basefd, rel(from), basefd, rel(to), flags) == -1)
		return -errno;
	esc(l1, e1, sizeof(e1));
	esc(l2, e2, sizeof(e2));
	logln("rename %s %s %s %s %s %s %u", p1, e1, p2, e2, id, victim,
	    flags);
	return 0;
}

static int
pc_link(const char *from, const char *to)
{
	char id[32];
	uint64_t ino = 0;

	if (linkat(basefd, rel(from), basefd, rel(to), 0) == -1)
		return -errno;
	(void)ino_of(to, &ino);
	id_str(ino, id, sizeof(id));
	log_entry("link", to, id);
	return 0;
}

static int
pc_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char id[32];
	uint64_t ino = 0;
	struct stat st;

	if (fi != NULL) {
		if (fchmod((int)fi->fh, mode) == -1 || fstat((int)fi->fh, &st))
			return -errno;
		ino = st.st_ino;
	} else {
		if (fchmodat(basefd, rel(path), mode, 0) == -1)
			return -errno;
		(void)ino_of(path, &ino);
	}
	id_str(ino, id, sizeof(id));
	logln("chmod %s %o", id, mode & 07777);
	return 0;
}

static int
pc_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (fi != NULL)
		return fchown((int)fi->fh, uid, gid) == -1 ? -errno : 0;
	return fchownat(basefd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW) ==
	    -1 ? -errno : 0;
}

static int
pc_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	char id[32];
	struct stat st;
	int fd = fi != NULL ? (int)fi->fh :
	    openat(basefd, rel(path), O_WRONLY | O_NOFOLLOW);

	if (fd == -1)
		return -errno;
	if (ftruncate(fd, size) == -1 || fstat(fd, &st) == -1) {
		int err = errno;

		if (fi == NULL)
			close(fd);
		return -err;
	}
	if (fi == NULL)
		close(fd);
	id_str(st.st_ino, id, sizeof(id));
	logln("trunc %s %lld", id, (long long)size);
	return 0;
}

static int
pc_utimens(const char *path, const struct timespec ts[2],
    struct fuse_file_info *fi)
{
	if (fi != NULL)
		return futimens((int)fi->fh, ts) == -1 ? -errno : 0;
	return utimensat(basefd, rel(path), ts, AT_SYMLINK_NOFOLLOW) == -1 ?
	    -errno : 0;
}

static void
log_trunc_fd(int fd)
{
	char id[32];
	struct stat st;

	if (fstat(fd, &st) == 0) {
		id_str(st.st_ino, id, sizeof(id));
		logln("trunc %s 0", id);
	}
}

static int
pc_open(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(basefd, rel(path), (fi->flags & ~O_CREAT) |
	    O_NOFOLLOW);

	if (fd == -1)
		return -errno;
	if (fi->flags & O_TRUNC)
		log_trunc_fd(fd);
	fi->fh = (uint64_t)fd;
	return 0;
}

static int
pc_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char id[32], rest[64];
	struct stat st;
	int existed = fstatat(basefd, rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
	int fd = openat(basefd, rel(path), fi->flags | O_CREAT | O_NOFOLLOW,
	    mode);

	if (fd == -1)
		return -errno;
	fi->fh = (uint64_t)fd;
	if (existed) {
		if (fi->flags & O_TRUNC)
			log_trunc_fd(fd);
		return 0;
	}
	(void)fstat(fd, &st);
	id_new(st.st_ino, id, sizeof(id));
	snprintf(rest, sizeof(rest), "%s %o", id, st.st_mode & 07777);
	log_entry("create", path, rest);
	return 0;
}

static int
pc_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n = pread((int)fi->fh, buf, size, off);

	(void)path;
	return n == -1 ? -errno : (int)n;
}

static int
pc_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	char id[32];
	struct stat st;
	ssize_t n;

	(void)path;
	if (fi->flags & O_APPEND) {
		if (fstat((int)fi->fh, &st) == -1)
			return -errno;
		off = st.st_size;
	}
	n = pwrite((int)fi->fh, buf, size, off);
	if (n == -1)
		return -errno;
	if (fstat((int)fi->fh, &st) == -1)
		return -errno;
	id_str(st.st_ino, id, sizeof(id));
	if (fwrite(buf, 1, (size_t)n, blobf) != (size_t)n)
		return -EIO;
	logln("write %s %lld %zd %llu", id, (long long)off, n,
	    (unsigned long long)bloboff);
	bloboff += (uint64_t)n;
	return (int)n;
}

static int
pc_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return fstatvfs(basefd, sv) == -1 ? -errno : 0;
}

static int
pc_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int
pc_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	char id[32];
	struct stat st;

	(void)path;
	if (fstat((int)fi->fh, &st) == -1)
		return -errno;
	id_str(st.st_ino, id, sizeof(id));
	logln("fsync %s %d", id, datasync ? 1 : 0);
	fflush(logf_);
	return 0;
}

static int
pc_opendir(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(basefd, rel(path), O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd == -1)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	return 0;
}

static int
pc_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR *d = (DIR *)(uintptr_t)fi->fh;
	struct dirent *de;

	(void)path;
	(void)off;
	(void)flags;
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		memset(&st, 0, sizeof(st));
		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)(de->d_type << 12);
		if (fill(buf, de->d_name, &st, 0, 0))
			break;
	}
	return 0;
}

static int
pc_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

static int
pc_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	char id[32];
	struct stat st;

	(void)path;
	(void)datasync;
	if (fstat(dirfd((DIR *)(uintptr_t)fi->fh), &st) == -1)
		return -errno;
	id_str(st.st_ino, id, sizeof(id));
	logln("fsyncdir %s", id);
	fflush(logf_);
	return 0;
}

static int
pc_access(const char *path, int mask)
{
	return faccessat(basefd, rel(path), mask, AT_SYMLINK_NOFOLLOW) == -1 ?
	    -errno : 0;
}

static int
pc_getxattr(const char *path, const char *name, char *v, size_t size)
{
	(void)path;
	(void)v;
	(void)size;
	if (strcmp(name, "user.powercut.syncfs") == 0) {
		logln("syncfs");
		fflush(logf_);
	}
	return -ENODATA;
}

static int
pc_fallocate(const char *path, int mode, off_t off, off_t len,
    struct fuse_file_info *fi)
{
	(void)path; (void)mode; (void)off; (void)len; (void)fi;
	return -EOPNOTSUPP;	/* not modelled; callers fall back */
}

static const struct fuse_operations ops = {
	.init = pc_init,
	.destroy = pc_destroy,
	.getattr = pc_getattr,
	.readlink = pc_readlink,
	.mknod = pc_mknod,
	.mkdir = pc_mkdir,
	.unlink = pc_unlink,
	.rmdir = pc_rmdir,
	.symlink = pc_symlink,
	.rename = pc_rename,
	.link = pc_link,
	.chmod = pc_chmod,
	.chown = pc_chown,
	.truncate = pc_truncate,
	.utimens = pc_utimens,
	.open = pc_open,
	.create = pc_create,
	.read = pc_read,
	.write = pc_write,
	.statfs = pc_statfs,
	.release = pc_release,
	.fsync = pc_fsync,
	.opendir = pc_opendir,
	.readdir = pc_readdir,
	.releasedir = pc_releasedir,
	.fsyncdir = pc_fsyncdir,
	.access = pc_access,
	.getxattr = pc_getxattr,
	.fallocate = pc_fallocate,
};

int
main(int argc, char **argv)
{
	char *fargv[64];
	int fargc = 0, i;

	if (argc < 5 || argc > 60) {
		fprintf(stderr, "usage: powercut_fs BACKING LOG BLOB "
		    "MOUNTPOINT [fuse options]\n");
		return 2;
	}
	if ((basefd = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1) {
		perror(argv[1]);
		return 1;
	}
	if ((logf_ = fopen(argv[2], "w")) == NULL ||
	    (blobf = fopen(argv[3], "w")) == NULL) {
		perror("powercut_fs: log");
		return 1;
	}
	setvbuf(logf_, NULL, _IOFBF, 1 << 16);
	umask(0);		/* the caller's umask was applied already */
	if ((tab = calloc(TABSZ, sizeof(*tab))) == NULL)
		return 1;
	fargv[fargc++] = argv[0];
	fargv[fargc++] = "-f";
	fargv[fargc++] = "-s";
	fargv[fargc++] = "-o";
	fargv[fargc++] = "fsname=powercut,default_permissions";
	for (i = 5; i < argc; i++)
		fargv[fargc++] = argv[i];
	fargv[fargc++] = argv[4];
	fargv[fargc] = NULL;
	i = fuse_main(fargc, fargv, &ops, NULL);
	fclose(logf_);
	fclose(blobf);
	return i;
}
