/* inspect.c — `brick inspect ID`: what confines a running container, as
 * brick_inspect() reads it (runtime/inspect.c), printed as text or JSON. */
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ns_names[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

static void print_list(const char *key, bjson *arr)
{
    printf("%-18s", key);
    for (size_t i = 0; i < bjson_array_len(arr); i++) {
        const char *s = bjson_string(bjson_array_get(arr, i));
        printf("%s%s", i ? " " : "", s ? s : "?");
    }
    printf("%s\n", bjson_array_len(arr) ? "" : "(none)");
}

static void print_text(bjson *o)
{
    char *pid = bjson_to_string(bjson_get(o, "pid"), false);
    printf("%-18s%s (pid %s, %s)\n", "container", bjson_string(bjson_get(o, "id")), pid,
           bjson_string(bjson_get(o, "status")));
    free(pid);
    bjson *ns = bjson_get(o, "namespaces");
    for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++) {
        bjson *e = bjson_get(ns, ns_names[i]);
        char *ino = bjson_to_string(bjson_get(e, "inode"), false);
        char key[32];
        snprintf(key, sizeof(key), "ns %s", ns_names[i]);
        printf("%-18s%s%s", key, ino, bjson_bool(bjson_get(e, "host")) ? " (host)" : "");
        free(ino);
        print_list(" shared with:", bjson_get(e, "sharedWith"));
    }
    static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
        char key[32];
        snprintf(key, sizeof(key), "cap %s", sets[i]);
        print_list(key, bjson_get(bjson_get(o, "capabilities"), sets[i]));
    }
    bjson *sc = bjson_get(o, "seccomp");
    char *nf = bjson_to_string(bjson_get(sc, "filters"), false);
    printf("%-18s%s (%s filters)\n", "seccomp", bjson_string(bjson_get(sc, "mode")), nf);
    free(nf);
    printf("%-18s%s\n", "no_new_privs", bjson_bool(bjson_get(o, "noNewPrivileges")) ? "yes" : "no");
    printf("%-18s%s\n%-18s%s\n", "uid_map", bjson_string(bjson_get(o, "uidMap")), "gid_map",
           bjson_string(bjson_get(o, "gidMap")));
    printf("%-18s%s\n%-18s%s\n", "lsm label", bjson_string(bjson_get(o, "lsmLabel")), "landlock",
           bjson_string(bjson_get(o, "landlock")));
    bjson *p = bjson_get(o, "probe");
    if (p) {
        char *cnt = bjson_to_string(bjson_get(p, "blockedCount"), false);
        char *tried = bjson_to_string(bjson_get(p, "tried"), false);
        printf("%-18s%s blocked of %s tried\n", "probe", cnt, tried);
        free(cnt);
        free(tried);
        print_list("probe blocked", bjson_get(p, "blocked"));
        print_list("probe allowed", bjson_get(p, "allowed"));
    }
}

static int inspect_one(struct cli_globals *g, const char *id, bool json, bool want_probe)
{
    _cleanup_free_ char *text = NULL;
    struct brick_error err;
    if (brick_inspect(g->root, id, want_probe, &text, &err) < 0)
        return cli_fail(&err);
    if (json) {
        puts(text);
        return 0;
    }
    bjson *o = NULL;
    if (bjson_parse(text, strlen(text), &o, &err) < 0)
        return cli_fail(&err);
    print_text(o);
    bjson_free(o);
    return 0;
}

static const struct brick_opt inspect_opts[] = {
    {"format", required_argument, NULL, 'f', "text|json", "output format (default text)", "words:text json"},
    {"probe", no_argument, NULL, 'p', NULL,
     "copy the process's seccomp filters (ptrace) and try a list of "
     "dangerous syscalls against them in a throwaway child",
     NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int inspect_main(struct cli_globals *g, int argc, char **argv)
{
    bool json = false, want_probe = false;
    int c;
    while ((c = cli_getopt(argc, argv, "f:ph", inspect_opts, &cmd_inspect)) != -1) {
        if (c == 'f' && (streq(optarg, "json") || streq(optarg, "text")))
            json = streq(optarg, "json");
        else if (c == 'f')
            return cli_failf("inspect: --format: expected text or json, got \"%s\"", optarg);
        else if (c == 'p')
            want_probe = true;
        else
            return c == 'h' ? cli_help(&cmd_inspect) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_inspect) < 0)
        return 1;
    return inspect_one(g, argv[optind], json, want_probe);
}

const struct cli_command cmd_inspect = {
    .name = "inspect",
    .summary = "report how a running container is confined",
    .usage = "inspect [options] <container-id>\n\n"
             "Reads /proc of the container process: namespaces (and which containers under --root\n"
             "share them), capability sets, seccomp mode, no_new_privs, id maps, LSM label.\n",
    .run = inspect_main,
    .opts = inspect_opts,
    .shortopts = "f:ph",
    .args = BRICK_COMPLETE_CONTAINER,
};
