/* foreground.c — what a runtime process does while a container process it
 * started runs in the foreground (`run`, `exec`): forward signals, proxy the
 * terminal, and turn the exit into a shell-style status. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
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
    int master; /* pty master, -1 without a terminal */
    int sigfd;
    int pidfd;
    bool raw;
    bool line_open; /* the last byte passed to the pty ended no line */
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

/* Pass stdin on to the pty; false once stdin ended. The end is passed on
 * as a user typing ^D: the terminal's end-of-file character, twice after an
 * unfinished line (the first only hands that line to the reader), so a
 * pipeline `printf x | brick run -t cat` ends. */
static bool relay_stdin(struct proxy *px)
{
    char buf[8192];
    ssize_t n = read(0, buf, sizeof(buf));
    if (n > 0) {
        px->line_open = buf[n - 1] != '\n';
        return write_all(px->master, buf, (size_t)n) == 0;
    }
    if (n < 0 && errno == EINTR)
        return true;
    struct termios t;
    char eof = tcgetattr(px->master, &t) == 0 && t.c_cc[VEOF] ? (char)t.c_cc[VEOF] : 4;
    char eofs[2] = {eof, eof};
    (void)write_all(px->master, eofs, px->line_open ? 2 : 1);
    return false;
}

static void on_signal(struct proxy *px)
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
}

/* Serve signals and the terminal until the init exits; return its status. */
static int proxy_loop(struct proxy *px, pid_t init)
{
    bool in_open = px->master >= 0, out_open = px->master >= 0;
    for (;;) {
        struct pollfd p[4] = {
            {.fd = px->sigfd, .events = POLLIN},
            {.fd = px->pidfd, .events = POLLIN},
            {.fd = out_open ? px->master : -1, .events = POLLIN},
            {.fd = in_open ? 0 : -1, .events = POLLIN},
        };
        if (poll(p, 4, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            on_signal(px);
        /* a hung-up or failed side is dropped from the set, not polled again
         * (it would wake us at once for ever) */
        if (p[2].revents && !pump(px->master, 1) && !(p[2].revents & POLLIN))
            out_open = false;
        if (p[2].revents & (POLLERR | POLLNVAL))
            out_open = false;
        if (p[3].revents && !relay_stdin(px))
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

void foreground_block_signals(sigset_t *old)
{
    sigset_t set;
    forwardable(&set);
    sigprocmask(SIG_BLOCK, &set, old);
}

int foreground_wait(pid_t pid, int pidfd, int master)
{
    struct proxy px = {.master = master, .pidfd = pidfd};
    sigset_t set;
    forwardable(&set);
    px.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    proxy_start(&px);
    int status = proxy_loop(&px, pid);
    if (px.raw)
        tcsetattr(0, TCSANOW, &px.saved);
    if (px.master >= 0)
        close(px.master);
    close(px.sigfd);
    return status;
}
