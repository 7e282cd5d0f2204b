/* net_helper.c — the life of `--net user`'s slirp4netns.
 *
 * A supervisor, started by `brick do` before the container exists (in a
 * session of its own, double-forked: no caller's Ctrl-C reaches it), owns the
 * helper from first to last:
 *   1. it makes its directory (NET_HOST_DIR_TEMPLATE) and tells `brick do`:
 *      the resolv.conf that the spec binds, needed until the container's
 *      mounts are made, and the API socket, in a 0700 subdirectory;
 *   2. at the runtime's on_created (net_session_attach) it receives the
 *      init's pidfd and namespaces, starts slirp4netns on them, waits for its
 *      --ready-fd, publishes the -p ports through the API socket, removes the
 *      directory and answers: the command starts with the network up;
 *   3. then it waits on the init's pidfd. When the init is gone (the command
 *      exited, `brick delete -f`, a kill), it closes slirp4netns's --exit-fd
 *      and reaps it.
 * Why not `brick do` itself: with -d it returns at once, and a foreground run
 * killed with -9 leaves its container running (as `runc run` does); the
 * network lives exactly as long as the container. Nothing is left behind on
 * any path: the supervisor dying closes the --exit-fd pipe (the kernel does,
 * however it dies) and slirp4netns exits; `brick do` dying before the attach
 * is the socket's EOF; a create failing after it kills the init.
 *
 * slirp4netns joins the namespaces of a short-lived holder, a child of the
 * supervisor that enters the container's user and network namespaces through
 * the fds the init sent, and takes them by pid: by path, slirp4netns 1.2's
 * sandbox does not re-join the user namespace when unprivileged. The holder
 * is killed once the network is up. None of these processes is in the
 * container's pid or mount namespace, so nothing in it can see them. */
#include "compose/compose.h"
#include "compose/net.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"

#include <brick/brick.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 10000  /* slirp4netns is up in milliseconds */
#define ATTACH_TIMEOUT_MS 20000 /* brick do waits that long for the answer */
#define END_TIMEOUT_MS 5000     /* a foreground brick do waits for the helper to go */

extern char **environ;

/* The supervisor's view of the helper. */
struct helper {
    const struct compose_opts *o;
    const char *dir;
    int sock; /* to brick do */
    pid_t init_pid;
    int init_pidfd;
    int ns[2]; /* the init's net and user namespaces */
    pid_t holder;
    pid_t slirp;
    int slirp_pidfd;
    int exit_w;     /* --exit-fd: closing it stops slirp4netns */
    int ready_r;    /* --ready-fd */
    int out;        /* slirp4netns's stdout and stderr */
    char last[256]; /* its last line, for an error */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void kill_wait(pid_t *pid, int sig)
{
    if (*pid <= 0)
        return;
    kill(*pid, sig);
    while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
        ;
    *pid = 0;
}

static char *api_path(const char *dir) { return xasprintf("%s/api/sock", dir); }

static void remove_dir(const char *dir)
{
    _cleanup_free_ char *resolv = xasprintf("%s/resolv.conf", dir), *api = api_path(dir);
    _cleanup_free_ char *api_dir = xasprintf("%s/api", dir);
    (void)unlink(resolv);
    (void)unlink(api);
    (void)rmdir(api_dir);
    (void)rmdir(dir);
}

/* Keep the last line slirp4netns printed; the rest goes nowhere. Returns
 * false at EOF. */
static bool drain(struct helper *h)
{
    char buf[1024];
    ssize_t n = read(h->out, buf, sizeof(buf) - 1);
    if (n <= 0)
        return n < 0 && errno == EINTR;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    char *line = strrchr(buf, '\n');
    if (n > 0)
        snprintf(h->last, sizeof(h->last), "%.255s", line ? line + 1 : buf);
    return true;
}

/* --- the holder: in the container's user and network namespaces ------ */

_Noreturn static void holder_main(const struct helper *h, int report)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* slirp4netns opens our /proc/PID/ns/ files, which needs us dumpable
     * (the supervisor is not); we live only until it holds them, before
     * any process of the container runs */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int e = 0;
    /* EINVAL: the container has no user namespace of its own (ours) */
    if (setns(h->ns[1], CLONE_NEWUSER) < 0 && errno != EINVAL)
        e = errno;
    if (!e && setns(h->ns[0], CLONE_NEWNET) < 0)
        e = errno;
    (void)!write(report, &e, sizeof(e));
    if (e)
        _exit(1);
    for (;;)
        pause();
}

static int holder_start(struct helper *h, struct brick_error *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return brick_err_errno(err, errno, "--net user: pipe");
    h->holder = fork();
    if (h->holder == 0)
        holder_main(h, p[1]);
    close(p[1]);
    int e = EPIPE;
    if (h->holder < 0)
        e = errno;
    else if (read(p[0], &e, sizeof(e)) != (ssize_t)sizeof(e))
        e = EPIPE;
    close(p[0]);
    if (e)
        return brick_err_errno(err, e, "--net user: enter the container's network namespace");
    return 0;
}

/* Unprivileged, slirp4netns's sandbox becomes uid 0 of the container's user
 * namespace: only where 0 is mapped (a subordinate range, or -u 0). As root
 * it stays root and drops its capabilities instead. */
static bool sandbox_possible(const struct helper *h)
{
    if (geteuid() == 0)
        return true;
    _cleanup_free_ char *path = xasprintf("/proc/%d/uid_map", (int)h->holder), *map = NULL;
    return read_file_at(AT_FDCWD, path, 65536, &map, NULL) >= 0 && net_uid_map_has_root(map);
}

/* --- slirp4netns ------------------------------------------------------- */

/* Run by root, slirp4netns's sandbox keeps the host's /run (read-only) in
 * its root, which a --pid host container could read through
 * /proc/<slirp>/root: every state directory under /run/brick, engines'
 * sockets. An empty tmpfs over it, with only the resolvers' directories
 * (/etc/resolv.conf may point there) bound back. */
static int make_parents(const char *path)
{
    _cleanup_free_ char *p = xstrdup(path);
    for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -1;
        if (!slash)
            return 0;
        *slash = '/';
    }
}

static int hide_run(void)
{
    static const char *const keep[] = {"/run/systemd/resolve", "/run/resolvconf", "/run/NetworkManager"};
    int held[ARRAY_SIZE(keep)];
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
        held[i] = (int)syscall(SYS_open_tree, AT_FDCWD, keep[i],
                               OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    int r = mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k");
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
        if (held[i] < 0)
            continue;
        if (r == 0 && (make_parents(keep[i]) < 0 ||
                       syscall(SYS_move_mount, held[i], "", AT_FDCWD, keep[i], MOVE_MOUNT_F_EMPTY_PATH) < 0))
            r = -1;
        close(held[i]);
    }
    return r;
}

/* In the child: fds 3 (--ready-fd) and 4 (--exit-fd), stdout and stderr to
 * the supervisor, signals as a fresh process has them. */
_Noreturn static void slirp_exec(const struct helper *h, int ready_w, int exit_r, int out_w, bool sandbox)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    int r3 = fcntl(ready_w, F_DUPFD, 10), e4 = fcntl(exit_r, F_DUPFD, 10);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (r3 < 0 || e4 < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0 ||
        dup2(r3, 3) < 0 || dup2(e4, 4) < 0)
        _exit(127);
    (void)syscall(SYS_close_range, 5U, ~0U, 0U);
    /* slirp4netns 1.2's sandbox makes only / private before it detaches the
     * old root: run by root in the host's mount namespace, a mount under
     * another shared mount (ip netns's /run/netns/NAME) was unmounted on the
     * host too. A mount namespace of its own, all private, keeps it in.
     * Unprivileged, its sandbox's namespace belongs to the container's user
     * namespace, where the kernel has made every shared mount a slave. */
    if (geteuid() == 0 && (unshare(CLONE_NEWNS) < 0 ||
                           mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || hide_run() < 0)) {
        fprintf(stderr, "a mount namespace of its own: %s\n", strerror(errno));
        _exit(127);
    }
    /* Unprivileged with its sandbox, it creates the API socket as the
     * container's root (a subordinate uid), which we could not connect to
     * at mode 0755; the socket's directory is ours and 0700. */
    umask(0);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    _cleanup_free_ char *api = api_path(h->dir);
    _cleanup_strv_ char **argv = net_helper_argv(h->holder, api, 3, 4, sandbox, h->o->net_host_loopback);
    /* Run by root, nothing of the caller's environment: a --pid host
     * container with root's default capabilities may read this process's
     * /proc/PID/environ (slirp4netns runs as uid 0 with fewer capabilities
     * than it). Rootless it runs as the user, whom the container's
     * subordinate ids cannot read. */
    char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
    execve(NET_HELPER_PATH, argv, geteuid() == 0 ? env : environ);
    fprintf(stderr, "%s: %s\n", NET_HELPER_PATH, strerror(errno));
    _exit(127);
}

static int slirp_start(struct helper *h, bool sandbox, struct brick_error *err)
{
    int ready[2] = {-1, -1}, ex[2] = {-1, -1}, out[2] = {-1, -1};
    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            close_fd(&ready[i]);
            close_fd(&ex[i]);
            close_fd(&out[i]);
        }
        return brick_err_errno(err, e, "--net user: pipe");
    }
    h->slirp = clone3_fork(0, &h->slirp_pidfd);
    if (h->slirp == 0)
        slirp_exec(h, ready[1], ex[0], out[1], sandbox);
    close(ready[1]);
    close(ex[0]);
    close(out[1]);
    h->ready_r = ready[0];
    h->exit_w = ex[1];
    h->out = out[0];
    if (h->slirp < 0)
        return brick_err_errno(err, -h->slirp, "--net user: start %s", NET_HELPER_PATH);
    return 0;
}

/* --ready-fd says "1" once the tap device is configured and the API socket
 * listens; EOF first means slirp4netns failed (its last line says why). */
static int slirp_wait_ready(struct helper *h, struct brick_error *err)
{
    long long deadline = now_ms() + READY_TIMEOUT_MS;
    bool out_open = true;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return brick_err(err, ETIMEDOUT, "--net user: slirp4netns was not ready within %d s",
                             READY_TIMEOUT_MS / 1000);
        struct pollfd p[2] = {{.fd = h->ready_r, .events = POLLIN},
                              {.fd = out_open ? h->out : -1, .events = POLLIN}};
        if (poll(p, 2, (int)left) < 0 && errno != EINTR)
            return brick_err_errno(err, errno, "--net user: poll");
        if (p[1].revents)
            out_open = drain(h);
        if (!p[0].revents)
            continue;
        char c = 0;
        if (read(h->ready_r, &c, 1) == 1 && c == '1')
            return 0;
        while (out_open && drain(h))
            ; /* its last words: it has exited or is about to */
        return brick_err(err, EIO, "--net user: slirp4netns failed: %s", h->last[0] ? h->last : "no message");
    }
}

/* --- publishing -------------------------------------------------------- */

/* slirp4netns says only "slirp_add_hostfwd failed": bind the address once
 * ourselves first, so that the user learns why (in use, not ours, < 1024). */
static int probe_bind(const struct compose_port *p, struct brick_error *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p->host_port)};
    inet_pton(AF_INET, p->host_ip, &sa.sin_addr);
    _cleanup_close_ int fd = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || (!p->udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return brick_err_errno(err, errno, "-p %s: cannot bind %s:%u/%s on the host", p->spec, p->host_ip,
                               p->host_port, p->udp ? "udp" : "tcp");
    return 0;
}

/* One request per connection, ended by shutdown(SHUT_WR); the answer ends
 * with EOF (slirp4netns's API). */
static int api_call(const struct helper *h, const struct compose_port *p, struct brick_error *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    _cleanup_free_ char *path = api_path(h->dir), *req = net_hostfwd_request(p), *reply = NULL;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        write_all(fd, req, strlen(req)) < 0 || shutdown(fd, SHUT_WR) < 0)
        return brick_err_errno(err, errno, "-p %s: slirp4netns's API socket", p->spec);
    int r = read_all_fd(fd, 4096, &reply, NULL);
    if (r < 0)
        return brick_err_errno(err, -r, "-p %s: slirp4netns's API socket", p->spec);
    return net_hostfwd_reply(p, reply, err);
}

static int publish(const struct helper *h, struct brick_error *err)
{
    for (size_t i = 0; i < h->o->n_ports; i++) {
        int r = probe_bind(&h->o->ports[i], err);
        if (r >= 0)
            r = api_call(h, &h->o->ports[i], err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* --- the supervisor ---------------------------------------------------- */

static int recv_attach(struct helper *h)
{
    int32_t pid = 0;
    ssize_t n;
    while ((n = recv(h->sock, &pid, sizeof(pid), 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(pid) || recv_fd(h->sock, &h->init_pidfd) < 0 ||
        recv_fd(h->sock, &h->ns[0]) < 0 || recv_fd(h->sock, &h->ns[1]) < 0)
        return -EPIPE;
    h->init_pid = pid;
    return 0;
}

static int setup(struct helper *h, struct brick_error *err)
{
    if (access(NET_HELPER_PATH, X_OK) < 0)
        return brick_err_errno(err, errno, "--net user: %s (Debian's package slirp4netns)", NET_HELPER_PATH);
    if (geteuid() != 0 && access("/dev/net/tun", R_OK | W_OK) < 0)
        return brick_err(err, errno,
                         "--net user: /dev/net/tun: %s (slirp4netns opens it as you; Debian's "
                         "udev makes it mode 0666)",
                         strerror(errno));
    int r = holder_start(h, err);
    if (r >= 0)
        r = slirp_start(h, sandbox_possible(h), err);
    if (r >= 0)
        r = slirp_wait_ready(h, err);
    kill_wait(&h->holder, SIGKILL); /* slirp4netns holds the namespaces now */
    if (r >= 0)
        r = publish(h, err);
    close_fd(&h->ns[0]);
    close_fd(&h->ns[1]);
    return r;
}

/* Until the init is gone (or slirp4netns, which then serves nobody). */
static void watch(struct helper *h)
{
    bool out_open = true;
    for (;;) {
        struct pollfd p[3] = {{.fd = h->init_pidfd, .events = POLLIN},
                              {.fd = h->slirp_pidfd, .events = POLLIN},
                              {.fd = out_open ? h->out : -1, .events = POLLIN}};
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            return;
        if (p[0].revents || p[1].revents)
            return;
        if (p[2].revents)
            out_open = drain(h);
    }
}

static void stop_slirp(struct helper *h)
{
    close_fd(&h->exit_w);
    struct pollfd p = {.fd = h->slirp_pidfd, .events = POLLIN};
    if (h->slirp > 0 && (h->slirp_pidfd < 0 || poll(&p, 1, 2000) <= 0))
        kill(h->slirp, SIGKILL);
    kill_wait(&h->slirp, 0);
}

/* The supervisor's first word: the directory it made, or why it has none. */
struct hello {
    struct brick_error err; /* code 0: dir is set */
    char dir[sizeof(NET_HOST_DIR_TEMPLATE)];
};

/* 0711: the runtime opens the resolv.conf from the container's user
 * namespace (--user new as root: the host's root is not mapped there); the
 * API socket has a 0700 directory of its own. */
static int make_dir(char *tmpl, struct brick_error *err)
{
    if (!mkdtemp(tmpl))
        return brick_err_errno(err, errno, "--net user: create %s", NET_HOST_DIR_TEMPLATE);
    _cleanup_free_ char *resolv = xasprintf("%s/resolv.conf", tmpl), *api = xasprintf("%s/api", tmpl);
    _cleanup_close_ int fd = open(resolv, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (chmod(tmpl, 0711) < 0 || fd < 0 || write_all(fd, NET_RESOLV_TEXT, strlen(NET_RESOLV_TEXT)) < 0 ||
        fchmod(fd, 0644) < 0 || mkdir(api, 0700) < 0) {
        int e = errno;
        remove_dir(tmpl);
        return brick_err_errno(err, e, "--net user: write %s", resolv);
    }
    return 0;
}

/* The directory is the supervisor's from its first instant: `brick do`
 * killed at any point, it is the socket's EOF that removes it. */
_Noreturn static void supervisor_main(const struct compose_opts *o, int sock)
{
    /* brick do's command line (-e KEY=secret) is readable by anyone while we
     * live, and our memory holds its options: neither is left to see */
    prctl(PR_SET_NAME, "brick-net", 0, 0, 0);
    (void)cmdline_wipe(-1, "brick-net");
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN); /* brick do may be gone when we answer */
    char dir[] = NET_HOST_DIR_TEMPLATE;
    struct hello hi = {0};
    int r = make_dir(dir, &hi.err);
    if (r >= 0)
        memcpy(hi.dir, dir, sizeof(dir));
    if (send(sock, &hi, sizeof(hi), MSG_NOSIGNAL) != (ssize_t)sizeof(hi) || r < 0)
        r = -EPIPE;
    struct helper h = {.o = o,
                       .dir = dir,
                       .sock = sock,
                       .init_pidfd = -1,
                       .ns = {-1, -1},
                       .slirp_pidfd = -1,
                       .exit_w = -1,
                       .ready_r = -1,
                       .out = -1};
    if (r < 0 || recv_attach(&h) < 0) { /* the create failed, or brick do died, before the attach */
        remove_dir(dir);
        _exit(0);
    }
    struct brick_error err = {0};
    r = h.init_pidfd < 0 ? brick_err(&err, ENOSYS, "--net user: no pidfd of the init") : setup(&h, &err);
    remove_dir(dir); /* the container's mounts are made; the API is done with */
    if (r < 0)
        stop_slirp(&h);
    else
        err.code = 0;
    (void)send(sock, &err, sizeof(err), MSG_NOSIGNAL);
    if (r >= 0) {
        watch(&h);
        stop_slirp(&h);
    }
    _exit(0);
}

/* --- brick do's side --------------------------------------------------- */

/* Not our child (nothing to reap, no SIGCHLD in the foreground wait), no
 * terminal's signals, and only the socket stays open. */
static int spawn_supervisor(const struct compose_opts *o, int sock, struct brick_error *err)
{
    int r = fork_detached();
    if (r < 0)
        return brick_err_errno(err, -r, "--net user: fork");
    if (r == 0) {
        if (dup2(sock, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
            _exit(1);
        (void)syscall(SYS_close_range, 4U, ~0U, 0U);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        supervisor_main(o, 3);
    }
    return 0;
}

/* One packet from the supervisor, which starts with a struct brick_error:
 * its code, when not 0, is the error. */
static int recv_packet(int sock, void *buf, size_t size, int timeout_ms, struct brick_error *err)
{
    struct pollfd p = {.fd = sock, .events = POLLIN};
    int n;
    while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if (n == 0)
        return brick_err(err, ETIMEDOUT, "--net user: no answer from the network helper within %d s",
                         timeout_ms / 1000);
    if (recv(sock, buf, size, 0) != (ssize_t)size)
        return brick_err(err, EPIPE, "--net user: the network helper's supervisor died");
    struct brick_error *answer = buf;
    if (answer->code == 0)
        return 0;
    answer->msg[sizeof(answer->msg) - 1] = '\0';
    *err = *answer;
    return -answer->code;
}

int net_session_start(struct compose_opts *o, struct net_session *s, struct brick_error *err)
{
    *s = (struct net_session){.sock = -1};
    if (!o->net_user)
        return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return brick_err_errno(err, errno, "--net user: socketpair");
    int r = spawn_supervisor(o, sv[1], err);
    close(sv[1]);
    if (r < 0) {
        close(sv[0]);
        return r;
    }
    s->sock = sv[0];
    struct hello hi;
    r = recv_packet(s->sock, &hi, sizeof(hi), READY_TIMEOUT_MS, err);
    if (r < 0)
        return r;
    hi.dir[sizeof(hi.dir) - 1] = '\0';
    s->dir = xstrdup(hi.dir);
    free(o->net_resolv);
    o->net_resolv = xasprintf("%s/resolv.conf", s->dir);
    return 0;
}

int net_session_attach(const struct brick_created *c, void *data, struct brick_error *err)
{
    struct net_session *s = data;
    int32_t pid = c->pid;
    if (c->pidfd < 0)
        return brick_err(err, ENOSYS, "--net user: the kernel gives no pidfd (Linux 5.3)");
    if (send(s->sock, &pid, sizeof(pid), MSG_NOSIGNAL) != (ssize_t)sizeof(pid) ||
        send_fd(s->sock, c->pidfd) < 0 || send_fd(s->sock, c->net_fd) < 0 || send_fd(s->sock, c->user_fd) < 0)
        return brick_err_errno(err, errno, "--net user: hand the container to the network helper");
    struct brick_error answer;
    return recv_packet(s->sock, &answer, sizeof(answer), ATTACH_TIMEOUT_MS, err);
}

void net_session_end(struct net_session *s, bool wait)
{
    if (s->sock >= 0 && wait) {
        long long deadline = now_ms() + END_TIMEOUT_MS;
        char c;
        for (;;) {
            struct pollfd p = {.fd = s->sock, .events = POLLIN};
            long long left = deadline - now_ms();
            if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR))
                break;
            ssize_t n = p.revents ? recv(s->sock, &c, 1, MSG_DONTWAIT) : -1;
            if (n == 0 || (n < 0 && p.revents && errno != EAGAIN && errno != EINTR))
                break; /* EOF: the supervisor is gone */
        }
    }
    if (s->sock >= 0)
        close(s->sock);
    free(s->dir);
    *s = (struct net_session){.sock = -1};
}
