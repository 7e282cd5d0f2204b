#include "hooks/hooks.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

static char *const empty_env[] = {NULL};

/* fd onto target; when it already is target (the runtime started with 0-2
 * closed), keep it across execve instead */
static int move_fd(int fd, int target)
{
    if (fd == target)
        return fcntl(fd, F_SETFD, 0);
    return dup2(fd, target);
}

static void hook_child(const struct oci_hook *h, int stdin_fd, int out_fd, int err_fd)
{
    if (move_fd(stdin_fd, 0) < 0 || move_fd(out_fd, 1) < 0 || move_fd(err_fd, 2) < 0)
        _exit(127);
    /* a process group of its own: a timeout ends what the hook started too */
    (void)setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    char *fallback[] = {h->path, NULL};
    /* without "env", the runtime's own environment, as runc and crun */
    execve(h->path, h->args ? h->args : fallback, h->env ? h->env : (environ ? environ : empty_env));
    _exit(127);
}

/* What a hook printed, as runc reports it when the hook fails: the last
 * bytes of its stdout and stderr (the error has room for a few lines). */
struct hook_output {
    int fd[2]; /* read ends, -1 once at EOF */
    char text[2][384];
    size_t len[2];
};

static void keep_tail(struct hook_output *o, int i, const char *buf, size_t n)
{
    size_t cap = sizeof(o->text[i]) - 1;
    if (n >= cap) {
        memcpy(o->text[i], buf + n - cap, cap);
        o->len[i] = cap;
    } else {
        if (o->len[i] + n > cap) {
            size_t drop = o->len[i] + n - cap;
            memmove(o->text[i], o->text[i] + drop, o->len[i] - drop);
            o->len[i] -= drop;
        }
        memcpy(o->text[i] + o->len[i], buf, n);
        o->len[i] += n;
    }
    o->text[i][o->len[i]] = '\0';
}

/* Drain the hook's output while waiting for pid, killing it when timeout_s
 * (> 0) expires (a hook filling a pipe nobody reads would never exit).
 * Returns the wait status, or -ETIME after a kill. */
static int wait_hook(pid_t pid, int pidfd, int timeout_s, struct hook_output *o)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool exited = false;
    int drained = 0;
    while (!exited || o->fd[0] >= 0 || o->fd[1] >= 0) {
        struct pollfd p[3] = {{.fd = exited ? -1 : pidfd, .events = POLLIN},
                              {.fd = o->fd[0], .events = POLLIN},
                              {.fd = o->fd[1], .events = POLLIN}};
        int wait_ms = -1;
        if (exited) { /* only what it wrote before it exited: a daemon it started may hold the pipes */
            wait_ms = 0;
            if (++drained > 64) /* and may keep them full: a bounded drain */
                break;
        } else if (timeout_s > 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            wait_ms = spent >= timeout_s * 1000L ? 0 : (int)(timeout_s * 1000L - spent);
        }
        int r = poll(p, 3, wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && !exited) {
            kill(-pid, SIGKILL); /* the hook and what it started (hook_child) */
            kill(pid, SIGKILL);
            int status;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -ETIME;
        }
        if (r == 0) /* exited, but something it started holds the output open */
            break;
        for (int i = 0; i < 2; i++) {
            if (o->fd[i] < 0 || !(p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(o->fd[i], buf, sizeof(buf));
            if (n > 0) {
                keep_tail(o, i, buf, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(o->fd[i]);
                o->fd[i] = -1;
            }
        }
        if (p[0].revents & POLLIN)
            exited = true;
        if (pidfd < 0) /* no pidfd: the output's EOF says it ended */
            exited = o->fd[0] < 0 && o->fd[1] < 0;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return status;
}

int hooks_run_program(const struct oci_hook *h, const char *state_json, struct brick_error *err)
{
    int out[2], errp[2];
    /* The state goes in a memfd, not a pipe: the config's annotations make
     * it any size (a pipe fills at 64 KiB before the hook runs, and a hook
     * that never reads stdin would block us for ever). */
    _cleanup_close_ int rd = memfd_create("brick-hook-state", MFD_CLOEXEC);
    if (rd < 0)
        return brick_err_errno(err, errno, "memfd_create");
    if (write_all(rd, state_json, strlen(state_json)) < 0 || lseek(rd, 0, SEEK_SET) < 0)
        return brick_err_errno(err, errno, "write hook stdin");
    if (pipe2(out, O_CLOEXEC) < 0)
        return brick_err_errno(err, errno, "pipe");
    if (pipe2(errp, O_CLOEXEC) < 0) {
        close(out[0]);
        close(out[1]);
        return brick_err_errno(err, errno, "pipe");
    }
    struct hook_output o = {.fd = {out[0], errp[0]}};
    int pidfd = -1;
    pid_t pid = clone3_fork(0, &pidfd);
    if (pid == 0)
        hook_child(h, rd, out[1], errp[1]);
    close(out[1]);
    close(errp[1]);
    if (pid < 0) {
        close(o.fd[0]);
        close(o.fd[1]);
        return brick_err_errno(err, -pid, "fork");
    }
    (void)setpgid(pid, pid); /* both sides: a timeout before the child ran must reach the group */
    _cleanup_close_ int pidfd_owner = pidfd;
    (void)pidfd_owner;
    int st = wait_hook(pid, pidfd, h->has_timeout ? h->timeout : 0, &o);
    for (int i = 0; i < 2; i++)
        if (o.fd[i] >= 0)
            close(o.fd[i]);
    if (st == -ETIME)
        return brick_err(err, ETIMEDOUT, "timed out after %d s", h->timeout);
    if (st < 0)
        return brick_err_errno(err, -st, "wait");
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0; /* what it printed is dropped, as runc does */
    for (int i = 0; i < 2; i++)
        while (o.len[i] && (o.text[i][o.len[i] - 1] == '\n' || o.text[i][o.len[i] - 1] == ' '))
            o.text[i][--o.len[i]] = '\0';
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && access(h->path, X_OK) < 0)
        return brick_err_errno(err, errno, "exec");
    if (WIFEXITED(st))
        return brick_err(err, 0, "exited with status %d, stdout: %s, stderr: %s", WEXITSTATUS(st), o.text[0],
                         o.text[1]);
    return brick_err(err, 0, "killed by signal %d, stdout: %s, stderr: %s", WTERMSIG(st), o.text[0],
                     o.text[1]);
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
              struct brick_error *err)
{
    const struct oci_hook_list *l = &spec->hooks[kind];
    for (size_t i = 0; i < l->n; i++) {
        int r = hooks_run_program(&l->hooks[i], state_json, err);
        if (r < 0)
            return brick_err_prefix(err, "%s hook %zu (%s)", oci_hook_kind_name(kind), i, l->hooks[i].path);
    }
    return 0;
}
