/* pod.c — pods: a pod is an infra container, "pod-NAME", that holds the
 * shared namespaces (net, ipc, uts; pid with share_pid) while running
 * `/bin/sleep infinity` from the read-only host root, with no capabilities.
 * Members join it with `brick do --pod NAME`; annotations (run.brick.pod.infra
 * on the infra, run.brick.pod on members) say who is what, so no pod database
 * exists besides the containers themselves. The CLI (cli/pod.c) parses and
 * prints; what a pod is lives here. */
#include "compose/compose.h"
#include "compose/share.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "state/state.h"

#include <errno.h>
#include <string.h>

int compose_pod_infra_opts(const char *root, const char *name, bool share_pid, struct compose_opts *o,
                           struct brick_error *err)
{
    *o = (struct compose_opts){.no_new_privs = true, .detach = true};
    o->name = compose_pod_infra_id(name);
    if (!container_id_valid(o->name))
        return brick_err(err, EINVAL, "pod create: invalid pod name \"%s\"", name);
    /* For the message only, before anything is built: the runtime's EEXIST
     * (one atomic mkdir) is what keeps two creates of one pod apart. */
    struct compose_info ci;
    struct brick_error ignored;
    bool exists = compose_inspect(root, o->name, &ci, &ignored) == 0;
    compose_info_done(&ci);
    if (exists)
        return brick_err(err, EEXIST,
                         "pod create: pod \"%s\" already exists (its infra container \"%s\"; "
                         "'brick pod rm %s' first)",
                         name, o->name, name);
    o->hostname = xstrdup(name);
    strv_push(&o->args, "/bin/sleep");
    strv_push(&o->args, "infinity");
    strv_push(&o->cap_drop, "ALL");
    strv_push_take(&o->annotations, xasprintf(COMPOSE_ANN_POD_INFRA "=%s", name));
    strv_push_take(&o->annotations,
                   xasprintf(COMPOSE_ANN_POD_SHARES "=net,ipc,uts%s", share_pid ? ",pid" : ""));
    return 0;
}

char **compose_pod_members(const char *root, const char *pod, bool *ret_running)
{
    struct brick_container_info *v;
    size_t n;
    struct brick_error err;
    char **out = NULL;
    *ret_running = false;
    if (brick_list(root, &v, &n, &err) < 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        struct compose_info ci;
        if (compose_inspect(root, v[i].id, &ci, &err) < 0)
            continue;
        if (ci.pod && streq(ci.pod, pod)) {
            strv_push(&out, v[i].id);
            if (!streq(ci.status, "stopped"))
                *ret_running = true;
        }
        compose_info_done(&ci);
    }
    brick_container_info_free(v, n);
    return out;
}

int compose_pod_remove(const char *root, const char *name, bool force, struct brick_error *err)
{
    _cleanup_free_ char *infra = compose_pod_infra_id(name);
    struct compose_info ci;
    bool is_pod = compose_inspect(root, infra, &ci, err) == 0 && ci.pod_infra;
    compose_info_done(&ci);
    if (!is_pod)
        return brick_err(err, ENOENT, "pod rm: pod \"%s\" does not exist", name);
    bool running;
    _cleanup_strv_ char **members = compose_pod_members(root, name, &running);
    if (running && !force)
        return brick_err(err, EBUSY, "pod rm: pod \"%s\" has running members (%zu); stop them or use --force",
                         name, strv_length(members));
    for (char **m = members; m && *m; m++)
        if (brick_delete(root, *m, true, err) < 0)
            return -err->code;
    return brick_delete(root, infra, true, err);
}
