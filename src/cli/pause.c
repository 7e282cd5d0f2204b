/* pause.c — pause and resume: freeze and thaw the container's cgroup. */
#include "cli/cli.h"

#include <stdio.h>

static int freeze_main(const struct cli_command *cmd, struct cli_globals *g, int argc, char **argv,
                       int (*fn)(const char *, const char *, struct brick_error *))
{
    int c;
    while ((c = cli_getopt(argc, argv, "h", cli_help_only, cmd)) != -1)
        return c == 'h' ? cli_help(cmd) : 1;
    if (cli_want_args(argc, argv, 1, 1, cmd) < 0)
        return 1;
    struct brick_error err;
    return fn(g->root, argv[optind], &err) < 0 ? cli_fail(&err) : 0;
}

static int pause_main(struct cli_globals *g, int argc, char **argv)
{
    return freeze_main(&cmd_pause, g, argc, argv, brick_pause);
}

static int resume_main(struct cli_globals *g, int argc, char **argv)
{
    return freeze_main(&cmd_resume, g, argc, argv, brick_resume);
}

const struct cli_command cmd_pause = {
    .name = "pause",
    .summary = "suspend every process of a container",
    .usage = "pause ID\n\nFreeze every process of ID (cgroup freezer); `state` shows \"paused\".\n",
    .run = pause_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .args = BRICK_COMPLETE_CONTAINER,
};

const struct cli_command cmd_resume = {
    .name = "resume",
    .summary = "resume a paused container",
    .usage = "resume ID\n\nThaw every process of the paused container ID.\n",
    .run = resume_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .args = BRICK_COMPLETE_CONTAINER,
};
