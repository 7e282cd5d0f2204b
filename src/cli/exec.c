/* exec.c — `brick exec`: runc's flags. Flags stop at the container id, so the
 * command's own options are never taken for ours. */
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_CONSOLE = 256,
    OPT_PID_FILE,
    OPT_CWD,
    OPT_NNP,
    OPT_APPARMOR,
    OPT_LABEL,
    OPT_PRESERVE,
    OPT_IGNORE_PAUSED,
    OPT_PIDFD_SOCKET
};

#define EXEC_SHORTOPTS "+p:tde:u:g:c:h"
static const struct brick_opt exec_opts[] = {
    {"process", required_argument, NULL, 'p', "FILE", "the process as an OCI process JSON object",
     BRICK_COMPLETE_FILE},
    {"tty", no_argument, NULL, 't', NULL, "allocate a terminal", NULL},
    {"console-socket", required_argument, NULL, OPT_CONSOLE, "SOCKET",
     "send the pty master to the unix socket SOCKET", BRICK_COMPLETE_FILE},
    {"detach", no_argument, NULL, 'd', NULL, "do not wait for the process", NULL},
    {"pid-file", required_argument, NULL, OPT_PID_FILE, "FILE", "write the process's pid to FILE",
     BRICK_COMPLETE_FILE},
    {"cwd", required_argument, NULL, OPT_CWD, "DIR", "working directory inside the container", NULL},
    {"env", required_argument, NULL, 'e', "KEY=VALUE", "set an environment variable (repeatable)", NULL},
    {"user", required_argument, NULL, 'u', "UID[:GID]", "run as UID and GID", NULL},
    {"additional-gids", required_argument, NULL, 'g', "GID", "add a supplementary group (repeatable)", NULL},
    {"cap", required_argument, NULL, 'c', "CAP",
     "add a capability to the bounding, effective, permitted "
     "(and, with an inheritable set, ambient) sets",
     BRICK_COMPLETE_CAP},
    {"no-new-privs", no_argument, NULL, OPT_NNP, NULL, "set no_new_privs", NULL},
    {"apparmor", required_argument, NULL, OPT_APPARMOR, "PROFILE", "AppArmor profile", NULL},
    {"process-label", required_argument, NULL, OPT_LABEL, "LABEL", "SELinux label", NULL},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE, "N", "pass N extra fds (3, 4, ...)", NULL},
    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED, NULL, "exec even if the container is paused",
     NULL},
    {"pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET, "SOCKET",
     "send a pidfd of the process to the unix socket SOCKET", BRICK_COMPLETE_FILE},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int parse_user(const char *s, struct brick_exec_opts *o)
{
    int64_t uid, gid = 0;
    _cleanup_free_ char *copy = xstrdup(s);
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    /* as runc: 0 to 2^31-1 ((uid_t)-1 would mean "unchanged": root) */
    if (parse_i64(copy, &uid) < 0 || uid < 0 || uid > INT32_MAX ||
        (colon && (parse_i64(colon + 1, &gid) < 0 || gid < 0 || gid > INT32_MAX)))
        return cli_failf("exec: --user: expected UID[:GID] as numbers, got \"%s\"", s);
    o->has_user = true;
    o->uid = (uid_t)uid;
    o->gid = (gid_t)gid;
    return 0;
}

static int add_gid(const char *s, struct brick_exec_opts *o)
{
    int64_t g;
    if (parse_i64(s, &g) < 0 || g < 0 || g > INT32_MAX)
        return cli_failf("exec: --additional-gids: expected a number, got \"%s\"", s);
    o->additional_gids = xrealloc(o->additional_gids, (o->n_additional_gids + 1) * sizeof(unsigned));
    o->additional_gids[o->n_additional_gids++] = (unsigned)g;
    return 0;
}

static int parse_one(int c, struct brick_exec_opts *o)
{
    switch (c) {
    case 'p': o->process_file = optarg; return 0;
    case 't': o->tty = true; return 0;
    case OPT_CONSOLE: o->console_socket = optarg; return 0;
    case 'd': o->detach = true; return 0;
    case OPT_PID_FILE: o->pid_file = optarg; return 0;
    case OPT_CWD: o->cwd = optarg; return 0;
    case 'e':
        if (!strchr(optarg, '=') || optarg[0] == '=')
            return cli_failf("exec: --env: expected KEY=VALUE, got \"%s\"", optarg);
        strv_push(&o->env, optarg);
        return 0;
    case 'u': return parse_user(optarg, o);
    case 'g': return add_gid(optarg, o);
    case 'c': strv_push(&o->caps, optarg); return 0;
    case OPT_NNP: o->no_new_privs = true; return 0;
    case OPT_APPARMOR: o->apparmor = optarg; return 0;
    case OPT_LABEL: o->process_label = optarg; return 0;
    case OPT_PRESERVE:
        if (parse_int(optarg, &o->preserve_fds) < 0 || o->preserve_fds < 0 || o->preserve_fds > 65536)
            return cli_failf("exec: --preserve-fds: expected a non-negative number, got \"%s\"", optarg);
        return 0;
    case OPT_IGNORE_PAUSED: o->ignore_paused = true; return 0;
    case OPT_PIDFD_SOCKET: o->pidfd_socket = optarg; return 0;
    default: return 1;
    }
}

static int exec_main(struct cli_globals *g, int argc, char **argv)
{
    /* the process exec makes is visible in the container before its execve,
     * with our command line (`-e SECRET=...`): parse copies, so that the
     * original can be wiped (brick_wipe_cmdline) */
    _cleanup_strv_ char **copy = strv_copy(argv);
    _cleanup_free_ char *root = xstrdup(g->root);
    argv = copy;
    struct brick_exec_opts o = {.root = root};
    int c, r = 0;
    /* "+": stop at the first non-option (the container id). */
    while (r == 0 && (c = cli_getopt(argc, argv, EXEC_SHORTOPTS, exec_opts, &cmd_exec)) != -1) {
        if (c == 'h') {
            cli_help(&cmd_exec);
            goto out;
        }
        r = parse_one(c, &o);
    }
    if (r == 0 && cli_want_args(argc, argv, 1, 1 << 20, &cmd_exec) < 0)
        r = 1;
    if (r == 0) {
        o.id = argv[optind];
        o.args = argv + optind + 1;
        if (streq(o.args[0], "--")) /* `exec ID -- CMD` (runc 1.1 runs "--") */
            o.args++;
        if (!o.process_file && !o.args[0])
            r = cli_failf("exec: a command is required unless --process is given");
    }
    if (r == 0) {
        struct brick_error err;
        int status = 0;
        /* nothing below reads our environment: none of it for the
         * container to find in the process we make there */
        (void)brick_wipe_environment();
        (void)brick_wipe_cmdline();
        /* runc: 255 when the process could not be started at all */
        r = brick_exec(&o, &status, &err) < 0 ? (cli_fail(&err), 255) : status;
    }
out:
    strv_free(o.env);
    strv_free(o.caps);
    free(o.additional_gids);
    return r;
}

const struct cli_command cmd_exec = {
    .name = "exec",
    .summary = "run a process in a running container",
    .usage = "exec [options] ID [--] COMMAND [ARG...]\n       brick exec [options] -p process.json ID\n\n"
             "Run a process in every namespace of the running container ID, with its\n"
             "capabilities, rlimits and no_new_privs (or those of process.json).\n",
    .run = exec_main,
    .opts = exec_opts,
    .shortopts = EXEC_SHORTOPTS,
    .args = BRICK_COMPLETE_CONTAINER,
};
