/* copyup.c — "tmpcopyup": a tmpfs mounted over a directory of the image
 * starts with a copy of what that directory held (runc's extension; Podman
 * adds it for --read-only's tmpfs mounts and every --tmpfs).
 *
 * The source is the image: anything may be there. The walk never follows a
 * symlink (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW: a symlink is copied as one), goes
 * down only through names getdents returned, and writes only below the new
 * tmpfs, which is still detached. Owners, modes (set-id bits after the
 * chown), symlinks, device nodes, fifos and times are kept; sockets are
 * skipped; hard links become copies. */
#include "rootfs/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"

#define COPYUP_MAX_DEPTH 128

struct copy_walk {
    int src, dst;
    int depth;
    struct brick_error *err;
};

static int copy_dir(int src, int dst, int depth, struct brick_error *err);

static int copy_meta(int fd, const struct stat *st)
{
    struct timespec t[2] = {st->st_atim, st->st_mtim};
    if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, t) < 0)
        return -errno;
    return 0;
}

static int copy_file(int src, int dst, const char *name, const struct stat *st)
{
    _cleanup_close_ int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct stat now;
    if (in < 0)
        return -errno;
    if (fstat(in, &now) < 0 || !S_ISREG(now.st_mode))
        return -EAGAIN; /* swapped for something else since the stat: not copied */
    _cleanup_close_ int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        return -errno;
    for (off_t left = st->st_size; left > 0;) {
        ssize_t n = sendfile(out, in, NULL, left > (1 << 30) ? (1 << 30) : (size_t)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break; /* the file shrank meanwhile */
        left -= n;
    }
    return copy_meta(out, st);
}

int rootfs_copy_symlink(int src_dir, int dst_dir, const char *name, const struct stat *st, bool best_effort)
{
    char target[PATH_MAX];
    struct timespec t[2] = {st->st_atim, st->st_mtim};
    ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
    if (n < 0)
        return -errno;
    target[n] = '\0';
    if (symlinkat(target, dst_dir, name) < 0)
        return -errno;
    if ((fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
         utimensat(dst_dir, name, t, AT_SYMLINK_NOFOLLOW) < 0) &&
        !best_effort)
        return -errno;
    return 0;
}

static int copy_entry(const char *name, void *data)
{
    struct copy_walk *w = data;
    struct stat st;
    int r = 0;
    if (fstatat(w->src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return brick_err_errno(w->err, errno, "tmpcopyup: stat %s", name);
    struct timespec t[2] = {st.st_atim, st.st_mtim};
    switch (st.st_mode & S_IFMT) {
    case S_IFREG: r = copy_file(w->src, w->dst, name, &st); break;
    case S_IFDIR: {
        if (mkdirat(w->dst, name, 0700) < 0)
            return brick_err_errno(w->err, errno, "tmpcopyup: mkdir %s", name);
        _cleanup_close_ int s = openat(w->src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int d = openat(w->dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
            return brick_err_errno(w->err, errno, "tmpcopyup: open %s", name);
        if ((r = copy_dir(s, d, w->depth + 1, w->err)) < 0)
            return brick_err_prefix(w->err, "%s", name);
        r = copy_meta(d, &st);
        break;
    }
    case S_IFLNK: r = rootfs_copy_symlink(w->src, w->dst, name, &st, false); break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
        if (mknodat(w->dst, name, st.st_mode, st.st_rdev) < 0 ||
            fchownat(w->dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(w->dst, name, st.st_mode & 07777, 0) < 0 ||
            utimensat(w->dst, name, t, AT_SYMLINK_NOFOLLOW) < 0)
            r = -errno;
        break;
    default: return 0; /* sockets belong to processes, not to images */
    }
    if (r < 0)
        return brick_err_errno(w->err, -r, "tmpcopyup: copy %s", name);
    return 0;
}

static int copy_dir(int src, int dst, int depth, struct brick_error *err)
{
    if (depth > COPYUP_MAX_DEPTH)
        return brick_err(err, ELOOP, "tmpcopyup: deeper than %d directories", COPYUP_MAX_DEPTH);
    struct copy_walk w = {.src = src, .dst = dst, .depth = depth, .err = err};
    int r = dir_for_each(src, copy_entry, &w);
    if (r < 0 && err->msg[0] == '\0')
        return brick_err_errno(err, -r, "tmpcopyup: list");
    return r;
}

int rootfs_copy_up(int src_dir, int mnt_fd, struct brick_error *err)
{
    _cleanup_close_ int src = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int dst = openat(mnt_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (src < 0 || dst < 0)
        return brick_err_errno(err, errno, "tmpcopyup: open");
    err->msg[0] = '\0';
    return copy_dir(src, dst, 0, err);
}
