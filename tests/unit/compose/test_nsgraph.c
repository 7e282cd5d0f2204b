/* test_nsgraph.c — `brick graph`'s plan and DOT, from made-up containers. */
#include "compose/nsgraph.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

/* Types by index: net 0, pid 1, ipc 2, uts 3, user 4, cgroup 5, time 6. */
enum { NET, PID, IPC, UTS, USER, CGROUP, TIME };
#define HOST_BASE 100 /* the host's namespaces are 100 + type */

/* A container with its own namespaces (1000 * n + type), the host's user and time. */
static void add(struct nsg_input *in, const char *id, const char *created, unsigned long long n)
{
    struct nsg_container c = {.id = (char *)id, .created = (char *)created};
    for (int k = 0; k < NSG_TYPES; k++)
        c.ino[k] = 1000 * n + k;
    c.ino[USER] = HOST_BASE + USER;
    c.ino[TIME] = HOST_BASE + TIME;
    nsg_input_add(in, &c);
}

static void init(struct nsg_input *in)
{
    *in = (struct nsg_input){0};
    for (int k = 0; k < NSG_TYPES; k++)
        in->host[k] = HOST_BASE + k;
}

/* db, lone, p (pod-web's infra, the youngest), pod members web1, web2; hnet
 * and hnet2 on the host's net; db joined tr's pid. Sorted by id. */
static void scene(struct nsg_input *in)
{
    init(in);
    add(in, "db", "2026-01-01T00:00:10Z", 1);
    add(in, "hnet", "2026-01-01T00:00:02Z", 2);
    add(in, "hnet2", "2026-01-01T00:00:03Z", 3);
    add(in, "lone", "2026-01-01T00:00:04Z", 4);
    add(in, "pod-web", "2026-01-01T00:00:09Z", 5);
    add(in, "tr", "2026-01-01T00:00:06Z", 6); /* older than db: it made the pid db holds */
    add(in, "web1", "2026-01-01T00:00:07Z", 7);
    add(in, "web2", "2026-01-01T00:00:08Z", 8);
    in->c[1].ino[NET] = in->c[2].ino[NET] = HOST_BASE + NET;
    in->c[4].pod = xstrdup("web");
    in->c[4].infra = true;
    for (int m = 6; m <= 7; m++) {
        in->c[m].pod = xstrdup("web");
        for (int k = NET; k <= UTS; k++)
            if (k != PID)
                in->c[m].ino[k] = in->c[4].ino[k];
    }
    in->c[0].ino[PID] = in->c[5].ino[PID];
}

static char *dot_of(const struct nsg_input *in, bool all)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct nsg_plan p;
    nsg_plan(in, all, &p);
    nsg_dot(f, &p);
    nsg_plan_done(&p);
    fclose(f);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *s = hay; (s = strstr(s, needle)); s++)
        n++;
    return n;
}

TEST(plan)
{
    struct nsg_input in;
    scene(&in);
    struct nsg_plan p;
    nsg_plan(&in, false, &p);
    is_int(p.nnode, 3, "three nodes: the host's net, the pod's net+ipc+uts, tr's pid");
    const struct nsg_node *pod = &p.node[1];
    is_int(pod->types, 1u << NET | 1u << IPC | 1u << UTS, "the pod's three namespaces are one node");
    is_int(pod->nholders, 3, "held by the infra and two members");
    is_int(pod->origin, 4, "made by the infra, though the members are older");
    ok(p.node[0].host && p.node[0].origin == NSG_HOST, "the host's net is made by the host");
    is_int(p.node[2].types, 1u << PID, "the shared pid");
    is_int(p.node[2].origin, 5, "made by the older holder, not the first by name");
    is_int(p.ncl, 4, "pod, shared, host, alone");
    is_str(p.cl[0].label, "pod web: net ipc uts", "the pod first");
    is_str(p.cl[1].label, "shared: pid", "then what containers share");
    is_str(p.cl[2].label, "host: net", "then the host");
    ok(p.cl[2].has_host && !p.cl[0].has_host, "the host node in the host's cluster");
    is_str(p.cl[3].label, "nothing shared", "last those alone");
    is_int(p.cl[3].nmembers, 1, "one alone");
    is_int(p.cluster_of[3], 3, "lone is alone");
    is_int(p.universal, 1u << USER | 1u << TIME, "every container holds the host's user and time");
    is_int(p.tags[0], 0, "so they are not written on each");
    nsg_plan_done(&p);

    nsg_plan(&in, true, &p);
    is_int(p.nnode, 3 + 8, "--all: a node of private namespaces per container");
    is_int(p.ncl, 4, "the same clusters");
    is_int(p.cluster_of[3], 3, "lone still alone");
    nsg_plan_done(&p);
    nsg_input_done(&in);
}

TEST(tags)
{
    struct nsg_input in;
    init(&in);
    add(&in, "a", "1", 1);
    add(&in, "b", "2", 2);
    in.c[1].ino[USER] = 2004;
    struct nsg_plan p;
    nsg_plan(&in, false, &p);
    is_int(p.universal, 1u << TIME, "time: every one's is the host's");
    is_int(p.tags[0], 1u << USER, "a is written \"host user\"");
    is_int(p.tags[1], 0, "b has its own");
    is_int(p.nnode, 0, "nothing drawn: the host's user is no line");
    is_int(p.ncl, 1, "both alone");
    _cleanup_free_ char *dot = dot_of(&in, false);
    like_str(dot, "host user</FONT>", "on a's box");
    like_str(dot, "<B>2 containers</B>, all holding the host's time namespaces", "the caption");
    nsg_plan_done(&p);
    nsg_input_done(&in);
}

TEST(dot)
{
    struct nsg_input in;
    scene(&in);
    _cleanup_free_ char *dot = dot_of(&in, false);
    ok(strncmp(dot, "graph brick {", 13) == 0, "a DOT graph");
    like_str(dot, "rankdir=LR", "left to right");
    is_int(count(dot, "subgraph cluster_"), 4, "four clusters");
    for (size_t i = 0; i < in.n; i++) {
        char want[64];
        snprintf(want, sizeof(want), "\"c:%s\" [label=\"%s\"]", in.c[i].id, in.c[i].id);
        like_str(dot, want, "every container drawn");
    }
    like_str(dot, "\"c:pod-web\" -- \"ns:1\"", "the infra on the left of the pod's namespaces");
    like_str(dot, "\"ns:1\" -- \"c:web1\"", "the members on the right");
    like_str(dot, "\"host\" -- \"ns:0\"", "the host on the left of its net");
    like_str(dot, "\"c:tr\" -- \"ns:2\"", "tr made the pid namespace");
    like_str(dot, "\"ns:2\" -- \"c:db\"", "db joined it");
    like_str(dot, "net 5000, ipc 5002, uts 5003", "inodes in the tooltip");
    ok(!strstr(dot, "4000"), "lone's namespaces are not drawn");
    like_str(dot, "all holding the host's user, time namespaces", "the caption");
    like_str(dot, ">net<", "the legend");
    ok(!strstr(dot, ">cgroup<"), "only the types drawn in the legend");
    ok(strstr(dot, "pod web") > strstr(dot, "host: net"), "rows emitted last first: the pods' row on top");
    _cleanup_free_ char *all = dot_of(&in, true);
    like_str(all, "net 4000, pid 4001, ipc 4002, uts 4003, cgroup 4005", "--all: lone's namespaces");
    like_str(all, "style=dashed", "private lines dashed");
    nsg_input_done(&in);
}

TEST(hostile)
{
    struct nsg_input in;
    init(&in);
    _cleanup_free_ char *dot = dot_of(&in, false);
    like_str(dot, "0 containers", "nothing running: still a picture");
    ok(strstr(dot, "}\n") != NULL, "closed");
    add(&in, "a\"b\\c<d>&", NULL, 1);
    add(&in, "x", NULL, 2);
    in.c[1].ino[NET] = in.c[0].ino[NET];
    in.c[1].ino[PID] = 0; /* unreadable */
    free(dot);
    dot = dot_of(&in, false);
    like_str(dot, "\"c:a\\\"b\\\\c<d>&\"", "quotes and backslashes escaped in DOT strings");
    struct nsg_plan p;
    nsg_plan(&in, true, &p);
    ok(p.ncl == 1 && p.cl[0].kind == NSG_SHARED, "no created time: still one cluster");
    is_int(p.node[0].origin, 0, "the first holder made it");
    nsg_plan_done(&p);
    nsg_input_done(&in);
}

TEST(big_pod)
{
    struct nsg_input in;
    init(&in);
    char id[16];
    for (int i = 0; i < 9; i++) { /* the infra and eight members */
        snprintf(id, sizeof(id), i ? "m%d" : "infra", i);
        add(&in, id, "2026", (unsigned long long)i + 1);
        in.c[i].pod = xstrdup("big");
        in.c[i].infra = i == 0;
        in.c[i].ino[NET] = 1000;
    }
    _cleanup_free_ char *dot = dot_of(&in, false);
    like_str(dot, "subgraph cluster_ns0 {", "eight joiners: boxed");
    like_str(dot, "\"c:infra\" -- \"ns:0\"", "the infra on the left");
    like_str(dot, "\"ns:0\" -- \"c:m4\" [lhead=cluster_ns0", "one line, to the box's middle row");
    is_int(count(dot, "\"ns:0\" -- "), 1, "not a line each");
    is_int(count(dot, "[style=invis]"), 2 + 2 + 1, "a grid: rows of three, three, two");
    like_str(dot, "compound=true", "lhead needs compound");
    _cleanup_free_ char *all = dot_of(&in, true);
    like_str(all, "    \"c:m1\"; \"ns:", "--all: a member's private node in the box with it");
    in.n = 7; /* six joiners: a line each */
    free(dot);
    dot = dot_of(&in, false);
    ok(!strstr(dot, "cluster_ns"), "six joiners: no box");
    is_int(count(dot, "\"ns:0\" -- "), 6, "a line each");
    in.n = 9;
    nsg_input_done(&in);
}

TEST(text)
{
    struct nsg_input in;
    scene(&in);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    nsg_text(f, &in, false);
    fclose(f);
    like_str(buf, "TYPE    INODE         SHARED  CONTAINERS\n", "the header");
    like_str(buf, "net     5000          yes     pod-web,web1,web2\n", "the pod's net");
    like_str(buf, "net     100           host    hnet,hnet2\n", "the host's");
    ok(!strstr(buf, "4000"), "lone's not listed");
    free(buf);
    nsg_input_done(&in);
}

int main(void)
{
    RUN(plan);
    RUN(tags);
    RUN(dot);
    RUN(hostile);
    RUN(big_pod);
    RUN(text);
    return tap_done();
}
