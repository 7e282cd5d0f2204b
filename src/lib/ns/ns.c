#include "ns/ns.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <limits.h>
#include <unistd.h>

static const struct {
    int flag;
    const char *proc;
    const char *human;
} ns_info[OCI_NS__MAX] = {
    [OCI_NS_PID] = {CLONE_NEWPID, "pid", "pid"},
    [OCI_NS_NETWORK] = {CLONE_NEWNET, "net", "network"},
    [OCI_NS_MOUNT] = {CLONE_NEWNS, "mnt", "mount"},
    [OCI_NS_IPC] = {CLONE_NEWIPC, "ipc", "ipc"},
    [OCI_NS_UTS] = {CLONE_NEWUTS, "uts", "uts"},
    [OCI_NS_USER] = {CLONE_NEWUSER, "user", "user"},
    [OCI_NS_CGROUP] = {CLONE_NEWCGROUP, "cgroup", "cgroup"},
    [OCI_NS_TIME] = {CLONE_NEWTIME, "time", "time"},
};

int ns_clone_flag(enum oci_ns_type t) { return ns_info[t].flag; }
const char *ns_proc_name(enum oci_ns_type t) { return ns_info[t].proc; }

int ns_plan_open(const struct oci_spec *spec, struct ns_plan *plan, struct brick_error *err)
{
    *plan = (struct ns_plan){0};
    for (int t = 0; t < OCI_NS__MAX; t++)
        plan->join_fd[t] = -1;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
        const struct oci_namespace *ns = &spec->linux_.namespaces[i];
        if (!ns->path) {
            plan->new_flags |= ns_info[ns->type].flag;
            continue;
        }
        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            ns_plan_done(plan);
            return brick_err_errno(err, errno, "linux.namespaces[%zu].path: open %s", i, ns->path);
        }
        plan->join_fd[ns->type] = fd;
        plan->join_any = true;
        int type = ioctl(fd, NS_GET_NSTYPE);
        if (type != ns_info[ns->type].flag) {
            ns_plan_done(plan);
            return brick_err(err, EINVAL, "linux.namespaces[%zu].path: %s is not a %s namespace", i, ns->path,
                             ns_info[ns->type].human);
        }
    }
    return 0;
}

void ns_plan_done(struct ns_plan *plan)
{
    for (int t = 0; t < OCI_NS__MAX; t++) {
        if (plan->join_fd[t] >= 0)
            close(plan->join_fd[t]);
        plan->join_fd[t] = -1;
    }
}

static int join_one(struct ns_plan *plan, int t, struct brick_error *err)
{
    if (plan->join_fd[t] < 0)
        return 0;
    if (setns(plan->join_fd[t], ns_info[t].flag) < 0)
        return brick_err_errno(err, errno, "join %s namespace", ns_info[t].human);
    return 0;
}

int ns_join_all(struct ns_plan *plan, int skip_mask, struct brick_error *err)
{
    /* The user namespace first: joining it grants the capabilities needed to
     * enter the namespaces it owns. Mount last among the rest so that paths
     * opened earlier are unaffected. */
    static const int order[] = {OCI_NS_USER, OCI_NS_PID, OCI_NS_TIME,   OCI_NS_NETWORK,
                                OCI_NS_IPC,  OCI_NS_UTS, OCI_NS_CGROUP, OCI_NS_MOUNT};
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        if (ns_info[order[i]].flag & skip_mask)
            continue;
        int r = join_one(plan, order[i], err);
        if (r < 0)
            return r;
    }
    return 0;
}

static char *format_map(const struct oci_id_mapping *m, size_t n)
{
    size_t cap = n * 40 + 1, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
    return s;
}

static int write_map(int procfd, pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n,
                     struct brick_error *err)
{
    if (n == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "%d/%s", pid, file);
    _cleanup_free_ char *s = format_map(m, n);
    int r = write_file_at(procfd, path, s);
    if (r < 0)
        return brick_err_errno(err, -r, "write %s", file);
    return 0;
}

/* The one mapping an unprivileged process may write itself: its own id,
 * once (user_namespaces(7)). */
static bool own_id_only(const struct oci_id_mapping *m, size_t n, unsigned own)
{
    return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

/* Where newuidmap/newgidmap (Debian's uidmap) are: the usual directories
 * only, never the caller's PATH (they are setuid root and run on our
 * behalf). */
static int find_tool(const char *name, char *buf, size_t len)
{
    static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        snprintf(buf, len, "%s/%s", dirs[i], name);
        if (access(buf, X_OK) == 0)
            return 0;
    }
    return -ENOENT;
}

/* newuidmap PID ID HOSTID SIZE ...: the setuid helper checks each range
 * against /etc/subuid (/etc/subgid) and writes the map for us. Its stderr
 * is the caller's, so its own words reach the user. */
static int run_idmap_tool(const char *tool, pid_t pid, const struct oci_id_mapping *m, size_t n,
                          struct brick_error *err)
{
    char path[PATH_MAX];
    if (find_tool(tool, path, sizeof(path)) < 0)
        return brick_err(err, EPERM,
                         "%s: not installed (Debian package uidmap): an unprivileged user can only "
                         "map its own id without it",
                         tool);
    if (n > 340)
        return brick_err(err, EINVAL, "%s: too many ranges (%zu)", tool, n);
    char *argv[2 + 3 * 340 + 1];
    char nums[1 + 3 * 340][12];
    size_t a = 0;
    argv[a++] = (char *)tool;
    snprintf(nums[0], sizeof(nums[0]), "%d", pid);
    argv[a++] = nums[0];
    for (size_t i = 0; i < n; i++) {
        unsigned v[3] = {m[i].container_id, m[i].host_id, m[i].size};
        for (int k = 0; k < 3; k++) {
            snprintf(nums[1 + 3 * i + k], sizeof(nums[0]), "%u", v[k]);
            argv[a++] = nums[1 + 3 * i + k];
        }
    }
    argv[a] = NULL;
    pid_t child = clone3_fork(0, NULL);
    if (child < 0)
        return brick_err_errno(err, -child, "fork %s", tool);
    if (child == 0) {
        static char *const no_env[] = {NULL};
        execve(path, argv, no_env);
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return brick_err_errno(err, errno, "wait for %s", tool);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return brick_err(err, EPERM,
                         "%s failed (status %d): the mappings must be the user's own id or ranges "
                         "/etc/sub%cid grants",
                         tool, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                         tool[3] == 'u' ? 'u' : 'g');
    return 0;
}

int ns_write_id_maps(int procfd, pid_t pid, const struct oci_spec *spec, struct brick_error *err)
{
    const struct oci_linux *l = &spec->linux_;
    /* Root writes any mapping and may keep setgroups(2) allowed: the
     * container root can only use groups that are mapped. An unprivileged
     * runtime writes its own single id itself (gid_map only once setgroups
     * is denied), and leaves anything more to newuidmap/newgidmap. */
    bool root = geteuid() == 0;
    int r;
    if (root || own_id_only(l->uid_mappings, l->n_uid_mappings, geteuid()))
        r = write_map(procfd, pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
    else
        r = run_idmap_tool("newuidmap", pid, l->uid_mappings, l->n_uid_mappings, err);
    if (r < 0)
        return r;
    if (root)
        return write_map(procfd, pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
    if (!own_id_only(l->gid_mappings, l->n_gid_mappings, getegid()))
        return run_idmap_tool("newgidmap", pid, l->gid_mappings, l->n_gid_mappings, err);
    char path[64];
    snprintf(path, sizeof(path), "%d/setgroups", pid);
    r = write_file_at(procfd, path, "deny");
    if (r < 0 && r != -ENOENT)
        return brick_err_errno(err, -r, "write setgroups");
    return write_map(procfd, pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}

int ns_userns_fd(int procfd, const struct oci_id_mapping *uid, size_t n_uid, const struct oci_id_mapping *gid,
                 size_t n_gid, int *ret_fd, struct brick_error *err)
{
    /* A child that does nothing but hold the namespace until we opened it:
     * it blocks on a pipe we close when done. */
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return brick_err_errno(err, errno, "pipe");
    pid_t pid = clone3_fork(CLONE_NEWUSER, NULL);
    if (pid == 0) {
        char c;
        close(p[1]);
        (void)!read(p[0], &c, 1);
        _exit(0);
    }
    close(p[0]);
    int r = pid < 0 ? brick_err_errno(err, -pid, "clone a user namespace for an id-mapped mount") : 0;
    if (r >= 0)
        r = write_map(procfd, pid, "uid_map", uid, n_uid, err);
    if (r >= 0)
        r = write_map(procfd, pid, "gid_map", gid, n_gid, err);
    if (r >= 0) {
        char path[64];
        snprintf(path, sizeof(path), "%d/ns/user", pid);
        int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            r = brick_err_errno(err, errno, "open the id-mapped mount's user namespace");
        else
            *ret_fd = fd;
    }
    close(p[1]);
    if (pid > 0)
        while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
            ;
    return r;
}

int ns_write_time_offsets(int procfd, const struct oci_spec *spec, struct brick_error *err)
{
    const struct oci_linux *l = &spec->linux_;
    char buf[128];
    size_t len = 0;
    if (l->time_monotonic.present)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "monotonic %lld %u\n",
                                (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
    if (l->time_boottime.present)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "boottime %lld %u\n",
                                (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
    if (len == 0)
        return 0;
    /* One line per write: the kernel parses a single offset per line. */
    char *line = buf;
    while (*line) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        int r = write_file_at(procfd, "self/timens_offsets", line);
        if (r < 0)
            return brick_err_errno(err, -r, "write time namespace offsets \"%s\"", line);
        line = nl + 1;
    }
    return 0;
}
