/* share.h — resolving container:NAME and --pod NAME to namespace fds, and
 * the few facts about other containers the front end needs (pods). */
#ifndef BRICK_COMPOSE_SHARE_H
#define BRICK_COMPOSE_SHARE_H

#include <brick/brick.h>

#include "compose/compose.h"

/* Namespace fds held open for the whole create: the spec joins
 * /proc/self/fd/N of these. -1 where nothing is joined by name. */
struct compose_shared {
    int fd[OCI_NS__MAX];
};

void compose_shared_init(struct compose_shared *sh);
void compose_shared_done(struct compose_shared *sh);

/* Expand --pod, open every container:NAME namespace race-free
 * (brick_open_namespace), point o->ns[t].path at the held fds, add the
 * run.brick.join.<type> annotations, and check that a joined user namespace
 * can enter the other joined namespaces. Errors read
 * "--net container:web: container \"web\" is stopped: ...". */
int compose_share(const char *root, struct compose_opts *o, struct compose_shared *sh,
                  struct brick_error *err);

/* What brick_state() says of a container, reduced to what pods need. */
struct compose_info {
    pid_t pid; /* 0 when stopped */
    char *status;
    char *pod;        /* member of this pod, or NULL */
    char *pod_infra;  /* infra container of this pod, or NULL */
    char *pod_shares; /* "net,ipc,uts[,pid]" on an infra container */
};
int compose_inspect(const char *root, const char *id, struct compose_info *ci, struct brick_error *err);
void compose_info_done(struct compose_info *ci);
/* The infra container's id of pod NAME: "pod-NAME". Heap string. */
char *compose_pod_infra_id(const char *pod);

/* Pods (pod.c). The options of pod NAME's infra container, for
 * cli_do_launch; fails when NAME is invalid or the pod exists. */
struct compose_opts;
int compose_pod_infra_opts(const char *root, const char *name, bool share_pid, struct compose_opts *o,
                           struct brick_error *err);
/* Members of pod NAME, from the containers' own annotations (strv). */
char **compose_pod_members(const char *root, const char *pod, bool *ret_running);
/* Delete pod NAME: its members (running ones only with force), then its infra. */
int compose_pod_remove(const char *root, const char *name, bool force, struct brick_error *err);

#endif
