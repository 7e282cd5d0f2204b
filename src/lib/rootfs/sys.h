/* sys.h — the thin system-call layer of the rootfs module.
 *
 * glibc 2.36 may lack wrappers for the new mount API and openat2, so they are
 * called through syscall(2). Every wrapper returns a value >= 0 or -errno and
 * every fd it returns is O_CLOEXEC. Detached mounts ("mount fds") come from
 * open_tree(OPEN_TREE_CLONE) or fsmount(); they are configured with
 * mount_setattr while still detached and attached last with move_mount onto a
 * target fd, so nothing ever mounts onto a path string that the container
 * could swap for a symlink in between (CVE-2021-30465). */
#ifndef BRICK_ROOTFS_SYS_H
#define BRICK_ROOTFS_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <brick/brick.h>

struct open_how;

int sys_openat2(int dfd, const char *path, const struct open_how *how);
int sys_pivot_root(const char *new_root, const char *put_old);

/* Clone the mount (tree, if recursive) at dfd/path (path "" = dfd itself)
 * as a detached mount. */
int mnt_clone(int dfd, const char *path, bool recursive);
/* The same, recursive, for the entry `name` of the directory dfd itself:
 * a symlink there is an error (-ELOOP or -EINVAL), never followed. */
int mnt_clone_nofollow(int dfd, const char *name);
/* Move a detached (or attached) mount onto the object target_fd refers to. */
int mnt_attach(int mnt_fd, int target_fd);
/* mount_setattr on the mount mnt_fd is the root of. propagation is MS_* or 0;
 * MS_REC in it, or recursive, applies to the whole tree. */
int mnt_setattr(int mnt_fd, uint64_t set, uint64_t clr, unsigned long propagation, bool recursive);
/* MOUNT_ATTR_IDMAP with the maps of userns_fd on a detached mount (its
 * whole tree when recursive). */
int mnt_setattr_idmap(int mnt_fd, int userns_fd, bool recursive);
/* A detached mount of a new instance of filesystem type: data is split on
 * commas ("k=v" -> string, "k" -> flag), sb_* are MS_* superblock flags,
 * attr is MOUNT_ATTR_* for the new mount. On failure err names the failing
 * step and, when the kernel logged one, its message. */
int mnt_fs_new(const char *type, const char *source, const char *data, unsigned long sb_set,
               unsigned long sb_clr, uint64_t attr, struct brick_error *err);

/* "/proc/self/fd/N" for the mount(2) fallback (kernels without the new mount
 * API, i.e. when a call above returned -ENOSYS). */
struct fd_path {
    char s[32];
};
const char *fd_path(struct fd_path *p, int fd);

#endif
