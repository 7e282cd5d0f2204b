/* seccomp_load.c — the parent's preparation (plan, compile, listener
 * connection) and the container side: one seccomp(2) call, and the hand-off
 * of the notify fd to the listener. */
#include "security/seccomp.h"
#include "spec/model.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "brick-config.h"

/* Connect through /proc/self/fd/<dirfd>/<name>: a listener path longer than
 * sun_path (108 bytes) still works. */
static int listener_connect(const char *path, struct brick_error *err)
{
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    _cleanup_close_ int dfd = open(slash ? (*dir ? dir : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return brick_err_errno(err, errno, "linux.seccomp.listenerPath %s", path);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, name) >=
        sizeof(sa.sun_path))
        return brick_err(err, ENAMETOOLONG, "linux.seccomp.listenerPath %s: name too long", path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return brick_err_errno(err, errno, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return brick_err_errno(err, errno, "connect to seccomp listener %s", path);
    return TAKE_FD(fd);
}

void sc_prog_free(struct seccomp_prog *p)
{
    if (!p)
        return;
    if (p->listener_fd >= 0)
        close(p->listener_fd);
    free(p->insns);
    free(p->metadata);
    free(p);
}

int sc_prepare(const struct oci_seccomp *sc, const char *cache_root, struct seccomp_prog **ret,
               struct brick_error *err)
{
    *ret = NULL;
    if (!sc->present)
        return 0;
    struct seccomp_plan plan;
    int r = sc_plan_build(sc, &plan, err);
    if (r < 0)
        return brick_err_prefix(err, "config.json");
    struct seccomp_prog *p = xcalloc(1, sizeof(*p));
    p->listener_fd = -1;
    r = sc_compile_cached(&plan, cache_root, p, err);
    if (r >= 0 && plan.notify) {
        r = listener_connect(sc->listener_path, err);
        p->listener_fd = r;
        p->metadata = sc->listener_metadata ? xstrdup(sc->listener_metadata) : NULL;
    }
    sc_plan_done(&plan);
    if (r < 0) {
        sc_prog_free(p);
        return r;
    }
    *ret = p;
    return 0;
}

int sc_load(const struct seccomp_prog *p, struct brick_error *err)
{
    struct sock_fprog fprog = {.len = (unsigned short)p->n_insns, .filter = p->insns};
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &fprog);
    if (r < 0 && errno == EACCES)
        return brick_err_errno(err, errno, "load seccomp filter (needs no_new_privs or CAP_SYS_ADMIN)");
    if (r < 0 && errno == EINVAL && p->flags)
        return brick_err_errno(err, errno, "load seccomp filter (flags 0x%x not supported by the kernel?)",
                               p->flags);
    if (r < 0)
        return brick_err_errno(err, errno, "load seccomp filter");
    return (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? (int)r : 0;
}

static char *process_state_json(const struct seccomp_prog *p, pid_t pid, const char *state_json)
{
    bjson *o = bjson_new_object(), *fds = bjson_new_array(), *state = NULL;
    bjson_set(o, "ociVersion", bjson_new_string(BRICK_SPEC_VERSION));
    bjson_append(fds, bjson_new_string("seccompFd"));
    bjson_set(o, "fds", fds);
    bjson_set(o, "pid", bjson_new_i64(pid));
    bjson_set(o, "metadata", bjson_new_string(p->metadata ? p->metadata : ""));
    struct brick_error ignored;
    if (state_json && bjson_parse(state_json, strlen(state_json), &state, &ignored) == 0)
        bjson_set(o, "state", state);
    char *text = bjson_to_string(o, false);
    bjson_free(o);
    return text;
}

int sc_notify_send(const struct seccomp_prog *p, int notify_fd, pid_t pid, const char *state_json,
                   struct brick_error *err)
{
    _cleanup_free_ char *text = process_state_json(p, pid, state_json);
    struct iovec iov = {.iov_base = text, .iov_len = strlen(text)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u = {0};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(p->listener_fd, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return brick_err_errno(err, errno, "send the seccomp fd to the listener");
    if ((size_t)n < iov.iov_len)
        return brick_err(err, EMSGSIZE, "send the seccomp fd to the listener: short write");
    return 0;
}

bool sc_load_before_identity(const struct oci_process *p)
{
    if (p->no_new_privileges)
        return false;
    for (char **c = p->capabilities.present ? p->capabilities.effective : NULL; c && *c; c++)
        if (strcmp(*c, "CAP_SYS_ADMIN") == 0)
            return false;
    return true;
}
