/* logger.c — the output log of a detached `brick do` (conmon's job for
 * Podman, containerd's shim for Docker).
 *
 * A detached container must not keep its caller's stdio: `out=$(brick do
 * -d ...)` would wait for the container and `brick do -d ... | grep` would
 * hang. Its stdin is /dev/null; its stdout and stderr are one pipe, read by a
 * small process forked here, which appends to <state>/log and at LOG_CAP
 * bytes renames it to log.1 (replacing the previous one) and starts a new
 * log: at most 2 x LOG_CAP on disk, whatever the container writes. A plain
 * file as stdout would need no process, but could not be capped: the
 * container would hold the only writer.
 *
 * The logger
 *  - holds the pipe's read end, an fd of the state directory of its own (the
 *    create's one carries the lock) and the open log, nothing else: no
 *    caller's pipe, no lock, no other host directory (fds_close_except);
 *  - is non-dumpable from its first instruction (clone3_fork), its command
 *    line is "brick-logger", it has a session of its own and stays in the
 *    caller's namespaces and cgroup. In a pid namespace of its own (the
 *    default) the container cannot see it; with --pid host it sees a process
 *    whose memory, environment and fds it cannot read or ptrace;
 *  - writes only through that directory fd, with O_NOFOLLOW | O_EXCL names.
 *    The state directory is not in the container's view (/run, where state
 *    roots live, is a private tmpfs there; a -v of the state root is the
 *    caller's doing, and even then a planted symlink is never followed);
 *  - exits at EOF, once every process holding the container's stdout or
 *    stderr is gone. `delete` kills it and waits for it before the directory
 *    is removed or recycled (logger_stop);
 *  - when it dies, the container's writes fail with EPIPE: they never block
 *    on a full pipe nobody reads. A write error of its own (a full disk)
 *    drops output rather than stop reading. */
#include "runtime/logger.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/log.h"
#include "core/util.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOGGER_RECORD "logger"

struct logger {
    int in;      /* the pipe's read end: the container's stdout and stderr */
    int dirfd;   /* the state directory (O_PATH, no lock) */
    int out;     /* the log, appended to; -1 when it could not be made (output dropped) */
    size_t size; /* bytes in it */
};

static int log_create(int dirfd)
{
    return openat(dirfd, LOG_NAME, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/* log becomes log.1 (the previous log.1 goes), a new log starts. If the
 * rename fails the log is emptied instead: the cap holds either way. */
static void rotate(struct logger *l)
{
    l->size = 0;
    if (renameat(l->dirfd, LOG_NAME, l->dirfd, LOG_OLD_NAME) < 0 && l->out >= 0 && ftruncate(l->out, 0) == 0)
        return;
    if (l->out >= 0)
        close(l->out);
    l->out = log_create(l->dirfd);
}

static void append(struct logger *l, const char *p, size_t n)
{
    while (n > 0) {
        if (l->size >= LOG_CAP)
            rotate(l);
        size_t k = n < LOG_CAP - l->size ? n : LOG_CAP - l->size;
        if (l->out >= 0)
            (void)write_all(l->out, p, k);
        l->size += k;
        p += k;
        n -= k;
    }
}

_Noreturn static void logger_main(struct logger *l)
{
    static char buf[64 << 10];
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++)
        (void)signal(s, SIG_DFL); /* brick's handlers and ignored signals */
    sigprocmask(SIG_SETMASK, &none, NULL);
    (void)setsid(); /* no terminal: a closed one sends it no SIGHUP */
    stdio_to_null();
    int keep[] = {l->in, l->dirfd, l->out};
    fds_close_except(keep, ARRAY_SIZE(keep));
    (void)cmdline_wipe(-1, "brick-logger"); /* `brick do` flags (-e KEY=secret) */
    for (;;) {
        ssize_t n = read(l->in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(0);
        append(l, buf, (size_t)n);
    }
}

static int write_record(int dirfd, pid_t pid, struct brick_error *err)
{
    uint64_t start;
    int r = proc_pid_start_time(pid, &start);
    if (r < 0)
        return brick_err_errno(err, -r, "output log: the logger vanished");
    char rec[64];
    snprintf(rec, sizeof(rec), "%d %" PRIu64 "\n", (int)pid, start);
    r = write_file_atomic(dirfd, LOGGER_RECORD, rec, 0600);
    if (r < 0)
        return brick_err_errno(err, -r, "output log: write %s", LOGGER_RECORD);
    return 0;
}

int step_spawn_logger(struct create_ctx *ctx, struct brick_error *err)
{
    if (!ctx->opts->output_log)
        return 0;
    if (!ctx->for_run || !ctx->opts->detach)
        return brick_err(err, EINVAL, "output log: only a detached run keeps one");
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return brick_err_errno(err, errno, "output log: pipe");
    _cleanup_close_ int in = p[0], dirfd = -EBADF, out = -EBADF;
    ctx->log_stdout = p[1];
    ctx->log_stdin = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (ctx->log_stdin < 0)
        return brick_err_errno(err, errno, "output log: open /dev/null");
    dirfd = openat(ctx->state_dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC); /* a new one: no lock */
    out = dirfd < 0 ? -1 : log_create(dirfd);
    if (out < 0)
        return brick_err_errno(err, errno, "output log: create %s", LOG_NAME);
    pid_t pid = clone3_fork(0, &ctx->logger_pidfd);
    if (pid < 0)
        return brick_err_errno(err, -pid, "output log: fork the logger");
    if (pid == 0) {
        struct logger l = {.in = in, .dirfd = dirfd, .out = out};
        logger_main(&l);
    }
    ctx->logger_pid = pid;
    return write_record(ctx->state_dirfd, pid, err);
}

void logger_rollback(struct create_ctx *ctx)
{
    if (ctx->logger_pid <= 0)
        return;
    /* our unreaped child: its pid cannot be recycled */
    if (ctx->logger_pidfd < 0 || pidfd_signal(ctx->logger_pidfd, SIGKILL) < 0)
        kill(ctx->logger_pid, SIGKILL);
    waitpid(ctx->logger_pid, NULL, 0);
    ctx->logger_pid = 0;
}

/* The recorded logger: -ENOENT without a record (no log), 0 when it is gone,
 * 1 and a pidfd of it while it runs. The record is input: a pid whose start
 * time differs is another process. */
static int logger_open(int dirfd, int *ret_pidfd)
{
    *ret_pidfd = -1;
    _cleanup_free_ char *text = NULL;
    int r = read_file_at(dirfd, LOGGER_RECORD, 64, &text, NULL);
    if (r < 0)
        return r;
    char *sp = strchr(text, ' ');
    char *nl = strchr(text, '\n');
    int pid;
    uint64_t start;
    if (!sp || !nl)
        return -EUCLEAN;
    *sp = *nl = '\0';
    if (parse_int(text, &pid) < 0 || pid <= 0 || parse_u64(sp + 1, &start) < 0)
        return -EUCLEAN;
    struct container_state st = {.pid = pid, .pid_start = start};
    if (!state_pid_alive(&st, ret_pidfd))
        return 0;
    /* and it is a logger (the record could name any process of the same
     * start time): its command line, read while the pidfd pins it */
    char path[48];
    _cleanup_free_ char *cmd = NULL;
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    struct pollfd p = {.fd = *ret_pidfd, .events = POLLIN};
    if (read_file_at(AT_FDCWD, path, BRICK_READ_SMALL, &cmd, NULL) < 0 || strcmp(cmd, "brick-logger") != 0 ||
        poll(&p, 1, 0) != 0) {
        close(*ret_pidfd);
        *ret_pidfd = -1;
        return 0;
    }
    return 1;
}

void logger_stop(int dirfd)
{
    _cleanup_close_ int pidfd = -EBADF;
    if (logger_open(dirfd, &pidfd) <= 0 || pidfd_signal(pidfd, SIGKILL) < 0)
        return;
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, 5000)) < 0 && errno == EINTR)
        ;
    if (r == 0)
        log_warn("output log: the logger did not exit within 5 s of SIGKILL");
}

int brick_log_open(const char *root, const char *id, int *ret_dirfd, int *ret_pidfd, struct brick_error *err)
{
    struct handle h;
    *ret_pidfd = -1;
    int r = handle_open(root, id, false, &h, err);
    if (r >= 0) {
        r = logger_open(h.dirfd, ret_pidfd);
        if (r == -ENOENT)
            r = brick_err(err, ENODATA,
                          "container \"%s\" has no log (only `brick do -d` containers keep one)", id);
        else if (r < 0)
            r = brick_err_errno(err, -r, "container \"%s\": read its %s record", id, LOGGER_RECORD);
    }
    /* a directory fd of the caller's own: the handle's carries our lock */
    int fd = r >= 0 ? openat(h.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (r >= 0 && fd < 0)
        r = brick_err_errno(err, errno, "container \"%s\": open its state directory", id);
    if (r < 0 && *ret_pidfd >= 0) {
        close(*ret_pidfd);
        *ret_pidfd = -1;
    }
    *ret_dirfd = fd;
    handle_done(&h);
    return r < 0 ? r : 0;
}
