/* list.c — `brick list`: a table like runc's, JSON, or ids only. */
#include "cli/cli.h"
#include "core/util.h"
#include "spec/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *shares(const char *record);
static void print_table_shares(const struct brick_container_info *v, size_t n);

static void print_json(const struct brick_container_info *v, size_t n)
{
    bjson *a = bjson_new_array();
    for (size_t i = 0; i < n; i++) {
        bjson *o = bjson_new_object();
        bjson_set(o, "ociVersion", bjson_new_string("1.2.1"));
        bjson_set(o, "id", bjson_new_string(v[i].id));
        bjson_set(o, "pid", bjson_new_i64(v[i].pid));
        bjson_set(o, "status", bjson_new_string(v[i].status));
        bjson_set(o, "bundle", bjson_new_string(v[i].bundle));
        bjson_set(o, "rootfs", bjson_new_string(""));
        bjson_set(o, "created", bjson_new_string(v[i].created));
        bjson_set(o, "owner", bjson_new_string(v[i].owner));
        bjson *ns = NULL;
        struct brick_error ignored;
        if (v[i].namespaces && bjson_parse(v[i].namespaces, strlen(v[i].namespaces), &ns, &ignored) == 0)
            bjson_set(o, "namespaces", ns); /* brick's key: which namespaces, joined from whom */
        bjson_append(a, o);
    }
    char *s = bjson_to_string(a, false);
    puts(s);
    free(s);
    bjson_free(a);
}

/* "net<-web,ipc<-web" from the namespaces record: what this container
 * joined and from whom (brick do). Heap string, "" when nothing. */
static char *shares(const char *record)
{
    bjson *o = NULL;
    struct brick_error ignored;
    char *out = calloc(1, 1);
    if (!record || bjson_parse(record, strlen(record), &o, &ignored) < 0)
        return out;
    bjson_iter it = bjson_object_iter(o);
    bjson *e;
    const char *type;
    while (bjson_object_next(&it, &type, &e)) {
        if (!bjson_bool(bjson_get(e, "joined")))
            continue;
        const char *from = bjson_string(bjson_get(e, "from"));
        char *next = xasprintf("%s%s%s<-%s", out, *out ? "," : "", type, from ? from : "?");
        free(out);
        out = next;
    }
    bjson_free(o);
    return out;
}

static void print_table(const struct brick_container_info *v, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        char *s = shares(v[i].namespaces);
        any = any || *s;
        free(s);
    }
    if (any) { /* the SHARES column only when some container shares */
        print_table_shares(v, n);
        return;
    }
    int w = 12;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(v[i].id) + 2 > w)
            w = (int)strlen(v[i].id) + 2;
    printf("%-*s%-10s%-10s%-40s%-32s%s\n", w, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
    for (size_t i = 0; i < n; i++)
        printf("%-*s%-10d%-10s%-40s%-32s%s\n", w, v[i].id, v[i].pid, v[i].status, v[i].bundle, v[i].created,
               *v[i].owner ? v[i].owner : "root");
}

static void print_table_shares(const struct brick_container_info *v, size_t n)
{
    int w = 12;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(v[i].id) + 2 > w)
            w = (int)strlen(v[i].id) + 2;
    printf("%-*s%-10s%-10s%-40s%-32s%-8s%s\n", w, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER",
           "SHARES");
    for (size_t i = 0; i < n; i++) {
        char *s = shares(v[i].namespaces);
        printf("%-*s%-10d%-10s%-40s%-32s%-8s%s\n", w, v[i].id, v[i].pid, v[i].status, v[i].bundle,
               v[i].created, *v[i].owner ? v[i].owner : "root", s);
        free(s);
    }
}

static const struct brick_opt list_opts[] = {
    {"format", required_argument, NULL, 'f', "table|json", "output format (default table)",
     "words:table json"},
    {"quiet", no_argument, NULL, 'q', NULL, "print container ids only", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int list_main(struct cli_globals *g, int argc, char **argv)
{
    bool json = false, quiet = false;
    int c;
    while ((c = cli_getopt(argc, argv, "f:qh", list_opts, &cmd_list)) != -1) {
        if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
            json = strcmp(optarg, "json") == 0;
        else if (c == 'f')
            return cli_failf("list: --format: expected table or json, got \"%s\"", optarg);
        else if (c == 'q')
            quiet = true;
        else
            return c == 'h' ? cli_help(&cmd_list) : 1;
    }
    if (cli_want_args(argc, argv, 0, 0, &cmd_list) < 0)
        return 1;
    struct brick_container_info *v;
    size_t n;
    struct brick_error err;
    if (brick_list(g->root, &v, &n, &err) < 0)
        return cli_fail(&err);
    if (quiet)
        for (size_t i = 0; i < n; i++)
            puts(v[i].id);
    else if (json)
        print_json(v, n);
    else
        print_table(v, n);
    brick_container_info_free(v, n);
    return 0;
}

const struct cli_command cmd_list = {
    .name = "list",
    .summary = "list containers",
    .usage = "list [options]\n\nList the containers under --root: id, pid, status, bundle, created, owner.\n",
    .run = list_main,
    .opts = list_opts,
    .shortopts = "f:qh",
};
