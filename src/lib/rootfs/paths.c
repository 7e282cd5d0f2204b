/* paths.c — linux.readonlyPaths and linux.maskedPaths, after pivot_root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "rootfs/internal.h"
#include "rootfs/resolve.h"
#include "rootfs/sys.h"

/* Open path in the root; 0 (and *ret_fd < 0) when it does not exist, which
 * the spec says is not an error for these lists. */
static int open_optional(int root_fd, const char *path, int *ret_fd, struct brick_error *err)
{
    /* No message for the common ENOENT: strerror's first call faults in
     * the locale machinery. Other errors get resolve_in_root's message. */
    int fd = resolve_in_root(root_fd, path, RESOLVE_EXISTING, NULL);

    if (fd == -ENOENT) {
        *ret_fd = -EBADF;
        return 0;
    }
    if (fd < 0)
        return brick_err_errno(err, -fd, "open %s", path);
    *ret_fd = fd;
    return 0;
}

static int readonly_one(int root_fd, const char *path, struct brick_error *err)
{
    _cleanup_close_ int fd = -EBADF;
    int r = open_optional(root_fd, path, &fd, err);
    if (r < 0 || fd < 0)
        return r;
    _cleanup_close_ int tree = mnt_clone(fd, "", true);
    if (tree < 0)
        return brick_err_errno(err, -tree, "open_tree");
    r = mnt_setattr(tree, MOUNT_ATTR_RDONLY | MOUNT_ATTR_SAFE, 0, 0, true);
    if (r < 0)
        return brick_err_errno(err, -r, "mount_setattr");
    r = mnt_attach(tree, fd);
    return r < 0 ? brick_err_errno(err, -r, "move_mount") : 0;
}

/* A path replaced by rename(2) between its open and the mount (the host
 * rewriting /etc/gshadow under a read-only bind of its root: useradd,
 * passwd) makes move_mount fail with ENOENT on the unlinked file: open the
 * new one and try again, a few times. Never skipped: what takes its place
 * is covered as the old file would have been. */
#define RACE_RETRIES 3

int rootfs_readonly_paths(struct rootfs_ctx *ctx, struct brick_error *err)
{
    char **v = ctx->spec->linux_.readonly_paths;

    for (size_t i = 0; v && v[i]; i++) {
        int r = -ENOENT;
        for (int t = 0; r == -ENOENT && t < RACE_RETRIES; t++)
            r = readonly_one(ctx->root_fd, v[i], err);
        if (r < 0)
            return brick_err_prefix(err, "readonlyPaths %s", v[i]);
    }
    return 0;
}

/* CVE-2025-31133: the container's /dev/null may have been replaced with a
 * symlink to, or a bind of, a sensitive file (/proc/sys/kernel/core_pattern);
 * masking with it would then expose that file writable instead of hiding
 * the target. Accept only the real null device, and mount the very fd that
 * was checked. */
static int open_devnull(int root_fd, struct brick_error *err)
{
    _cleanup_close_ int fd = resolve_in_root(root_fd, "/dev/null", RESOLVE_EXISTING, err);
    struct stat st;

    if (fd < 0)
        return fd;
    if (fstat(fd, &st) < 0)
        return brick_err_errno(err, errno, "stat /dev/null");
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
        return brick_err(err, EPERM, "/dev/null is not the null device (char 1:3)");
    return TAKE_FD(fd);
}

static int mask_one(int root_fd, int *devnull, const char *path, struct brick_error *err)
{
    _cleanup_close_ int fd = -EBADF, mnt = -EBADF;
    struct stat st;
    int r = open_optional(root_fd, path, &fd, err);

    if (r < 0 || fd < 0)
        return r;
    if (fstat(fd, &st) < 0)
        return brick_err_errno(err, errno, "stat");
    if (S_ISDIR(st.st_mode)) {
        /* An empty read-only tmpfs hides the directory's content. */
        mnt = mnt_fs_new("tmpfs", "tmpfs", NULL, 0, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_SAFE, err);
        if (mnt < 0)
            return mnt;
    } else {
        if (*devnull < 0 && (*devnull = open_devnull(root_fd, err)) < 0)
            return *devnull;
        if ((mnt = mnt_clone(*devnull, "", false)) < 0)
            return brick_err_errno(err, -mnt, "open_tree /dev/null");
    }
    r = mnt_attach(mnt, fd);
    return r < 0 ? brick_err_errno(err, -r, "move_mount") : 0;
}

int rootfs_masked_paths(struct rootfs_ctx *ctx, struct brick_error *err)
{
    char **v = ctx->spec->linux_.masked_paths;
    _cleanup_close_ int devnull = -EBADF;

    for (size_t i = 0; v && v[i]; i++) {
        int r = -ENOENT;
        for (int t = 0; r == -ENOENT && t < RACE_RETRIES; t++)
            r = mask_one(ctx->root_fd, &devnull, v[i], err);
        if (r < 0)
            return brick_err_prefix(err, "maskedPaths %s", v[i]);
    }
    return 0;
}
