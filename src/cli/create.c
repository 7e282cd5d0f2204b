/* create.c and run: `brick create` and `brick run` share runc's flags. */
#include "cli/cli.h"
#include "cli/learn.h"
#include "compose/compose.h"
#include "core/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_PID_FILE = 256,
    OPT_CONSOLE,
    OPT_NO_PIVOT,
    OPT_NO_KEYRING,
    OPT_PRESERVE,
    OPT_KEEP,
    OPT_NO_SUBREAPER,
    OPT_PIDFD_SOCKET,
    OPT_LEARN,
    OPT_PROFILE_FILE
};

/* The options create and run share (core/opts.h), then each one's table. */
/* clang-format off */
#define COMMON_OPTS \
    {"bundle", required_argument, NULL, 'b', "DIR", "bundle directory holding config.json (default: .)", \
     BRICK_COMPLETE_DIR}, \
    {"pid-file", required_argument, NULL, OPT_PID_FILE, "FILE", "write the container's init pid to FILE", \
     BRICK_COMPLETE_FILE}, \
    {"console-socket", required_argument, NULL, OPT_CONSOLE, "SOCKET", \
     "send the pty master to the unix socket SOCKET (process.terminal)", BRICK_COMPLETE_FILE}, \
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT, NULL, "use MS_MOVE + chroot instead of pivot_root", NULL}, \
    {"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING, NULL, "keep the caller's session keyring", NULL}, \
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE, "N", \
     "pass N extra fds (3, 4, ...) to the container", NULL}, \
    {"pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET, "SOCKET", \
     "send a pidfd of the container's init to the unix socket SOCKET", BRICK_COMPLETE_FILE}, \
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL}
/* clang-format on */

static const struct brick_opt create_opts[] = {COMMON_OPTS, {0}};

static const struct brick_opt run_opts[] = {
    COMMON_OPTS,
    {"detach", no_argument, NULL, 'd', NULL, "do not wait for the container", NULL},
    {"keep", no_argument, NULL, OPT_KEEP, NULL, "do not delete the container after it exits", NULL},
    {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER, NULL,
     "accepted for runc compatibility (brick uses none)", NULL},
    {"learn", required_argument, NULL, OPT_LEARN, "FILE",
     "run under the bundle's linux.seccomp (which "
     "must exist) while a supervisor records the syscalls it allows, the paths and ports they touch and (as "
     "root) the capabilities the run exercised, and write them to FILE (as brick do --learn). Foreground only; "
     "the bundle is not changed",
     BRICK_COMPLETE_FILE},
    {"profile-file", required_argument, NULL, OPT_PROFILE_FILE, "FILE",
     "run with FILE as linux.seccomp instead of the bundle's, the capability sets limited to its learned "
     "ones and its Landlock policy applied; the first refused syscall and each refused dropped capability "
     "are named on stderr (docs/PROFILES.md)",
     BRICK_COMPLETE_FILE},
    {0},
};
#define CREATE_SHORTOPTS "b:h"
#define RUN_SHORTOPTS "b:dh"

/* run --learn FILE, --profile-file FILE (learn.h); NULL for create. */
static struct compose_opts *learn_opts;

/* The flags only run has. */
static void parse_run_flag(int c, const char *arg, struct brick_create_opts *o)
{
    if (c == 'd')
        o->detach = true;
    else if (c == OPT_KEEP)
        o->keep = true;
    else if (c == OPT_LEARN || c == OPT_PROFILE_FILE) {
        char **dst = c == OPT_LEARN ? &learn_opts->learn_file : &learn_opts->profile_file;
        free(*dst);
        *dst = xstrdup(arg);
    } /* OPT_NO_SUBREAPER: brick never relies on a subreaper */
}

static int parse(struct cli_globals *g, int argc, char **argv, const struct cli_command *cmd,
                 struct brick_create_opts *o)
{
    bool is_run = cmd == &cmd_run;
    *o = (struct brick_create_opts){.root = g->root, .systemd_cgroup = g->systemd_cgroup};
    int c;
    while ((c = cli_getopt(argc, argv, is_run ? RUN_SHORTOPTS : CREATE_SHORTOPTS,
                           is_run ? run_opts : create_opts, cmd)) != -1) {
        switch (c) {
        case 'b': o->bundle = optarg; break;
        case OPT_PID_FILE: o->pid_file = optarg; break;
        case OPT_CONSOLE: o->console_socket = optarg; break;
        case OPT_NO_PIVOT: o->no_pivot = true; break;
        case OPT_NO_KEYRING: o->no_new_keyring = true; break;
        case OPT_PRESERVE:
            if (parse_int(optarg, &o->preserve_fds) < 0 || o->preserve_fds < 0 || o->preserve_fds > 65536)
                return cli_failf("%s: --preserve-fds: expected a non-negative number, got \"%s\"", cmd->name,
                                 optarg);
            break;
        case OPT_PIDFD_SOCKET: o->pidfd_socket = optarg; break;
        case 'd':
        case OPT_KEEP:
        case OPT_NO_SUBREAPER:
        case OPT_LEARN:
        case OPT_PROFILE_FILE:
            if (!is_run)
                return cli_failf("%s: unknown option '%s'", cmd->name, argv[optind - 1]);
            parse_run_flag(c, optarg, o);
            break;
        case 'h': cli_help(cmd); return 2;
        default: return 1;
        }
    }
    if (cli_want_args(argc, argv, 1, 1, cmd) < 0)
        return 1;
    o->id = argv[optind];
    return 0;
}

static int create_main(struct cli_globals *g, int argc, char **argv)
{
    struct brick_create_opts o;
    int r = parse(g, argc, argv, &cmd_create, &o);
    if (r)
        return r == 2 ? 0 : 1;
    struct brick_error err;
    if (brick_create(&o, &err) < 0)
        return cli_fail(&err);
    return 0;
}

static int run_main(struct cli_globals *g, int argc, char **argv)
{
    struct brick_create_opts o;
    struct compose_opts lo = {0};
    learn_opts = &lo;
    int r = parse(g, argc, argv, &cmd_run, &o);
    learn_opts = NULL;
    int status = 0;
    if (!r && (lo.learn_file || lo.profile_file)) /* the seccomp supervisor (run_learn.c) */
        r = lo.learn_file && lo.profile_file
                ? cli_failf("run: --learn and --profile-file: learn within the bundle's profile, then apply")
                : cli_run_learn(&lo, &o, &status);
    else if (!r)
        r = -1; /* a plain run, below */
    compose_opts_done(&lo);
    if (r >= 0)
        return r == 2 ? 0 : r ? r : status;
    struct brick_error err;
    struct brick_exit_info info = {.oom_kills = -1};
    if (!o.detach)
        o.exit_info = &info;
    if (brick_run(&o, &status, &err) < 0)
        return cli_fail(&err);
    cli_report_exit(&info, status);
    return status;
}

const struct cli_command cmd_create = {
    .name = "create",
    .summary = "create a container (it waits before running its process)",
    .usage = "create [options] ID\n\nCreate the container ID from a bundle. The process waits just\n"
             "before execve until 'brick start ID'.\n",
    .run = create_main,
    .opts = create_opts,
    .shortopts = CREATE_SHORTOPTS,
};

const struct cli_command cmd_run = {
    .name = "run",
    .summary = "create and start a container",
    .usage = "run [options] ID\n\nCreate and start the container ID; in the foreground, forward\n"
             "signals, wait for it, delete it and exit with its status (128+N when killed by\n"
             "signal N).\n",
    .run = run_main,
    .opts = run_opts,
    .shortopts = RUN_SHORTOPTS,
};
