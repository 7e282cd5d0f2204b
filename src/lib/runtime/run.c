/* run.c — `run`: create, release at once, then (in the foreground) forward
 * signals, proxy the terminal, wait, and delete the container. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "state/state.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>


/* Signals the foreground runtime forwards; the synchronous fault signals are
 * left alone so a bug in brick still crashes brick. */
static void forwardable(sigset_t *set)
{
    sigfillset(set);
    int keep[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
        sigdelset(set, keep[i]);
}

struct proxy {
    int master;  /* pty master, -1 without a terminal */
    int sigfd;
    int pidfd;
    bool raw;
    struct termios saved;
};

static void copy_winsize(int master)
{
    struct winsize ws;
    /* A 0x0 size (no real terminal) would override process.consoleSize. */
    if (master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        ioctl(master, TIOCSWINSZ, &ws);
}

static void proxy_start(struct proxy *px)
{
    if (px->master < 0 || !isatty(0) || tcgetattr(0, &px->saved) < 0)
        return;
    struct termios raw = px->saved;
    cfmakeraw(&raw);
    px->raw = tcsetattr(0, TCSANOW, &raw) == 0;
    copy_winsize(px->master);
}

/* Copy one chunk from in to out; false on EOF/error of in. */
static bool pump(int in, int out)
{
    char buf[8192];
    ssize_t n = read(in, buf, sizeof(buf));
    if (n <= 0)
        return n < 0 && errno == EINTR;
    return write_all(out, buf, (size_t)n) == 0;
}

static void on_signal(struct proxy *px, pid_t init)
{
    struct signalfd_siginfo si;
    while (read(px->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGCHLD)
            continue;
        if (si.ssi_signo == SIGWINCH)
            copy_winsize(px->master);
        else
            pidfd_signal(px->pidfd, (int)si.ssi_signo);
    }
    (void)init;
}

/* Serve signals and the terminal until the init exits; return its status. */
static int proxy_loop(struct proxy *px, pid_t init)
{
    bool in_open = px->master >= 0;
    for (;;) {
        struct pollfd p[4] = {
            {.fd = px->sigfd, .events = POLLIN},
            {.fd = px->pidfd, .events = POLLIN},
            {.fd = px->master, .events = POLLIN},
            {.fd = in_open ? 0 : -1, .events = POLLIN},
        };
        if (poll(p, 4, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            on_signal(px, init);
        if (p[2].revents & (POLLIN | POLLHUP))
            if (!pump(px->master, 1) && !(p[2].revents & POLLIN))
                p[2].fd = -1;
        if (p[3].revents && !pump(0, px->master))
            in_open = false;
        if (p[1].revents)
            break;
    }
    /* Drain what the container wrote before it exited. */
    while (px->master >= 0) {
        struct pollfd p = {.fd = px->master, .events = POLLIN};
        if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN) || !pump(px->master, 1))
            break;
    }
    int status = 0;
    while (waitpid(init, &status, __WALL) < 0 && errno == EINTR)
        ;
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int release(struct create_ctx *ctx, struct brick_error *err)
{
    int r = sync_send(ctx->sync_parent, SYNC_START, 0);
    if (r < 0)
        return brick_err_errno(err, -r, "start the container init");
    struct sync_msg m;
    r = sync_recv(ctx->sync_parent, &m);
    if (r == -EPIPE)
        return 0; /* close-on-exec: execve succeeded */
    if (r == 0 && m.type == SYNC_ERROR) {
        m.err.msg[sizeof(m.err.msg) - 1] = '\0';
        *err = m.err;
        return -EINVAL;
    }
    return brick_err(err, EPROTO, "unexpected answer from the container init");
}

static int finish(struct create_ctx *ctx, int dirfd, bool keep, struct brick_error *err)
{
    _cleanup_close_ int rootfd = -EBADF;
    struct container_state st;
    int r = state_read(dirfd, ctx->opts->id, &st, err);
    if (r < 0)
        return r;
    if (!keep && state_root_open(ctx->opts->root, false, &rootfd, err) == 0)
        r = container_destroy(rootfd, dirfd, &st, err);
    container_state_done(&st);
    return r;
}

static int run_started(struct create_ctx *ctx, int dirfd, int *ret_status, struct brick_error *err)
{
    struct container_state st;
    int r = state_read(dirfd, ctx->opts->id, &st, err);
    if (r < 0)
        return r;
    r = container_started(dirfd, &st, ctx->spec, err);
    container_state_done(&st);
    if (r < 0 || ctx->opts->detach)
        return r;
    struct proxy px = {.master = -1, .pidfd = ctx->init_pidfd};
    if (ctx->console_parent >= 0 && recv_fd(ctx->console_parent, &px.master) < 0)
        px.master = -1;
    sigset_t set;
    forwardable(&set);
    px.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    proxy_start(&px);
    /* Unlock while we wait, so `state`, `kill` and `ps` work meanwhile. */
    flock(dirfd, LOCK_UN);
    *ret_status = proxy_loop(&px, ctx->init_pid);
    if (px.raw)
        tcsetattr(0, TCSANOW, &px.saved);
    if (px.master >= 0)
        close(px.master);
    close(px.sigfd);
    state_lock(dirfd, true);
    return finish(ctx, dirfd, ctx->opts->keep, err);
}

int brick_run(const struct brick_create_opts *opts, int *ret_status, struct brick_error *err)
{
    struct create_ctx ctx = CREATE_CTX_INIT(opts);
    ctx.may_proxy_tty = !opts->detach;
    sigset_t set, old;
    forwardable(&set);
    /* Block before the clone so no signal meant for the container is lost;
     * the init restores the mask before execve. */
    sigprocmask(SIG_BLOCK, &set, &old);
    *ret_status = 0;
    int dirfd = -1;
    int r = create_container(&ctx, true, &dirfd, err);
    if (r >= 0) {
        r = release(&ctx, err);
        if (r < 0) {
            /* Like a failed create: the init exits, nothing stays. */
            struct brick_error ignored;
            waitpid(ctx.init_pid, NULL, __WALL);
            finish(&ctx, dirfd, false, &ignored);
        } else {
            r = run_started(&ctx, dirfd, ret_status, err);
        }
    }
    if (dirfd >= 0)
        close(dirfd);
    create_ctx_done(&ctx);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}
