/* resolve.c — in-root path resolution: openat2, a careful fallback walk, and
 * component-by-component creation. */
#include "rootfs/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "rootfs/sys.h"

#define MAX_SYMLINKS 40 /* the kernel's own limit */

/* Split on '/', dropping empty and "." components. */
static char **split_path(const char *path)
{
    _cleanup_free_ char *copy = xstrdup(path);
    char *save = NULL, **v = NULL;

    for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
        if (!streq(c, "."))
            strv_push(&v, c);
    return v;
}

static char *join_from(char **comps, size_t from)
{
    char *s = xstrdup("");
    for (size_t i = from; comps && comps[i]; i++) {
        char *n = xasprintf("%s/%s", s, comps[i]);
        free(s);
        s = n;
    }
    return s;
}

static int read_link(int fd, char buf[PATH_MAX])
{
    ssize_t n = readlinkat(fd, "", buf, PATH_MAX - 1);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return 0;
}

/* Fallback for kernels without openat2: walk one component at a time with
 * O_NOFOLLOW and resolve symlinks by hand, clamping ".." and absolute targets
 * to the root. Magic links (/proc/self/fd/N) are read as plain strings, so
 * they cannot jump out either. */
static int walk(int root_fd, const char *path, int depth)
{
    _cleanup_strv_ char **comps = split_path(path);
    _cleanup_close_ int cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (cur < 0)
        return -errno;
    for (size_t i = 0; comps && comps[i]; i++) {
        struct stat st;
        if (streq(comps[i], "..")) {
            /* Re-walk the prefix without its last element: simple, and it
             * can never climb above the root. */
            _cleanup_free_ char *up = join_from(comps, i + 1);
            _cleanup_free_ char *pre = xstrdup("");
            for (size_t j = 0; j + 1 < i; j++) {
                char *n = xasprintf("%s/%s", pre, comps[j]);
                free(pre);
                pre = n;
            }
            _cleanup_free_ char *np = xasprintf("%s%s", pre, up);
            return walk(root_fd, np, depth); /* shorter path: terminates */
        }
        int fd = openat(cur, comps[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return -errno;
        if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
            closep(&cur);
            cur = fd;
            continue;
        }
        char target[PATH_MAX];
        int r = read_link(fd, target);
        close(fd);
        if (r < 0)
            return r;
        if (depth >= MAX_SYMLINKS)
            return -ELOOP;
        _cleanup_free_ char *rest = join_from(comps, i + 1);
        _cleanup_free_ char *dir = xstrdup("");
        for (size_t j = 0; j < i && target[0] != '/'; j++) {
            char *n = xasprintf("%s/%s", dir, comps[j]);
            free(dir);
            dir = n;
        }
        _cleanup_free_ char *np = xasprintf("%s/%s%s", dir, target, rest);
        return walk(root_fd, np, depth + 1);
    }
    return TAKE_FD(cur);
}

static int lookup(int root_fd, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int fd = -ENOSYS;

    /* EAGAIN: a concurrent rename or mount raced with ".." resolution. */
    for (int tries = 0; tries < 16; tries++)
        if ((fd = sys_openat2(root_fd, *path ? path : "/", &how)) != -EAGAIN)
            break;
    if (fd == -ENOSYS)
        fd = walk(root_fd, path, 0);
    return fd;
}

/* Create comps[i] in parent. An existing dangling symlink is returned as
 * -ELOOP with its target in link so the caller can follow it inside the root. */
static int create_one(int parent, const char *name, bool file, char link[PATH_MAX])
{
    int r = file ? openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)
                 : mkdirat(parent, name, 0755);
    if (r < 0 && errno != EEXIST)
        return -errno;
    if (file && r >= 0)
        close(r);

    /* O_NOFOLLOW: if someone swapped the new entry for a symlink, we see the
     * link itself instead of following it. */
    _cleanup_close_ int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -errno;
    if (S_ISLNK(st.st_mode)) {
        int k = read_link(fd, link);
        return k < 0 ? k : -ELOOP;
    }
    if (!file && !S_ISDIR(st.st_mode))
        return -ENOTDIR;
    return TAKE_FD(fd);
}

static int create_walk(int root_fd, const char *path, enum resolve_create create, int depth,
                       struct brick_error *err)
{
    _cleanup_strv_ char **comps = split_path(path);
    _cleanup_free_ char *prefix = xstrdup("");
    _cleanup_close_ int parent = lookup(root_fd, "/");

    if (parent < 0)
        return brick_err_errno(err, -parent, "open root");
    for (size_t i = 0; comps && comps[i]; i++) {
        char *n = xasprintf("%s/%s", prefix, comps[i]);
        free(prefix);
        prefix = n;
        int fd = lookup(root_fd, prefix);
        if (fd == -ENOENT && !streq(comps[i], "..")) {
            char link[PATH_MAX];
            bool file = create == RESOLVE_MKFILE && !comps[i + 1];
            fd = create_one(parent, comps[i], file, link);
            if (fd == -ELOOP && depth < MAX_SYMLINKS) {
                /* Dangling symlink: follow it, still relative to the root. */
                _cleanup_free_ char *rest = join_from(comps, i + 1);
                *strrchr(prefix, '/') = '\0';
                const char *base = link[0] == '/' ? "" : prefix;
                _cleanup_free_ char *np = xasprintf("%s/%s%s", base, link, rest);
                return create_walk(root_fd, np, create, depth + 1, err);
            }
        }
        if (fd < 0)
            return brick_err_errno(err, -fd, "create %s", prefix);
        closep(&parent);
        parent = fd;
    }
    return TAKE_FD(parent);
}

int resolve_in_root(int root_fd, const char *path, enum resolve_create create, struct brick_error *err)
{
    int fd = lookup(root_fd, path);

    if (fd >= 0)
        return fd;
    if (fd != -ENOENT || create == RESOLVE_EXISTING)
        return brick_err_errno(err, -fd, "open %s", path);
    return create_walk(root_fd, path, create, 0, err);
}
