/* mounts.c — carry out one entry of the spec's "mounts" array.
 *
 * Binds: open_tree(OPEN_TREE_CLONE) of the host source, attributes set on the
 * still-detached copy (so it is never visible read-write when "ro" was
 * asked), then move_mount onto the destination fd resolved in the root.
 * Other filesystems: fsopen/fsconfig/fsmount, then the same move_mount. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "rootfs/internal.h"
#include "rootfs/resolve.h"
#include "rootfs/sys.h"

bool spec_has_ns(const struct oci_spec *s, enum oci_ns_type t)
{
    for (size_t i = 0; i < s->linux_.n_namespaces; i++)
        if (s->linux_.namespaces[i].type == t)
            return true;
    return false;
}

int mount_apply_attrs(int mnt_fd, const struct mount_opts *o, struct brick_error *err)
{
    /* Recursive first so a top-only option given with it ("rro,rw") wins on
     * the top mount. */
    int r = mnt_setattr(mnt_fd, o->rec_attr_set, o->rec_attr_clr, 0, true);
    if (r < 0)
        return brick_err_errno(err, -r, "mount_setattr (recursive)");
    r = mnt_setattr(mnt_fd, o->attr_set, o->attr_clr, 0, false);
    if (r < 0)
        return brick_err_errno(err, -r, "mount_setattr");
    return 0;
}

int mount_apply_propagation(int mnt_fd, const struct mount_opts *o, struct brick_error *err)
{
    for (size_t i = 0; i < o->n_propagation; i++) {
        int r = mnt_setattr(mnt_fd, 0, 0, o->propagation[i], false);
        if (r < 0)
            return brick_err_errno(err, -r, "set propagation");
    }
    return 0;
}

static int check_dest_type(int dst_fd, bool want_dir, struct brick_error *err)
{
    struct stat st;

    if (fstat(dst_fd, &st) < 0)
        return brick_err_errno(err, errno, "stat destination");
    if (want_dir && !S_ISDIR(st.st_mode))
        return brick_err(err, ENOTDIR, "destination is not a directory");
    if (!want_dir && S_ISDIR(st.st_mode))
        return brick_err(err, EISDIR, "source is a file but the destination is a directory");
    return 0;
}

static int do_bind(struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_opts *o,
                   int idmapped, struct brick_error *err)
{
    _cleanup_free_ char *src = NULL;
    struct stat st;

    if (!source)
        return brick_err(err, EINVAL, "bind mount without a source");
    src = rootfs_bind_source(ctx->bundle, source);
    /* stat() first: it names a missing source plainly, and tells whether to
     * create a directory or an empty file as the mount point. An id-mapped
     * tree (idmap.c) is its own answer: cloned already. */
    if ((idmapped >= 0 ? fstat(idmapped, &st) : stat(src, &st)) < 0)
        return brick_err_errno(err, errno, "source %s", source);

    bool dir = S_ISDIR(st.st_mode);
    _cleanup_close_ int dst = resolve_in_root(ctx->root_fd, dest, dir ? RESOLVE_MKDIR : RESOLVE_MKFILE, err);
    if (dst < 0)
        return dst;
    int r = check_dest_type(dst, dir, err);
    if (r < 0)
        return r;

    if (idmapped >= 0) {
        if ((r = mount_apply_attrs(idmapped, o, err)) < 0)
            return r;
        if ((r = mnt_attach(idmapped, dst)) < 0)
            return brick_err_errno(err, -r, "move_mount (id-mapped)");
        return mount_apply_propagation(idmapped, o, err);
    }
    _cleanup_close_ int tree = mnt_clone(AT_FDCWD, src, o->recursive);
    if (tree == -ENOSYS)
        return legacy_bind(ctx->root_fd, src, dst, dest, o, err);
    if (tree < 0)
        return brick_err_errno(err, -tree, "source %s", source);
    if ((r = mount_apply_attrs(tree, o, err)) < 0)
        return r;
    if ((r = mnt_attach(tree, dst)) < 0)
        return brick_err_errno(err, -r, "move_mount");
    return mount_apply_propagation(tree, o, err);
}

/* A tmpfs over a directory of the image: tmpcopyup copies its content in,
 * and the mount takes the directory's mode (as runc: mode=1777 and the like
 * only hold for a directory made for the mount). Done while the new mount is
 * detached and writable; "ro" is applied after. */
static int tmpfs_over_dir(int dst, int mnt, const struct mount_opts *o, bool existed, struct brick_error *err)
{
    struct stat st;
    int r = 0;
    if (existed && fstat(dst, &st) < 0)
        return brick_err_errno(err, errno, "stat destination");
    if (o->tmpcopyup && existed) {
        _cleanup_close_ int src = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
            return brick_err_errno(err, errno, "tmpcopyup: open the directory");
        if ((r = rootfs_copy_up(src, mnt, err)) < 0)
            return r;
    }
    if (existed) {
        _cleanup_close_ int root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 || fchmod(root, st.st_mode & 07777) < 0)
            return brick_err_errno(err, errno, "tmpfs: mode of the mount point");
    }
    uint64_t ro = (o->attr_set | o->rec_attr_set) & MOUNT_ATTR_RDONLY;
    if (ro && (r = mnt_setattr(mnt, MOUNT_ATTR_RDONLY, 0, 0, false)) < 0)
        return brick_err_errno(err, -r, "mount_setattr");
    return 0;
}

static int do_fs(struct rootfs_ctx *ctx, const struct oci_mount *m, const struct mount_opts *o,
                 struct brick_error *err)
{
    bool tmpfs = streq(m->type, "tmpfs");
    bool existed = false;
    int dst = -EBADF;
    if (tmpfs) {
        struct brick_error ignored;
        dst = resolve_in_root(ctx->root_fd, m->destination, RESOLVE_EXISTING, &ignored);
        existed = dst >= 0;
    }
    if (dst < 0)
        dst = resolve_in_root(ctx->root_fd, m->destination, RESOLVE_MKDIR, err);
    _cleanup_close_ int dst_owner = dst;
    if (dst < 0)
        return dst;
    /* A filesystem root is a directory; for proc in particular a file or a
     * symlink target here is a classic attack on the later masking. */
    int r = check_dest_type(dst, true, err);
    if (r < 0)
        return r;
    if (streq(m->type, "cgroup"))
        return rootfs_mount_cgroup(ctx, dst, o, err);

    uint64_t attr = (o->attr_set | o->rec_attr_set) & MOUNT_ATTR_FSMOUNT_MASK;
    if (tmpfs)
        attr &= ~(uint64_t)MOUNT_ATTR_RDONLY; /* tmpfs_over_dir() writes first */
    bool cover = tmpfs && rootfs_is_cover(ctx, m->destination);
    if (cover && !existed)
        return brick_err(err, ENOENT, "cover: the directory does not exist");
    _cleanup_close_ int mnt = mnt_fs_new(m->type, m->source, o->data, o->sb_set, o->sb_clr, attr, err);
    if (mnt == -ENOSYS) {
        if (o->tmpcopyup || cover)
            return brick_err(err, ENOSYS, "%s needs the new mount API (Linux 5.2)",
                             cover ? "cover" : "tmpcopyup");
        return legacy_fs(ctx->root_fd, m->type, m->source, dst, m->destination, o, err);
    }
    if (mnt < 0)
        return mnt;
    if (tmpfs && (r = tmpfs_over_dir(dst, mnt, o, existed, err)) < 0)
        return r;
    if (cover)
        return rootfs_cover_attach(ctx, dst, mnt, err);
    if ((r = mnt_attach(mnt, dst)) < 0)
        return brick_err_errno(err, -r, "move_mount");
    return mount_apply_propagation(mnt, o, err);
}

/* "remount": change the attributes of what is already mounted there. */
static int do_remount(struct rootfs_ctx *ctx, const char *dest, const struct mount_opts *o,
                      struct brick_error *err)
{
    _cleanup_close_ int dst = resolve_in_root(ctx->root_fd, dest, RESOLVE_EXISTING, err);
    if (dst < 0)
        return dst;
    int r = mount_apply_attrs(dst, o, err);
    return r < 0 ? r : mount_apply_propagation(dst, o, err);
}

/* CVE-2023-25809: the host's /sys carries its cgroup hierarchies under
 * /sys/fs/cgroup, read-write, with the cgroups systemd delegates to a user
 * writable by that user. "ro" on a recursive bind of it would cover the top
 * mount only (runc's meaning of "ro"), and a rootless container (`spec
 * --rootless`, an engine's config without a network namespace) could write
 * its caller's cgroups: there "ro" is made recursive. */
static void sysfs_readonly_throughout(struct mount_opts *o)
{
    if (o->attr_set & MOUNT_ATTR_RDONLY)
        o->rec_attr_set |= MOUNT_ATTR_RDONLY;
}

static bool source_is_sysfs(const char *source)
{
    struct statfs sf;
    return source && source[0] == '/' && statfs(source, &sf) == 0 && sf.f_type == SYSFS_MAGIC;
}

/* sysfs belongs to a network namespace: a fresh sysfs would show the host's
 * network devices, and is refused by the kernel in a user namespace that
 * does not own the netns. Like runc, bind the host's /sys instead, "ro"
 * throughout as for a bind of it the config asks for. */
static void sysfs_as_bind(struct mount_opts *o)
{
    o->is_bind = o->recursive = true;
    sysfs_readonly_throughout(o);
    free(o->data);
    o->data = NULL;
}

/* proc and sysfs go on an ordinary directory, never through a symlink the
 * image placed there (runc: "must be mounted on ordinary directory"): a
 * /proc -> /somewhere link would move procfs and leave /proc to the image,
 * where masking and the runtime's own /proc reads would miss it. The
 * last component is looked at unfollowed, in its parent resolved in the root. */
static int check_ordinary_dir(const struct rootfs_ctx *ctx, const struct oci_mount *m,
                              struct brick_error *err)
{
    _cleanup_free_ char *dir = xstrdup(m->destination);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : dir;
    if (slash)
        *slash = '\0';
    struct brick_error ignored;
    _cleanup_close_ int parent =
        resolve_in_root(ctx->root_fd, slash && *dir ? dir : "/", RESOLVE_EXISTING, &ignored);
    struct stat st;
    if (parent < 0 || !*base || fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode))
        return 0; /* missing: made as a directory */
    return brick_err(err, ENOTDIR, "filesystem \"%s\" must be mounted on an ordinary directory", m->type);
}

static int mount_dispatch(struct rootfs_ctx *ctx, const struct oci_mount *m, struct mount_opts *o,
                          int idmapped, struct brick_error *err)
{
    if (o->remount)
        return do_remount(ctx, m->destination, o, err);
    if (!o->is_bind && m->type && (streq(m->type, "proc") || streq(m->type, "sysfs"))) {
        int r = check_ordinary_dir(ctx, m, err);
        if (r < 0)
            return r;
    }
    if (streq(m->type, "sysfs") && !o->is_bind && !spec_has_ns(ctx->spec, OCI_NS_NETWORK)) {
        sysfs_as_bind(o);
        return do_bind(ctx, "/sys", m->destination, o, -1, err);
    }
    if (o->is_bind && o->recursive && source_is_sysfs(m->source))
        sysfs_readonly_throughout(o);
    if (o->is_bind)
        return do_bind(ctx, m->source, m->destination, o, idmapped, err);
    if (!m->type || !*m->type)
        return brick_err(err, EINVAL, "no filesystem type");
    int r = do_fs(ctx, m, o, err);
    /* a network namespace joined by path that another user namespace owns
     * refuses a fresh sysfs to ours: the host's /sys, as without one (crun) */
    if (r == -EPERM && ctx->in_userns && streq(m->type, "sysfs")) {
        sysfs_as_bind(o);
        r = do_bind(ctx, "/sys", m->destination, o, -1, err);
    }
    return r;
}

/* Whether a later mount of the config lands beneath mounts[idx]. */
static bool mounts_below_later(const struct oci_spec *s, size_t idx)
{
    const char *d = s->mounts[idx].destination;
    size_t n = strlen(d);
    while (n > 0 && d[n - 1] == '/')
        n--;
    for (size_t j = idx + 1; j < s->n_mounts; j++) {
        const char *e = s->mounts[j].destination;
        if (e && strncmp(e, d, n) == 0 && e[n] == '/' && e[n + strspn(e + n, "/")])
            return true;
    }
    return false;
}

/* A read-only mount with later mounts beneath it (a read-only /dev with
 * /dev/pts and /dev/shm in it): its top is mounted writable, so their mount
 * points and the device nodes can be made, and made read-only once they
 * are (rootfs_readonly_later), as runc does for /dev. */
static bool defer_readonly(const struct rootfs_ctx *ctx, size_t idx, struct mount_opts *o)
{
    /* Never sysfs, fresh or bound: its mount points (/sys/fs/cgroup) exist
     * already, and a /sys bound from the host must be read-only throughout,
     * submounts and all, from the start (sysfs_readonly_throughout,
     * CVE-2023-25809). */
    const struct oci_mount *m = &ctx->spec->mounts[idx];
    if (o->remount || !((o->attr_set | o->rec_attr_set) & MOUNT_ATTR_RDONLY) ||
        (m->type && streq(m->type, "sysfs")) || (o->is_bind && source_is_sysfs(m->source)) ||
        !mounts_below_later(ctx->spec, idx))
        return false;
    o->attr_set &= ~(uint64_t)MOUNT_ATTR_RDONLY;
    o->attr_clr |= MOUNT_ATTR_RDONLY; /* the top only: a bind's submounts keep "rro" */
    if (!o->is_bind)                  /* a new filesystem has no submounts */
        o->rec_attr_set &= ~(uint64_t)MOUNT_ATTR_RDONLY;
    return true;
}

/* Remember the mount now at dest, to be made read-only later. */
static int remember_readonly(struct rootfs_ctx *ctx, const char *dest, struct brick_error *err)
{
    int fd = resolve_in_root(ctx->root_fd, dest, RESOLVE_EXISTING, err);
    if (fd < 0)
        return fd;
    ctx->ro_later = xrealloc(ctx->ro_later, (ctx->n_ro_later + 1) * sizeof(*ctx->ro_later));
    ctx->ro_later[ctx->n_ro_later++] = fd;
    return 0;
}

int rootfs_readonly_later(struct rootfs_ctx *ctx, struct brick_error *err)
{
    for (size_t i = 0; i < ctx->n_ro_later; i++) {
        int r = mnt_setattr(ctx->ro_later[i], MOUNT_ATTR_RDONLY, 0, 0, false);
        if (r < 0)
            return brick_err_errno(err, -r, "make a mount read-only after the mounts beneath it");
    }
    return 0;
}

int rootfs_mount_one(struct rootfs_ctx *ctx, size_t idx, struct brick_error *err)
{
    const struct oci_mount *m = &ctx->spec->mounts[idx];
    struct mount_opts o = {0};
    int r = mount_options_parse(m->options, m->type, &o, err);

    if (r >= 0) {
        if (!m->destination || !*m->destination)
            r = brick_err(err, EINVAL, "no destination");
        else {
            bool later = defer_readonly(ctx, idx, &o);
            r = mount_dispatch(ctx, m, &o, ctx->idmap_fds ? ctx->idmap_fds[idx] : -1, err);
            if (r >= 0 && later)
                r = remember_readonly(ctx, m->destination, err);
        }
    }
    if (r < 0) {
        const char *d = m->destination ? m->destination : "?";
        if (o.is_bind || !m->type)
            brick_err_prefix(err, "mounts[%zu] %s", idx, d);
        else
            brick_err_prefix(err, "mounts[%zu] %s (%s)", idx, d, m->type);
    }
    mount_opts_done(&o);
    return r;
}
