/* logs.c — `brick logs [-f] [--tail N] NAME`: the output of a container
 * started with `brick do -d`, as its logger kept it (runtime/logger.c): log.1
 * (the previous 1 MiB) then log, raw bytes as `docker logs` shows them. */
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* log + log.1 never exceed 2 MiB; more means files brick did not write */
#define LOGS_READ_MAX (8 << 20)

static int open_log(int dirfd, const char *name)
{
    return openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
}

static bool same_file(int fd, int other)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && fstat(other, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Where the last n lines of s start; a last line without a newline counts. */
static size_t tail_start(const char *s, size_t len, long n)
{
    if (n < 0)
        return 0;
    if (n == 0)
        return len;
    size_t i = len;
    if (i > 0 && s[i - 1] == '\n')
        i--; /* the newline that ends the last line */
    for (; i > 0; i--)
        if (s[i - 1] == '\n' && --n == 0)
            return i;
    return 0;
}

/* log.1 then log, as one text; *ret_fd: log, read to its end (for -f). A
 * rotation between the two opens shows as log.1 being log: read once. */
static int read_logs(int dirfd, char **ret, size_t *ret_len, int *ret_fd)
{
    _cleanup_close_ int cur = open_log(dirfd, "log");
    _cleanup_close_ int old = open_log(dirfd, "log.1");
    if (cur < 0)
        return -errno;
    _cleanup_free_ char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int r = old >= 0 && !same_file(old, cur) ? read_all_fd(old, LOGS_READ_MAX, &a, &na) : 0;
    if (r >= 0)
        r = read_all_fd(cur, LOGS_READ_MAX, &b, &nb);
    if (r < 0)
        return r;
    char *s = xmalloc(na + nb + 1);
    memcpy(s, a ? a : "", na);
    memcpy(s + na, b, nb + 1);
    *ret = s;
    *ret_len = na + nb;
    *ret_fd = TAKE_FD(cur);
    return 0;
}

/* Copy what fd holds from its offset on to stdout; 1 if there was any. */
static int copy_rest(int fd)
{
    char buf[64 << 10];
    for (int any = 0;; any = 1) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : any;
        int r = write_all(STDOUT_FILENO, buf, (size_t)n);
        if (r < 0)
            return r;
    }
}

/* The record of the logger writing in dirfd (runtime/logger.c), or NULL. */
static char *logger_record(int dirfd)
{
    char *s = NULL;
    return read_file_at(dirfd, "logger", 64, &s, NULL) < 0 ? NULL : s;
}

/* The logger rotated: log, ours, became log.1, and then maybe went on a
 * second rotation. The file to read next: log.1 when it is not ours (it came
 * after ours), else log; -1 when log is still ours. The directory must still
 * be our logger's: deleted, it is emptied and may be recycled for another
 * container. */
static int next_log(int dirfd, int fd, const char *record)
{
    _cleanup_close_ int now = open_log(dirfd, "log");
    if (now < 0 || same_file(now, fd))
        return -1;
    _cleanup_close_ int old = open_log(dirfd, "log.1");
    _cleanup_free_ char *rec = logger_record(dirfd);
    if (!streq(rec, record))
        return -1;
    return old >= 0 && !same_file(old, fd) ? TAKE_FD(old) : TAKE_FD(now);
}

/* Print what is written to the log *fd until the logger exits (the
 * container's output is closed, or the container deleted), then what it
 * wrote last. */
static int follow(int dirfd, int *fd, int pidfd)
{
    _cleanup_free_ char *record = logger_record(dirfd);
    for (int r = 0;;) {
        /* while output flows, look again soon: a burst rotates the log
         * quickly, and a file rotated twice before we read it is gone */
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        bool last = pidfd < 0 || poll(&p, 1, r > 0 ? 2 : 100) > 0; /* before the copy: nothing comes after */
        r = copy_rest(*fd);
        if (r < 0)
            return r;
        int next = next_log(dirfd, *fd, record);
        if (next >= 0) {
            close(*fd);
            *fd = next;
            continue; /* at once: the new log may be filling already */
        }
        if (last)
            return 0;
    }
}

static int show(struct cli_globals *g, const char *id, long tail, bool follow_on)
{
    struct brick_error err;
    _cleanup_close_ int dirfd = -EBADF, pidfd = -EBADF, fd = -EBADF;
    if (brick_log_open(g->root, id, &dirfd, &pidfd, &err) < 0)
        return cli_fail(&err);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_logs(dirfd, &text, &len, &fd);
    if (r < 0)
        return cli_failf("logs: container \"%s\": read its log: %s", id, strerror(-r));
    size_t start = tail_start(text, len, tail);
    r = write_all(STDOUT_FILENO, text + start, len - start);
    if (r >= 0 && follow_on)
        r = follow(dirfd, &fd, pidfd);
    if (r < 0)
        return cli_failf("logs: container \"%s\": %s", id, strerror(-r));
    return 0;
}

static const struct brick_opt logs_opts[] = {
    {"follow", no_argument, NULL, 'f', NULL,
     "go on printing new output until the container's output is closed (it "
     "stopped, or was deleted); then exit 0",
     NULL},
    {"tail", required_argument, NULL, 'n', "N", "only the last N lines (a number, or all: the default)",
     "words:all"},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int logs_main(struct cli_globals *g, int argc, char **argv)
{
    bool follow_on = false;
    long tail = -1; /* all */
    int c, n;
    while ((c = cli_getopt(argc, argv, "fn:h", logs_opts, &cmd_logs)) != -1) {
        if (c == 'f')
            follow_on = true;
        else if (c == 'n' && streq(optarg, "all"))
            tail = -1;
        else if (c == 'n' && parse_int(optarg, &n) == 0 && n >= 0)
            tail = n;
        else if (c == 'n')
            return cli_failf("logs: --tail %s: expected a number of lines or \"all\"", optarg);
        else
            return c == 'h' ? cli_help(&cmd_logs) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_logs) < 0)
        return 1;
    return show(g, argv[optind], tail, follow_on);
}

const struct cli_command cmd_logs = {
    .name = "logs",
    .summary = "print the output of a container started with 'brick do -d'",
    .usage = "logs [options] NAME\n\n"
             "Print what a container started with 'brick do -d' wrote to its stdout and stderr,\n"
             "as written. Its log keeps the last 1 to 2 MiB (the previous 1 MiB file first).\n"
             "Other containers (OCI create and run) keep no log: their stdio is the caller's.\n",
    .run = logs_main,
    .opts = logs_opts,
    .shortopts = "fn:h",
    .args = BRICK_COMPLETE_CONTAINER,
};
