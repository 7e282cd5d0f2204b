/* internal.h — shared between the files of src/lib/rootfs; not a public API. */
#ifndef BRICK_ROOTFS_INTERNAL_H
#define BRICK_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>

#include "rootfs/mount_opts.h"
#include "rootfs/rootfs.h"
#include "spec/model.h"

/* Mount attributes runc applies to proc-like and cgroup mounts regardless. */
#define MOUNT_ATTR_SAFE (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* The bits fsmount(2) accepts in attr_flags. */
#define MOUNT_ATTR_FSMOUNT_MASK                                                                              \
    (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME |      \
     MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

/* The config lists the namespace (new or joined by path). */
bool spec_has_ns(const struct oci_spec *s, enum oci_ns_type t);

/* mounts.c: spec.mounts[idx]. */
int rootfs_mount_one(struct rootfs_ctx *ctx, size_t idx, struct brick_error *err);
/* Make the mounts rootfs_mount_one() left writable read-only (top mount
 * only: what was below them when mounted is read-only already). */
int rootfs_readonly_later(struct rootfs_ctx *ctx, struct brick_error *err);
/* Apply o's attributes and propagation to a mount fd (attached or not). */
int mount_apply_attrs(int mnt_fd, const struct mount_opts *o, struct brick_error *err);
int mount_apply_propagation(int mnt_fd, const struct mount_opts *o, struct brick_error *err);

/* cgroup_mount.c: a type "cgroup" mount onto dst_fd. */
int rootfs_mount_cgroup(const struct rootfs_ctx *ctx, int dst_fd, const struct mount_opts *o,
                        struct brick_error *err);

/* legacy.c: mount(2) onto /proc/self/fd/N for kernels without the new mount
 * API (a call returned -ENOSYS). dest is re-resolved in the root only to
 * remount the new mount's flags. */
int legacy_bind(int root_fd, const char *src, int dst_fd, const char *dest, const struct mount_opts *o,
                struct brick_error *err);
int legacy_fs(int root_fd, const char *type, const char *src, int dst_fd, const char *dest,
              const struct mount_opts *o, struct brick_error *err);

/* dev.c: default devices, linux.devices, /dev symlinks and /dev/ptmx. */
int rootfs_setup_dev(struct rootfs_ctx *ctx, struct brick_error *err);
/* tmpcopyup: copy the content of the directory src_dir (of the image) into
 * the detached, still writable mount mnt_fd (copyup.c). */
int rootfs_copy_up(int src_dir, int mnt_fd, struct brick_error *err);
/* The symlink src_dir/name made again as dst_dir/name with st's owner and
 * times (best_effort: a link whose owner cannot be set, unmapped in a user
 * namespace, is kept as ours). 0 or -errno. */
struct stat;
int rootfs_copy_symlink(int src_dir, int dst_dir, const char *name, const struct stat *st, bool best_effort);

/* cover.c: the tmpfs mnt (detached) over the existing directory dst: fill
 * it with the directory's entries, attach it, bind them; 0 or -errno. */
bool rootfs_is_cover(const struct rootfs_ctx *ctx, const char *dst);
int rootfs_cover_attach(struct rootfs_ctx *ctx, int dst, int mnt, struct brick_error *err);
/* After the mounts: run.brick.symlinks, then every cover read-only. */
int rootfs_ext_finish(struct rootfs_ctx *ctx, struct brick_error *err);

/* paths.c: after pivot. */
int rootfs_readonly_paths(struct rootfs_ctx *ctx, struct brick_error *err);
int rootfs_masked_paths(struct rootfs_ctx *ctx, struct brick_error *err);

#endif
