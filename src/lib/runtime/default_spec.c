/* default_spec.c — the config.json `brick spec` writes.
 *
 * Same structure and key order as runc 1.1's `runc spec` (Go's struct field
 * order, omitempty keys left out, tab indentation), so tools and tutorials
 * written for runc keep working. Differences on purpose: ociVersion is the
 * spec version brick implements and the hostname is "brick". */
#include "core/cleanup.h"
#include "core/util.h"
#include "security/seccomp.h"
#include "spec/json.h"

#include <brick/brick.h>
#include <unistd.h>

#include "brick-config.h"

static bjson *strs(const char *const *v)
{
    bjson *a = bjson_new_array();
    for (; *v; v++)
        bjson_append(a, bjson_new_string(*v));
    return a;
}

/* runc stopped granting inheritable/ambient capabilities (CVE-2022-29162).
 * The default seccomp profile is tailored to this set. */
static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static bjson *process(void)
{
    static const char *const args[] = {"sh", NULL};
    static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                      "TERM=xterm", NULL};
    const char *const *caps = default_caps;
    bjson *p = bjson_new_object(), *user = bjson_new_object(), *c = bjson_new_object();
    bjson *rl = bjson_new_object(), *rls = bjson_new_array();
    bjson_set(p, "terminal", bjson_new_bool(true));
    bjson_set(user, "uid", bjson_new_i64(0));
    bjson_set(user, "gid", bjson_new_i64(0));
    bjson_set(p, "user", user);
    bjson_set(p, "args", strs(args));
    bjson_set(p, "env", strs(env));
    bjson_set(p, "cwd", bjson_new_string("/"));
    bjson_set(c, "bounding", strs(caps));
    bjson_set(c, "effective", strs(caps));
    bjson_set(c, "permitted", strs(caps));
    bjson_set(p, "capabilities", c);
    bjson_set(rl, "type", bjson_new_string("RLIMIT_NOFILE"));
    bjson_set(rl, "hard", bjson_new_u64(1024));
    bjson_set(rl, "soft", bjson_new_u64(1024));
    bjson_append(rls, rl);
    bjson_set(p, "rlimits", rls);
    bjson_set(p, "noNewPrivileges", bjson_new_bool(true));
    return p;
}

static bjson *mount(const char *dest, const char *type, const char *src, const char *const *opts)
{
    bjson *m = bjson_new_object();
    bjson_set(m, "destination", bjson_new_string(dest));
    bjson_set(m, "type", bjson_new_string(type));
    bjson_set(m, "source", bjson_new_string(src));
    if (opts)
        bjson_set(m, "options", strs(opts));
    return m;
}

static bjson *mounts(bool rootless)
{
    static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
    static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                      "mode=0620", "gid=5",  NULL};
    /* Rootless: no gid= (group 5 is not mapped in the user namespace). */
    static const char *const pts_rootless[] = {"nosuid",        "noexec",    "newinstance",
                                               "ptmxmode=0666", "mode=0620", NULL};
    static const char *const shm[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL};
    static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
    /* Rootless: sysfs cannot be mounted without owning the network namespace. */
    static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
    bjson *a = bjson_new_array();
    bjson_append(a, mount("/proc", "proc", "proc", NULL));
    bjson_append(a, mount("/dev", "tmpfs", "tmpfs", dev));
    bjson_append(a, mount("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
    bjson_append(a, mount("/dev/shm", "tmpfs", "shm", shm));
    bjson_append(a, mount("/dev/mqueue", "mqueue", "mqueue", mq));
    if (rootless)
        bjson_append(a, mount("/sys", "none", "/sys", sys_rootless));
    else
        bjson_append(a, mount("/sys", "sysfs", "sysfs", sys));
    bjson_append(a, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg));
    return a;
}

static bjson *id_mappings(unsigned host)
{
    bjson *a = bjson_new_array(), *m = bjson_new_object();
    bjson_set(m, "containerID", bjson_new_i64(0));
    bjson_set(m, "hostID", bjson_new_i64(host));
    bjson_set(m, "size", bjson_new_i64(1));
    bjson_append(a, m);
    return a;
}

static bjson *namespaces(bool rootless, bool cgroupns)
{
    static const char *const full[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};
    static const char *const user[] = {"pid", "ipc", "uts", "mount", "cgroup", "user", NULL};
    bjson *a = bjson_new_array();
    for (const char *const *t = rootless ? user : full; *t; t++) {
        if (!cgroupns && streq(*t, "cgroup"))
            continue;
        bjson *ns = bjson_new_object();
        bjson_set(ns, "type", bjson_new_string(*t));
        bjson_append(a, ns);
    }
    return a;
}

static bjson *linux_section(bool rootless, bool cgroupns)
{
    static const char *const masked[] = {
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
    static const char *const ro[] = {"/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
                                     "/proc/sysrq-trigger", NULL};
    bjson *l = bjson_new_object();
    if (rootless) {
        bjson_set(l, "uidMappings", id_mappings(geteuid()));
        bjson_set(l, "gidMappings", id_mappings(getegid()));
    } else {
        /* runc's deny-all rule: the runtime itself adds the rules for the
         * default /dev nodes it creates. */
        bjson *res = bjson_new_object(), *devs = bjson_new_array(), *deny = bjson_new_object();
        bjson_set(deny, "allow", bjson_new_bool(false));
        bjson_set(deny, "access", bjson_new_string("rwm"));
        bjson_append(devs, deny);
        bjson_set(res, "devices", devs);
        bjson_set(l, "resources", res);
    }
    bjson_set(l, "namespaces", namespaces(rootless, cgroupns));
    bjson_set(l, "maskedPaths", strs(masked));
    bjson_set(l, "readonlyPaths", strs(ro));
    /* Pure data from the security module (docs/SECCOMP.md). */
    bjson_set(l, "seccomp", sc_default_profile(default_caps));
    return l;
}

char *brick_spec_default_json(bool rootless, bool cgroupns)
{
    bjson *s = bjson_new_object(), *root = bjson_new_object();
    bjson_set(s, "ociVersion", bjson_new_string(BRICK_SPEC_VERSION));
    bjson_set(s, "process", process());
    bjson_set(root, "path", bjson_new_string("rootfs"));
    bjson_set(root, "readonly", bjson_new_bool(true));
    bjson_set(s, "root", root);
    bjson_set(s, "hostname", bjson_new_string("brick"));
    bjson_set(s, "mounts", mounts(rootless));
    bjson_set(s, "linux", linux_section(rootless, cgroupns));
    char *text = bjson_to_string_tabs(s);
    bjson_free(s);
    return text;
}
