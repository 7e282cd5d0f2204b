/* host.c — what `brick do` looks at before it builds: the host's tree for
 * destinations (lstat, readlink: nothing is followed, nothing written) and
 * the container's /etc/passwd and /etc/group for -u and USER. */
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"
#include "rootfs/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int host_lookup(void *data, const char *path, char **ret_target)
{
    (void)data;
    struct stat st;
    *ret_target = NULL;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? COMPOSE_MISSING : -errno;
    if (S_ISDIR(st.st_mode))
        return COMPOSE_DIR;
    if (!S_ISLNK(st.st_mode))
        return COMPOSE_FILE;
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    *ret_target = xstrdup(buf);
    return COMPOSE_LINK;
}

const struct compose_probe compose_host_probe = {.lookup = host_lookup};

/* root/path as the container will see it: resolved inside root (a symlink
 * of the rootfs never leads out of it), a regular file, read through the fd
 * that was checked. NULL when it cannot be read. */
static char *read_in_root(const char *root, const char *path)
{
    _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return NULL;
    _cleanup_close_ int fd = resolve_in_root(rootfd, path, RESOLVE_EXISTING, NULL);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    _cleanup_close_ int rd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    char *text = NULL;
    if (rd < 0 || read_all_fd(rd, BRICK_READ_CONFIG, &text, NULL) < 0)
        return NULL;
    return text;
}

int compose_user_lookup(struct compose_opts *o, struct brick_error *err)
{
    const char *root = o->rootfs ? o->rootfs : "/";
    _cleanup_free_ char *passwd = read_in_root(root, "/etc/passwd");
    _cleanup_free_ char *group = o->user_spec ? read_in_root(root, "/etc/group") : NULL;
    _cleanup_free_ char *where = o->rootfs ? xstrdup(o->rootfs) : xstrdup("");
    return compose_user_resolve(o, passwd, group, where, err);
}
