/* share.c — namespaces as first-class objects: open a live container's
 * namespace without a racy /proc/PID path, and record, at create time, which
 * namespaces a container has (by inode) and which it joined from whom.
 *
 * Why a pidfd: a container's recorded pid may die and be recycled between
 * reading state.json and opening /proc/PID/ns/net; another process's network
 * namespace would then be joined silently. A pidfd opened *before* the
 * start-time check pins the process; the namespace comes from the pidfd
 * itself (PIDFD_GET_*_NAMESPACE, Linux 6.11), or, on older kernels, from
 * /proc/PID/ns/ followed by a liveness check on the pidfd: while the pidfd's
 * process lives its pid cannot be reused, so the opened file is its. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "ns/ns.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"
#include "spec/json.h"
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIDFS_IOCTL_MAGIC 0xFF
/* linux/pidfd.h of 6.11; Debian 12's headers predate it. */
static const unsigned long pidfd_ns_ioctl[OCI_NS__MAX] = {
    [OCI_NS_CGROUP] = _IO(PIDFS_IOCTL_MAGIC, 1), [OCI_NS_IPC] = _IO(PIDFS_IOCTL_MAGIC, 2),
    [OCI_NS_MOUNT] = _IO(PIDFS_IOCTL_MAGIC, 3),  [OCI_NS_NETWORK] = _IO(PIDFS_IOCTL_MAGIC, 4),
    [OCI_NS_PID] = _IO(PIDFS_IOCTL_MAGIC, 5),    [OCI_NS_TIME] = _IO(PIDFS_IOCTL_MAGIC, 7),
    [OCI_NS_USER] = _IO(PIDFS_IOCTL_MAGIC, 9),   [OCI_NS_UTS] = _IO(PIDFS_IOCTL_MAGIC, 10),
};

#define JOIN_ANNOTATION_PREFIX "run.brick.join." /* + "net": who it was joined from */

static int ns_type_from_name(const char *name)
{
    for (int t = 0; t < OCI_NS__MAX; t++)
        if (streq(name, ns_proc_name(t)))
            return t;
    if (streq(name, "network"))
        return OCI_NS_NETWORK;
    if (streq(name, "mount"))
        return OCI_NS_MOUNT;
    return -1;
}

/* The namespace of type t of the process behind pidfd (pid for the
 * fallback), O_CLOEXEC. */
static int pidfd_open_ns(int pidfd, pid_t pid, int t)
{
    int fd = ioctl(pidfd, pidfd_ns_ioctl[t], 0);
    if (fd >= 0)
        return fd;
    if (errno != ENOTTY && errno != EINVAL)
        return -errno;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns_proc_name(t));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (pidfd_signal(pidfd, 0) < 0) { /* died meanwhile: the pid may be another's now */
        close(fd);
        return -ESRCH;
    }
    return fd;
}

int handle_open_live(const char *root, const char *id, struct handle *h, int *ret_pidfd,
                     struct brick_error *err)
{
    *ret_pidfd = -EBADF;
    int r = handle_open(root, id, false, h, err);
    if (r >= 0 && (h->st.pid <= 0 || !state_pid_alive(&h->st, ret_pidfd)))
        r = -ESRCH;
    if (r < 0)
        handle_done(h);
    return r;
}

int ns_inodes(int pidfd, pid_t pid, uint64_t ino[OCI_NS__MAX])
{
    for (int t = 0; t < OCI_NS__MAX; t++) {
        _cleanup_close_ int fd = pidfd_open_ns(pidfd, pid, t);
        struct stat st;
        if (fd == -ESRCH)
            return -ESRCH;
        ino[t] = fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
    }
    return 0;
}

int container_ns_inodes(const char *root, const char *id, uint64_t ino[OCI_NS__MAX])
{
    struct brick_error ignored;
    struct handle h;
    _cleanup_close_ int pidfd = -EBADF;
    int r = handle_open_live(root, id, &h, &pidfd, &ignored);
    if (r < 0)
        return r;
    r = ns_inodes(pidfd, h.st.pid, ino);
    handle_done(&h);
    return r;
}

int brick_open_namespace(const char *root, const char *id, const char *type, int *ret_fd,
                         struct brick_error *err)
{
    int t = ns_type_from_name(type);
    if (t < 0)
        return brick_err(err, EINVAL, "unknown namespace type \"%s\"", type);
    struct handle h;
    _cleanup_close_ int pidfd = -EBADF;
    int r = handle_open_live(root, id, &h, &pidfd, err);
    if (r == -ESRCH)
        return brick_err(err, ESRCH, "container \"%s\" is stopped: its namespaces are gone", id);
    if (r < 0)
        return r;
    int fd = pidfd_open_ns(pidfd, h.st.pid, t);
    handle_done(&h);
    if (fd == -ESRCH)
        return brick_err(err, ESRCH, "container \"%s\" exited while its %s namespace was opened", id, type);
    if (fd < 0)
        return brick_err_errno(err, -fd, "open the %s namespace of container \"%s\"", type, id);
    *ret_fd = fd;
    return 0;
}

/* {"net": {"inode": N, "joined": true, "from": "web"}, ...} for the init
 * behind ctx->init_pidfd; NULL when nothing can be read. */
char *ns_record_json(const struct create_ctx *ctx)
{
    bjson *o = bjson_new_object();
    for (int t = 0; t < OCI_NS__MAX; t++) {
        _cleanup_close_ int fd = pidfd_open_ns(ctx->init_pidfd, ctx->init_pid, t);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
            continue;
        bjson *e = bjson_new_object();
        bjson_set(e, "inode", bjson_new_u64((uint64_t)st.st_ino));
        bool joined = ctx->ns.join_fd[t] >= 0;
        bjson_set(e, "joined", bjson_new_bool(joined));
        _cleanup_free_ char *key = xasprintf(JOIN_ANNOTATION_PREFIX "%s", ns_proc_name(t));
        const char *from = oci_kv_get(ctx->spec->annotations, ctx->spec->n_annotations, key);
        if (joined && from)
            bjson_set(e, "from", bjson_new_string(from));
        bjson_set(o, ns_proc_name(t), e);
    }
    char *s = bjson_object_len(o) ? bjson_to_string(o, false) : NULL;
    bjson_free(o);
    return s;
}
