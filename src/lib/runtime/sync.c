#include "runtime/sync.h"
#include "core/error.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static const char *sync_name(int t)
{
    static const char *const n[] = {"?",  "ERROR",        "USERMAP",    "USERMAP_DONE", "INIT_PID",
                                    "GO", "MOUNTS_READY", "HOOKS_DONE", "CREATED",      "START"};
    return t >= 0 && t <= SYNC_START ? n[t] : "?";
}

static int send_msg(int fd, const struct sync_msg *m)
{
    for (;;) {
        if (send(fd, m, sizeof(*m), MSG_NOSIGNAL) == (ssize_t)sizeof(*m))
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

int sync_send(int fd, enum sync_type type, int32_t value)
{
    struct sync_msg m = {.type = type, .value = value};
    return send_msg(fd, &m);
}

int sync_send_error(int fd, const struct brick_error *err)
{
    struct sync_msg m = {.type = SYNC_ERROR, .err = *err};
    m.err.msg[sizeof(m.err.msg) - 1] = '\0';
    return send_msg(fd, &m);
}

int sync_recv(int fd, struct sync_msg *msg)
{
    for (;;) {
        ssize_t n = recv(fd, msg, sizeof(*msg), 0);
        if (n == (ssize_t)sizeof(*msg))
            return 0;
        if (n == 0)
            return -EPIPE;
        if (n > 0)
            return -EBADMSG;
        if (errno != EINTR)
            return -errno;
    }
}

int sync_expect(int fd, enum sync_type type, int32_t *ret_value, struct brick_error *err)
{
    struct sync_msg m;
    int r = sync_recv(fd, &m);
    if (r == -EPIPE)
        return brick_err(err, EPIPE, "container init exited before %s", sync_name(type));
    if (r < 0)
        return brick_err_errno(err, -r, "read from container init");
    if (m.type == SYNC_ERROR) {
        m.err.msg[sizeof(m.err.msg) - 1] = '\0';
        *err = m.err;
        return m.err.code > 0 ? -m.err.code : -EINVAL;
    }
    if (m.type != (int32_t)type)
        return brick_err(err, EPROTO, "protocol error: expected %s, got %s", sync_name(type),
                         sync_name(m.type));
    if (ret_value)
        *ret_value = m.value;
    return 0;
}
