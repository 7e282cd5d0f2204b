/* share.c — container:NAME and --pod NAME turned into namespace fds.
 *
 * Each target namespace is opened through brick_open_namespace() (pidfd,
 * start time verified, PIDFD_GET_*_NAMESPACE) and the fd is held open by the
 * caller for the whole create; the spec joins "/proc/self/fd/N", which the
 * runtime opens in this same process, so it reaches exactly the namespace
 * we verified, whatever happens to the target's pid meanwhile. */
#include "compose/share.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

char *compose_pod_infra_id(const char *pod) { return xasprintf("pod-%s", pod); }

void compose_info_done(struct compose_info *ci)
{
    free(ci->status);
    free(ci->pod);
    free(ci->pod_infra);
    free(ci->pod_shares);
    *ci = (struct compose_info){0};
}

static char *ann(const bjson *o, const char *key)
{
    const char *s = bjson_string(bjson_get(bjson_get(o, "annotations"), key));
    return s ? xstrdup(s) : NULL;
}

int compose_inspect(const char *root, const char *id, struct compose_info *ci, struct brick_error *err)
{
    *ci = (struct compose_info){0};
    _cleanup_free_ char *json = NULL;
    int r = brick_state(root, id, &json, err);
    if (r < 0)
        return r;
    bjson *o;
    r = bjson_parse(json, strlen(json), &o, err);
    if (r < 0)
        return r;
    int64_t pid = 0;
    bjson_i64(bjson_get(o, "pid"), &pid);
    ci->pid = (pid_t)pid;
    const char *st = bjson_string(bjson_get(o, "status"));
    ci->status = xstrdup(st ? st : "unknown");
    ci->pod = ann(o, COMPOSE_ANN_POD);
    ci->pod_infra = ann(o, COMPOSE_ANN_POD_INFRA);
    ci->pod_shares = ann(o, COMPOSE_ANN_POD_SHARES);
    bjson_free(o);
    return 0;
}

void compose_shared_init(struct compose_shared *sh)
{
    for (int t = 0; t < OCI_NS__MAX; t++)
        sh->fd[t] = -1;
}

void compose_shared_done(struct compose_shared *sh)
{
    for (int t = 0; t < OCI_NS__MAX; t++)
        if (sh->fd[t] >= 0)
            close(sh->fd[t]);
    compose_shared_init(sh);
}

static int ns_type_by_name(const char *name)
{
    for (int t = 0; t < OCI_NS__MAX; t++)
        if (streq(name, compose_ns_name(t)))
            return t;
    return -1;
}

/* --pod NAME: join what the infra container says the pod shares. */
static int apply_pod(const char *root, struct compose_opts *o, struct brick_error *err)
{
    _cleanup_free_ char *infra = compose_pod_infra_id(o->pod);
    struct compose_info ci;
    int r = compose_inspect(root, infra, &ci, err);
    if (r == -ENOENT)
        return brick_err(err, ENOENT, "--pod: pod \"%s\" does not exist (brick pod create %s)", o->pod,
                         o->pod);
    if (r < 0)
        return brick_err_prefix(err, "--pod %s", o->pod);
    if (!ci.pod_infra || !streq(ci.pod_infra, o->pod) || !ci.pod_shares) {
        compose_info_done(&ci);
        return brick_err(err, EINVAL, "--pod: container \"%s\" is not the infra container of pod \"%s\"",
                         infra, o->pod);
    }
    _cleanup_free_ char *shares = xstrdup(ci.pod_shares);
    compose_info_done(&ci);
    char *save = NULL;
    for (char *tok = strtok_r(shares, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int t = ns_type_by_name(tok);
        if (t < 0 || (t == OCI_NS_PID && o->ns[t].mode != NS_MODE_DEFAULT))
            continue; /* an explicit --pid wins over the pod's */
        free(o->ns[t].target);
        o->ns[t] = (struct compose_ns){.mode = NS_MODE_CONTAINER, .target = xstrdup(infra)};
    }
    return 0;
}

static bool same_ns(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* setns() into ns needs CAP_SYS_ADMIN in the user namespace that owns it;
 * after joining userns that holds only when the owner is userns or one
 * nested inside it. Walk up from the owner (NS_GET_PARENT stops with EPERM
 * where our view ends). */
static bool owned_within(int ns, int userns)
{
    _cleanup_close_ int cur = ioctl(ns, NS_GET_USERNS);
    for (int depth = 0; cur >= 0 && depth < 33; depth++) {
        if (same_ns(cur, userns))
            return true;
        int parent = ioctl(cur, NS_GET_PARENT);
        close(cur);
        cur = parent;
    }
    return false;
}

static int check_userns(const struct compose_opts *o, const struct compose_shared *sh,
                        struct brick_error *err)
{
    int u = sh->fd[OCI_NS_USER];
    if (u < 0)
        return 0;
    for (int t = 0; t < OCI_NS__MAX; t++) {
        if (t == OCI_NS_USER || sh->fd[t] < 0 || owned_within(sh->fd[t], u))
            continue;
        return brick_err(err, EINVAL,
                         "--%s container:%s: its %s namespace belongs to a user namespace "
                         "outside the one joined with --user container:%s, which could not enter it",
                         compose_ns_name(t), o->ns[t].target, compose_ns_name(t), o->ns[OCI_NS_USER].target);
    }
    return 0;
}

static int open_one(const char *root, struct compose_opts *o, int t, struct compose_shared *sh,
                    struct brick_error *err)
{
    struct compose_ns *ns = &o->ns[t];
    if (o->name && streq(ns->target, o->name))
        return brick_err(err, EINVAL, "--%s container:%s: a container cannot join itself", compose_ns_name(t),
                         ns->target);
    int r = brick_open_namespace(root, ns->target, compose_ns_name(t), &sh->fd[t], err);
    if (r < 0)
        return brick_err_prefix(err, "--%s container:%s", compose_ns_name(t), ns->target);
    free(ns->path);
    if (o->print_spec) {
        /* For another runtime reading the printed file: a path by pid, a
         * snapshot that is only as good as the moment it was printed. */
        struct compose_info ci;
        if (compose_inspect(root, ns->target, &ci, err) < 0)
            return r;
        ns->path = xasprintf("/proc/%d/ns/%s", ci.pid, compose_ns_name(t));
        compose_info_done(&ci);
    } else {
        ns->path = xasprintf("/proc/self/fd/%d", sh->fd[t]);
    }
    strv_push_take(&o->annotations,
                   xasprintf(COMPOSE_ANN_JOIN_PREFIX "%s=%s", compose_ns_name(t), ns->target));
    return 0;
}

int compose_share(const char *root, struct compose_opts *o, struct compose_shared *sh,
                  struct brick_error *err)
{
    compose_shared_init(sh);
    int r = o->pod ? apply_pod(root, o, err) : 0;
    /* Unprivileged, a namespace of another container can only be entered
     * from the user namespace that owns it: that container's, joined too. */
    for (int t = 0; r >= 0 && o->caller && o->ns[OCI_NS_USER].mode == NS_MODE_DEFAULT && t < OCI_NS__MAX; t++)
        if (o->ns[t].mode == NS_MODE_CONTAINER)
            o->ns[OCI_NS_USER] =
                (struct compose_ns){.mode = NS_MODE_CONTAINER, .target = xstrdup(o->ns[t].target)};
    for (int t = 0; r >= 0 && t < OCI_NS__MAX; t++) {
        if (o->ns[t].mode == NS_MODE_CONTAINER)
            r = open_one(root, o, t, sh, err);
        else if (o->ns[t].mode == NS_MODE_PATH)
            strv_push_take(&o->annotations,
                           xasprintf(COMPOSE_ANN_JOIN_PREFIX "%s=ns:%s", compose_ns_name(t), o->ns[t].path));
    }
    if (r >= 0)
        r = check_userns(o, sh, err);
    if (r < 0)
        compose_shared_done(sh);
    return r;
}
