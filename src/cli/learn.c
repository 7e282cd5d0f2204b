/* learn.c — the seccomp supervisor of --learn and --profile-file.
 *
 * The container's filter (compose/learn.c) sends the calls the supervisor
 * must see to a notify fd; the init passes that fd over the socket made here
 * (the OCI listenerPath hand-off, seccomp_load.c) and closes its copy, so the
 * container never holds it. The supervisor is a forked child of the CLI on
 * the host: it is not in the container's namespaces and runs no container
 * code. It answers only with SECCOMP_USER_NOTIF_FLAG_CONTINUE (learning; the
 * profile allowed the call, the kernel runs it unchanged) or an errno
 * (applying). Learning, it also records the paths and ports of the calls
 * Landlock restricts (learn_paths.c: reads the container's memory, bounded,
 * for the record only) and follows the capability checks of the container's
 * tasks (learn_caps.c: a tracefs instance). What it reads never decides an
 * answer, so a container racing the reads (TOCTOU) only spoils its record. */
#include "cli/learn.h"
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/param.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* FILE is opened before the container exists and written through that fd
 * after the run: its directory may be one the container can write (`-v
 * $PWD:$PWD --learn ./p.json`), where the name could meanwhile become a
 * symlink to a host file or a FIFO. No symlink followed, a regular file
 * only, nothing truncated until the profile is written. */
static int open_output(const char *path, struct learn_sup *s)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        s->created = fd >= 0;
        if (s->created) { /* its directory, pinned: removed through it, never by path (remove_output) */
            _cleanup_free_ char *dir = xstrdup(path);
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = 0;
            s->out_dir_fd = open(slash ? (*dir ? dir : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
            s->out_base = xstrdup(slash ? slash + 1 : path);
        }
    }
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    (void)fcntl(fd, F_SETFL, 0);
    s->out_fd = fd;
    return 0;
}

/* The file we made, when nothing was learned: through the directory opened
 * with it, and only if the name there is still that file. The container
 * may have swapped a directory of the path for a symlink meanwhile: a
 * host file of the same name elsewhere is never removed. */
static void remove_output(const struct learn_sup *s)
{
    struct stat made, now;
    if (s->out_dir_fd < 0 || !s->out_base || fstat(s->out_fd, &made) < 0 ||
        fstatat(s->out_dir_fd, s->out_base, &now, AT_SYMLINK_NOFOLLOW) < 0 || made.st_dev != now.st_dev ||
        made.st_ino != now.st_ino)
        return;
    (void)unlinkat(s->out_dir_fd, s->out_base, 0);
}

int learn_prepare(struct compose_opts *o, struct learn_sup *s, struct brick_error *err)
{
    *s = (struct learn_sup){.listen_fd = -1, .pipe_w = -1, .out_fd = -1, .out_dir_fd = -1};
    if (!o->learn_file && !o->profile_file)
        return 0;
    int r = o->learn_file ? open_output(o->learn_file, s) : 0;
    if (r == -EINVAL)
        return brick_err(err, EINVAL, "--learn %s: not a regular file", o->learn_file);
    if (r < 0)
        return brick_err_errno(err, -r, "--learn %s", o->learn_file);
    const char *tmp = getenv("TMPDIR");
    s->dir = xasprintf("%s/brick-learn.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        int e = errno;
        free(s->dir);
        s->dir = NULL;
        return brick_err_errno(err, e, "supervisor: mkdtemp");
    }
    s->sock = xasprintf("%s/notify.sock", s->dir);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(s->sock) >= sizeof(sa.sun_path))
        return brick_err(err, ENAMETOOLONG, "supervisor: socket path %s too long", s->sock);
    strcpy(sa.sun_path, s->sock);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(s->listen_fd, 1) < 0)
        return brick_err_errno(err, errno, "supervisor: socket %s", s->sock);
    o->notify_path = xstrdup(s->sock);
    return 0;
}

/* The notify fd from the init's one sendmsg; -1 when the run ended first. */
static int receive_notify_fd(int listen_fd, int pipe_r)
{
    struct pollfd p[2] = {{.fd = listen_fd, .events = POLLIN}, {.fd = pipe_r, .events = POLLIN}};
    while (poll(p, 2, -1) < 0)
        if (errno != EINTR)
            return -1;
    if (!(p[0].revents & POLLIN))
        return -1;
    _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return -1;
    /* brick do itself (our parent) connects, before its clone: nobody else. */
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid != getppid())
        return -1;
    static char buf[65536]; /* the containerProcessState JSON: not needed */
    char cbuf[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    if (recvmsg(conn, &mh, MSG_CMSG_CLOEXEC) <= 0)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int)))
        return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(fd));
    return fd;
}

/* Applying: the first refusal is named at once, on one line; the others,
 * when the run is over (report_others). */
static void report_refusal(const struct compose_opts *o, struct learn_record *seen,
                           const struct seccomp_notif *n, int errno_ret)
{
    if (!learn_record_add(seen, n->data.arch, n->data.nr) || seen->n_calls > 1)
        return;
    _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(n->data.arch, n->data.nr);
    const char *e = strerrorname_np(errno_ret);
    if (name)
        fprintf(stderr, "brick: --profile-file %s: refused %s (%s): not in the profile\n", o->profile_file,
                name, e ? e : "error");
    else
        fprintf(stderr, "brick: --profile-file %s: refused syscall %d (%s): not in the profile\n",
                o->profile_file, n->data.nr, e ? e : "error");
}

static void report_others(const struct learn_record *seen)
{
    if (seen->n_calls < 2)
        return;
    fprintf(stderr, "brick: also refused:");
    for (size_t i = 1; i < seen->n_calls; i++) {
        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(seen->calls[i].arch, seen->calls[i].nr);
        if (name)
            fprintf(stderr, " %s", name);
        else
            fprintf(stderr, " %d", seen->calls[i].nr);
    }
    fprintf(stderr, "\n");
}

/* nr is name's number on arch. */
static bool is_named(uint32_t arch, int nr, const char *name)
{
    int want = seccomp_syscall_resolve_name_arch(arch, name);
    return want != __NR_SCMP_ERROR && nr == want;
}

/* socket's number on arch (x86 has none: socketcall, denied). */
static bool is_socket(uint32_t arch, int nr)
{
    static uint32_t cached_arch;
    static int cached_nr = __NR_SCMP_ERROR;
    if (arch != cached_arch) {
        cached_arch = arch;
        cached_nr = seccomp_syscall_resolve_name_arch(arch, "socket");
    }
    return nr == cached_nr;
}

/* What the supervisor follows besides the notifications (learning). */
struct watch {
    struct learn_caps caps;
    bool caps_on;         /* the instance is set up */
    const char *caps_why; /* ... or why not */
    bool exec_notify;     /* applying: execve moved to NOTIFY (compose/learn.c), answered CONTINUE */
    uint64_t dropped;     /* ... and the capabilities the profile dropped */
    uint64_t refused;     /* ... and those the container was refused */
};

/* Applying: each dropped capability the container was refused, once. */
static void report_caps(const struct compose_opts *o, uint64_t news)
{
    for (int i = 0; i < 64; i++)
        if (news & (1ULL << i))
            fprintf(stderr, "brick: --profile-file %s: refused capability %s (EPERM): not in the profile\n",
                    o->profile_file, compose_cap_name(i) ? compose_cap_name(i) : "?");
}

static void drain_caps(const struct compose_opts *o, struct learn_record *rec, struct watch *w)
{
    if (!w->caps_on)
        return;
    uint64_t news = learn_caps_drain(&w->caps, o->learn_file ? &rec->caps : &w->refused);
    if (!o->learn_file)
        report_caps(o, news);
}

/* listenerMetadata "dropped-capabilities=CAP_A,CAP_B" (compose/learn.c):
 * set exactly when execve was moved to NOTIFY. */
static uint64_t dropped_caps(const bjson *tmpl, bool *exec_notify)
{
    const char *m = bjson_string(bjson_get(tmpl, "listenerMetadata"));
    *exec_notify = m && strncmp(m, LEARN_DROPPED_METADATA, strlen(LEARN_DROPPED_METADATA)) == 0;
    if (!*exec_notify)
        return 0;
    _cleanup_free_ char *copy = xstrdup(m + strlen(LEARN_DROPPED_METADATA));
    uint64_t mask = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int c = compose_cap_from_name(t);
        if (c >= 0 && c < 64)
            mask |= 1ULL << c;
    }
    return mask;
}

static void answer(const struct compose_opts *o, struct learn_record *rec, const struct seccomp_notif *n,
                   struct seccomp_notif_resp *resp, int errno_ret, struct watch *w, int nfd)
{
    resp->id = n->id;
    resp->val = 0;
    if (o->learn_file) {
        /* the first call of the run (the init's execve) waits for this */
        if (w->caps_on && !w->caps.started && learn_caps_start(&w->caps, (pid_t)n->pid) < 0) {
            w->caps_on = false;
            w->caps_why = "the tracefs instance could not follow the container";
        }
        learn_record_add(rec, n->data.arch, n->data.nr);
        if (is_socket(n->data.arch, n->data.nr))
            learn_record_family(rec, n->data.args[0]);
        learn_paths_note(rec, n, nfd);
        resp->error = 0;
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else if (w->exec_notify && is_named(n->data.arch, n->data.nr, "execve")) {
        /* the profile allows it: moved to NOTIFY so that the capability
         * checks are followed from the first (compose/learn.c) */
        if (w->caps_on && !w->caps.started && learn_caps_start(&w->caps, (pid_t)n->pid) < 0)
            w->caps_on = false;
        resp->error = 0;
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else {
        report_refusal(o, rec, n, errno_ret);
        resp->error = -errno_ret;
        resp->flags = 0;
    }
}

/* Until every task under the filter is gone (POLLHUP). */
static void serve(const struct compose_opts *o, int nfd, struct learn_record *rec, int errno_ret,
                  struct watch *w)
{
    struct seccomp_notif_sizes sz = {0};
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
        return;
    _cleanup_free_ struct seccomp_notif *n = xcalloc(1, MAX(sz.seccomp_notif, sizeof(*n)));
    _cleanup_free_ struct seccomp_notif_resp *resp = xcalloc(1, MAX(sz.seccomp_notif_resp, sizeof(*resp)));
    struct pollfd p[2] = {{.fd = nfd, .events = POLLIN},
                          {.fd = w->caps_on ? w->caps.pipe_fd : -1, .events = POLLIN}};
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (p[1].revents & POLLIN)
            drain_caps(o, rec, w);
        if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL))
            p[1].fd = -1; /* never busy-loop on the trace pipe */
        if (!(p[0].revents & POLLIN)) {
            if (p[0].revents)
                return; /* POLLHUP: no task left */
            continue;
        }
        memset(n, 0, MAX(sz.seccomp_notif, sizeof(*n)));
        if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
            continue; /* EINTR, or ENOENT: the task died meanwhile */
        memset(resp, 0, MAX(sz.seccomp_notif_resp, sizeof(*resp)));
        answer(o, rec, n, resp, errno_ret, w, nfd);
        (void)ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp); /* ENOENT: the task died */
    }
}

/* One line of what was learned, and one of what was left out (if anything). */
static void summary(const struct compose_opts *o, const struct learn_record *rec, const struct watch *w)
{
    _cleanup_free_ char *caps = rec->caps_learned ? learn_caps_string(rec->caps) : NULL;
    size_t n_paths = rec->paths_lost ? 0 : rec->n_paths;
    fprintf(stderr,
            "brick: --learn %s: written: %zu syscalls, capabilities %s, %zu Landlock paths, %zu bind "
            "and %zu connect ports\n",
            o->learn_file, rec->n_calls, caps ? (*caps ? caps : "none") : "-", n_paths, rec->n_bind,
            rec->n_connect);
    unsigned root = learn_root_rights(rec);
    if (root) { /* the whole file system: worth a look before the file is used */
        _cleanup_free_ char *acc = learn_access_string(root);
        fprintf(stderr,
                "brick: --learn %s: warning: a learned Landlock rule is on / (%s): it covers every "
                "path; review it before using the profile\n",
                o->learn_file, acc);
    }
    int abi = compose_landlock_abi();
    char left[512] = "";
    size_t n = 0;
    if (!rec->caps_learned)
        n += (size_t)snprintf(left + n, sizeof(left) - n, "; capabilities: %s", w->caps_why);
    if (rec->paths_lost && n < sizeof(left))
        n += (size_t)snprintf(left + n, sizeof(left) - n, "; Landlock policy: %s", rec->paths_why);
    if (abi < 4 && n < sizeof(left))
        snprintf(left + n, sizeof(left) - n, "; Landlock ports: recorded, but %s",
                 abi < 1 ? "Landlock is off on this kernel"
                         : "this kernel's Landlock (ABI < 4) cannot enforce them");
    if (*left)
        fprintf(stderr, "brick: --learn %s: left out: %s (docs/PROFILES.md)\n", o->learn_file, left + 2);
}

static int write_profile(int fd, const struct learn_record *rec, const bjson *tmpl)
{
    bjson *prof = learn_profile_build(rec, tmpl);
    _cleanup_free_ char *text = bjson_to_string_tabs(prof);
    bjson_free(prof);
    if (ftruncate(fd, 0) < 0 || write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0)
        return 1;
    return 0;
}

/* The forked supervisor: exit status 0; 1 when FILE could not be written;
 * 2 when no fd came (the run failed before its filter). It prints nothing
 * but refusals: learn_finish() says what went wrong. */
static int supervise(const struct compose_opts *o, const struct learn_sup *s, int pipe_r, const bjson *tmpl,
                     int errno_ret)
{
    int listen_fd = s->listen_fd, out_fd = s->out_fd;
    /* ^C reaches the whole foreground group: the run ends, we write FILE. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct learn_record rec = {0};
    struct watch w = {.caps = {.dir_fd = -1, .pipe_fd = -1, .tracefs_fd = -1}};
    w.dropped = o->learn_file ? 0 : dropped_caps(tmpl, &w.exec_notify);
    if (o->learn_file || w.dropped)
        w.caps_on = learn_caps_open(&w.caps, s->dir, o->learn_file ? 0 : w.dropped, &w.caps_why) == 0;
    int nfd = receive_notify_fd(listen_fd, pipe_r);
    close(listen_fd);
    if (nfd >= 0) {
        serve(o, nfd, &rec, errno_ret, &w);
        close(nfd);
    }
    drain_caps(o, &rec, &w);
    if (w.caps_on && o->learn_file) {
        rec.caps_learned = w.caps.started;
        if (!w.caps.started)
            w.caps_why = "the run never started";
    }
    learn_caps_close(&w.caps);
    if (nfd < 0 && o->learn_file)
        return 2; /* never started: the run's own error says why (learn_finish) */
    if (!o->learn_file) {
        report_others(&rec);
        return 0;
    }
    int r = write_profile(out_fd, &rec, tmpl);
    if (r == 0)
        summary(o, &rec, &w);
    return r;
}

/* The private directory and the socket in it (the supervisor's tracefs
 * mount on it is gone with learn_caps_close). */
static void remove_dir(const struct learn_sup *s)
{
    if (s->sock)
        (void)unlink(s->sock);
    if (s->dir)
        (void)rmdir(s->dir);
}

/* --profile-file: the errno its default action asked for (EPERM unless set). */
static int profile_errno(const bjson *sc)
{
    uint64_t v;
    bjson *e = bjson_get(sc, "defaultErrnoRet");
    if (e && bjson_u64(e, &v) == 0 && v > 0 && v < 4096)
        return (int)v;
    return EPERM;
}

int learn_fork(const struct compose_opts *o, struct learn_sup *s, const char *spec_json,
               struct brick_error *err)
{
    if (s->listen_fd < 0)
        return 0;
    bjson *spec = NULL, *file = NULL;
    int r = bjson_parse(spec_json, strlen(spec_json), &spec, err);
    if (r >= 0 && o->profile_file)
        r = bjson_parse(o->seccomp_json, strlen(o->seccomp_json), &file, err);
    if (r < 0)
        return brick_err_prefix(err, "supervisor");
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        bjson_free(spec);
        bjson_free(file);
        return brick_err_errno(err, errno, "supervisor: pipe");
    }
    s->pid = fork();
    if (s->pid == 0) {
        close(p[1]);
        int rc = supervise(o, s, p[0], bjson_get(bjson_get(spec, "linux"), "seccomp"), profile_errno(file));
        remove_dir(s); /* ours from here on: brick do may be gone (killed) */
        _exit(rc);
    }
    int e = errno;
    bjson_free(spec);
    bjson_free(file);
    close(p[0]);
    close(s->listen_fd);
    s->listen_fd = -1;
    s->pipe_w = p[1];
    if (s->pid < 0)
        return brick_err_errno(err, e, "supervisor: fork");
    return 0;
}

int learn_finish(const struct compose_opts *o, struct learn_sup *s, struct brick_error *err)
{
    int status = 0;
    if (s->pipe_w >= 0)
        close(s->pipe_w);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->pid > 0)
        while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
            ;
    bool started = s->pid > 0, ok = started && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    /* A supervisor that exited removed its directory and its tracefs
     * instance itself; one that was killed (SIGKILL, the OOM killer) left
     * both: removed here, its instance by its name (its pid). */
    if (started && WIFSIGNALED(status))
        learn_caps_remove_instance(s->pid, s->dir);
    if (!started || WIFSIGNALED(status))
        remove_dir(s);
    free(s->sock);
    free(s->dir);
    if (s->created && !ok && o->learn_file)
        remove_output(s); /* the empty file we made: nothing was learned */
    if (s->out_fd >= 0)
        close(s->out_fd);
    if (s->out_dir_fd >= 0)
        close(s->out_dir_fd);
    free(s->out_base);
    *s = (struct learn_sup){.listen_fd = -1, .pipe_w = -1, .out_fd = -1, .out_dir_fd = -1};
    if (!started || !err || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
        return brick_err(err, EIO, "--learn %s: the command never ran under the filter: nothing learned",
                         o->learn_file);
    return brick_err(err, EIO, "--learn %s: the profile could not be written", o->learn_file);
}
