/* inspect.c — brick_inspect(): what confines a created or running container,
 * read from the kernel through a pidfd on its recorded init (namespaces and
 * which containers under the same root share them, capability sets, seccomp,
 * no_new_privs, id maps, LSM label) and, on request, which dangerous
 * syscalls its seccomp filters block (security/seccomp_probe.c).
 *
 * Race-free as brick_open_namespace is: the pidfd is opened under the state
 * lock and checked against the recorded start time; namespaces come from
 * the pidfd itself (share.c); /proc/PID is opened as a directory and the
 * pidfd checked alive afterwards, so every file read through that directory
 * is the recorded process's, never a recycled pid's. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"
#include "ns/ns.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"
#include "security/seccomp_probe.h"
#include "spec/json.h"
#include "spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The report's order (alphabetical, as `brick inspect` has always printed). */
static const int ns_order[] = {OCI_NS_CGROUP, OCI_NS_IPC,  OCI_NS_MOUNT, OCI_NS_NETWORK,
                               OCI_NS_PID,    OCI_NS_TIME, OCI_NS_USER,  OCI_NS_UTS};

/* "Key:\tvalue" from /proc/PID/status; NULL when absent. */
static const char *status_field(const char *status, const char *key, char *buf, size_t len)
{
    size_t kl = strlen(key);
    for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            const char *v = l + kl + 1;
            v += strspn(v, " \t");
            size_t n = strcspn(v, "\n");
            snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), v);
            return buf;
        }
    return NULL;
}

static bjson *cap_set(const char *hex)
{
    bjson *a = bjson_new_array();
    uint64_t mask = hex ? strtoull(hex, NULL, 16) : 0;
    for (int c = 0; c < 64; c++)
        if (mask & (UINT64_C(1) << c)) {
            const char *name = oci_cap_name(c);
            bjson_append(a, name ? bjson_new_string(name) : bjson_new_i64(c));
        }
    return a;
}

static bjson *from_status(const char *status)
{
    static const char *const sets[][2] = {{"CapBnd", "bounding"}, {"CapEff", "effective"},
                                          {"CapPrm", "permitted"}, {"CapInh", "inheritable"},
                                          {"CapAmb", "ambient"}};
    static const char *const modes[] = {"disabled", "strict", "filter"};
    char buf[128];
    bjson *o = bjson_new_object(), *caps = bjson_new_object(), *sc = bjson_new_object();
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
        bjson_set(caps, sets[i][1], cap_set(status_field(status, sets[i][0], buf, sizeof(buf))));
    bjson_set(o, "capabilities", caps);
    const char *m = status_field(status, "Seccomp", buf, sizeof(buf));
    int mode = m ? atoi(m) : -1;
    bjson_set(sc, "mode", bjson_new_string(mode >= 0 && mode <= 2 ? modes[mode] : "unknown"));
    const char *f = status_field(status, "Seccomp_filters", buf, sizeof(buf));
    bjson_set(sc, "filters", bjson_new_i64(f ? atoi(f) : 0));
    bjson_set(o, "seccomp", sc);
    const char *nnp = status_field(status, "NoNewPrivs", buf, sizeof(buf));
    bjson_set(o, "noNewPrivileges", bjson_new_bool(nnp && atoi(nnp) == 1));
    return o;
}

static bjson *proc_text(int procdir, const char *name)
{
    _cleanup_free_ char *text = NULL;
    if (read_file_at(procdir, name, BRICK_READ_SMALL, &text, NULL) < 0)
        return bjson_new_string("unknown");
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\0'))
        text[--n] = '\0';
    return bjson_new_string(text);
}

/* brick's own namespace of type t: "host" in the report. */
static uint64_t self_ns_inode(int t)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_proc_name(t));
    return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static bjson *namespaces(const char *root, const char *id, const uint64_t ino[OCI_NS__MAX])
{
    struct brick_container_info *v = NULL;
    size_t n = 0;
    struct brick_error lerr;
    if (brick_list(root, &v, &n, &lerr) < 0)
        n = 0;
    /* the others' inodes, each read through its own pidfd */
    uint64_t(*others)[OCI_NS__MAX] = xcalloc(n ? n : 1, sizeof(*others));
    for (size_t j = 0; j < n; j++)
        if (v[j].pid > 0 && !streq(v[j].id, id))
            container_ns_inodes(root, v[j].id, others[j]);
    bjson *o = bjson_new_object();
    for (size_t i = 0; i < ARRAY_SIZE(ns_order); i++) {
        int t = ns_order[i];
        bjson *e = bjson_new_object(), *shared = bjson_new_array();
        bjson_set(e, "inode", bjson_new_u64(ino[t]));
        for (size_t j = 0; ino[t] && j < n; j++)
            if (others[j][t] == ino[t])
                bjson_append(shared, bjson_new_string(v[j].id));
        bjson_set(e, "host", bjson_new_bool(ino[t] && ino[t] == self_ns_inode(t)));
        bjson_set(e, "sharedWith", shared);
        bjson_set(o, ns_proc_name(t), e);
    }
    free(others);
    brick_container_info_free(v, n);
    return o;
}

static bjson *probe(pid_t pid, int pidfd, struct brick_error *err)
{
    int res[64];
    if (sc_n_probes > ARRAY_SIZE(res)) {
        brick_err(err, E2BIG, "inspect --probe: %zu probes, room for %zu", sc_n_probes, ARRAY_SIZE(res));
        return NULL;
    }
    int n = sc_probe_process(pid, res, err);
    if (n < 0)
        return NULL;
    if (pidfd_signal(pidfd, 0) < 0) { /* gone meanwhile: the filters read may be another's */
        brick_err(err, ESRCH, "the container exited while its seccomp filters were read");
        return NULL;
    }
    bjson *o = bjson_new_object(), *blocked = bjson_new_array(), *allowed = bjson_new_array();
    int count = 0;
    for (size_t i = 0; i < sc_n_probes; i++) {
        if (sc_probes[i].control)
            continue;
        bool b = res[i] == SC_PROBE_KILLED || sc_probe_blocked(&sc_probes[i], res[i]);
        bjson_append(b ? blocked : allowed, bjson_new_string(sc_probes[i].name));
        count += b;
    }
    bjson_set(o, "filters", bjson_new_i64(n));
    bjson_set(o, "tried", bjson_new_i64((int64_t)sc_n_probes));
    bjson_set(o, "blockedCount", bjson_new_i64(count));
    bjson_set(o, "blocked", blocked);
    bjson_set(o, "allowed", allowed);
    return o;
}

/* /proc/PID of the process behind pidfd, as a directory fd: opened, then the
 * pidfd checked alive, so the directory is that process's. */
static int open_proc_dir(pid_t pid, int pidfd)
{
    char path[32];
    snprintf(path, sizeof(path), "/proc/%d", pid);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (pidfd_signal(pidfd, 0) < 0) {
        close(fd);
        return -ESRCH;
    }
    return fd;
}

static bjson *report(const char *root, const struct container_state *st, int pidfd, bool want_probe,
                     struct brick_error *err)
{
    _cleanup_close_ int procdir = open_proc_dir(st->pid, pidfd);
    _cleanup_free_ char *status = NULL;
    uint64_t ino[OCI_NS__MAX] = {0};
    if (procdir < 0 || read_file_at(procdir, "status", BRICK_READ_SMALL, &status, NULL) < 0 ||
        ns_inodes(pidfd, st->pid, ino) < 0) {
        brick_err(err, ESRCH, "inspect: container \"%s\" is not running", st->id);
        return NULL;
    }
    bjson *o = from_status(status);
    bjson_set(o, "id", bjson_new_string(st->id));
    bjson_set(o, "pid", bjson_new_i64(st->pid));
    bjson_set(o, "status", bjson_new_string(container_status_name(container_status(st))));
    bjson_set(o, "namespaces", namespaces(root, st->id, ino));
    bjson_set(o, "uidMap", proc_text(procdir, "uid_map"));
    bjson_set(o, "gidMap", proc_text(procdir, "gid_map"));
    bjson_set(o, "lsmLabel", proc_text(procdir, "attr/current"));
    /* The kernel exposes no per-process Landlock state. */
    bjson_set(o, "landlock", bjson_new_string("unknown"));
    if (want_probe && container_status(st) == STATUS_PAUSED) {
        bjson_free(o);
        brick_err(err, EBUSY, "inspect --probe: container \"%s\" is paused: its processes cannot stop for "
                  "ptrace (brick resume it first)", st->id);
        return NULL;
    }
    if (want_probe) {
        bjson *p = probe(st->pid, pidfd, err);
        if (!p) {
            bjson_free(o);
            return NULL;
        }
        bjson_set(o, "probe", p);
    }
    return o;
}

int brick_inspect(const char *root, const char *id, bool want_probe, char **ret_json, struct brick_error *err)
{
    struct handle h;
    _cleanup_close_ int pidfd = -EBADF;
    int r = handle_open_live(root, id, &h, &pidfd, err);
    if (r == -ESRCH)
        return brick_err(err, ESRCH, "inspect: container \"%s\" is not running", id);
    if (r < 0)
        return r;
    bjson *o = report(root, &h.st, pidfd, want_probe, err);
    handle_done(&h);
    if (!o)
        return -err->code;
    *ret_json = bjson_to_string(o, true);
    bjson_free(o);
    return 0;
}
