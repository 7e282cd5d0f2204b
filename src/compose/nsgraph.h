/* nsgraph.h — `brick graph` planned without a system call: containers and the
 * identities (inodes) of their namespaces in, a graph model out, then text or
 * Graphviz DOT from the model. src/cli/graph.c reads the live state (the thin
 * layer); everything here is pure and unit-tested (tests/unit/compose).
 *
 * The model, in the words of the picture:
 *   - a namespace node is every namespace held by exactly the same holders
 *     (a pod's net, ipc and uts are one node of three cells);
 *   - by default a node is drawn when two containers hold it, or one
 *     container holds the host's net, pid, ipc or uts; --all draws every one;
 *   - the host's user, cgroup and time namespaces are what a container gets
 *     unless it asks for its own (brick do's defaults, runc's, Docker's), so
 *     they are written on the container ("host user time"), or once in the
 *     caption when every container holds them, never drawn as lines to the
 *     host: twenty lines to one node is what made the old picture unreadable;
 *   - containers linked through drawn namespaces form one cluster, labelled
 *     by pod when a pod's containers are in it, "host" when the host is, and
 *     by what they share otherwise; the containers that share nothing go to
 *     one "nothing shared" cluster laid out as a grid;
 *   - clusters are ordered pods, shared (by type: net first), host, alone, and
 *     laid out left to right in rows (a grid), with a legend. */
#ifndef BRICK_COMPOSE_NSGRAPH_H
#define BRICK_COMPOSE_NSGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The types shown, in this order (also the clusters' order): net, pid, ipc,
 * uts, user, cgroup, time. mnt is always private and left out. */
#define NSG_TYPES 7
extern const char *const nsg_type_names[NSG_TYPES];

struct nsg_container {
    char *id;
    char *created;                     /* RFC 3339 creation time: the older holder made a namespace */
    char *pod;                         /* the pod it is a member or the infra of, or NULL */
    bool infra;                        /* a pod's infra container: it made the pod's namespaces */
    unsigned long long ino[NSG_TYPES]; /* 0: unreadable */
};

struct nsg_input {
    struct nsg_container *c; /* sorted by id (brick_list's order) */
    size_t n;
    unsigned long long host[NSG_TYPES]; /* the host's namespaces (brick's own) */
};

/* Appends a copy of c (strings duplicated). */
void nsg_input_add(struct nsg_input *in, const struct nsg_container *c);
void nsg_input_done(struct nsg_input *in);

#define NSG_HOST ((size_t)-1) /* "the host", where a container index goes */

struct nsg_node {
    unsigned types;                    /* bit k: nsg_type_names[k] */
    unsigned long long ino[NSG_TYPES]; /* per type in types */
    size_t *holders;                   /* container indexes, ascending */
    size_t nholders;
    bool host;     /* the host holds them too */
    size_t origin; /* who made them: a holder, or NSG_HOST */
    size_t cluster;
};

enum nsg_kind { NSG_POD, NSG_SHARED, NSG_HOSTS, NSG_ALONE };

struct nsg_cluster {
    enum nsg_kind kind;
    char *label;     /* "pod web: net ipc uts", "shared: pid ipc", "host: net", "nothing shared" */
    size_t *members; /* container indexes, ascending */
    size_t nmembers;
    unsigned types; /* the types shared in it */
    bool has_host;  /* the host node is drawn in it */
};

struct nsg_plan {
    const struct nsg_input *in;
    bool all;
    struct nsg_node *node;
    size_t nnode;
    struct nsg_cluster *cl; /* in drawing order */
    size_t ncl;
    size_t *cluster_of; /* per container */
    unsigned *tags;     /* per container: host user/cgroup/time held, not in the caption */
    unsigned universal; /* such types every container holds (the caption) */
};

void nsg_plan(const struct nsg_input *in, bool all, struct nsg_plan *p);
void nsg_plan_done(struct nsg_plan *p);

/* The table: TYPE INODE SHARED CONTAINERS, one line a namespace (shared or
 * the host's; every one with all). */
void nsg_text(FILE *f, const struct nsg_input *in, bool all);
/* Graphviz DOT of the plan. */
void nsg_dot(FILE *f, const struct nsg_plan *p);

#endif
