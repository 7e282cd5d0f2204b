/* simple.c — start, state, kill and delete: one container id each. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse no options but --help; leave optind at the first argument. */
static int plain_args(int argc, char **argv, const struct cli_command *cmd, int min, int max)
{
    int c;
    while ((c = cli_getopt(argc, argv, "h", cli_help_only, cmd)) != -1)
        return c == 'h' ? (cli_help(cmd), 2) : 1;
    return cli_want_args(argc, argv, min, max, cmd) < 0 ? 1 : 0;
}

static int start_main(struct cli_globals *g, int argc, char **argv)
{
    int r = plain_args(argc, argv, &cmd_start, 1, 1);
    if (r)
        return r == 2 ? 0 : 1;
    struct brick_error err;
    return brick_start(g->root, argv[optind], &err) < 0 ? cli_fail(&err) : 0;
}

static int state_main(struct cli_globals *g, int argc, char **argv)
{
    int r = plain_args(argc, argv, &cmd_state, 1, 1);
    if (r)
        return r == 2 ? 0 : 1;
    struct brick_error err;
    char *json = NULL;
    if (brick_state(g->root, argv[optind], &json, &err) < 0)
        return cli_fail(&err);
    puts(json);
    free(json);
    return 0;
}

static const struct brick_opt kill_opts[] = {
    {"all", no_argument, NULL, 'a', NULL, "signal every process of the container", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int kill_main(struct cli_globals *g, int argc, char **argv)
{
    bool all = false;
    int c;
    while ((c = cli_getopt(argc, argv, "ah", kill_opts, &cmd_kill)) != -1) {
        if (c == 'a')
            all = true;
        else
            return c == 'h' ? cli_help(&cmd_kill) : 1;
    }
    if (cli_want_args(argc, argv, 1, 2, &cmd_kill) < 0)
        return 1;
    const char *sigstr = optind + 1 < argc ? argv[optind + 1] : "SIGTERM";
    /* 0: no signal, a liveness check (kill(2)'s meaning; runc accepts it) */
    int sig = strcmp(sigstr, "0") == 0 ? 0 : brick_signal_from_string(sigstr);
    if (sig < 0)
        return cli_failf("kill: invalid signal \"%s\"", sigstr);
    struct brick_error err;
    return brick_kill(g->root, argv[optind], sig, all, &err) < 0 ? cli_fail(&err) : 0;
}

static const struct brick_opt delete_opts[] = {
    {"force", no_argument, NULL, 'f', NULL, "kill a running container first", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int delete_main(struct cli_globals *g, int argc, char **argv)
{
    bool force = false;
    int c;
    while ((c = cli_getopt(argc, argv, "fh", delete_opts, &cmd_delete)) != -1) {
        if (c == 'f')
            force = true;
        else
            return c == 'h' ? cli_help(&cmd_delete) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_delete) < 0)
        return 1;
    struct brick_error err;
    return brick_delete(g->root, argv[optind], force, &err) < 0 ? cli_fail(&err) : 0;
}

const struct cli_command cmd_start = {
    .name = "start",
    .summary = "start a created container",
    .usage = "start ID\n\nRelease the created container ID: its process runs; poststart hooks follow.\n",
    .run = start_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .args = BRICK_COMPLETE_CONTAINER,
};

const struct cli_command cmd_state = {
    .name = "state",
    .summary = "print the state of a container as OCI state JSON",
    .usage = "state ID\n\nPrint the OCI state of ID: ociVersion, id, pid, status (created, running,\n"
             "stopped), bundle, rootfs, created, owner, annotations.\n",
    .run = state_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .args = BRICK_COMPLETE_CONTAINER,
};

const struct cli_command cmd_kill = {
    .name = "kill",
    .summary = "send a signal to a container's init",
    .usage = "kill [options] ID [SIGNAL]\n\nSend SIGNAL (name like KILL or SIGKILL, or a number;\n"
             "default SIGTERM) to the container's init.\n",
    .run = kill_main,
    .opts = kill_opts,
    .shortopts = "ah",
    .args = BRICK_COMPLETE_CONTAINER " " BRICK_COMPLETE_SIGNAL,
};

const struct cli_command cmd_delete = {
    .name = "delete",
    .summary = "delete a container and its state",
    .usage = "delete [options] ID\n\nDelete a stopped or created container; poststop hooks run.\n",
    .run = delete_main,
    .opts = delete_opts,
    .shortopts = "fh",
    .args = BRICK_COMPLETE_CONTAINER,
};
