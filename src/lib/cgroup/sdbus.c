/* sdbus.c — the few D-Bus calls the systemd cgroup driver makes to systemd's
 * manager: StartTransientUnit, SetUnitProperties, StopUnit, and the
 * manager's ControlGroup (a user manager's place in the tree).
 *
 * Why not sd-bus: the release CLI is a static PIE and Debian ships no static
 * libsystemd; three method calls do not justify a dynamic binary. This is
 * the wire protocol (D-Bus specification, "Message Protocol") for exactly
 * what those calls need: little-endian messages, the types y b u t s o g a
 * ( ) v, EXTERNAL authentication. It talks to the system bus (Hello first,
 * destination org.freedesktop.systemd1), or the user's bus rootless, as runc
 * and crun do (systemd's private socket is not used: neither runtime does,
 * and calls on it went unanswered in the VM). Replies are matched by serial;
 * signals and
 * anything else are skipped. Every length read from the socket is checked
 * against what was received. */
#include "cgroup/sdbus.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"
#define MAX_MSG (1u << 20)
#define TIMEOUT_MS 30000 /* systemd under load (a TCG VM booting) answers late */

/* ---- marshalling ---- */

static void put(struct sdbus_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void sdbus_align(struct sdbus_buf *b, size_t a)
{
    static const char zero[8];
    while (b->len % a)
        put(b, zero, 1);
}

void sdbus_byte(struct sdbus_buf *b, uint8_t v) { put(b, &v, 1); }

void sdbus_u32(struct sdbus_buf *b, uint32_t v)
{
    sdbus_align(b, 4);
    put(b, &v, 4); /* little-endian: this runs on x86-64 and arm64 (checked at build) */
}

void sdbus_u64(struct sdbus_buf *b, uint64_t v)
{
    sdbus_align(b, 8);
    put(b, &v, 8);
}

void sdbus_str(struct sdbus_buf *b, const char *s)
{
    sdbus_u32(b, (uint32_t)strlen(s));
    put(b, s, strlen(s) + 1);
}

void sdbus_sig(struct sdbus_buf *b, const char *s)
{
    sdbus_byte(b, (uint8_t)strlen(s));
    put(b, s, strlen(s) + 1);
}

size_t sdbus_array_begin(struct sdbus_buf *b, size_t elem_align)
{
    sdbus_u32(b, 0);
    size_t at = b->len - 4;
    sdbus_align(b, elem_align);
    b->mark = b->len; /* the array's content starts after the padding */
    return at;
}

void sdbus_array_end(struct sdbus_buf *b, size_t at, size_t start)
{
    uint32_t n = (uint32_t)(b->len - start);
    memcpy(b->p + at, &n, 4);
}

/* One header field: (byte code, variant) */
static void field(struct sdbus_buf *b, uint8_t code, const char *sig, const char *val)
{
    sdbus_align(b, 8);
    sdbus_byte(b, code);
    sdbus_sig(b, sig);
    if (sig[0] == 'g')
        sdbus_sig(b, val);
    else
        sdbus_str(b, val);
}

/* A whole METHOD_CALL message: header fields, then the body as given (its
 * offsets were computed from 0, the body starts 8-aligned). */
static void method_call(struct sdbus_buf *m, uint32_t serial, const char *iface, const char *member,
                        const char *sig, const struct sdbus_buf *body)
{
    bool hello = streq(member, "Hello");
    sdbus_byte(m, 'l');
    sdbus_byte(m, 1); /* METHOD_CALL */
    sdbus_byte(m, 0);
    sdbus_byte(m, 1); /* protocol version */
    sdbus_u32(m, (uint32_t)body->len);
    sdbus_u32(m, serial);
    size_t at = sdbus_array_begin(m, 8), start = m->mark;
    field(m, 1, "o", hello ? "/org/freedesktop/DBus" : SD_PATH);
    field(m, 2, "s", hello ? "org.freedesktop.DBus" : iface);
    field(m, 3, "s", member);
    field(m, 6, "s", hello ? "org.freedesktop.DBus" : SD_DEST);
    if (sig && *sig)
        field(m, 8, "g", sig);
    sdbus_array_end(m, at, start);
    sdbus_align(m, 8);
    put(m, body->p, body->len);
}

/* ---- the connection ---- */

static int write_all_or(int fd, const void *p, size_t n) { return write_all(fd, p, n) < 0 ? -errno : 0; }

static int read_line(int fd, char *buf, size_t len)
{
    size_t n = 0;
    while (n + 1 < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, TIMEOUT_MS) <= 0)
            return -ETIMEDOUT;
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0)
            return r == 0 ? -ECONNRESET : -errno;
        if (buf[n++] == '\n')
            break;
    }
    buf[n] = '\0';
    return 0;
}

static int read_exact(int fd, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, TIMEOUT_MS) <= 0)
            return -ETIMEDOUT;
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r <= 0)
            return r == 0 ? -ECONNRESET : -errno;
        got += (size_t)r;
    }
    return 0;
}

static int sock_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        close(fd);
        return -ENAMETOOLONG;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Our euid as the manager sees it (SO_PEERCRED maps it to its user
 * namespace): root of a rootless Podman's user namespace is the user. */
static unsigned peer_uid(void)
{
    unsigned euid = (unsigned)geteuid();
    _cleanup_free_ char *map = NULL;
    if (read_file_at(AT_FDCWD, "/proc/self/uid_map", BRICK_READ_SMALL, &map, NULL) < 0)
        return euid;
    for (char *line = map; line && *line;) {
        unsigned inside, outside, count;
        if (sscanf(line, "%u %u %u", &inside, &outside, &count) == 3 && euid >= inside &&
            euid - inside < count)
            return outside + (euid - inside);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return euid;
}

static int authenticate(int fd)
{
    char uid[16], hex[40] = "", line[256];
    snprintf(uid, sizeof(uid), "%u", peer_uid());
    for (size_t i = 0; uid[i]; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)uid[i]);
    char out[96];
    int n = snprintf(out, sizeof(out), "AUTH EXTERNAL %s\r\n", hex);
    int r = write_all_or(fd, "", 1);
    if (r >= 0)
        r = write_all_or(fd, out, (size_t)n);
    if (r >= 0)
        r = read_line(fd, line, sizeof(line));
    if (r >= 0 && strncmp(line, "OK ", 3) != 0)
        r = -EACCES;
    if (r >= 0)
        r = write_all_or(fd, "BEGIN\r\n", 7);
    return r;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Read messages until the reply to serial: 0 for a METHOD_RETURN (its
 * body's first string, if any, in ret_str), -EREMOTEIO for an ERROR with its
 * name and message in err. */
static int await_reply(struct sdbus *c, uint32_t serial, char **ret_str, struct brick_error *err)
{
    for (;;) {
        uint8_t h[16];
        int r = read_exact(c->fd, h, sizeof(h));
        if (r < 0)
            return brick_err_errno(err, -r, "systemd D-Bus: read");
        if (h[0] != 'l')
            return brick_err(err, EPROTO, "systemd D-Bus: a big-endian peer");
        uint32_t body_len = rd32(h + 4), fields_len = rd32(h + 12);
        size_t fields_pad = (8 - (16 + fields_len) % 8) % 8;
        if (body_len > MAX_MSG || fields_len > MAX_MSG)
            return brick_err(err, EPROTO, "systemd D-Bus: message too long");
        size_t rest = fields_len + fields_pad + body_len;
        _cleanup_free_ uint8_t *m = xmalloc(16 + rest + 1);
        memcpy(m, h, 16);
        if ((r = read_exact(c->fd, m + 16, rest)) < 0)
            return brick_err_errno(err, -r, "systemd D-Bus: read");
        uint8_t type = h[1];
        /* header fields: REPLY_SERIAL (5, u), ERROR_NAME (4, s) */
        uint32_t reply_to = 0;
        const char *errname = NULL;
        size_t off = 16, end = 16 + fields_len;
        while (off < end) {
            off = (off + 7) & ~(size_t)7;
            if (off + 4 > end)
                break;
            uint8_t code = m[off], siglen = m[off + 1];
            if (off + 2 + siglen + 1 > end)
                break;
            char sigc = (char)m[off + 2];
            off += 2 + siglen + 1;
            if (sigc == 'u') {
                off = (off + 3) & ~(size_t)3;
                if (off + 4 > end)
                    break;
                if (code == 5)
                    reply_to = rd32(m + off);
                off += 4;
            } else if (sigc == 's' || sigc == 'o') {
                off = (off + 3) & ~(size_t)3;
                if (off + 4 > end)
                    break;
                uint32_t l = rd32(m + off);
                if (l > end - off - 4 - 1)
                    break;
                if (code == 4)
                    errname = (const char *)m + off + 4;
                off += 4 + l + 1;
            } else if (sigc == 'g') {
                if (off + 1 > end)
                    break;
                off += 1 + m[off] + 1;
            } else {
                break; /* a type we never need: the rest is skipped */
            }
        }
        if ((type != 2 && type != 3) || reply_to != serial)
            continue; /* a signal, or someone else's reply */
        const uint8_t *body = m + 16 + fields_len + fields_pad;
        m[16 + rest] = '\0';
        const char *first = NULL;
        size_t at = 0;
        if (type == 2 && body_len >= 4 && body[0] == 1 && body[1] == 's' && body[2] == 0)
            at = 4; /* a variant holding a string: Properties.Get */
        if (body_len >= at + 5) {
            uint32_t l = rd32(body + at);
            if (l <= body_len - at - 5)
                first = (const char *)body + at + 4;
        }
        if (type == 3)
            return brick_err(err, EREMOTEIO, "systemd: %s%s%s", errname ? errname : "error",
                             first ? ": " : "", first ? first : "");
        if (ret_str)
            *ret_str = first ? xstrdup(first) : NULL;
        return 0;
    }
}

static int call(struct sdbus *c, const char *iface, const char *member, const char *sig,
                const struct sdbus_buf *body, char **ret_str, struct brick_error *err)
{
    struct sdbus_buf m = {0};
    uint32_t serial = ++c->serial;
    method_call(&m, serial, iface, member, sig, body);
    int r = write_all_or(c->fd, m.p, m.len);
    free(m.p);
    if (r < 0)
        return brick_err_errno(err, -r, "systemd D-Bus: write");
    return await_reply(c, serial, ret_str, err);
}

int sdbus_call(struct sdbus *c, const char *member, const char *sig, const struct sdbus_buf *body,
               char **ret_str, struct brick_error *err)
{
    return call(c, SD_IFACE, member, sig, body, ret_str, err);
}

int sdbus_manager_string(struct sdbus *c, const char *property, char **ret, struct brick_error *err)
{
    struct sdbus_buf b = {0};
    sdbus_str(&b, SD_IFACE);
    sdbus_str(&b, property);
    *ret = NULL;
    int r = call(c, "org.freedesktop.DBus.Properties", "Get", "ss", &b, ret, err);
    free(b.p);
    if (r >= 0 && !*ret)
        r = brick_err(err, EPROTO, "systemd D-Bus: %s is not a string", property);
    return r;
}

int sdbus_open(struct sdbus *c, bool user, struct brick_error *err)
{
    *c = (struct sdbus){.fd = -1};
    char bus[256];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (user && !xdg)
        return brick_err(err, ENOENT, "systemd: XDG_RUNTIME_DIR is not set: no user manager to talk to");
    /* the bus only, as runc and crun (sd_bus_default_system/_user): rootless
     * needs the user's bus (Debian: dbus-user-session) */
    snprintf(bus, sizeof(bus), "%s%s", user ? xdg : "", user ? "/bus" : "/run/dbus/system_bus_socket");
    int fd = sock_connect(bus);
    if (fd < 0)
        return brick_err_errno(err, -fd, "systemd: cannot reach the %s bus at %s%s",
                               user ? "user's" : "system", bus,
                               user ? " (a user session with dbus-user-session)" : "");
    c->fd = fd;
    int r = authenticate(fd);
    if (r < 0) {
        sdbus_close(c);
        return brick_err_errno(err, -r, "systemd D-Bus: authentication");
    }
    struct sdbus_buf empty = {0};
    r = sdbus_call(c, "Hello", "", &empty, NULL, err);
    if (r < 0)
        sdbus_close(c);
    return r;
}

void sdbus_close(struct sdbus *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}
