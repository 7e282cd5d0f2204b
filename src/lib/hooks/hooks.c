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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const empty_env[] = {NULL};

static void hook_child(const struct oci_hook *h, int stdin_fd)
{
    if (dup2(stdin_fd, 0) < 0)
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

/* Wait for pid, killing it when timeout_s (> 0) expires. Returns the wait
 * status, or -ETIME after a kill. */
static int wait_hook(pid_t pid, int pidfd, int timeout_s)
{
    int status;
    if (timeout_s > 0 && pidfd >= 0) {
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        int r;
        do
            r = poll(&pfd, 1, timeout_s * 1000);
        while (r < 0 && errno == EINTR);
        if (r == 0) {
            kill(-pid, SIGKILL); /* the hook and what it started (hook_child) */
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -ETIME;
        }
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return status;
}

static int run_one(const struct oci_hook *h, const char *state_json, struct brick_error *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return brick_err_errno(err, errno, "pipe");
    _cleanup_close_ int rd = p[0], wr = p[1];
    /* The state is small (< pipe buffer), so write it before the hook runs:
     * a hook that never reads stdin cannot block us. */
    if (write_all(wr, state_json, strlen(state_json)) < 0)
        return brick_err_errno(err, errno, "write hook stdin");
    closep(&wr);
    wr = -1;
    int pidfd = -1;
    pid_t pid = clone3_fork(0, &pidfd);
    if (pid < 0)
        return brick_err_errno(err, -pid, "fork");
    if (pid == 0)
        hook_child(h, rd);
    (void)setpgid(pid, pid); /* both sides: a timeout before the child ran must reach the group */
    _cleanup_close_ int pidfd_owner = pidfd;
    (void)pidfd_owner;
    int st = wait_hook(pid, pidfd, h->has_timeout ? h->timeout : 0);
    if (st == -ETIME)
        return brick_err(err, ETIMEDOUT, "timed out after %d s", h->timeout);
    if (st < 0)
        return brick_err_errno(err, -st, "wait");
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && access(h->path, X_OK) < 0)
        return brick_err_errno(err, errno, "exec");
    if (WIFEXITED(st))
        return brick_err(err, 0, "exited with status %d", WEXITSTATUS(st));
    return brick_err(err, 0, "killed by signal %d", WTERMSIG(st));
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
              struct brick_error *err)
{
    const struct oci_hook_list *l = &spec->hooks[kind];
    for (size_t i = 0; i < l->n; i++) {
        int r = run_one(&l->hooks[i], state_json, err);
        if (r < 0)
            return brick_err_prefix(err, "%s hook %zu (%s)", oci_hook_kind_name(kind), i,
                                    l->hooks[i].path);
    }
    return 0;
}
