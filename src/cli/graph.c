/* graph.c — `brick graph`: namespaces as the first-class objects. The thin
 * layer: every live container's namespaces are read now (race-free through a
 * pidfd, brick_open_namespace) and identified by inode, its pod from its
 * state; compose/nsgraph.c plans the picture and writes the text table or
 * DOT, which Graphviz's dot renders to SVG. */
#include "cli/cli.h"
#include "compose/nsgraph.h"
#include "compose/share.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long long fd_ino(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* One live container: its namespaces through a pidfd, its pod from its state. */
static void load_one(const char *root, const struct brick_container_info *v, struct nsg_input *in)
{
    struct brick_error err;
    struct compose_info ci;
    struct nsg_container c = {.id = v->id, .created = v->created};
    if (compose_inspect(root, v->id, &ci, &err) < 0)
        ci = (struct compose_info){0};
    c.infra = ci.pod_infra != NULL;
    c.pod = ci.pod_infra ? ci.pod_infra : ci.pod;
    for (size_t k = 0; k < NSG_TYPES; k++) {
        int fd;
        if (brick_open_namespace(root, v->id, nsg_type_names[k], &fd, &err) == 0) {
            c.ino[k] = fd_ino(fd);
            close(fd);
        }
    }
    nsg_input_add(in, &c);
    compose_info_done(&ci);
}

static void load(const char *root, struct nsg_input *in)
{
    struct brick_container_info *v;
    size_t n;
    struct brick_error err;
    *in = (struct nsg_input){0};
    for (size_t k = 0; k < NSG_TYPES; k++) {
        _cleanup_free_ char *p = xasprintf("/proc/self/ns/%s", nsg_type_names[k]);
        struct stat st;
        in->host[k] = stat(p, &st) == 0 ? (unsigned long long)st.st_ino : 0;
    }
    if (brick_list(root, &v, &n, &err) < 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (!streq(v[i].status, "stopped"))
            load_one(root, &v[i], in);
    brick_container_info_free(v, n);
}

static void print_dot(FILE *f, const struct nsg_input *in, bool all)
{
    struct nsg_plan p;
    nsg_plan(in, all, &p);
    nsg_dot(f, &p);
    nsg_plan_done(&p);
}

/* SVG: DOT piped through Graphviz (the only external program brick runs). */
static int print_svg(const struct nsg_input *in, bool all)
{
    FILE *p = popen("dot -Tsvg 2>/dev/null", "we");
    if (!p)
        return cli_failf("graph: run dot: %s", strerror(errno));
    print_dot(p, in, all);
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return cli_failf("graph --format svg: Graphviz's dot failed or is not installed "
                         "(apt-get install graphviz), or use --format dot");
    return 0;
}

static const struct brick_opt graph_opts[] = {
    {"format", required_argument, NULL, 'f', "text|dot|svg",
     "text (default): a table of the shared "
     "namespaces; dot: the Graphviz picture of what is shared; svg: that picture rendered by Graphviz's dot",
     "words:text dot svg"},
    {"all", no_argument, NULL, 'a', NULL, "every namespace, also those nobody shares", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int graph_main(struct cli_globals *gl, int argc, char **argv)
{
    const char *format = "text";
    bool all = false;
    int c;
    while ((c = cli_getopt(argc, argv, "f:ah", graph_opts, &cmd_graph)) != -1) {
        if (c == 'f')
            format = optarg;
        else if (c == 'a')
            all = true;
        else
            return c == 'h' ? cli_help(&cmd_graph) : 1;
    }
    if (cli_want_args(argc, argv, 0, 0, &cmd_graph) < 0)
        return 1;
    if (!streq(format, "text") && !streq(format, "dot") && !streq(format, "svg"))
        return cli_failf("graph: --format: expected text, dot or svg, got \"%s\"", format);
    struct nsg_input in;
    load(gl->root, &in);
    int r = 0;
    if (streq(format, "text"))
        nsg_text(stdout, &in, all);
    else if (streq(format, "dot"))
        print_dot(stdout, &in, all);
    else {
        fflush(stdout);
        r = print_svg(&in, all);
    }
    nsg_input_done(&in);
    return r;
}

const struct cli_command cmd_graph = {
    .name = "graph",
    .summary = "show which containers share which namespaces",
    .usage = "graph [--format text|dot|svg] [--all]\n\n"
             "Every running container's namespaces by inode. The text table lists the shared\n"
             "ones (and those that are the host's); --all lists every namespace. dot prints a\n"
             "Graphviz picture of what is shared: containers grouped in clusters (pods, then\n"
             "by net, pid, ipc...), the namespaces they share as coloured cells between the\n"
             "container that made them and those that joined, the host as one node, a legend;\n"
             "--all adds the namespaces nobody shares. svg renders it with Graphviz's dot.\n",
    .run = graph_main,
    .opts = graph_opts,
    .shortopts = "f:ah",
};
