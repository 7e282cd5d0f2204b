/* rootfs.c — the three steps: prepare, pivot, finalize (see rootfs.h). */
#include "rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "rootfs/internal.h"
#include "rootfs/sys.h"
#include "spec/model.h"

static unsigned long root_propagation(const struct oci_spec *s)
{
    unsigned long flags = MS_SLAVE | MS_REC;
    if (s->linux_.rootfs_propagation)
        mount_propagation_parse(s->linux_.rootfs_propagation, &flags);
    /* an unbindable tree cannot be bound as the rootfs: slave until the
     * rootfs is in place; rootfs_finalize() makes it unbindable (as crun) */
    if (flags & MS_UNBINDABLE)
        flags = MS_SLAVE | MS_REC;
    return flags;
}

/* pivot_root(2) and MS_MOVE fail with EINVAL when the mount the rootfs lives
 * on is shared, which is the case when rootfsPropagation asks for "shared":
 * make that one mount private (runc does the same). */
static int parent_mount_private(const char *rootfs, struct brick_error *err)
{
    struct statx stx;
    _cleanup_fclose_ FILE *f = NULL;
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;

    if (statx(AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
        return 0; /* old kernel: best effort, as with the default rslave */
    if (!(f = fopen("/proc/self/mountinfo", "re")))
        return brick_err_errno(err, errno, "open /proc/self/mountinfo");
    while (getline(&line, &cap, f) > 0) {
        unsigned long long id;
        char mp[4096];
        if (sscanf(line, "%llu %*s %*s %*s %4095s", &id, mp) != 2 || id != stx.stx_mnt_id)
            continue;
        const char *sep = strstr(line, " - ");
        const char *shared = strstr(line, " shared:");
        if (!shared || (sep && shared > sep))
            return 0;
        if (strchr(mp, '\\'))
            return brick_err(err, EINVAL, "cannot make the rootfs' parent mount private");
        if (mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
            return brick_err_errno(err, errno, "make %s private", mp);
        return 0;
    }
    return 0;
}

/* Annotation run.brick.root.readonly=recursive (what `brick do` writes for
 * the host's root): every mount of the bound tree read-only and private, not
 * only its top one (root.readonly keeps runc's meaning). Private: a mount the
 * host makes later must not appear, writable, inside. */
static int root_recursive_readonly(const struct oci_spec *s, bool *ret, struct brick_error *err)
{
    const char *v = oci_kv_get(s->annotations, s->n_annotations, ROOTFS_ANN_RECURSIVE_RO);
    *ret = v != NULL;
    if (v && !streq(v, "recursive"))
        return brick_err(err, EINVAL,
                         "annotations[\"" ROOTFS_ANN_RECURSIVE_RO "\"]: expected \"recursive\", got \"%s\"",
                         v);
    return 0;
}

/* Bind the rootfs onto itself: pivot_root needs a mount point, and the
 * clone is what root_fd refers to from now on. */
static int bind_rootfs(struct rootfs_ctx *ctx, const char *rootfs, struct brick_error *err)
{
    bool rro;
    int r = root_recursive_readonly(ctx->spec, &rro, err);
    if (r < 0)
        return r;
    _cleanup_close_ int target = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (target < 0)
        return brick_err_errno(err, errno, "rootfs %s", rootfs);

    int tree = mnt_clone(target, "", true);
    if (tree == -ENOSYS) {
        struct fd_path p;
        if (mount(rootfs, fd_path(&p, target), NULL, MS_BIND | MS_REC, NULL) < 0)
            return brick_err_errno(err, errno, "bind rootfs %s", rootfs);
        tree = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (tree < 0)
            return brick_err_errno(err, errno, "rootfs %s", rootfs);
    } else if (tree < 0) {
        return brick_err_errno(err, -tree, "bind rootfs %s", rootfs);
    } else {
        /* still detached: no mount of the config is in the tree yet */
        r = rro ? mnt_setattr(tree, MOUNT_ATTR_RDONLY, 0, MS_PRIVATE, true) : 0;
        if (r >= 0)
            r = mnt_attach(tree, target);
        if (r < 0) {
            close(tree);
            return brick_err_errno(err, -r, "bind rootfs %s%s", rootfs,
                                   rro ? " (recursively read-only)" : "");
        }
        rro = false;
    }
    ctx->root_fd = tree;
    ctx->root_fd_set = true;
    if (rro && (r = mnt_setattr(tree, MOUNT_ATTR_RDONLY, 0, MS_PRIVATE, true)) < 0)
        return brick_err_errno(err, -r, "bind rootfs %s (recursively read-only)", rootfs);
    return 0;
}

/* Mounts made before the container is in its cgroup: only binds and
 * filesystems that open no device and show no cgroup. A cgroup mount needs
 * its namespace and directories; anything else (ext4 of a block device...)
 * may open a device, which the devices cgroup must judge. */
static bool needs_cgroup(const struct oci_mount *m)
{
    static const char *const virtual_fs[] = {"proc", "sysfs", "tmpfs", "devpts", "mqueue", "overlay"};
    bool bind = m->type && streq(m->type, "bind");
    for (size_t i = 0; !bind && m->options && m->options[i]; i++)
        bind = streq(m->options[i], "bind") || streq(m->options[i], "rbind");
    if (bind)
        return false;
    for (size_t i = 0; m->type && i < ARRAY_SIZE(virtual_fs); i++)
        if (streq(m->type, virtual_fs[i]))
            return false;
    return true;
}

static int await_cgroup(struct rootfs_ctx *ctx, struct brick_error *err)
{
    if (ctx->awaited || !ctx->await_cgroup)
        return 0;
    ctx->awaited = true;
    return ctx->await_cgroup(ctx->await_data, err);
}

int rootfs_prepare(struct rootfs_ctx *ctx, struct brick_error *err)
{
    const struct oci_spec *s = ctx->spec;
    const char *rootfs = ctx->rootfs;
    int r;

    ctx->root_fd = -EBADF;
    ctx->root_fd_set = false;
    if (!rootfs) {
        if (!s->root.path)
            return brick_err(err, EINVAL, "root.path is missing");
        ctx->rootfs_buf =
            s->root.path[0] == '/' ? xstrdup(s->root.path) : xasprintf("%s/%s", ctx->bundle, s->root.path);
        rootfs = ctx->rootfs_buf;
    }
    /* Nothing we mount from here on may propagate back to the host. */
    unsigned long prop = root_propagation(s);
    if (mount(NULL, "/", NULL, prop, NULL) < 0)
        return brick_err_errno(err, errno, "set propagation of /");
    /* A recursive slave/private/unbindable change left no mount shared:
     * only then is the mountinfo scan for the rootfs' parent unneeded. */
    bool none_shared = (prop & MS_REC) && !(prop & MS_SHARED);
    if ((r = rootfs_ext_parse(s, &ctx->ext, err)) < 0 ||
        (!none_shared && (r = parent_mount_private(rootfs, err)) < 0) ||
        (r = bind_rootfs(ctx, rootfs, err)) < 0)
        return r;
    for (size_t i = 0; i < s->n_mounts; i++) {
        if (!ctx->awaited && needs_cgroup(&s->mounts[i]) && (r = await_cgroup(ctx, err)) < 0)
            return r;
        if ((r = rootfs_mount_one(ctx, i, err)) < 0)
            return r;
    }
    /* device nodes are made where the devices cgroup already applies */
    if ((r = await_cgroup(ctx, err)) < 0 || (r = rootfs_setup_dev(ctx, err)) < 0)
        return r;
    return rootfs_ext_finish(ctx, err);
}

static int move_root(struct rootfs_ctx *ctx, struct brick_error *err)
{
    _cleanup_close_ int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (slash < 0)
        return brick_err_errno(err, errno, "open /");
    int r = mnt_attach(ctx->root_fd, slash);
    if (r == -ENOSYS)
        r = mount(".", "/", NULL, MS_MOVE, NULL) < 0 ? -errno : 0;
    if (r < 0)
        return brick_err_errno(err, -r, "move rootfs to /");
    if (chroot(".") < 0)
        return brick_err_errno(err, errno, "chroot");
    return 0;
}

int rootfs_pivot(struct rootfs_ctx *ctx, struct brick_error *err)
{
    int r;

    if (ctx->no_pivot) {
        if (fchdir(ctx->root_fd) < 0)
            return brick_err_errno(err, errno, "chdir to rootfs");
        if ((r = move_root(ctx, err)) < 0)
            return r;
    } else {
        _cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (old_root < 0)
            return brick_err_errno(err, errno, "open /");
        if (fchdir(ctx->root_fd) < 0)
            return brick_err_errno(err, errno, "chdir to rootfs");
        /* pivot_root(".", ".") stacks the old root on top of the new one. */
        if ((r = sys_pivot_root(".", ".")) < 0)
            return brick_err_errno(err, -r, "pivot_root");
        /* Into the old root itself: "." from the new root's directory would
         * name the new root (a lookup of "." does not cross the mount stacked
         * on it), and making *that* a recursive slave cut the container's
         * rshared mounts off from the host (Kubernetes' Bidirectional). */
        if (fchdir(old_root) < 0)
            return brick_err_errno(err, errno, "chdir to the old root");
        /* Slave first: the detach must not propagate to the host's mounts. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
            return brick_err_errno(err, errno, "make old root rslave");
        if (umount2(".", MNT_DETACH) < 0)
            return brick_err_errno(err, errno, "detach old root");
    }
    if (chdir("/") < 0)
        return brick_err_errno(err, errno, "chdir /");
    return 0;
}

int rootfs_finalize(struct rootfs_ctx *ctx, struct brick_error *err)
{
    const struct oci_spec *s = ctx->spec;
    int r;

    if ((r = rootfs_readonly_later(ctx, err)) < 0 || (r = rootfs_readonly_paths(ctx, err)) < 0 ||
        (r = rootfs_masked_paths(ctx, err)) < 0)
        return r;
    /* Top mount only, like runc: binds below keep their own flags. */
    if (s->root.readonly && (r = mnt_setattr(ctx->root_fd, MOUNT_ATTR_RDONLY, 0, 0, false)) < 0)
        return brick_err_errno(err, -r, "root.readonly");
    if (s->linux_.rootfs_propagation) {
        unsigned long flags;
        if (mount_propagation_parse(s->linux_.rootfs_propagation, &flags) < 0)
            return brick_err(err, EINVAL, "linux.rootfsPropagation: unknown value \"%s\"",
                             s->linux_.rootfs_propagation);
        if ((r = mnt_setattr(ctx->root_fd, 0, 0, flags, false)) < 0)
            return brick_err_errno(err, -r, "linux.rootfsPropagation");
    }
    return 0;
}

void rootfs_ctx_done(struct rootfs_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->root_fd_set && ctx->root_fd >= 0)
        close(ctx->root_fd);
    ctx->root_fd = -EBADF;
    ctx->root_fd_set = false;
    free(ctx->rootfs_buf);
    ctx->rootfs_buf = NULL;
    rootfs_ext_done(&ctx->ext);
    for (size_t i = 0; i < ctx->n_cover_fds; i++)
        if (ctx->cover_fds[i] >= 0)
            close(ctx->cover_fds[i]);
    free(ctx->cover_fds);
    ctx->cover_fds = NULL;
    ctx->n_cover_fds = 0;
    for (size_t i = 0; i < ctx->n_ro_later; i++)
        close(ctx->ro_later[i]);
    free(ctx->ro_later);
    ctx->ro_later = NULL;
    ctx->n_ro_later = 0;
}
