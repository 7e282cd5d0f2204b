/* nsgraph_dot.c — the plan as Graphviz DOT: clusters in a grid of rows left to
 * right (invisible edges chain a row's clusters; rows stack), in a cluster the
 * maker of a namespace on the left, the namespace node (one coloured cell a
 * type) in the middle, those that joined it on the right; the caption and
 * legend are the graph's label, above. */
#include "compose/nsgraph.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define BIT(k) (1u << (k))

/* One colour a type (Tableau 10): net, pid, ipc, uts, user, cgroup, time. */
static const char *const colour[NSG_TYPES] = {"#4e79a7", "#e15759", "#59a14f", "#b07aa1",
                                              "#f28e2b", "#9c755f", "#76b7b2"};

/* Inside a DOT "string". Container ids are [A-Za-z0-9_+-.], but the state is input. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Inside an HTML-like <label>. */
static void put_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

static void put_cid(FILE *f, const struct nsg_plan *p, size_t i)
{
    if (i == NSG_HOST) {
        fputs("\"host\"", f);
        return;
    }
    _cleanup_free_ char *s = xasprintf("c:%s", p->in->c[i].id);
    put_quoted(f, s);
}

static void put_types(FILE *f, unsigned types, const char *sep)
{
    for (size_t k = 0, n = 0; k < NSG_TYPES; k++)
        if (types & BIT(k))
            fprintf(f, "%s%s", n++ ? sep : "", nsg_type_names[k]);
}

static void put_container(FILE *f, const struct nsg_plan *p, size_t i)
{
    const struct nsg_container *c = &p->in->c[i];
    fputs("    ", f);
    put_cid(f, p, i);
    if (!p->tags[i]) {
        fputs(" [label=", f);
        put_quoted(f, c->id);
        fputs("];\n", f);
        return;
    }
    fputs(" [label=<", f);
    put_html(f, c->id);
    fputs("<BR/><FONT POINT-SIZE=\"8\" COLOR=\"#555555\">host ", f);
    put_types(f, p->tags[i], " ");
    fputs("</FONT>>];\n", f);
}

/* A private node (--all: held by one container, not the host) is pale. */
static bool is_private(const struct nsg_node *nd) { return nd->nholders < 2 && !nd->host; }

static void put_node(FILE *f, const struct nsg_node *nd, size_t j)
{
    fprintf(f, "    \"ns:%zu\" [shape=none, margin=0, width=0, height=0, style=\"\", tooltip=\"", j);
    for (size_t k = 0, n = 0; k < NSG_TYPES; k++)
        if (nd->types & BIT(k))
            fprintf(f, "%s%s %llu", n++ ? ", " : "", nsg_type_names[k], nd->ino[k]);
    fprintf(f, "%s\", label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\"><TR>",
            nd->host ? " (the host's)" : "");
    for (size_t k = 0; k < NSG_TYPES; k++)
        if (nd->types & BIT(k))
            fprintf(f, "<TD BGCOLOR=\"%s%s\"><FONT COLOR=\"%s\">%s</FONT></TD>", colour[k],
                    is_private(nd) ? "55" : "", is_private(nd) ? "#333333" : "white", nsg_type_names[k]);
    fputs("</TR></TABLE>>];\n", f);
}

static size_t isqrt_up(size_t n)
{
    size_t w = 1;
    while (w * w < n)
        w++;
    return w;
}

/* The private node of container i (--all), or SIZE_MAX. */
static size_t private_node(const struct nsg_plan *p, size_t i)
{
    for (size_t j = 0; j < p->nnode; j++)
        if (is_private(&p->node[j]) && p->node[j].holders[0] == i)
            return j;
    return SIZE_MAX;
}

/* The rightmost thing drawn for container i: its private node or itself. */
static void put_tail(FILE *f, const struct nsg_plan *p, size_t i)
{
    size_t j = private_node(p, i);
    if (j != SIZE_MAX)
        fprintf(f, "\"ns:%zu\"", j);
    else
        put_cid(f, p, i);
}

/* Containers in rows of about sqrt(n), each row chained left to right
 * invisibly (rows stack); grid_exit is the end of the first row. */
static void put_grid(FILE *f, const struct nsg_plan *p, const size_t *ids, size_t n)
{
    size_t w = isqrt_up(n);
    for (size_t m = 1; m < n; m++)
        if (m % w) {
            fputs("    ", f);
            put_tail(f, p, ids[m - 1]);
            fputs(" -- ", f);
            put_cid(f, p, ids[m]);
            fputs(" [style=invis];\n", f);
        }
}

static size_t grid_exit(const size_t *ids, size_t n)
{
    size_t w = isqrt_up(n);
    return ids[(w < n ? w : n) - 1];
}

/* The holders of nd but its maker; *n their count. */
static size_t *joiners(const struct nsg_node *nd, size_t *n)
{
    size_t *ids = xcalloc(nd->nholders, sizeof(*ids));
    *n = 0;
    for (size_t h = 0; h < nd->nholders; h++)
        if (nd->holders[h] != nd->origin)
            ids[(*n)++] = nd->holders[h];
    return ids;
}

/* Past MAX_FAN joiners, a line each would stack them in one tall column: they
 * go in a box of their own, as a grid, and one line runs to the box. */
#define MAX_FAN 6

static void put_box(FILE *f, const struct nsg_plan *p, size_t j, const size_t *ids, size_t n,
                    const char *attr)
{
    fprintf(f, "    subgraph cluster_ns%zu {\n    label=\"\"; style=\"rounded,dashed\"; color=\"#bbbbbb\";\n",
            j);
    for (size_t m = 0; m < n; m++) {
        fputs("    ", f);
        put_cid(f, p, ids[m]);
        fputs("; ", f);
        put_tail(f, p, ids[m]); /* --all: its private node in the box too */
        fputs(";\n", f);
    }
    put_grid(f, p, ids, n);
    fputs("    }\n", f);
    size_t w = isqrt_up(n), rows = (n + w - 1) / w;
    fprintf(f, "    \"ns:%zu\" -- ", j);
    put_cid(f, p, ids[rows / 2 * w]);
    fprintf(f, " [lhead=cluster_ns%zu, %s];\n", j, attr);
}

/* Maker -- node -- each joiner (or their box); parallel lines, one colour a
 * type. boxed: the containers already in a box (a node is in one cluster). */
static void put_edges(FILE *f, const struct nsg_plan *p, size_t j, bool *boxed)
{
    const struct nsg_node *nd = &p->node[j];
    char attr[160] = "color=\"#999999\", style=dashed";
    if (!is_private(nd)) {
        strcpy(attr, "color=\"");
        for (size_t k = 0, n = 0; k < NSG_TYPES; k++)
            if (nd->types & BIT(k)) {
                strcat(attr, n++ ? ":" : "");
                strcat(attr, colour[k]);
            }
        strcat(attr, "\"");
    }
    fputs("    ", f);
    put_cid(f, p, nd->origin);
    fprintf(f, " -- \"ns:%zu\" [%s];\n", j, attr);
    size_t n, *ids = joiners(nd, &n);
    bool box = n > MAX_FAN;
    for (size_t m = 0; m < n && box; m++)
        box = !boxed[ids[m]];
    for (size_t m = 0; m < n; m++) {
        if (box)
            boxed[ids[m]] = true;
        else {
            fprintf(f, "    \"ns:%zu\" -- ", j);
            put_cid(f, p, ids[m]);
            fprintf(f, " [%s];\n", attr);
        }
    }
    if (box)
        put_box(f, p, j, ids, n, attr);
    free(ids);
}

/* Where a row's previous cluster leads into this one, and where this one ends. */
static void put_entry(FILE *f, const struct nsg_plan *p, size_t c)
{
    const struct nsg_cluster *cl = &p->cl[c];
    for (size_t j = 0; j < p->nnode && cl->kind != NSG_ALONE; j++)
        if (p->node[j].cluster == c && !is_private(&p->node[j])) {
            put_cid(f, p, p->node[j].origin);
            return;
        }
    put_cid(f, p, cl->members[0]);
}

static void put_exit(FILE *f, const struct nsg_plan *p, size_t c)
{
    const struct nsg_cluster *cl = &p->cl[c];
    for (size_t j = 0; j < p->nnode && cl->kind != NSG_ALONE; j++) {
        if (p->node[j].cluster != c || is_private(&p->node[j]))
            continue;
        size_t n, *ids = joiners(&p->node[j], &n);
        if (n)
            put_tail(f, p, n > MAX_FAN ? grid_exit(ids, n) : ids[0]);
        else
            fprintf(f, "\"ns:%zu\"", j);
        free(ids);
        return;
    }
    put_tail(f, p, grid_exit(cl->members, cl->nmembers));
}

static void put_cluster(FILE *f, const struct nsg_plan *p, size_t c)
{
    const struct nsg_cluster *cl = &p->cl[c];
    fprintf(f, "  subgraph cluster_%zu {\n    label=", c);
    put_quoted(f, cl->label);
    fprintf(f, "; style=\"rounded%s\"; color=\"#999999\"; fillcolor=\"#fbfbfb\";\n",
            cl->kind == NSG_ALONE ? ",dashed" : "");
    if (cl->has_host)
        fputs("    \"host\" [shape=house, fillcolor=\"#f5e6c8\", label=\"host\"];\n", f);
    for (size_t m = 0; m < cl->nmembers; m++)
        put_container(f, p, cl->members[m]);
    _cleanup_free_ bool *boxed = xcalloc(p->in->n + 1, sizeof(*boxed));
    for (size_t j = 0; j < p->nnode; j++)
        if (p->node[j].cluster == c) {
            put_node(f, &p->node[j], j);
            put_edges(f, p, j, boxed);
        }
    if (cl->kind == NSG_ALONE)
        put_grid(f, p, cl->members, cl->nmembers);
    fputs("  }\n", f);
}

static void legend_item(FILE *f, const char *swatch, const char *text)
{
    fprintf(f, "<TD %s WIDTH=\"22\"></TD><TD ALIGN=\"LEFT\">%s</TD>", swatch, text);
}

/* The legend's row of swatches: the types drawn or written, the shapes. */
static void put_swatches(FILE *f, const struct nsg_plan *p)
{
    unsigned used = p->universal;
    for (size_t j = 0; j < p->nnode; j++)
        used |= p->node[j].types;
    for (size_t i = 0; i < p->in->n; i++)
        used |= p->tags[i];
    fputs("<TR><TD ALIGN=\"LEFT\"><TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"3\"><TR>", f);
    for (size_t k = 0; k < NSG_TYPES; k++)
        if (used & BIT(k)) {
            char sw[40];
            snprintf(sw, sizeof(sw), "BGCOLOR=\"%s\"", colour[k]);
            legend_item(f, sw, nsg_type_names[k]);
        }
    legend_item(f, "BORDER=\"1\" STYLE=\"rounded\" BGCOLOR=\"#eef3fa\"", "a container");
    if (p->all)
        legend_item(f, "BGCOLOR=\"#4e79a755\"", "held by one container");
    fputs("</TR></TABLE></TD></TR>", f);
}

/* The caption and legend, above the clusters (a graph label takes no rank). */
static void put_legend(FILE *f, const struct nsg_plan *p)
{
    fprintf(f,
            "  label=<<TABLE BORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">"
            "<TR><TD ALIGN=\"LEFT\"><B>%zu container%s</B>",
            p->in->n, p->in->n == 1 ? "" : "s");
    if (p->universal) {
        fputs(p->in->n > 1 ? ", all holding the host's " : ", holding the host's ", f);
        put_types(f, p->universal, ", ");
        fputs(" namespaces", f);
    }
    fputs(p->all ? " (every namespace)" : " (what they share; --all: every namespace)", f);
    fputs("</TD></TR>", f);
    put_swatches(f, p);
    bool tagged = false;
    for (size_t i = 0; i < p->in->n; i++)
        tagged |= p->tags[i] != 0;
    fprintf(f,
            "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\">coloured cells: namespaces held by the same "
            "containers; on their left the one that made them, on their right those that joined%s"
            "</FONT></TD></TR></TABLE>>;\n",
            tagged ? ". &quot;host X&quot; on a container: it holds the host&apos;s X namespace" : "");
}

/* Rows of about sqrt(clusters) clusters, each row chained left to right. */
static void put_rows(FILE *f, const struct nsg_plan *p)
{
    size_t items = p->ncl, w = isqrt_up(items);
    for (size_t x = 1; x < items; x++) {
        if (x % w == 0)
            continue;
        fputs("  ", f);
        put_exit(f, p, x - 1);
        fputs(" -- ", f);
        put_entry(f, p, x);
        fputs(" [style=invis];\n", f);
    }
}

void nsg_dot(FILE *f, const struct nsg_plan *p)
{
    fputs("graph brick {\n  rankdir=LR; compound=true; nodesep=0.15; ranksep=0.3; labelloc=t; labeljust=l;\n"
          "  fontname=\"sans\"; fontsize=12;\n"
          "  node [fontname=\"sans\", fontsize=11, shape=box, style=\"rounded,filled\", "
          "fillcolor=\"#eef3fa\", height=0.3];\n  edge [penwidth=1.5];\n",
          f);
    put_legend(f, p);
    /* Rows last first: dot (2.43) stacks the row it meets last on top, and
     * the pods are to come first, top left. */
    size_t w = isqrt_up(p->ncl);
    for (size_t row = (p->ncl + w - 1) / w; row-- > 0;)
        for (size_t c = row * w; c < p->ncl && c < (row + 1) * w; c++)
            put_cluster(f, p, c);
    put_rows(f, p);
    fputs("}\n", f);
}
