/* cgroup_mount.c — a "cgroup" entry of spec.mounts.
 *
 * cgroup2-only host: one cgroup2 mount. v1/hybrid host: a tmpfs holding one
 * directory per hierarchy of /proc/self/cgroup ("cpu,cpuacct" with "cpu" and
 * "cpuacct" symlinks for co-mounts, "systemd" for name=systemd) and
 * "unified" for the hybrid cgroup2, as the host lays it out.
 *
 * In a cgroup namespace a fresh mount shows the namespace root, i.e. only
 * the container's own cgroup. Without one a fresh mount would show the host's
 * whole tree, so bind the directory of our own cgroup from the host's mount
 * instead. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "rootfs/internal.h"
#include "rootfs/sys.h"

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++, w++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
            *w = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 3;
        } else {
            *w = *r;
        }
    }
    *w = '\0';
}

/* Every controller of "cpu,cpuacct" / "name=systemd" appears in superopts. */
static bool opts_match(const char *controllers, const char *superopts)
{
    _cleanup_strv_ char **have = NULL;
    _cleanup_free_ char *c = xstrdup(superopts), *want = xstrdup(controllers);
    char *save = NULL;

    for (char *w = strtok_r(c, ",", &save); w; w = strtok_r(NULL, ",", &save))
        strv_push(&have, w);
    for (char *w = strtok_r(want, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        bool found = false;
        for (size_t i = 0; have && have[i] && !found; i++)
            found = streq(have[i], w);
        if (!found)
            return false;
    }
    return true;
}

/* The host's cgroup mounts, read from /proc/self/mountinfo once per cgroup
 * entry (not once per hierarchy). */
struct cg_mount {
    char *fstype, *superopts, *root, *mp;
};
struct cg_mounts {
    struct cg_mount *m;
    size_t n;
};

static void cg_mounts_free(struct cg_mounts *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->m[i].fstype);
        free(t->m[i].superopts);
        free(t->m[i].root);
        free(t->m[i].mp);
    }
    free(t->m);
    t->m = NULL;
    t->n = 0;
}

static void cg_mounts_read(struct cg_mounts *t)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;

    while (f && getline(&line, &cap, f) > 0) {
        char root[4096], mp[4096], fstype[64], superopts[1024];
        const char *sep = strstr(line, " - ");
        if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || !startswith(fstype, "cgroup") ||
            sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
            sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2)
            continue;
        unescape(root);
        unescape(mp);
        t->m = xrealloc(t->m, (t->n + 1) * sizeof(*t->m));
        t->m[t->n++] = (struct cg_mount){xstrdup(fstype), xstrdup(superopts), xstrdup(root), xstrdup(mp)};
    }
}

/* Find the host mount of a hierarchy (controllers NULL: cgroup2). Returns the
 * mount point, and in *ret_root the cgroup the mount shows at its root. */
static const struct cg_mount *find_mount(const struct cg_mounts *t, const char *controllers)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct cg_mount *m = &t->m[i];
        if (controllers ? streq(m->fstype, "cgroup") && opts_match(controllers, m->superopts)
                        : streq(m->fstype, "cgroup2"))
            return m;
    }
    return NULL;
}

/* A detached mount of one hierarchy: fresh in a cgroupns, else a bind of our
 * own cgroup directory under the host's mount. -ENODEV (err untouched):
 * the host does not mount this hierarchy. */
static int hierarchy_mount(const struct rootfs_ctx *ctx, const struct cg_mounts *host, bool cgroupns,
                           const char *controllers, const char *path, struct brick_error *err)
{
    /* Our own directory, known to the runtime: one open_tree, no lookup in
     * the host's mount table, no new mount context. In a cgroup namespace
     * rooted there it reads exactly as a fresh mount would (root "/" in
     * mountinfo, only our cgroup visible). */
    for (size_t i = 0; controllers && i < ctx->n_cgroup_dirs; i++) {
        const struct rootfs_cgroup_dir *d = &ctx->cgroup_dirs[i];
        if (!streq(d->controllers, controllers))
            continue;
        int fd = mnt_clone(d->mount_fd, d->rel, false);
        return fd < 0 ? brick_err_errno(err, -fd, "bind cgroup %s", controllers) : fd;
    }
    if (cgroupns) {
        bool named = controllers && startswith(controllers, "name=");
        _cleanup_free_ char *data = named ? xasprintf("none,%s", controllers) : NULL;
        return mnt_fs_new(controllers ? "cgroup" : "cgroup2", "cgroup", named ? data : controllers, 0, 0,
                          MOUNT_ATTR_SAFE, err);
    }
    const struct cg_mount *m = find_mount(host, controllers);
    if (!m)
        return -ENODEV;
    /* Our cgroup path and the mount's root are both relative to our cgroup
     * namespace: the directory is mp + (path - root). */
    size_t rl = streq(m->root, "/") ? 0 : strlen(m->root);
    if (strncmp(path, m->root, rl) != 0)
        return brick_err(err, ENOENT, "cgroup %s is outside the host mount %s", path, m->mp);
    _cleanup_free_ char *dir = xasprintf("%s%s", m->mp, path + rl);
    int fd = mnt_clone(AT_FDCWD, dir, false);
    if (fd < 0)
        return brick_err_errno(err, -fd, "bind %s", dir);
    return fd;
}

static int attach_in(int parent_fd, const char *name, int mnt_fd, struct brick_error *err)
{
    if (mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST)
        return brick_err_errno(err, errno, "mkdir %s", name);
    _cleanup_close_ int dir = openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0)
        return brick_err_errno(err, errno, "open %s", name);
    int r = mnt_attach(mnt_fd, dir);
    return r < 0 ? brick_err_errno(err, -r, "move_mount %s", name) : 0;
}

/* One line of /proc/self/cgroup: "4:cpu,cpuacct:/path" (v2: "0::/path"). */
static int v1_line(const struct rootfs_ctx *ctx, const struct cg_mounts *host, int tmpfs_fd, bool cgroupns,
                   bool hybrid, char *line, struct brick_error *err)
{
    line[strcspn(line, "\n")] = '\0';
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return 0;
    *c2 = '\0';
    const char *ctrls = c1 + 1, *path = c2 + 1;
    bool v2 = !*ctrls;
    if (v2 && !hybrid)
        return 0;
    const char *name = v2 ? "unified" : startswith(ctrls, "name=") ? ctrls + 5 : ctrls;

    _cleanup_close_ int mnt = hierarchy_mount(ctx, host, cgroupns, v2 ? NULL : ctrls, path, err);
    if (mnt == -ENODEV)
        return 0; /* the host does not mount this hierarchy: nothing to show */
    if (mnt < 0)
        return brick_err_prefix(err, "cgroup %s", name);
    int r = attach_in(tmpfs_fd, name, mnt, err);
    if (r < 0 || v2 || !strchr(ctrls, ','))
        return r;
    _cleanup_free_ char *copy = xstrdup(ctrls);
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        if (symlinkat(name, tmpfs_fd, w) < 0 && errno != EEXIST)
            return brick_err_errno(err, errno, "symlink %s", w);
    return 0;
}

static int mount_v1(const struct rootfs_ctx *ctx, bool cgroupns, int dst_fd, const struct mount_opts *o,
                    struct brick_error *err)
{
    _cleanup_close_ int tmpfs = mnt_fs_new("tmpfs", "tmpfs", "mode=755", 0, 0, MOUNT_ATTR_SAFE, err);
    _cleanup_fclose_ FILE *f = NULL;
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    int r;

    if (tmpfs < 0)
        return tmpfs;
    if ((r = mnt_attach(tmpfs, dst_fd)) < 0)
        return brick_err_errno(err, -r, "move_mount tmpfs");
    /* The host's mount table is needed for the binds (no cgroupns) and to
     * tell a hybrid host, unless its cgroup2 sits where systemd puts it. */
    struct cg_mounts host = {0};
    struct statfs u;
    bool hybrid = statfs("/sys/fs/cgroup/unified", &u) == 0 && u.f_type == CGROUP2_SUPER_MAGIC;
    if (!cgroupns || !hybrid)
        cg_mounts_read(&host);
    hybrid = hybrid || find_mount(&host, NULL) != NULL;
    if (!(f = fopen("/proc/self/cgroup", "re"))) {
        cg_mounts_free(&host);
        return brick_err_errno(err, errno, "open /proc/self/cgroup");
    }
    r = 0;
    while (r >= 0 && getline(&line, &cap, f) > 0)
        r = v1_line(ctx, &host, tmpfs, cgroupns, hybrid, line, err);
    cg_mounts_free(&host);
    if (r < 0)
        return r;
    /* Spec attributes (ro, ...) for the tmpfs and every hierarchy under it;
     * nosuid, nodev, noexec unless the spec clears them, as fresh mounts
     * get them (the binds would otherwise carry the host mount's flags). */
    uint64_t clr = o->attr_clr | o->rec_attr_clr;
    uint64_t set = o->attr_set | o->rec_attr_set | (MOUNT_ATTR_SAFE & ~clr);
    if ((r = mnt_setattr(tmpfs, set, clr, 0, true)) < 0)
        return brick_err_errno(err, -r, "mount_setattr");
    return 0;
}

int rootfs_mount_cgroup(const struct rootfs_ctx *ctx, int dst_fd, const struct mount_opts *o,
                        struct brick_error *err)
{
    bool cgroupns = spec_has_ns(ctx->spec, OCI_NS_CGROUP);
    struct statfs sfs;

    if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
        return mount_v1(ctx, cgroupns, dst_fd, o, err);

    _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096] = "";
    if (!f || !fgets(line, sizeof(line), f) || !startswith(line, "0::"))
        return brick_err(err, EINVAL, "cannot read own cgroup2 path from /proc/self/cgroup");
    line[strcspn(line, "\n")] = '\0';
    struct cg_mounts host = {0};
    if (!cgroupns)
        cg_mounts_read(&host);
    _cleanup_close_ int mnt = hierarchy_mount(ctx, &host, cgroupns, NULL, line + 3, err);
    cg_mounts_free(&host);
    if (mnt < 0)
        return mnt == -ENODEV ? brick_err(err, ENODEV, "no cgroup2 mount on the host") : mnt;
    int r = mount_apply_attrs(mnt, o, err);
    if (r < 0)
        return r;
    r = mnt_attach(mnt, dst_fd);
    return r < 0 ? brick_err_errno(err, -r, "move_mount") : 0;
}
