/* idmap.c — id-mapped bind mounts (mounts[].uidMappings/gidMappings,
 * options "idmap"/"ridmap"), prepared by the runtime before the container's
 * processes exist.
 *
 * MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN in the user namespace the source's
 * file system was mounted in — the host's — which the init, inside the
 * container's user namespace, does not have. The clone must still be the
 * init's: made in the container's mount namespace, it is a copy of the
 * host's mounts that the kernel locked when the namespace was made for a
 * less privileged user namespace (submounts cannot be unmounted to reveal
 * what they cover, a read-only host mount cannot be made writable), and
 * open_tree keeps those locks. A clone the runtime made in the host's mount
 * namespace would carry none (found by attacking an earlier version). So:
 * the init clones the source (rootfs_idmap_clone) and passes the detached
 * tree to the runtime, which id-maps it (rootfs_idmap_apply) and answers;
 * the init applies the mount's own attributes and attaches it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "rootfs/internal.h"
#include "rootfs/mount_opts.h"
#include "rootfs/rootfs.h"
#include "rootfs/sys.h"

int rootfs_mount_idmap(const struct oci_spec *s, size_t i, struct rootfs_idmap *ret, struct brick_error *err)
{
    const struct oci_mount *m = &s->mounts[i];
    struct mount_opts o = {0};
    *ret = (struct rootfs_idmap){0};
    int r = mount_options_parse(m->options, m->type, &o, err);
    if (r < 0)
        return r;
    bool own = m->n_uid_mappings || m->n_gid_mappings;
    bool opt = o.idmap, rec = o.idmap_recursive, bind = o.is_bind;
    mount_opts_done(&o);
    if (!own && !opt)
        return 0;
    if (!bind)
        return brick_err(err, EOPNOTSUPP, "mounts[%zu].%s: id-mapped mounts are bind mounts here", i,
                         m->n_uid_mappings   ? "uidMappings"
                         : m->n_gid_mappings ? "gidMappings"
                                             : "options");
    if (own && (!m->n_uid_mappings || !m->n_gid_mappings))
        return brick_err(err, EINVAL, "mounts[%zu].%s: uidMappings and gidMappings go together", i,
                         m->n_uid_mappings ? "gidMappings" : "uidMappings");
    if (own) {
        *ret = (struct rootfs_idmap){m->uid_mappings, m->n_uid_mappings, m->gid_mappings, m->n_gid_mappings,
                                     rec};
    } else {
        /* "idmap" alone: the container's own mappings (as crun) */
        if (!s->linux_.n_uid_mappings || !s->linux_.n_gid_mappings)
            return brick_err(err, EINVAL,
                             "mounts[%zu].options: \"%s\" without uidMappings/gidMappings needs the "
                             "container's linux.uidMappings and gidMappings",
                             i, rec ? "ridmap" : "idmap");
        *ret = (struct rootfs_idmap){s->linux_.uid_mappings, s->linux_.n_uid_mappings, s->linux_.gid_mappings,
                                     s->linux_.n_gid_mappings, rec};
    }
    return 1;
}

int rootfs_idmap_clone(const struct oci_spec *s, const char *bundle, size_t i, int *ret_fd,
                       struct brick_error *err)
{
    const struct oci_mount *m = &s->mounts[i];
    struct mount_opts o = {0};
    int r = mount_options_parse(m->options, m->type, &o, err);
    if (r < 0)
        return r;
    bool recursive = o.recursive;
    mount_opts_done(&o);
    if (!m->source)
        return brick_err(err, EINVAL, "mounts[%zu]: bind mount without a source", i);
    _cleanup_free_ char *src = rootfs_bind_source(bundle, m->source);
    int tree = mnt_clone(AT_FDCWD, src, recursive);
    if (tree == -EINVAL && !recursive)
        return brick_err(err, EINVAL,
                         "mounts[%zu] %s: source %s has submounts the kernel keeps locked in a user "
                         "namespace: use rbind",
                         i, m->destination, m->source);
    if (tree < 0)
        return brick_err_errno(err, -tree, "mounts[%zu]: source %s", i, m->source);
    *ret_fd = tree;
    return 0;
}

int rootfs_idmap_apply(int tree, int userns_fd, bool recursive, struct brick_error *err)
{
    int r = mnt_setattr_idmap(tree, userns_fd, recursive);
    if (r < 0)
        return brick_err_errno(err, -r, "id-map the mount (MOUNT_ATTR_IDMAP%s)",
                               -r == EINVAL ? ": the file system or kernel cannot" : "");
    return 0;
}

char *rootfs_bind_source(const char *bundle, const char *source)
{
    if (!source)
        return NULL;
    return source[0] == '/' ? xstrdup(source) : xasprintf("%s/%s", bundle, source);
}

int rootfs_mount_plain_bind(const struct oci_spec *s, size_t i, bool *recursive)
{
    const struct oci_mount *m = &s->mounts[i];
    struct mount_opts o = {0};
    struct brick_error ignored;
    if (mount_options_parse(m->options, m->type, &o, &ignored) < 0)
        return -EINVAL;
    bool plain = o.is_bind && !o.idmap && !o.idmap_recursive && !m->n_uid_mappings && !m->n_gid_mappings;
    *recursive = o.recursive;
    mount_opts_done(&o);
    return plain;
}

/* The helper: joins the mount namespace, opens, sends the fd; exits with
 * the errno of what failed. */
static _Noreturn void source_helper(int pidfd, const char *src, int sock)
{
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (setns(pidfd, CLONE_NEWNS) < 0)
        _exit(errno);
    int fd = open(src, O_PATH | O_CLOEXEC);
    if (fd < 0)
        _exit(errno);
    _exit(send_fd(sock, fd) < 0 ? EPIPE : 0);
}

int rootfs_source_open_in(const struct oci_spec *s, const char *bundle, size_t i, int pidfd, int *ret_fd,
                          struct brick_error *err)
{
    const struct oci_mount *m = &s->mounts[i];
    _cleanup_free_ char *src = rootfs_bind_source(bundle, m->source);
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return brick_err_errno(err, errno, "socketpair");
    _cleanup_close_ int mine = sp[0], theirs = sp[1];
    pid_t pid = fork();
    if (pid < 0)
        return brick_err_errno(err, errno, "fork");
    if (pid == 0)
        source_helper(pidfd, src, theirs);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
    if (code == 0 && recv_fd(mine, ret_fd) < 0)
        code = EPROTO;
    return code ? brick_err_errno(err, code, "mounts[%zu]: open source %s", i, m->source) : 0;
}

int rootfs_source_clone(const struct oci_spec *s, size_t i, int src_fd, bool recursive, int *ret_fd,
                        struct brick_error *err)
{
    int tree = mnt_clone(src_fd, "", recursive);
    if (tree < 0)
        return brick_err_errno(err, -tree, "mounts[%zu]: source %s", i, s->mounts[i].source);
    *ret_fd = tree;
    return 0;
}
