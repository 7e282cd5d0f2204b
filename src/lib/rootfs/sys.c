/* sys.c — syscall wrappers for the new mount API, openat2 and pivot_root. */
#include "rootfs/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#define FS_LOG_MAX 256

static int neg(long r) { return r < 0 ? -errno : (int)r; }

int sys_openat2(int dfd, const char *path, const struct open_how *how)
{
    return neg(syscall(SYS_openat2, dfd, path, how, sizeof(*how)));
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
    return neg(syscall(SYS_pivot_root, new_root, put_old));
}

int mnt_clone(int dfd, const char *path, bool recursive)
{
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
    if (!*path)
        flags |= AT_EMPTY_PATH;
    return neg(syscall(SYS_open_tree, dfd, path, flags));
}

int mnt_clone_nofollow(int dfd, const char *name)
{
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW;
    return neg(syscall(SYS_open_tree, dfd, name, flags));
}

int mnt_attach(int mnt_fd, int target_fd)
{
    return neg(syscall(SYS_move_mount, mnt_fd, "", target_fd, "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
}

int mnt_setattr(int mnt_fd, uint64_t set, uint64_t clr, unsigned long propagation, bool recursive)
{
    struct mount_attr a = {
        .attr_set = set,
        .attr_clr = clr,
        .propagation = propagation & ~(unsigned long)MS_REC,
    };
    unsigned flags = AT_EMPTY_PATH;

    if (recursive || (propagation & MS_REC))
        flags |= AT_RECURSIVE;
    if (!set && !clr && !a.propagation)
        return 0;
    return neg(syscall(SYS_mount_setattr, mnt_fd, "", flags, &a, sizeof(a)));
}

int mnt_setattr_idmap(int mnt_fd, int userns_fd, bool recursive)
{
    struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
    return neg(syscall(SYS_mount_setattr, mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a,
                       sizeof(a)));
}

/* The kernel explains fsconfig failures in the context's log ("e tmpfs: Bad
 * value for 'size'"); keep the last error line, it is far more useful than
 * EINVAL alone. */
static void fs_log(int fs_fd, char *out, size_t len)
{
    char buf[FS_LOG_MAX];
    ssize_t n;

    out[0] = '\0';
    while ((n = read(fs_fd, buf, sizeof(buf) - 1)) > 0) {
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--; /* one line per error */
        buf[n] = '\0';
        if (n > 2 && buf[0] == 'e' && buf[1] == ' ')
            snprintf(out, len, " (%s)", buf + 2);
    }
}

static int fs_fail(int fs_fd, int r, const char *what, const char *key, struct brick_error *err)
{
    char why[FS_LOG_MAX + 8];

    fs_log(fs_fd, why, sizeof(why));
    return brick_err(err, -r, "%s%s%s: %s%s", what, key ? " " : "", key ? key : "", strerror(-r), why);
}

static int fs_set(int fs_fd, const char *key, const char *value)
{
    if (value)
        return neg(syscall(SYS_fsconfig, fs_fd, FSCONFIG_SET_STRING, key, value, 0));
    return neg(syscall(SYS_fsconfig, fs_fd, FSCONFIG_SET_FLAG, key, NULL, 0));
}

/* The next option of mount(2)-style data: commas inside double quotes do
 * not split (an SELinux MCS label "s0:c1,c2" in context="..."), and a value
 * in quotes reaches fsconfig without them, as the kernel's own parsing of
 * mount(2) data strips them. *p advances past the option. */
static char *next_option(char **p)
{
    char *w = *p, *out = w;
    bool quoted = false;
    if (!*w)
        return NULL;
    for (; **p && (quoted || **p != ','); (*p)++) {
        if (**p == '"')
            quoted = !quoted;
        else
            *out++ = **p;
    }
    if (**p)
        (*p)++;
    *out = '\0';
    return w;
}

static int fs_set_data(int fs_fd, const char *data, struct brick_error *err)
{
    _cleanup_free_ char *copy = xstrdup(data);
    char *rest = copy;

    for (char *w; (w = next_option(&rest));) {
        if (!*w)
            continue;
        char *eq = strchr(w, '=');
        if (eq)
            *eq++ = '\0';
        int r = fs_set(fs_fd, w, eq);
        if (r < 0)
            return fs_fail(fs_fd, r, "fsconfig", w, err);
    }
    return 0;
}

static const struct {
    unsigned long flag;
    const char *on, *off;
} sb_names[] = {
    {MS_SYNCHRONOUS, "sync", "async"},        {MS_DIRSYNC, "dirsync", NULL},
    {MS_MANDLOCK, "mand", "nomand"},          {MS_LAZYTIME, "lazytime", "nolazytime"},
    {MS_I_VERSION, "iversion", "noiversion"},
};

/* MS_SILENT only quiets mount(2) printk noise; the fs context logs to its fd
 * instead, so it has no fsconfig counterpart and is dropped. */
static int fs_set_sb(int fs_fd, unsigned long set, unsigned long clr, struct brick_error *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(sb_names); i++) {
        const char *key = (set & sb_names[i].flag)   ? sb_names[i].on
                          : (clr & sb_names[i].flag) ? sb_names[i].off
                                                     : NULL;
        if (!key)
            continue;
        int r = fs_set(fs_fd, key, NULL);
        if (r < 0)
            return fs_fail(fs_fd, r, "fsconfig", key, err);
    }
    return 0;
}

int mnt_fs_new(const char *type, const char *source, const char *data, unsigned long sb_set,
               unsigned long sb_clr, uint64_t attr, struct brick_error *err)
{
    _cleanup_close_ int fs_fd = neg(syscall(SYS_fsopen, type, FSOPEN_CLOEXEC));
    int r;

    if (fs_fd < 0)
        return brick_err_errno(err, -fs_fd, "fsopen %s", type);
    if (source && *source && (r = fs_set(fs_fd, "source", source)) < 0)
        return fs_fail(fs_fd, r, "fsconfig", "source", err);
    if (data && (r = fs_set_data(fs_fd, data, err)) < 0)
        return r;
    if ((r = fs_set_sb(fs_fd, sb_set, sb_clr, err)) < 0)
        return r;
    r = neg(syscall(SYS_fsconfig, fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
    if (r < 0)
        return fs_fail(fs_fd, r, "create superblock", NULL, err);
    r = neg(syscall(SYS_fsmount, fs_fd, FSMOUNT_CLOEXEC, (unsigned)attr));
    if (r < 0)
        return fs_fail(fs_fd, r, "fsmount", NULL, err);
    return r;
}

const char *fd_path(struct fd_path *p, int fd)
{
    snprintf(p->s, sizeof(p->s), "/proc/self/fd/%d", fd);
    return p->s;
}
