/* rootfs.h — the container's filesystem: mounts, /dev, pivot_root, masking.
 *
 * Called in the container's init process, already inside its new mount
 * namespace (and possibly a new user namespace), in three steps around the
 * OCI hooks (without a mount namespace: rootfs_chroot() alone, chroot.c):
 *
 *   rootfs_prepare()   before createContainer hooks
 *   rootfs_pivot()     after them
 *   rootfs_finalize()  after pivot: readonlyPaths, maskedPaths, root.readonly
 *   rootfs_ctx_done()  always (also after a failure)
 *
 * Every path inside the container is resolved in the root with openat2
 * RESOLVE_IN_ROOT and every mount is attached by fd (see resolve.h, sys.h).
 * Errors name the mount: "mounts[1] /proc (proc): ...". */
#ifndef BRICK_ROOTFS_ROOTFS_H
#define BRICK_ROOTFS_ROOTFS_H

#include <stdbool.h>

#include <brick/brick.h>

struct oci_spec;

/* "recursive": the whole bound root tree read-only and private (brick do on
 * the host's root), not only its top mount as root.readonly asks. */
#define ROOTFS_ANN_RECURSIVE_RO "run.brick.root.readonly"
/* JSON ["/srv", ...]: tmpfs mounts that cover a directory, its entries bound
 * in, read-only once the mounts are made (cover.c). */
#define ROOTFS_ANN_COVER "run.brick.cover"
/* JSON [{"path": "/srv/cur", "target": "www"}, ...]: symlinks made after the
 * mounts (cover.c). */
#define ROOTFS_ANN_SYMLINKS "run.brick.symlinks"

/* The two annotations, parsed (rootfs_ext_parse). */
struct rootfs_symlink {
    char *path, *target;
};
struct rootfs_ext {
    char **cover;                    /* destinations of covering tmpfs mounts */
    struct rootfs_symlink *symlinks;
    size_t n_symlinks;
};
/* Pure: errors name the JSON path (annotations["run.brick.cover"][0]: ...);
 * a cover must be the destination of a tmpfs mount of s. */
int rootfs_ext_parse(const struct oci_spec *s, struct rootfs_ext *ret, struct brick_error *err);
void rootfs_ext_done(struct rootfs_ext *e);

/* Zero-initialise (designated initialisers are fine), fill the inputs. */
/* One v1 hierarchy's container cgroup directory: <mount_fd>/<rel> (mount_fd
 * in the caller's mount namespace), which a "cgroup" mount binds instead of
 * mounting the hierarchy afresh or looking it up in mountinfo. */
struct rootfs_cgroup_dir {
    const char *controllers; /* as in /proc/self/cgroup: "cpu", "name=systemd" */
    int mount_fd;            /* O_PATH fd of the hierarchy's mount point */
    const char *rel;         /* the directory below it */
};

struct rootfs_ctx {
    const struct oci_spec *spec;
    const char *bundle; /* absolute bundle dir: relative root.path and bind sources resolve here */
    const char *rootfs; /* absolute path of root.path; NULL: bundle + root.path */
    bool in_userns;     /* own user namespace: mknod is impossible, bind host devices */
    bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
    int root_fd;        /* out: O_PATH|O_DIRECTORY fd of the prepared rootfs (closed by
                           rootfs_ctx_done); valid once rootfs_prepare() has run */
    /* Called once, before the first step that needs the container's cgroup
     * (a "cgroup"/"cgroup2" mount, the device nodes): the runtime places the
     * init meanwhile, in parallel with the mounts before it. NULL: none. */
    int (*await_cgroup)(void *data, struct brick_error *err);
    void *await_data;
    /* The container's own v1 cgroup directories, known once placed; NULL: the
     * "cgroup" mount finds them through the host's mount table. */
    const struct rootfs_cgroup_dir *cgroup_dirs;
    size_t n_cgroup_dirs;
    /* Per mount (spec->n_mounts): a detached tree the runtime id-mapped
     * (idmap.c), given the mount's attributes and attached instead of a
     * clone; -1 or NULL: none. The caller closes them after rootfs_prepare(). */
    const int *idmap_fds;

    /* private */
    bool root_fd_set; /* root_fd is ours to close (root_fd == 0 from a zeroed ctx is not) */
    bool awaited;     /* await_cgroup was called */
    char *rootfs_buf; /* owned rootfs path when computed from bundle + root.path */
    struct rootfs_ext ext; /* run.brick.cover, run.brick.symlinks */
    int *cover_fds;        /* the covering tmpfs mounts, made read-only at the end */
    size_t n_cover_fds;
    int *ro_later;    /* read-only mounts with mounts of the config beneath them,
                         made read-only by rootfs_finalize() (mounts.c) */
    size_t n_ro_later;
};

/* The id-mapping mount i asks for: its uidMappings/gidMappings, or with
 * only the "idmap"/"ridmap" option the container's own (as crun). 1 when it
 * is id-mapped, 0 when not, -errno for a bad combination (err names the
 * JSON path). */
struct rootfs_idmap {
    const struct oci_id_mapping *uid;
    size_t n_uid;
    const struct oci_id_mapping *gid;
    size_t n_gid;
    bool recursive; /* "ridmap" */
};
int rootfs_mount_idmap(const struct oci_spec *s, size_t i, struct rootfs_idmap *ret, struct brick_error *err);
/* In the init (its own mount namespace): mount i's source cloned as a
 * detached tree, recursively for rbind. */
int rootfs_idmap_clone(const struct oci_spec *s, const char *bundle, size_t i, int *ret_fd, struct brick_error *err);
/* A bind mount of a container with a user namespace whose source the
 * container's root may not reach (under a 0700 directory of the host's
 * root): the runtime opens the source with its own credentials, in the
 * init's mount namespace (as runc), and the init clones it from that fd.
 * rootfs_mount_plain_bind: 1 when mounts[i] is a bind that is not id-mapped
 * (*recursive: rbind), 0 when not, -errno for bad options. */
int rootfs_mount_plain_bind(const struct oci_spec *s, size_t i, bool *recursive);
/* A bind source as a path: absolute as given, else under the bundle (heap
 * string; NULL without a source). */
char *rootfs_bind_source(const char *bundle, const char *source);
/* In the runtime: open mount i's source (O_PATH) in the mount namespace of
 * the process behind pidfd, with the runtime's credentials. */
int rootfs_source_open_in(const struct oci_spec *s, const char *bundle, size_t i, int pidfd, int *ret_fd,
                          struct brick_error *err);
/* In the init: mount i's tree cloned from that fd (recursively for rbind). */
int rootfs_source_clone(const struct oci_spec *s, size_t i, int src_fd, bool recursive, int *ret_fd,
                        struct brick_error *err);
/* In the runtime (the host's user namespace): id-map that tree with the
 * maps of userns_fd (its whole tree when recursive: "ridmap"). */
int rootfs_idmap_apply(int tree, int userns_fd, bool recursive, struct brick_error *err);

/* Make "/" MS_REC|MS_SLAVE (or linux.rootfsPropagation) so nothing propagates
 * back to the host, bind the rootfs onto itself, perform every spec mount in
 * order, create the default /dev nodes and symlinks and linux.devices. */
int rootfs_prepare(struct rootfs_ctx *ctx, struct brick_error *err);
/* pivot_root into the rootfs and detach the old root, or with no_pivot
 * MS_MOVE + chroot; the cwd becomes "/". */
int rootfs_pivot(struct rootfs_ctx *ctx, struct brick_error *err);
/* After the pivot: linux.readonlyPaths, linux.maskedPaths, root.readonly,
 * then the final linux.rootfsPropagation. */
int rootfs_finalize(struct rootfs_ctx *ctx, struct brick_error *err);
void rootfs_ctx_done(struct rootfs_ctx *ctx);

/* Without a mount namespace of the container's own (chroot.c): nothing that
 * needs a mount (mounts, maskedPaths, readonlyPaths, root.readonly,
 * rootfsPropagation, devices, brick's rootfs annotations) and no capability
 * that leaves a chroot (CAP_SYS_CHROOT, CAP_SYS_ADMIN); errors name the JSON
 * path. The process check is exec's too (where: "process", "--process"). */
struct oci_process;
int rootfs_check_without_mntns(const struct oci_spec *s, struct brick_error *err);
int rootfs_check_process_without_mntns(const struct oci_process *p, const char *where, struct brick_error *err);
/* In the init, instead of prepare/pivot/finalize: chroot into rootfs. */
int rootfs_chroot(const char *rootfs, struct brick_error *err);

#endif
