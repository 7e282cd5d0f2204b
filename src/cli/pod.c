/* pod.c — `brick pod create|rm|ls`: the command line of pods; what a pod is
 * (an infra container holding the shared namespaces, members found by their
 * annotations) lives in compose/pod.c. */
#include "cli/cli.h"
#include "compose/compose.h"
#include "compose/share.h"
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct brick_opt create_opts[] = {
    {"share-pid", no_argument, NULL, 'p', NULL, "the members share a pid namespace too", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static const struct brick_opt rm_opts[] = {
    {"force", no_argument, NULL, 'f', NULL, "kill running members and remove the pod", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int pod_create(struct cli_globals *g, int argc, char **argv)
{
    bool share_pid = false;
    int c;
    while ((c = cli_getopt(argc, argv, "h", create_opts, &cmd_pod)) != -1) {
        if (c == 'p')
            share_pid = true;
        else
            return c == 'h' ? cli_help(&cmd_pod) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_pod) < 0)
        return 1;
    const char *name = argv[optind];
    struct compose_opts o;
    struct brick_error err;
    int r = compose_pod_infra_opts(g->root, name, share_pid, &o, &err);
    int status;
    if (r < 0)
        r = cli_fail(&err);
    else
        r = cli_do_launch(g, &o, &status);
    compose_opts_done(&o);
    if (r == 0)
        printf("%s\n", name);
    return r;
}

static int pod_rm(struct cli_globals *g, int argc, char **argv)
{
    bool force = false;
    int c;
    while ((c = cli_getopt(argc, argv, "fh", rm_opts, &cmd_pod)) != -1) {
        if (c == 'f')
            force = true;
        else
            return c == 'h' ? cli_help(&cmd_pod) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_pod) < 0)
        return 1;
    struct brick_error err;
    return compose_pod_remove(g->root, argv[optind], force, &err) < 0 ? cli_fail(&err) : 0;
}

static int pod_ls(struct cli_globals *g, int argc, char **argv)
{
    optind = 1;
    if (cli_want_args(argc, argv, 0, 0, &cmd_pod) < 0)
        return 1;
    struct brick_container_info *v;
    size_t n;
    struct brick_error err;
    if (brick_list(g->root, &v, &n, &err) < 0)
        return cli_fail(&err);
    printf("%-20s%-24s%-10s%-18s%s\n", "POD", "INFRA", "STATUS", "SHARES", "MEMBERS");
    for (size_t i = 0; i < n; i++) {
        struct compose_info ci;
        if (compose_inspect(g->root, v[i].id, &ci, &err) < 0)
            continue;
        if (ci.pod_infra) {
            bool running;
            _cleanup_strv_ char **members = compose_pod_members(g->root, ci.pod_infra, &running);
            printf("%-20s%-24s%-10s%-18s", ci.pod_infra, v[i].id, ci.status,
                   ci.pod_shares ? ci.pod_shares : "");
            for (char **m = members; m && *m; m++)
                printf("%s%s", m == members ? "" : ",", *m);
            printf("\n");
        }
        compose_info_done(&ci);
    }
    brick_container_info_free(v, n);
    return 0;
}

static int pod_main(struct cli_globals *g, int argc, char **argv)
{
    if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h"))
        return argc < 2 ? (cli_help(&cmd_pod), 1) : cli_help(&cmd_pod);
    const char *sub = argv[1];
    argc--;
    argv++;
    optind = 0;
    if (streq(sub, "create"))
        return pod_create(g, argc, argv);
    if (streq(sub, "rm"))
        return pod_rm(g, argc, argv);
    if (streq(sub, "ls") || streq(sub, "list"))
        return pod_ls(g, argc, argv);
    static const char *const subs[] = {"create", "rm", "ls", "list"};
    const char *close = closest_name(sub, subs, sizeof(subs) / sizeof(subs[0]));
    if (close)
        return cli_failf("pod: unknown subcommand \"%s\"; did you mean '%s'? (create, rm, ls)", sub, close);
    return cli_failf("pod: unknown subcommand \"%s\" (create, rm, ls)", sub);
}

static const struct cli_subcommand pod_subs[] = {
    {"create", "start a pod's infra container", create_opts, "h", NULL},
    {"rm", "delete a pod", rm_opts, "fh", BRICK_COMPLETE_POD},
    {"ls", "list pods", NULL, NULL, NULL},
    {0},
};

const struct cli_command cmd_pod = {
    .name = "pod",
    .summary = "groups of containers sharing net, ipc and uts (and pid)",
    .usage = "pod create [--share-pid] NAME | pod rm [-f] NAME | pod ls\n\n"
             "create  start the infra container pod-NAME holding new net, ipc and uts namespaces\n"
             "        (and pid with --share-pid); members join with 'brick do --pod NAME ...'\n"
             "rm      delete the pod; refused while members run, unless -f/--force (kills them)\n"
             "ls      list pods, what they share and their members\n",
    .run = pod_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .subs = pod_subs,
};
