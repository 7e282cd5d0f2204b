/* build.c — struct compose_opts -> config.json (pure).
 *
 * The embedded default is a sandbox for any host program: the host's root
 * read-only, private /tmp, /run, /proc, /dev and /sys, a new hostname, an
 * empty network namespace whose loopback the init brings up (annotation
 * run.brick.net.loopback; runc and crun ignore it, the rest of the config is
 * plain runtime-spec 1.2), Docker's default capabilities with the default
 * seccomp profile tailored to them, and no_new_privs. */
#include "compose/compose.h"
#include "compose/desktop.h"
#include "compose/dest.h"
#include "compose/net.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "rootfs/rootfs.h"
#include "security/seccomp.h"
#include "spec/json.h"
#include "spec/spec.h"

#include <errno.h>
#include <string.h>

#include "brick-config.h"

/* Docker's default set: enough for ordinary programs (chown, setuid in
 * su-like tools, raw sockets for ping), nothing that reaches the host. */
static const char *const default_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

/* The OCI spelling of each type in linux.namespaces. */
static const char *const oci_ns_names[OCI_NS__MAX] = {
    [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",   [OCI_NS_IPC] = "ipc",
    [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user",       [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

/* An unprivileged caller's container always has a user namespace of its
 * own (or a joined one): nothing else lets it make the others. */
static enum compose_ns_mode ns_mode(const struct compose_opts *o, enum oci_ns_type t)
{
    enum compose_ns_mode m = o->ns[t].mode;
    if (m != NS_MODE_DEFAULT)
        return m;
    if (t == OCI_NS_USER && o->caller)
        return NS_MODE_NEW;
    return t == OCI_NS_USER || t == OCI_NS_TIME ? NS_MODE_HOST : NS_MODE_NEW;
}

/* The process's ids: -u, else the caller's own when unprivileged (as
 * bwrap: the sandbox runs as you), else root. */
uint32_t compose_uid(const struct compose_opts *o)
{
    return o->has_user ? o->uid : o->caller ? o->caller->uid : 0;
}

uint32_t compose_gid(const struct compose_opts *o)
{
    return o->has_user ? o->gid : o->caller ? o->caller->gid : 0;
}

static bjson *strs(char *const *v)
{
    bjson *a = bjson_new_array();
    for (; v && *v; v++)
        bjson_append(a, bjson_new_string(*v));
    return a;
}

static bool in(char *const *v, const char *s)
{
    for (; v && *v; v++)
        if (streq(*v, s))
            return true;
    return false;
}

/* Defaults, + --cap-add, - --cap-drop ("ALL" on either side), in kernel order
 * so the output is stable. */
static char **capabilities(const struct compose_opts *o)
{
    bool add_all = in(o->cap_add, "ALL"), drop_all = in(o->cap_drop, "ALL");
    char **caps = NULL;
    for (int c = 0; c <= oci_cap_last(); c++) {
        const char *name = oci_cap_name(c);
        if (!name)
            continue;
        bool on = add_all || in(o->cap_add, name) || (!drop_all && in((char *const *)default_caps, name));
        if (in(o->cap_drop, name) || (drop_all && !add_all && !in(o->cap_add, name)))
            on = false;
        if (on)
            strv_push(&caps, name);
    }
    return caps;
}

/* Where the sandbox's home is: the caller's own path for --home=host, else
 * /root for uid 0 and /home/user for anyone else. NULL: the host's view
 * (--host-secrets, --rootfs). */
static char *home_path(const struct compose_opts *o)
{
    if (o->rootfs || o->host_secrets)
        return NULL;
    if (o->home == COMPOSE_HOME_HOST || o->home == COMPOSE_HOME_HOST_RO)
        return xstrdup(o->home_src);
    return xstrdup(compose_uid(o) != 0 ? "/home/user" : "/root");
}

/* KEY=VALUE replaces the entry of that key (or is appended); a bare KEY
 * (--unsetenv) removes it. */
static void env_set(char ***env, const char *kv)
{
    size_t klen = strcspn(kv, "=");
    for (char **e = *env; e && *e; e++) {
        if (strncmp(*e, kv, klen) != 0 || (*e)[klen] != '=')
            continue;
        free(*e);
        if (kv[klen]) {
            *e = xstrdup(kv);
            return;
        }
        do
            e[0] = e[1];
        while (*e++);
        return;
    }
    if (kv[klen])
        strv_push(env, kv);
}

static void env_set2(char ***env, const char *key, const char *value)
{
    _cleanup_free_ char *kv = xasprintf("%s=%s", key, value);
    env_set(env, kv);
}

/* PATH; HOME, USER, LOGNAME of the process user; the caller's terminal and
 * locale; then -e and --unsetenv in their order. */
static char **environment(const struct compose_opts *o)
{
    char **env = NULL;
    _cleanup_free_ char *home = home_path(o);
    env_set(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    if (home)
        env_set2(&env, "HOME", home);
    if (o->user_name) {
        env_set2(&env, "USER", o->user_name);
        env_set2(&env, "LOGNAME", o->user_name);
    }
    for (char **e = o->caller_env; e && *e; e++)
        env_set(&env, *e);
    if (o->tty && !strv_env_get(env, "TERM"))
        env_set(&env, "TERM=xterm");
    for (char **e = o->env; e && *e; e++)
        env_set(&env, *e);
    return env;
}

/* A supplementary group the container's user namespace maps (setgroups
 * fails on any other): every id without one of its own, 0..65535 with a
 * subordinate range or as root, none with the caller's id alone. */
static bool gid_mapped(const struct compose_opts *o, uint32_t gid)
{
    if (ns_mode(o, OCI_NS_USER) == NS_MODE_HOST)
        return true;
    if (ns_mode(o, OCI_NS_USER) != NS_MODE_NEW)
        return false;
    return (!o->caller || o->caller->subgid.count >= 65536) && gid < 65536;
}

static bjson *user(const struct compose_opts *o)
{
    bjson *u = bjson_new_object(), *gids = bjson_new_array();
    bjson_set(u, "uid", bjson_new_u64(compose_uid(o)));
    bjson_set(u, "gid", bjson_new_u64(compose_gid(o)));
    for (size_t i = 0; i < o->n_groups; i++)
        if (gid_mapped(o, o->groups[i]))
            bjson_append(gids, bjson_new_u64(o->groups[i]));
    if (bjson_array_len(gids))
        bjson_set(u, "additionalGids", gids);
    else
        bjson_free(gids);
    return u;
}

static bjson *process(const struct compose_opts *o, char **caps)
{
    bjson *p = bjson_new_object(), *c = bjson_new_object();
    _cleanup_strv_ char **env = environment(o);
    bjson_set(p, "terminal", bjson_new_bool(o->tty));
    bjson_set(p, "user", user(o));
    bjson_set(p, "args", strs(o->args));
    bjson_set(p, "env", strs(env));
    bjson_set(p, "cwd", bjson_new_string(o->cwd ? o->cwd : "/"));
    bjson_set(c, "bounding", strs(caps));
    bjson_set(c, "effective", strs(caps));
    bjson_set(c, "permitted", strs(caps));
    bjson_set(p, "capabilities", c);
    bjson_set(p, "noNewPrivileges", bjson_new_bool(o->no_new_privs));
    /* "unconfined": no profile of ours (the caller's own confinement, if
     * any, carries on), and nothing asked of a host without AppArmor */
    if (o->apparmor && !streq(o->apparmor, "unconfined"))
        bjson_set(p, "apparmorProfile", bjson_new_string(o->apparmor));
    return p;
}

static void mount(bjson *a, const char *dest, const char *type, const char *src, const char *const *opts)
{
    bjson *m = bjson_new_object();
    bjson_set(m, "destination", bjson_new_string(dest));
    bjson_set(m, "type", bjson_new_string(type));
    bjson_set(m, "source", bjson_new_string(src));
    if (opts)
        bjson_set(m, "options", strs((char *const *)opts));
    bjson_append(a, m);
}

/* A new user namespace cannot mount sysfs for a network namespace it does
 * not own, nor use gid 5 unless mapped: then bind /sys and leave gid out. */
static void system_mounts(const struct compose_opts *o, bjson *a)
{
    static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
    static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                      "mode=0620", "gid=5",  NULL};
    static const char *const pts_userns[] = {"nosuid",        "noexec",    "newinstance",
                                             "ptmxmode=0666", "mode=0620", NULL};
    static const char *const shm[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL};
    static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const sys_bind[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
    static const char *const host_bind[] = {"rbind", "nosuid", "noexec", "nodev", NULL};
    bool host_user = ns_mode(o, OCI_NS_USER) == NS_MODE_HOST;
    /* Unprivileged, proc and mqueue can only be mounted for a pid or ipc
     * namespace our user namespace owns: the host's /proc is bound instead,
     * and the host's ipc namespace gets no /dev/mqueue. */
    if (o->caller && ns_mode(o, OCI_NS_PID) == NS_MODE_HOST)
        mount(a, "/proc", "bind", "/proc", host_bind);
    else
        mount(a, "/proc", "proc", "proc", NULL);
    mount(a, "/dev", "tmpfs", "tmpfs", dev);
    mount(a, "/dev/pts", "devpts", "devpts", host_user ? pts : pts_userns);
    mount(a, "/dev/shm", "tmpfs", "shm", shm);
    if (!o->caller || ns_mode(o, OCI_NS_IPC) != NS_MODE_HOST) /* mq_open needs no mount */
        mount(a, "/dev/mqueue", "mqueue", "mqueue", mq);
    if (host_user)
        mount(a, "/sys", "sysfs", "sysfs", sys);
    else
        mount(a, "/sys", "none", "/sys", sys_bind);
    if (host_user && ns_mode(o, OCI_NS_CGROUP) == NS_MODE_NEW)
        mount(a, "/sys/fs/cgroup", "cgroup", "cgroup", cg);
}

/* The host's homes and /root are hidden behind empty tmpfs mounts; the
 * sandbox's own home is a private tmpfs, a host directory (--home=DIR) or
 * the caller's real home (--home=host[:ro]) bound over them. */
static void home_mounts(const struct compose_opts *o, bjson *a)
{
    static const char *const root_dir[] = {"nosuid", "nodev", "mode=700", NULL};
    static const char *const home_dir[] = {"nosuid", "nodev", "mode=755", NULL};
    static const char *const bind_ro[] = {"rbind", "rprivate", "ro", NULL};
    static const char *const bind_rw[] = {"rbind", "rprivate", "rw", NULL};
    _cleanup_free_ char *home = home_path(o);
    if (!home)
        return;
    mount(a, "/root", "tmpfs", "tmpfs", root_dir);
    mount(a, "/home", "tmpfs", "tmpfs", home_dir);
    if (o->home != COMPOSE_HOME_PRIVATE) {
        mount(a, home, "bind", o->home_src, o->home == COMPOSE_HOME_HOST_RO ? bind_ro : bind_rw);
    } else if (!streq(home, "/root")) {
        _cleanup_free_ char *ids = xasprintf("uid=%u", compose_uid(o)),
                            *gids = xasprintf("gid=%u", compose_gid(o));
        const char *const own[] = {"nosuid", "nodev", "mode=700", ids, gids, NULL};
        mount(a, home, "tmpfs", "tmpfs", own);
    }
}

/* brick's own mounts, the covers a missing destination needs (dest.c; the
 * mode is the covered directory's), then --tmpfs and -v in that order. */
static int mounts(const struct compose_opts *o, bjson **ret, char ***ret_covers, struct brick_error *err)
{
    static const char *const tmp[] = {"nosuid", "nodev", "mode=1777", NULL};
    static const char *const run[] = {"nosuid", "nodev", "mode=755", NULL};
    static const char *const bind_ro[] = {"rbind", "rprivate", "ro", NULL};
    static const char *const bind_rw[] = {"rbind", "rprivate", "rw", NULL};
    static const char *const cover[] = {"nosuid", "nodev", NULL};
    bjson *a = bjson_new_array();
    system_mounts(o, a);
    if (!o->rootfs) {
        /* The host's root is read-only: these are the places programs write. */
        mount(a, "/tmp", "tmpfs", "tmpfs", tmp);
        mount(a, "/run", "tmpfs", "tmpfs", run);
    }
    home_mounts(o, a);
    int r = compose_plan_covers(o, a, ret_covers, err);
    for (char **c = *ret_covers; c && *c; c++)
        mount(a, *c, "tmpfs", "tmpfs", cover);
    for (char **t = o->tmpfs; t && *t; t++)
        mount(a, *t, "tmpfs", "tmpfs", tmp);
    for (size_t i = 0; i < o->n_volumes; i++)
        mount(a, o->volumes[i].dst, "bind", o->volumes[i].src, o->volumes[i].ro ? bind_ro : bind_rw);
    /* --net user: the helper's DNS forwarder. Last, so that a resolv.conf
     * that is a symlink into /run lands on the private /run. */
    static const char *const resolv[] = {"bind", "ro", "nosuid", "nodev", "noexec", NULL};
    if (o->net_user && o->net_resolv)
        mount(a, NET_RESOLV_IN, "bind", o->net_resolv, resolv);
    *ret = a;
    return r;
}

static bjson *namespaces(const struct compose_opts *o)
{
    static const int order[] = {OCI_NS_PID,   OCI_NS_NETWORK, OCI_NS_IPC,  OCI_NS_UTS,
                                OCI_NS_MOUNT, OCI_NS_CGROUP,  OCI_NS_USER, OCI_NS_TIME};
    bjson *a = bjson_new_array();
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        int t = order[i];
        enum compose_ns_mode m = t == OCI_NS_MOUNT ? NS_MODE_NEW : ns_mode(o, t);
        if (m == NS_MODE_HOST)
            continue;
        bjson *ns = bjson_new_object();
        bjson_set(ns, "type", bjson_new_string(oci_ns_names[t]));
        if (m != NS_MODE_NEW)
            bjson_set(ns, "path", bjson_new_string(o->ns[t].path ? o->ns[t].path : ""));
        bjson_append(a, ns);
    }
    return a;
}

static bjson *resources(const struct compose_opts *o)
{
    bjson *res = bjson_new_object();
    /* runc's deny-all device rule: the runtime allows the default /dev nodes
     * it creates itself. */
    bjson *devs = bjson_new_array(), *deny = bjson_new_object();
    bjson_set(deny, "allow", bjson_new_bool(false));
    bjson_set(deny, "access", bjson_new_string("rwm"));
    bjson_append(devs, deny);
    bjson_set(res, "devices", devs);
    if (o->has_memory) {
        bjson *m = bjson_new_object();
        bjson_set(m, "limit", bjson_new_i64(o->memory));
        bjson_set(res, "memory", m);
    }
    if (o->has_cpus) {
        bjson *c = bjson_new_object();
        bjson_set(c, "quota", bjson_new_i64((int64_t)o->cpu_quota));
        bjson_set(c, "period", bjson_new_u64(o->cpu_period));
        bjson_set(res, "cpu", c);
    }
    if (o->has_pids) {
        bjson *p = bjson_new_object();
        bjson_set(p, "limit", bjson_new_i64(o->pids));
        bjson_set(res, "pids", p);
    }
    return res;
}

static void id_map(bjson *a, uint32_t inside, uint32_t host, uint32_t size)
{
    if (size == 0)
        return;
    bjson *m = bjson_new_object();
    bjson_set(m, "containerID", bjson_new_u64(inside));
    bjson_set(m, "hostID", bjson_new_u64(host));
    bjson_set(m, "size", bjson_new_u64(size));
    bjson_append(a, m);
}

/* A new user namespace, as root: 0..65535 on host 100000..165535, the first
 * range /etc/subuid hands out on Debian. Unprivileged: `inside` (the
 * process's id) is the caller's own `own`; with a subordinate range the
 * other ids of 0..65535 come from it in order (newuidmap checks them),
 * without one `inside` is the only id. */
static int id_mappings(const struct compose_opts *o, bool uid, bjson **ret, struct brick_error *err)
{
    bjson *a = bjson_new_array();
    *ret = a;
    if (!o->caller) {
        id_map(a, 0, 100000, 65536);
        return 0;
    }
    uint32_t inside = uid ? compose_uid(o) : compose_gid(o), own = uid ? o->caller->uid : o->caller->gid;
    const struct compose_id_range *sub = uid ? &o->caller->subuid : &o->caller->subgid;
    bool range = sub->count >= 65536;
    if (!range && inside != own && inside != 0)
        return brick_err(err, EPERM,
                         "-u: unprivileged, the container can run as your own %s (%u) or as 0, "
                         "not %u, unless /etc/sub%cid grants you a range and newuidmap/newgidmap (package "
                         "uidmap) are installed",
                         uid ? "uid" : "gid", own, inside, uid ? 'u' : 'g');
    if (!range) {
        id_map(a, inside, own, 1);
        return 0;
    }
    if (inside >= 65536)
        return brick_err(err, EINVAL, "-u: %u: with a subordinate range, ids 0..65535 are mapped", inside);
    id_map(a, 0, sub->start, inside);
    id_map(a, inside, own, 1);
    id_map(a, inside + 1, sub->start + inside, 65535 - inside);
    return 0;
}

static int seccomp(const struct compose_opts *o, char **caps, bjson **ret, struct brick_error *err)
{
    *ret = NULL;
    if (o->seccomp_unconfined)
        return 0;
    const char *file = o->profile_file ? o->profile_file : o->seccomp_file;
    if (!o->seccomp_json) {
        *ret = sc_default_profile((const char *const *)caps);
        return 0;
    }
    int r = bjson_parse(o->seccomp_json, strlen(o->seccomp_json), ret, err);
    if (r < 0)
        return brick_err_prefix(
            err, "%s%s", o->profile_file ? "--profile-file " : "--security-opt seccomp=", file ? file : "");
    if (bjson_type_of(*ret) != BJSON_OBJECT) {
        bjson_free(*ret);
        *ret = NULL;
        return brick_err(err, EINVAL, "%s%s: expected a JSON object (linux.seccomp)",
                         o->profile_file ? "--profile-file " : "--security-opt seccomp=", file ? file : "");
    }
    return 0;
}

static int linux_section(const struct compose_opts *o, char **caps, bjson **ret, struct brick_error *err)
{
    static char *const masked[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
        NULL,
    };
    static char *const ro[] = {"/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
                               "/proc/sysrq-trigger", NULL};
    bjson *sc;
    int r = seccomp(o, caps, &sc, err);
    if (r < 0)
        return r;
    if (o->caller && ns_mode(o, OCI_NS_USER) == NS_MODE_HOST) {
        bjson_free(sc);
        return brick_err(err, EPERM,
                         "--user host: unprivileged, the container needs a user namespace of its "
                         "own (new) or of another container (container:NAME)");
    }
    bjson *l = bjson_new_object();
    if (ns_mode(o, OCI_NS_USER) == NS_MODE_NEW) {
        bjson *u = NULL, *g = NULL;
        if ((r = id_mappings(o, true, &u, err)) >= 0)
            r = id_mappings(o, false, &g, err);
        bjson_set(l, "uidMappings", u);
        if (g)
            bjson_set(l, "gidMappings", g);
        if (r < 0) {
            bjson_free(l);
            bjson_free(sc);
            return r;
        }
    }
    bjson_set(l, "resources", resources(o));
    bjson_set(l, "namespaces", namespaces(o));
    bjson *m = strs(masked);
    for (char **p = o->rootfs || o->host_secrets ? NULL : o->secrets; p && *p; p++)
        bjson_append(m, bjson_new_string(*p));
    bjson_set(l, "maskedPaths", m);
    bjson_set(l, "readonlyPaths", strs(ro));
    if (sc)
        bjson_set(l, "seccomp", sc);
    *ret = l;
    return 0;
}

/* run.brick.cover and run.brick.symlinks (rootfs/cover.c): JSON text. */
static void ext_annotations(const struct compose_opts *o, char **covers, bjson *a)
{
    if (covers) {
        bjson *c = strs(covers);
        _cleanup_free_ char *text = bjson_to_string(c, false);
        bjson_set(a, ROOTFS_ANN_COVER, bjson_new_string(text));
        bjson_free(c);
    }
    if (!o->n_symlinks)
        return;
    bjson *l = bjson_new_array();
    for (size_t i = 0; i < o->n_symlinks; i++) {
        bjson *e = bjson_new_object();
        bjson_set(e, "path", bjson_new_string(o->symlinks[i].dst));
        bjson_set(e, "target", bjson_new_string(o->symlinks[i].target));
        bjson_append(l, e);
    }
    _cleanup_free_ char *text = bjson_to_string(l, false);
    bjson_set(a, ROOTFS_ANN_SYMLINKS, bjson_new_string(text));
    bjson_free(l);
}

/* --net user: what `brick state` and `inspect` show of it. */
static void net_annotations(const struct compose_opts *o, bjson *a)
{
    bjson_set(a, COMPOSE_ANN_NET,
              bjson_new_string(o->net_host_loopback ? "user:allow_host_loopback=true" : "user"));
    _cleanup_free_ char *list = NULL;
    for (size_t i = 0; i < o->n_ports; i++) {
        const struct compose_port *p = &o->ports[i];
        char *l = xasprintf("%s%s%s:%u:%u/%s", list ? list : "", list ? "," : "", p->host_ip, p->host_port,
                            p->port, p->udp ? "udp" : "tcp");
        free(list);
        list = l;
    }
    if (list)
        bjson_set(a, COMPOSE_ANN_PORTS, bjson_new_string(list));
}

static bjson *annotations(const struct compose_opts *o, char **covers)
{
    bjson *a = bjson_new_object();
    ext_annotations(o, covers, a);
    if (ns_mode(o, OCI_NS_NETWORK) == NS_MODE_NEW)
        bjson_set(a, COMPOSE_ANN_LOOPBACK, bjson_new_string("up"));
    if (o->pod)
        bjson_set(a, COMPOSE_ANN_POD, bjson_new_string(o->pod));
    if (o->net_user)
        net_annotations(o, a);
    /* pid 1 is brick's own init, the command its child (runtime/init.c) */
    if (!o->no_init)
        bjson_set(a, COMPOSE_ANN_INIT, bjson_new_string("brick"));
    /* the host's root: every mount under it read-only, not only / */
    if (!o->rootfs)
        bjson_set(a, COMPOSE_ANN_ROOT_RO, bjson_new_string("recursive"));
    for (char **kv = o->annotations; kv && *kv; kv++) {
        _cleanup_free_ char *key = xstrndup(*kv, strcspn(*kv, "="));
        const char *eq = strchr(*kv, '=');
        bjson_set(a, key, bjson_new_string(eq ? eq + 1 : ""));
    }
    return a;
}

static const char *hostname(const struct compose_opts *o)
{
    if (o->hostname)
        return o->hostname;
    return o->name ? o->name : "brick";
}

int compose_build(const struct compose_opts *o, char **ret_json, struct brick_error *err)
{
    return compose_build_spec(o, ret_json, NULL, err);
}

int compose_build_spec(const struct compose_opts *o, char **ret_json, struct oci_spec **ret_spec,
                       struct brick_error *err)
{
    if (o->user_spec && !o->has_user)
        return brick_err(err, EINVAL, "-u %s: the name was not looked up", o->user_spec);
    _cleanup_strv_ char **caps = capabilities(o), **covers = NULL;
    bjson *l = NULL, *m = NULL;
    int r = linux_section(o, caps, &l, err);
    if (r < 0)
        return r;
    if ((r = mounts(o, &m, &covers, err)) < 0) {
        bjson_free(l);
        bjson_free(m);
        return r;
    }
    bjson *s = bjson_new_object(), *root = bjson_new_object();
    bjson_set(s, "ociVersion", bjson_new_string(BRICK_SPEC_VERSION));
    bjson_set(s, "process", process(o, caps));
    bjson_set(root, "path", bjson_new_string(o->rootfs ? o->rootfs : "/"));
    bjson_set(root, "readonly", bjson_new_bool(!o->rootfs || o->read_only));
    bjson_set(s, "root", root);
    if (ns_mode(o, OCI_NS_UTS) == NS_MODE_NEW)
        bjson_set(s, "hostname", bjson_new_string(hostname(o)));
    bjson_set(s, "mounts", m);
    bjson_set(s, "linux", l);
    bjson_set(s, "annotations", annotations(o, covers));
    r = desktop_apply(o, s, err); /* --x11, --gpu, ...: mounts, devices, env (desktop.c) */
    if (r >= 0)
        r = compose_learn_apply(o, s, err); /* --learn, --profile-file (learn.c) */
    if (r < 0) {
        bjson_free(s);
        return r;
    }
    /* What we hand to the runtime must pass its own validator: a flag
     * combination the spec rejects is reported now, in flag terms. Parsed
     * from the document itself, not from its text. */
    struct oci_spec *spec = NULL;
    r = oci_spec_from_json(s, &spec, err);
    if (r < 0) {
        bjson_free(s);
        oci_spec_free(spec);
        return brick_err_prefix(err, "generated config.json");
    }
    /* Pretty for people (--print-spec, compose_build()); compact for the
     * bundle of a container about to start. */
    char *text = ret_spec && !o->print_spec ? bjson_to_string(s, false) : bjson_to_string_tabs(s);
    bjson_free(s);
    if (ret_spec)
        *ret_spec = spec;
    else
        oci_spec_free(spec);
    *ret_json = text;
    return 0;
}
