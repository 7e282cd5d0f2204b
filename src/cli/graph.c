/* graph.c — `brick graph`: namespaces as the first-class objects. Every live
 * container's namespaces are read now (race-free, brick_open_namespace) and
 * identified by inode; a namespace held by several containers is an edge
 * between them, one the host also holds is marked "host". Text table, DOT,
 * or SVG through Graphviz's dot. */
#include "cli/cli.h"
#include "compose/compose.h"
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

/* The types shown, in this order; mnt is always private and left out. */
static const int shown[] = {OCI_NS_NETWORK, OCI_NS_PID, OCI_NS_IPC, OCI_NS_UTS,
                            OCI_NS_USER, OCI_NS_CGROUP, OCI_NS_TIME};
#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))

struct node {
    char *id;
    unsigned long long ino[N_SHOWN]; /* 0: unreadable */
};

struct graph {
    struct node *c;
    size_t n;
    unsigned long long host[N_SHOWN];
};

static unsigned long long fd_ino(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static void load(const char *root, struct graph *g)
{
    struct brick_container_info *v;
    size_t n;
    struct brick_error err;
    *g = (struct graph){0};
    for (size_t k = 0; k < N_SHOWN; k++) {
        _cleanup_free_ char *p = xasprintf("/proc/self/ns/%s", compose_ns_name(shown[k]));
        struct stat st;
        g->host[k] = stat(p, &st) == 0 ? (unsigned long long)st.st_ino : 0;
    }
    if (brick_list(root, &v, &n, &err) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (streq(v[i].status, "stopped"))
            continue;
        struct node nd = {.id = xstrdup(v[i].id)};
        for (size_t k = 0; k < N_SHOWN; k++) {
            int fd;
            if (brick_open_namespace(root, v[i].id, compose_ns_name(shown[k]), &fd, &err) == 0) {
                nd.ino[k] = fd_ino(fd);
                close(fd);
            }
        }
        g->c = xrealloc(g->c, (g->n + 1) * sizeof(*g->c));
        g->c[g->n++] = nd;
    }
    brick_container_info_free(v, n);
}

static void graph_done(struct graph *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->c[i].id);
    free(g->c);
}

/* Is (k, ino) first seen at container i? Each namespace is printed once. */
static bool first_holder(const struct graph *g, size_t i, size_t k)
{
    for (size_t j = 0; j < i; j++)
        if (g->c[j].ino[k] == g->c[i].ino[k])
            return false;
    return true;
}

static size_t holders(const struct graph *g, size_t k, unsigned long long ino)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++)
        n += g->c[i].ino[k] == ino;
    return n;
}

static void print_text(const struct graph *g, bool all)
{
    printf("%-8s%-14s%-8s%s\n", "TYPE", "INODE", "SHARED", "CONTAINERS");
    for (size_t k = 0; k < N_SHOWN; k++) {
        for (size_t i = 0; i < g->n; i++) {
            unsigned long long ino = g->c[i].ino[k];
            if (!ino || !first_holder(g, i, k))
                continue;
            size_t h = holders(g, k, ino);
            bool host = ino == g->host[k];
            if (!all && h < 2 && !host)
                continue;
            printf("%-8s%-14llu%-8s", compose_ns_name(shown[k]), ino, host ? "host" : h > 1 ? "yes" : "no");
            for (size_t j = 0, c = 0; j < g->n; j++)
                if (g->c[j].ino[k] == ino)
                    printf("%s%s", c++ ? "," : "", g->c[j].id);
            printf("\n");
        }
    }
}

static void print_dot(FILE *f, const struct graph *g)
{
    fprintf(f, "graph brick {\n  rankdir=LR;\n  node [fontname=\"sans\"];\n");
    for (size_t i = 0; i < g->n; i++)
        fprintf(f, "  \"c:%s\" [shape=box, style=filled, fillcolor=\"#dde8f5\", label=\"%s\"];\n",
                g->c[i].id, g->c[i].id);
    for (size_t k = 0; k < N_SHOWN; k++) {
        const char *t = compose_ns_name(shown[k]);
        for (size_t i = 0; i < g->n; i++) {
            unsigned long long ino = g->c[i].ino[k];
            if (!ino || !first_holder(g, i, k))
                continue;
            bool host = ino == g->host[k], shared = holders(g, k, ino) > 1;
            fprintf(f, "  \"ns:%s:%llu\" [shape=ellipse, label=\"%s\\n%llu%s\"%s];\n", t, ino, t, ino,
                    host ? "\\n(host)" : "", host ? ", style=dashed" : shared ? ", color=red, penwidth=2" : "");
        }
        for (size_t i = 0; i < g->n; i++)
            if (g->c[i].ino[k])
                fprintf(f, "  \"c:%s\" -- \"ns:%s:%llu\";\n", g->c[i].id, t, g->c[i].ino[k]);
    }
    fprintf(f, "}\n");
}

/* SVG: DOT piped through Graphviz (the only external program brick runs). */
static int print_svg(const struct graph *g)
{
    FILE *p = popen("dot -Tsvg 2>/dev/null", "we");
    if (!p)
        return cli_failf("graph: run dot: %s", strerror(errno));
    print_dot(p, g);
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return cli_failf("graph --format svg: Graphviz's dot failed or is not installed "
                         "(apt-get install graphviz), or use --format dot");
    return 0;
}

static const struct brick_opt graph_opts[] = {
    {"format", required_argument, NULL, 'f', "text|dot|svg", "text (default): a table of the shared "
     "namespaces; dot: a Graphviz graph; svg: rendered by Graphviz's dot", "words:text dot svg"},
    {"all", no_argument, NULL, 'a', NULL, "list every namespace, not only the shared ones", NULL},
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
    struct graph g;
    load(gl->root, &g);
    int r = 0;
    if (streq(format, "text"))
        print_text(&g, all);
    else if (streq(format, "dot"))
        print_dot(stdout, &g);
    else {
        fflush(stdout);
        r = print_svg(&g);
    }
    graph_done(&g);
    return r;
}

const struct cli_command cmd_graph = {
    .name = "graph",
    .summary = "show which containers share which namespaces",
    .usage = "graph [--format text|dot|svg] [--all]\n\n"
             "Every running container's namespaces by inode. The text table lists the shared\n"
             "ones (and those that are the host's); --all lists every namespace. dot prints a\n"
             "Graphviz graph (containers are boxes, namespaces ellipses, shared ones red);\n"
             "svg renders it with Graphviz's dot.\n",
    .run = graph_main,
    .opts = graph_opts,
    .shortopts = "f:ah",
};
