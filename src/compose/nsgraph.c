/* nsgraph.c — the namespace graph: plan (who shares what, which cluster, who
 * made a namespace) and its text and DOT forms. No system calls: see
 * nsgraph.h for the model. */
#include "compose/nsgraph.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

const char *const nsg_type_names[NSG_TYPES] = {"net", "pid", "ipc", "uts", "user", "cgroup", "time"};

/* net, pid, ipc, uts: a container holds the host's only when asked to, and
 * the picture links it to the host. user, cgroup, time: the host's by
 * default, written on the container instead. */
#define LINK_TYPES 0x0fu
#define BIT(k) (1u << (k))

void nsg_input_add(struct nsg_input *in, const struct nsg_container *c)
{
    in->c = xrealloc(in->c, (in->n + 1) * sizeof(*in->c));
    struct nsg_container *d = &in->c[in->n++];
    *d = *c;
    d->id = xstrdup(c->id ? c->id : "");
    d->created = c->created ? xstrdup(c->created) : NULL;
    d->pod = c->pod ? xstrdup(c->pod) : NULL;
}

void nsg_input_done(struct nsg_input *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free(in->c[i].id);
        free(in->c[i].created);
        free(in->c[i].pod);
    }
    free(in->c);
    *in = (struct nsg_input){0};
}

/* ---------------------------------------------------------------- facts */

/* Is (k, ino) first seen at container i? Each namespace is counted once. */
static bool first_holder(const struct nsg_input *in, size_t i, size_t k)
{
    for (size_t j = 0; j < i; j++)
        if (in->c[j].ino[k] == in->c[i].ino[k])
            return false;
    return true;
}

static size_t count_holders(const struct nsg_input *in, size_t k, unsigned long long ino)
{
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++)
        n += in->c[i].ino[k] == ino;
    return n;
}

static bool is_host(const struct nsg_input *in, size_t k, unsigned long long ino)
{
    return ino && ino == in->host[k];
}

/* Is (k, ino), held by nh containers, a node of the picture? */
static bool drawn(const struct nsg_input *in, size_t k, unsigned long long ino, size_t nh, bool all)
{
    if (is_host(in, k, ino))
        return (LINK_TYPES & BIT(k)) != 0; /* else written on the container */
    return all || nh >= 2;
}

/* ---------------------------------------------------------------- nodes */

static bool same_holders(const struct nsg_node *nd, const size_t *h, size_t nh, bool host)
{
    return nd->host == host && nd->nholders == nh && memcmp(nd->holders, h, nh * sizeof(*h)) == 0;
}

/* Adds namespace (k, ino) to the node of its holders, making it if new. */
static void add_namespace(struct nsg_plan *p, size_t k, unsigned long long ino)
{
    const struct nsg_input *in = p->in;
    size_t nh = 0, *h = xcalloc(in->n, sizeof(*h));
    bool host = is_host(in, k, ino);
    for (size_t i = 0; i < in->n; i++)
        if (in->c[i].ino[k] == ino)
            h[nh++] = i;
    for (size_t j = 0; j < p->nnode; j++) {
        if (same_holders(&p->node[j], h, nh, host)) {
            p->node[j].types |= BIT(k);
            p->node[j].ino[k] = ino;
            free(h);
            return;
        }
    }
    p->node = xrealloc(p->node, (p->nnode + 1) * sizeof(*p->node));
    struct nsg_node *nd = &p->node[p->nnode++];
    *nd = (struct nsg_node){.types = BIT(k), .holders = h, .nholders = nh, .host = host};
    nd->ino[k] = ino;
}

static bool older(const struct nsg_container *a, const struct nsg_container *b)
{
    return a->created && b->created && strcmp(a->created, b->created) < 0;
}

/* Who made the node's namespaces: the host, a pod's infra, or the oldest. */
static size_t pick_origin(const struct nsg_input *in, const struct nsg_node *nd)
{
    if (nd->host)
        return NSG_HOST;
    size_t best = nd->holders[0];
    for (size_t j = 0; j < nd->nholders; j++) {
        const struct nsg_container *c = &in->c[nd->holders[j]];
        if (c->infra)
            return nd->holders[j];
        if (older(c, &in->c[best]))
            best = nd->holders[j];
    }
    return best;
}

static void plan_nodes(struct nsg_plan *p)
{
    const struct nsg_input *in = p->in;
    for (size_t k = 0; k < NSG_TYPES; k++)
        for (size_t i = 0; i < in->n; i++) {
            unsigned long long ino = in->c[i].ino[k];
            if (ino && first_holder(in, i, k) && drawn(in, k, ino, count_holders(in, k, ino), p->all))
                add_namespace(p, k, ino);
        }
    for (size_t j = 0; j < p->nnode; j++)
        p->node[j].origin = pick_origin(in, &p->node[j]);
}

/* ---------------------------------------------------------------- clusters */

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

static void uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b)
        parent[a > b ? a : b] = a < b ? a : b;
}

/* Does node nd link containers (or one to the host)? --all's private ones do not. */
static bool shared(const struct nsg_node *nd) { return nd->nholders >= 2 || nd->host; }

static char *types_text(unsigned types)
{
    char buf[64] = "";
    for (size_t k = 0; k < NSG_TYPES; k++)
        if (types & BIT(k)) {
            strcat(buf, *buf ? " " : "");
            strcat(buf, nsg_type_names[k]);
        }
    return xstrdup(buf);
}

/* "pod web", "pods a, b": the distinct pods of a cluster's members. */
static char *pods_text(const struct nsg_input *in, const struct nsg_cluster *cl)
{
    char *s = NULL;
    size_t npods = 0;
    for (size_t j = 0; j < cl->nmembers; j++) {
        const char *pod = in->c[cl->members[j]].pod;
        bool seen = !pod;
        for (size_t i = 0; i < j && !seen; i++)
            seen = streq(in->c[cl->members[i]].pod, pod);
        if (seen)
            continue;
        char *t = s ? xasprintf("%s, %s", s, pod) : xstrdup(pod);
        free(s);
        s = t;
        npods++;
    }
    char *r = xasprintf("%s %s", npods > 1 ? "pods" : "pod", s ? s : "");
    free(s);
    return r;
}

static void label_cluster(const struct nsg_input *in, struct nsg_cluster *cl)
{
    if (cl->kind == NSG_ALONE) {
        cl->label = xstrdup("nothing shared");
        return;
    }
    _cleanup_free_ char *types = types_text(cl->types);
    if (cl->kind == NSG_POD) {
        _cleanup_free_ char *pods = pods_text(in, cl);
        cl->label = xasprintf("%s: %s", pods, types);
    } else
        cl->label = xasprintf("%s: %s", cl->kind == NSG_HOSTS ? "host" : "shared", types);
}

static void cluster_add(struct nsg_cluster *cl, size_t i)
{
    cl->members = xrealloc(cl->members, (cl->nmembers + 1) * sizeof(*cl->members));
    cl->members[cl->nmembers++] = i;
}

/* The clusters of the union-find forest parent (containers 0..n-1, the host n). */
static void make_clusters(struct nsg_plan *p, size_t *parent)
{
    const struct nsg_input *in = p->in;
    size_t n = in->n, *of_root = xcalloc(n + 1, sizeof(*of_root)), alone = NSG_HOST;
    for (size_t r = 0; r <= n; r++)
        of_root[r] = NSG_HOST;
    p->cl = xcalloc(n + 1, sizeof(*p->cl));
    for (size_t i = 0; i < n; i++) {
        size_t r = uf_find(parent, i), *slot = &of_root[r];
        bool linked = r == uf_find(parent, n);
        for (size_t j = 0; j < n && !linked; j++)
            linked = j != i && uf_find(parent, j) == r;
        if (!linked)
            slot = &alone;
        if (*slot == NSG_HOST) {
            *slot = p->ncl++;
            p->cl[*slot].kind = linked ? NSG_SHARED : NSG_ALONE;
        }
        cluster_add(&p->cl[*slot], i);
        p->cluster_of[i] = *slot;
        if (linked && in->c[i].pod)
            p->cl[*slot].kind = NSG_POD;
    }
    free(of_root);
}

static int cluster_cmp(const void *a, const void *b)
{
    const struct nsg_cluster *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->kind == NSG_POD) {
        int c = strcmp(x->label, y->label);
        if (c)
            return c;
    }
    int tx = x->types ? __builtin_ctz(x->types) : NSG_TYPES,
        ty = y->types ? __builtin_ctz(y->types) : NSG_TYPES;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->members[0] < y->members[0] ? -1 : x->members[0] > y->members[0];
}

static void plan_clusters(struct nsg_plan *p)
{
    size_t n = p->in->n, *parent = xcalloc(n + 1, sizeof(*parent));
    for (size_t x = 0; x <= n; x++)
        parent[x] = x;
    for (size_t j = 0; j < p->nnode; j++) {
        const struct nsg_node *nd = &p->node[j];
        for (size_t h = 1; h < nd->nholders; h++)
            uf_union(parent, nd->holders[0], nd->holders[h]);
        if (nd->host)
            uf_union(parent, nd->holders[0], n);
    }
    make_clusters(p, parent);
    free(parent);
    for (size_t j = 0; j < p->nnode; j++) {
        struct nsg_cluster *cl = &p->cl[p->cluster_of[p->node[j].holders[0]]];
        if (shared(&p->node[j]))
            cl->types |= p->node[j].types;
        if (p->node[j].host) {
            cl->has_host = true;
            if (cl->kind == NSG_SHARED)
                cl->kind = NSG_HOSTS;
        }
    }
    for (size_t c = 0; c < p->ncl; c++)
        label_cluster(p->in, &p->cl[c]);
    qsort(p->cl, p->ncl, sizeof(*p->cl), cluster_cmp);
    for (size_t c = 0; c < p->ncl; c++)
        for (size_t m = 0; m < p->cl[c].nmembers; m++)
            p->cluster_of[p->cl[c].members[m]] = c;
    for (size_t j = 0; j < p->nnode; j++)
        p->node[j].cluster = p->cluster_of[p->node[j].holders[0]];
}

/* The host's user, cgroup and time namespaces each container holds; those
 * every container holds go to the caption. */
static void plan_tags(struct nsg_plan *p)
{
    const struct nsg_input *in = p->in;
    p->universal = in->n ? ~LINK_TYPES & (BIT(NSG_TYPES) - 1) : 0;
    for (size_t i = 0; i < in->n; i++) {
        for (size_t k = 0; k < NSG_TYPES; k++)
            if (!(LINK_TYPES & BIT(k)) && is_host(in, k, in->c[i].ino[k]))
                p->tags[i] |= BIT(k);
        p->universal &= p->tags[i];
    }
    for (size_t i = 0; i < in->n; i++)
        p->tags[i] &= ~p->universal;
}

void nsg_plan(const struct nsg_input *in, bool all, struct nsg_plan *p)
{
    *p = (struct nsg_plan){.in = in, .all = all};
    p->cluster_of = xcalloc(in->n + 1, sizeof(*p->cluster_of));
    p->tags = xcalloc(in->n + 1, sizeof(*p->tags));
    plan_nodes(p);
    plan_clusters(p);
    plan_tags(p);
}

void nsg_plan_done(struct nsg_plan *p)
{
    for (size_t j = 0; j < p->nnode; j++)
        free(p->node[j].holders);
    for (size_t c = 0; c < p->ncl; c++) {
        free(p->cl[c].label);
        free(p->cl[c].members);
    }
    free(p->node);
    free(p->cl);
    free(p->cluster_of);
    free(p->tags);
    *p = (struct nsg_plan){0};
}

/* ---------------------------------------------------------------- text */

void nsg_text(FILE *f, const struct nsg_input *in, bool all)
{
    fprintf(f, "%-8s%-14s%-8s%s\n", "TYPE", "INODE", "SHARED", "CONTAINERS");
    for (size_t k = 0; k < NSG_TYPES; k++) {
        for (size_t i = 0; i < in->n; i++) {
            unsigned long long ino = in->c[i].ino[k];
            if (!ino || !first_holder(in, i, k))
                continue;
            size_t h = count_holders(in, k, ino);
            bool host = is_host(in, k, ino);
            if (!all && h < 2 && !host)
                continue;
            fprintf(f, "%-8s%-14llu%-8s", nsg_type_names[k], ino, host ? "host" : h > 1 ? "yes" : "no");
            for (size_t j = 0, c = 0; j < in->n; j++)
                if (in->c[j].ino[k] == ino)
                    fprintf(f, "%s%s", c++ ? "," : "", in->c[j].id);
            fprintf(f, "\n");
        }
    }
}
