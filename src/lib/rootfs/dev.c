/* dev.c — device nodes and the /dev symlinks every container expects.
 *
 * Nodes are created with mknodat relative to an fd of their parent directory
 * resolved inside the root, so a rootfs whose /dev is a symlink to the host's
 * /dev cannot make us create (or chown) nodes outside the container. In a
 * user namespace mknod is refused by the kernel: the host's node is
 * bind-mounted onto an empty file instead, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "rootfs/internal.h"
#include "rootfs/resolve.h"
#include "rootfs/sys.h"

struct node {
    const char *path;
    mode_t mode; /* S_IFCHR|0666, ... */
    dev_t rdev;
    uid_t uid;
    gid_t gid;
};

/* The runtime-spec's default devices (config-linux.md, "Default Devices"). */
static const struct {
    const char *path;
    unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static int bind_host_node(int root_fd, const struct node *n, struct brick_error *err)
{
    _cleanup_close_ int dst = resolve_in_root(root_fd, n->path, RESOLVE_MKFILE, err);
    if (dst < 0)
        return dst;
    _cleanup_close_ int tree = mnt_clone(AT_FDCWD, n->path, false);
    if (tree < 0)
        return brick_err_errno(err, -tree, "bind host %s", n->path);
    int r = mnt_attach(tree, dst);
    return r < 0 ? brick_err_errno(err, -r, "move_mount") : 0;
}

/* An existing entry is accepted only if it already is this very node; it is
 * never unlinked, since /dev may be a bind of the host's /dev. */
static int check_existing(int parent, const char *base, const struct node *n, struct brick_error *err)
{
    struct stat st;

    if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return brick_err_errno(err, errno, "stat");
    if ((st.st_mode & S_IFMT) != (n->mode & S_IFMT) || (!S_ISFIFO(st.st_mode) && st.st_rdev != n->rdev))
        return brick_err(err, EEXIST, "exists and is not the requested device");
    return 0;
}

static int make_node(struct rootfs_ctx *ctx, const struct node *n, struct brick_error *err)
{
    const char *slash = strrchr(n->path, '/');
    if (!slash || !slash[1])
        return brick_err(err, EINVAL, "invalid device path");
    if (ctx->in_userns && !S_ISFIFO(n->mode))
        return bind_host_node(ctx->root_fd, n, err);

    _cleanup_free_ char *dir = xstrndup(n->path, (size_t)(slash - n->path));
    _cleanup_close_ int parent = resolve_in_root(ctx->root_fd, *dir ? dir : "/", RESOLVE_MKDIR, err);
    if (parent < 0)
        return parent;
    /* umask is 0 around rootfs_setup_dev(): the mode is taken as given. */
    if (mknodat(parent, slash + 1, n->mode, n->rdev) < 0) {
        if (errno != EEXIST)
            return brick_err_errno(err, errno, "mknod");
        int r = check_existing(parent, slash + 1, n, err);
        if (r < 0)
            return r;
    }
    if (fchownat(parent, slash + 1, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return brick_err_errno(err, errno, "chown");
    return 0;
}

static int device_node(const struct oci_device *d, struct node *n, struct brick_error *err)
{
    mode_t type;

    if (streq(d->type, "c") || streq(d->type, "u"))
        type = S_IFCHR;
    else if (streq(d->type, "b"))
        type = S_IFBLK;
    else if (streq(d->type, "p"))
        type = S_IFIFO;
    else
        return brick_err(err, EINVAL, "unknown device type \"%s\"", d->type ? d->type : "");
    if (type != S_IFIFO && (!d->has_major || !d->has_minor))
        return brick_err(err, EINVAL, "major and minor are required");
    *n = (struct node){
        .path = d->path,
        /* runc's default when fileMode is absent. */
        .mode = type | (d->has_file_mode ? (d->file_mode & 07777) : 0666),
        .rdev = type == S_IFIFO ? 0 : makedev((unsigned)d->major, (unsigned)d->minor),
        .uid = d->has_uid ? d->uid : 0,
        .gid = d->has_gid ? d->gid : 0,
    };
    return 0;
}

static bool listed(const struct oci_spec *s, const char *path)
{
    for (size_t i = 0; i < s->linux_.n_devices; i++)
        if (streq(s->linux_.devices[i].path, path))
            return true;
    return false;
}

static int make_devices(struct rootfs_ctx *ctx, struct brick_error *err)
{
    const struct oci_spec *s = ctx->spec;
    int r;

    for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
        if (listed(s, default_devices[i].path))
            continue;
        struct node n = {
            .path = default_devices[i].path,
            .mode = S_IFCHR | 0666,
            .rdev = makedev(default_devices[i].major, default_devices[i].minor),
        };
        if ((r = make_node(ctx, &n, err)) < 0)
            return brick_err_prefix(err, "device %s", n.path);
    }
    for (size_t i = 0; i < s->linux_.n_devices; i++) {
        struct node n;
        const char *p = s->linux_.devices[i].path ? s->linux_.devices[i].path : "?";
        if ((r = device_node(&s->linux_.devices[i], &n, err)) < 0 || (r = make_node(ctx, &n, err)) < 0)
            return brick_err_prefix(err, "linux.devices %s", p);
    }
    return 0;
}

static int dev_links(int dev_fd, struct brick_error *err)
{
    static const char
        *const links[]
                    [2] = {
                        {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"},
                        {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                        {"/proc/kcore", "core"}, /* runc adds it when the host has /proc/kcore */
                    };
    struct stat st;

    for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
        if (streq(links[i][1], "core") && access("/proc/kcore", F_OK) < 0)
            continue;
        if (symlinkat(links[i][0], dev_fd, links[i][1]) < 0 && errno != EEXIST)
            return brick_err_errno(err, errno, "symlink /dev/%s", links[i][1]);
    }
    /* With a private devpts, /dev/ptmx must be its ptmx, not a host node. */
    if (fstatat(dev_fd, "pts", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
        if (unlinkat(dev_fd, "ptmx", 0) < 0 && errno != ENOENT)
            return brick_err_errno(err, errno, "remove /dev/ptmx");
        if (symlinkat("pts/ptmx", dev_fd, "ptmx") < 0)
            return brick_err_errno(err, errno, "symlink /dev/ptmx");
    }
    return 0;
}

/* runc leaves /dev alone when the config bind-mounts it from the host. */
static bool dev_is_bind(const struct oci_spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct oci_mount *m = &s->mounts[i];
        struct mount_opts o;
        if (!streq(m->destination, "/dev") || mount_options_parse(m->options, m->type, &o, NULL) < 0)
            continue;
        bool bind = o.is_bind;
        mount_opts_done(&o);
        if (bind)
            return true;
    }
    return false;
}

int rootfs_setup_dev(struct rootfs_ctx *ctx, struct brick_error *err)
{
    if (dev_is_bind(ctx->spec))
        return 0;

    mode_t old = umask(0);
    int r = make_devices(ctx, err);
    umask(old);
    if (r < 0)
        return r;
    _cleanup_close_ int dev = resolve_in_root(ctx->root_fd, "/dev", RESOLVE_MKDIR, err);
    if (dev < 0)
        return brick_err_prefix(err, "/dev");
    return dev_links(dev, err);
}
