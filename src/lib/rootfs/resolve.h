/* resolve.h — open a path inside the container root without ever leaving it.
 *
 * Symlinks and ".." are resolved as if root_fd were "/" (openat2
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a rootfs whose /evil points to
 * "/etc", "../../../etc" or /proc/self/root/... still lands inside the root.
 * Kernels without openat2 get a component walk that opens every component
 * with O_NOFOLLOW and interprets symlinks itself. Missing components can be
 * created on the way, one at a time, relative to the already-resolved parent
 * fd. The returned O_PATH fd is what gets mounted on: the path is never
 * re-resolved later (CVE-2021-30465, where a container swapped a mount
 * destination for a symlink between check and mount). */
#ifndef BRICK_ROOTFS_RESOLVE_H
#define BRICK_ROOTFS_RESOLVE_H

#include <stdbool.h>

#include <brick/brick.h>

enum resolve_create {
    RESOLVE_EXISTING, /* fail with -ENOENT when missing */
    RESOLVE_MKDIR,    /* create missing directories, the last one included (0755) */
    RESOLVE_MKFILE,   /* create missing parents (0755) and an empty last file (0644) */
};

/* Open path (taken relative to root_fd even when absolute) as an O_PATH |
 * O_CLOEXEC fd, following symlinks inside the root. Returns the fd or -errno
 * (err: "<what>: <reason>"). A dangling symlink is followed when creating: a
 * rootfs with /var/run -> /run gets /run created. */
int resolve_in_root(int root_fd, const char *path, enum resolve_create create, struct brick_error *err);

#endif
