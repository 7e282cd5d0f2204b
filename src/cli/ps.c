/* ps.c — `ps`: the processes of a container's cgroup. As runc: a table from
 * `ps -ef` (or the given ps options) keeping the header and the lines whose
 * PID column is in the cgroup, or `--format json`: a JSON array of pids. */
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool has_pid(const pid_t *v, size_t n, int pid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == pid)
            return true;
    return false;
}

/* Index of the PID column in ps's header, or -1. */
static int pid_column(const char *header)
{
    _cleanup_free_ char *h = xstrdup(header);
    char *save = NULL;
    int i = 0;
    for (char *w = strtok_r(h, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), i++)
        if (streq(w, "PID"))
            return i;
    return -1;
}

static int field_int(const char *line, int col)
{
    _cleanup_free_ char *l = xstrdup(line);
    char *save = NULL;
    int i = 0, v = -1;
    for (char *w = strtok_r(l, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), i++)
        if (i == col) {
            parse_int(w, &v);
            break;
        }
    return v;
}

/* ps with the caller's options (runc: `ps -ef` without any), run directly:
 * no shell, so no option can be read as shell syntax. *ret_pid is its pid; its
 * stdout is the returned fd. */
static int spawn_ps(char **ps_args, pid_t *ret_pid)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid == 0) {
        static char *const dflt[] = {"ps", "-ef", NULL};
        size_t n = 0;
        while (ps_args[n])
            n++;
        char **argv = xcalloc(n + 2, sizeof(*argv));
        argv[0] = "ps";
        memcpy(argv + 1, ps_args, n * sizeof(*argv));
        if (dup2(p[1], STDOUT_FILENO) >= 0)
            execvp("ps", n ? argv : dflt);
        _exit(127);
    }
    int e = errno;
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -e;
    }
    *ret_pid = pid;
    return p[0];
}

static int table(char **ps_args, const pid_t *pids, size_t n)
{
    pid_t pid = -1;
    int fd = spawn_ps(ps_args, &pid);
    if (fd < 0)
        return cli_failf("ps: run ps: %s", strerror(-fd));
    _cleanup_fclose_ FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        waitpid(pid, NULL, 0);
        return cli_failf("ps: run ps: %s", strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    int col = -1;
    for (bool first = true; getline(&line, &cap, f) > 0; first = false) {
        if (first) {
            col = pid_column(line);
            fputs(line, stdout);
            if (col < 0)
                break;
        } else if (has_pid(pids, n, field_int(line, col))) {
            fputs(line, stdout);
        }
    }
    free(line);
    fclose(TAKE_PTR(f)); /* ps may still be writing: it gets EPIPE, not a hang */
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (col < 0)
        return cli_failf("ps: no PID column in the output of ps");
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return cli_failf("ps: ps not found (install procps)");
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : cli_failf("ps: ps failed");
}

static const struct brick_opt ps_opts[] = {
    {"format", required_argument, NULL, 'f', "table|json",
     "table (default): ps's lines; json: a JSON array of "
     "the pids",
     "words:table json"},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int ps_main(struct cli_globals *g, int argc, char **argv)
{
    const char *format = "table";
    int c;
    while ((c = cli_getopt(argc, argv, "+f:h", ps_opts, &cmd_ps)) != -1) {
        if (c == 'f')
            format = optarg;
        else
            return c == 'h' ? cli_help(&cmd_ps) : 1;
    }
    if (!streq(format, "table") && !streq(format, "json"))
        return cli_failf("ps: invalid format \"%s\" (table or json)", format);
    if (optind >= argc)
        return cli_want_args(argc, argv, 1, 1, &cmd_ps) < 0 ? 1 : 1;
    const char *id = argv[optind];
    char **ps_args = argv + optind + 1;
    if (*ps_args && streq(*ps_args, "--"))
        ps_args++;
    if (streq(format, "json") && *ps_args)
        return cli_failf("ps: ps options cannot be used with --format json");
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    struct brick_error err;
    if (brick_pids(g->root, id, &pids, &n, &err) < 0)
        return cli_fail(&err);
    if (streq(format, "table"))
        return table(ps_args, pids, n);
    putchar('[');
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", pids[i]);
    puts("]");
    return 0;
}

const struct cli_command cmd_ps = {
    .name = "ps",
    .summary = "list the processes of a container",
    .usage = "ps [options] ID [ps options]\n\nList the processes in the container's cgroup: the lines of\n"
             "`ps -ef` (or of ps with the given options) whose PID is the container's.\n",
    .run = ps_main,
    .opts = ps_opts,
    .shortopts = "+f:h",
    .args = BRICK_COMPLETE_CONTAINER,
};
