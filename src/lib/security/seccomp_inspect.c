/* seccomp_inspect.c — probe a running process's seccomp filters from the
 * host, without entering the container: copy the filters, load the copy in
 * short-lived children and try the dangerous-syscall list there. */
#include "security/seccomp_probe.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILTERS 64

struct filters {
    struct sock_fprog prog[MAX_FILTERS];
    int n;
};

static void filters_done(struct filters *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->prog[i].filter);
}

static int copy_filters(pid_t pid, struct filters *f, struct brick_error *err)
{
    for (f->n = 0; f->n < MAX_FILTERS; f->n++) {
        long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)f->n, NULL);
        if (n < 0 && errno == ENOENT)
            return 0; /* past the oldest filter */
        if (n < 0 && errno == EINVAL && f->n == 0)
            return 0; /* not in filter mode: nothing to copy */
        if (n < 0)
            return brick_err_errno(err, errno, "PTRACE_SECCOMP_GET_FILTER");
        struct sock_filter *insns = xcalloc((size_t)n, sizeof(*insns));
        if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)f->n, insns) < 0) {
            free(insns);
            return brick_err_errno(err, errno, "PTRACE_SECCOMP_GET_FILTER");
        }
        f->prog[f->n] = (struct sock_fprog){.len = (unsigned short)n, .filter = insns};
    }
    return 0;
}

/* Seize, stop, copy, detach: the process sees at most a restarted syscall. */
#define PROBE_STOP_WAIT_MS 2000

static int grab_filters(pid_t pid, struct filters *f, struct brick_error *err)
{
    if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
        return brick_err_errno(err, errno, "ptrace(PTRACE_SEIZE, %d)", pid);
    int r = 0;
    if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
        r = brick_err_errno(err, errno, "ptrace(PTRACE_INTERRUPT)");
    /* A process that cannot stop (in vfork() until its child execs, frozen)
     * never reaches the ptrace stop: wait a bounded time, not for ever. */
    for (int waited_ms = 0; r == 0;) {
        pid_t w = waitpid(pid, NULL, __WALL | WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            r = brick_err_errno(err, errno, "wait for the traced process");
        else if (waited_ms >= PROBE_STOP_WAIT_MS)
            r = brick_err(err, ETIMEDOUT, "process %d did not stop for ptrace within %d ms (in vfork, "
                          "or frozen?)", pid, PROBE_STOP_WAIT_MS);
        else if (w == 0) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            waited_ms += 5;
        }
    }
    if (r == 0)
        r = copy_filters(pid, f, err);
    ptrace(PTRACE_DETACH, pid, NULL, NULL);
    return r;
}

/* In a child: the filters, oldest first, then one probe; the exit status
 * carries its errno. */
static int probe_in_child(const struct filters *f, const struct sc_probe *p)
{
    pid_t c = fork();
    if (c < 0)
        return -errno;
    if (c == 0) {
        /* The probes name paths that do not exist, but a probe that got
         * through would act on the mount namespace it runs in: a private
         * one of its own, never the host's. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
            _exit(255);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        for (int i = f->n - 1; i >= 0; i--)
            if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f->prog[i]) < 0)
                _exit(255);
        _exit(sc_probe_one(p) & 0xff);
    }
    int st;
    while (waitpid(c, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    if (WIFSIGNALED(st))
        return SC_PROBE_KILLED;
    return WEXITSTATUS(st) == 255 ? -EINVAL : WEXITSTATUS(st);
}

int sc_probe_process(pid_t pid, int *results, struct brick_error *err)
{
    struct filters f = {0};
    int r = grab_filters(pid, &f, err);
    for (size_t i = 0; r == 0 && i < sc_n_probes; i++) {
        results[i] = probe_in_child(&f, &sc_probes[i]);
        if (results[i] < SC_PROBE_KILLED)
            r = brick_err_errno(err, -results[i], "probe %s", sc_probes[i].name);
    }
    filters_done(&f);
    return r < 0 ? r : f.n;
}
