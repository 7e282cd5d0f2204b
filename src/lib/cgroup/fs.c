/* fs.c — creating the container's cgroup directories and writing to them:
 * the thin system-call layer under the pure plan. */
#include "cgroup/bpf.h"
#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/model.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int cgroup_read(const char *dir, const char *file, char **ret)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
    size_t len;
    int r = read_file_at(AT_FDCWD, p, BRICK_READ_STATE, ret, &len);
    if (r < 0)
        return r;
    while (len > 0 && (*ret)[len - 1] == '\n')
        (*ret)[--len] = '\0';
    return 0;
}

int cgroup_write(const char *dir, const char *file, const char *value)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
    _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    /* one write(2): the kernel parses each write as one value */
    ssize_t n = write(fd, value, strlen(value));
    if (n < 0)
        return -errno;
    return 0;
}

static bool in_list(const char *list, const char *word, char sep)
{
    size_t wl = strlen(word);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, sep);
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == wl && strncmp(p, word, l) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

const struct cgroup_hier *cgroup_hier_of(const struct cgroup *cg, const char *ctrl)
{
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_hier *h = &cg->h[i];
        if (*ctrl ? (*h->name && in_list(h->name, ctrl, ',')) : !*h->name)
            return h;
    }
    return NULL;
}

char **cgroup_v2_controllers(const struct cgroup *cg)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, "");
    _cleanup_free_ char *s = NULL;
    char **v = NULL, *save = NULL;
    strv_push(&v, "cgroup"); /* keep the vector non-NULL: an empty set is still a set */
    if (!h || cgroup_read(h->mount, "cgroup.controllers", &s) < 0)
        return v;
    for (char *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save))
        strv_push(&v, w);
    return v;
}

/* checkBeforeUpdate: the new limit must not be below what is in use. */
static int check_usage(const char *dir, const struct cgroup_write *w, bool v2, struct brick_error *err)
{
    uint64_t limit, usage;
    _cleanup_free_ char *cur = NULL;
    if (parse_u64(w->value, &limit) < 0 || limit == 0)
        return 0;
    if (cgroup_read(dir, v2 ? "memory.current" : "memory.usage_in_bytes", &cur) < 0 ||
        parse_u64(cur, &usage) < 0)
        return 0;
    if (usage > limit)
        return brick_err(err, EBUSY,
                         "linux.resources.%s: the current usage %" PRIu64 " is above the new limit %" PRIu64
                         " (checkBeforeUpdate)",
                         w->what, usage, limit);
    return 0;
}

/* A v1 directory's realtime budget (cpu.rt_runtime_us; 0 when unknown). */
static int64_t rt_of(const char *dir)
{
    _cleanup_free_ char *s = NULL;
    int64_t v = 0;
    if (cgroup_read(dir, "cpu.rt_runtime_us", &s) < 0 || parse_i64(s, &v) < 0 || v < 0)
        return 0;
    return v;
}

/* What dir's children but skip hold of its realtime budget. */
static int64_t rt_children_but(const char *dir, const char *skip)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    int64_t sum = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.' || streq(e->d_name, skip))
            continue;
        _cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
        sum += rt_of(sub);
    }
    return sum;
}

/* cpu.rt_runtime_us: a v1 cgroup's realtime budget must fit in its
 * parent's, and a new directory has none, so a container under /brick (or
 * any parent of its cgroupsPath) could get none. Each directory between the
 * hierarchy's root (the host's budget, left alone) and the container's is
 * raised, top down, to what its children then hold: its other children's
 * budgets and what the one on the way down needs. Never lowered; a later
 * container reuses what a deleted one held. */
static int rt_budget_parents(const struct cgroup_hier *h, int64_t want)
{
    size_t top = strlen(h->mount);
    _cleanup_free_ char *p = xstrdup(h->dir);
    char *parents[32];
    int64_t need[32], child = want;
    size_t n = 0;
    for (char *s; n < ARRAY_SIZE(parents) && (s = strrchr(p, '/')) && (size_t)(s - p) > top; n++) {
        *s = '\0';
        need[n] = rt_children_but(p, s + 1) + child;
        parents[n] = xstrdup(p);
        int64_t cur = rt_of(p);
        child = cur > need[n] ? cur : need[n];
    }
    int r = 0;
    while (n-- > 0) {
        char v[24];
        snprintf(v, sizeof(v), "%" PRId64, need[n]);
        if (r >= 0 && rt_of(parents[n]) < need[n])
            r = cgroup_write(parents[n], "cpu.rt_runtime_us", v);
        free(parents[n]);
    }
    return r;
}

static int write_one(const struct cgroup *cg, const struct cgroup_write *w, struct brick_error *err)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, w->v2 ? "" : w->ctrl);
    if (!h)
        return brick_err(err, ENOENT, "linux.resources.%s: the %s cgroup controller is not mounted", w->what,
                         w->ctrl);
    if ((w->flags & CGW_CHECK_USAGE) && check_usage(h->dir, w, w->v2, err) < 0)
        return -EBUSY;
    const char *file = w->file, *value = w->value;
    int r = cgroup_write(h->dir, file, value);
    int64_t rt;
    if (r == -EINVAL && streq(file, "cpu.rt_runtime_us") && parse_i64(value, &rt) == 0 && rt > 0 &&
        rt_budget_parents(h, rt) == 0)
        r = cgroup_write(h->dir, file, value);
    if (r == -ENOENT && w->alt_file) {
        file = w->alt_file;
        value = w->alt_value;
        r = cgroup_write(h->dir, file, value);
    }
    if (r == -ENOENT)
        return brick_err(err, ENOTSUP, "linux.resources.%s: %s: not supported by this host's cgroups",
                         w->what, file);
    if (r < 0)
        return brick_err_errno(err, -r, "linux.resources.%s: write %s \"%s\"", w->what, file, value);
    return 0;
}

int cgroup_write_plan(const struct cgroup *cg, const struct cgroup_writes *w, struct brick_error *err)
{
    for (size_t i = 0; i < w->n; i++) {
        int r = write_one(cg, &w->v[i], err);
        if (r == -EINVAL && (w->v[i].flags & CGW_SWAP_ORDER_ON_EINVAL) && i + 1 < w->n) {
            /* raising memory above the current memory+swap: memsw first */
            r = write_one(cg, &w->v[i + 1], err);
            if (r >= 0)
                r = write_one(cg, &w->v[i], err);
            i++;
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* A fresh v1 cpuset cgroup has empty cpus/mems and refuses tasks: inherit. */
static void cpuset_inherit(const char *dir)
{
    _cleanup_free_ char *parent = xstrdup(dir);
    char *slash = strrchr(parent, '/');
    if (!slash)
        return;
    *slash = '\0';
    const char *files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *mine = NULL, *theirs = NULL;
        if (cgroup_read(dir, files[i], &mine) == 0 && !*mine && cgroup_read(parent, files[i], &theirs) == 0)
            cgroup_write(dir, files[i], theirs);
    }
}

/* mkdir -p below the mount, remembering the topmost directory we made. */
static int make_dirs_once(struct cgroup_hier *h, struct brick_error *err)
{
    bool cpuset = *h->name && in_list(h->name, "cpuset", ',');
    /* The common case, a new leaf under a parent that exists (/brick): one
     * mkdir. cpuset always walks: every level needs its cpus and mems. */
    if (!cpuset) {
        if (mkdir(h->dir, 0755) == 0) {
            if (!h->created)
                h->created = xstrdup(h->dir);
            return 0;
        }
        if (errno == EEXIST)
            return 0;
        if (errno != ENOENT)
            return brick_err_errno(err, errno, "cgroup: mkdir %s", h->dir);
    }
    size_t ml = strlen(h->mount);
    _cleanup_free_ char *p = xstrdup(h->dir);
    for (char *s = p + ml + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0755) == 0) {
            if (!h->created)
                h->created = xstrdup(p);
        } else if (errno != EEXIST) {
            return brick_err_errno(err, errno, "cgroup: mkdir %s", p);
        }
        /* existing levels too: one left with empty cpus would refuse us */
        if (cpuset)
            cpuset_inherit(p);
        *s = saved;
        if (!saved)
            return 0;
    }
}

/* Whether this (unprivileged) process may make and fill the directory:
 * its deepest existing level below the mount is writable to us — a
 * delegated subtree (systemd's Delegate=yes chowns it to the user) — and,
 * when the directory exists, so is its cgroup.procs. */
static bool hier_writable(const struct cgroup_hier *h)
{
    _cleanup_free_ char *p = xstrdup(h->dir);
    size_t ml = strlen(h->mount);
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0) {
            if (!streq(p, h->dir))
                return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
            _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", p);
            return faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
        }
        char *slash = strrchr(p, '/');
        if (errno != ENOENT || !slash || (size_t)(slash - p) < ml)
            return false;
        *slash = '\0';
    }
}

bool cgroup_writable(const struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n; i++)
        if (!hier_writable(&cg->h[i]))
            return false;
    return cg->n > 0;
}

/* A shared parent may vanish between our mkdir of it and of its child (the
 * last container in it was deleted): try again. */
static int make_dirs(struct cgroup_hier *h, struct brick_error *err)
{
    /* `created` may hold the recovery record's plan (cgroup_plan_created):
     * from here on it is what this create really made, no level another
     * creator made meanwhile. The default /brick/<id> leaf keeps its claim
     * (only the leaf, never /brick). */
    if (h->created && !streq(h->created, h->dir)) {
        free(h->created);
        h->created = NULL;
    }
    int r = -ENOENT;
    for (int i = 0; i < 5 && r == -ENOENT; i++)
        r = make_dirs_once(h, err);
    return r;
}

/* tries: how many milliseconds to wait for the last tasks to finish exiting */
static int rmdir_retry(const char *p, int tries)
{
    while (rmdir(p) < 0) {
        if (errno != EBUSY || tries-- <= 0)
            return -errno;
        usleep(1000); /* the last tasks are still exiting */
    }
    return 0;
}

/* rmdir dir and its parents up to the topmost one we created; a parent still
 * holding another container's cgroup stays. */
static int remove_dirs(struct cgroup_hier *h)
{
    if (!h->created)
        return 0;
    _cleanup_free_ char *p = xstrdup(h->dir);
    size_t top = strlen(h->created);
    for (bool leaf = true;; leaf = false) {
        int r = rmdir_retry(p, leaf ? 2000 : 0);
        if (r < 0 && r != -ENOENT)
            return leaf ? r : 0;
        char *slash = strrchr(p, '/');
        if (strlen(p) <= top || !slash)
            return 0;
        *slash = '\0';
    }
}

/* v2: a controller is usable in a cgroup only when every ancestor enabled it
 * in cgroup.subtree_control. Enable what the plan needs, nothing more: the
 * host's own cgroups stay as they were. */
static void enable_v2_controllers(const struct cgroup_hier *h, const struct cgroup_writes *w)
{
    size_t ml = strlen(h->mount);
    _cleanup_free_ char *p = xstrdup(h->dir);
    for (size_t i = 0; i < w->n; i++) {
        if (!w->v[i].v2 || streq(w->v[i].ctrl, "cgroup"))
            continue;
        _cleanup_free_ char *plus = xasprintf("+%s", w->v[i].ctrl);
        for (char *s = p + ml;; s++) {
            if (*s != '/' && *s != '\0')
                continue;
            char saved = *s;
            if (!saved)
                break; /* the container's own cgroup: controllers are for its children */
            *s = '\0';
            _cleanup_free_ char *have = NULL;
            if (cgroup_read(*p ? p : "/", "cgroup.subtree_control", &have) == 0 &&
                !in_list(have, w->v[i].ctrl, ' '))
                cgroup_write(p, "cgroup.subtree_control", plus);
            *s = saved;
        }
    }
}

static int apply(const struct cgroup *cg, const struct oci_resources *res, bool devices,
                 struct brick_error *err)
{
    const struct cgroup_driver *d = cgroup_driver_of(cg);
    _cleanup_free_ struct cgroup_dev_rule *rules = NULL;
    size_t nrules = 0;
    if (devices) {
        int r =
            cgroup_device_rules(res ? res->devices : NULL, res ? res->n_devices : 0, &rules, &nrules, err);
        if (r < 0)
            return r;
    }
    struct cgroup_writes w = {0};
    int r = d->plan(cg, res, &w, err);
    if (r < 0)
        return r;
    const struct cgroup_hier *v2 = cgroup_hier_of(cg, "");
    if (v2)
        enable_v2_controllers(v2, &w);
    r = cgroup_write_plan(cg, &w, err);
    cgroup_writes_done(&w);
    if (r >= 0 && devices)
        r = d->devices(cg, rules, nrules, err);
    return r;
}

int cgroup_create_v2_dir(struct cgroup *cg, struct brick_error *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        if (*cg->h[i].name)
            continue;
        int r = make_dirs(&cg->h[i], err);
        cg->h[i].made = r >= 0;
        return r;
    }
    return 0;
}

int cgroup_create(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err)
{
    int r = 0;
    for (size_t i = 0; i < cg->n && r >= 0; i++)
        if (!cg->h[i].made)
            r = make_dirs(&cg->h[i], err);
    if (r >= 0)
        r = apply(cg, res, true, err);
    if (r < 0) {
        /* what cgroup_create_v2_dir() made holds the init: the caller's */
        for (size_t i = 0; i < cg->n; i++) {
            if (cg->h[i].made)
                continue;
            remove_dirs(&cg->h[i]);
            free(cg->h[i].created);
            cg->h[i].created = NULL;
        }
    }
    return r;
}

int cgroup_update(const struct cgroup *cg, const struct oci_resources *res, struct brick_error *err)
{
    return apply(cg, res, res && res->n_devices > 0, err);
}

int cgroup_open_v2_dir(const struct cgroup *cg, int *ret_fd)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, "");
    if (!h)
        return -ENOTSUP;
    int fd = open(h->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    *ret_fd = fd;
    return 0;
}

int cgroup_place(const struct cgroup *cg, pid_t pid, struct brick_error *err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", pid);
    for (size_t i = 0; i < cg->n; i++) {
        int r = cgroup_write(cg->h[i].dir, "cgroup.procs", buf);
        if (r < 0)
            return brick_err_errno(err, -r, "cgroup: move pid %d into %s", pid, cg->h[i].dir);
    }
    return 0;
}

int cgroup_self_open(const struct cgroup *cg, int **ret_fds, struct brick_error *err)
{
    int *fds = xcalloc(cg->n ? cg->n : 1, sizeof(int));
    for (size_t i = 0; i < cg->n; i++)
        fds[i] = -1;
    for (size_t i = 0; i < cg->n; i++) {
        if (!*cg->h[i].name)
            continue;
        fds[i] = open(cg->h[i].mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fds[i] < 0) {
            int r = brick_err_errno(err, errno, "cgroup: open %s", cg->h[i].mount);
            for (size_t j = 0; j < i; j++)
                if (fds[j] >= 0)
                    close(fds[j]);
            free(fds);
            return r;
        }
    }
    *ret_fds = fds;
    return 0;
}

void cgroup_self_close(const struct cgroup *cg, int **fds)
{
    for (size_t i = 0; *fds && i < cg->n; i++)
        if ((*fds)[i] >= 0)
            close((*fds)[i]);
    free(*fds);
    *fds = NULL;
}

bool cgroup_has_v2(const struct cgroup *cg) { return cgroup_hier_of(cg, "") != NULL; }

int cgroup_place_self_v1(const struct cgroup *cg, const int *fds, struct brick_error *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_hier *h = &cg->h[i];
        if (!*h->name)
            continue;
        /* the container's directory relative to the hierarchy's mount */
        const char *rel = h->dir + strlen(h->mount);
        while (*rel == '/')
            rel++;
        _cleanup_free_ char *tasks = xasprintf("%s%stasks", rel, *rel ? "/" : "");
        _cleanup_close_ int fd = openat(fds[i], tasks, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
            return brick_err_errno(err, errno, "cgroup: move into %s", h->dir);
    }
    return 0;
}

int cgroup_remove_dirs(struct cgroup *cg)
{
    int ret = 0;
    for (size_t i = 0; i < cg->n; i++) {
        int r = remove_dirs(&cg->h[i]);
        ret = ret ? ret : r;
    }
    return ret;
}

int cgroup_verify_mounts(const struct cgroup *cg, struct brick_error *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        _cleanup_close_ int fd = (int)syscall(SYS_openat2, AT_FDCWD, cg->h[i].mount, &how, sizeof(how));
        struct statfs sf;
        if (fd < 0 && errno == ENOSYS)
            continue; /* before 5.6: the record check alone */
        if (fd < 0 || fstatfs(fd, &sf) < 0 ||
            (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
            return brick_err(err, EINVAL, "cgroup record: %s is not a cgroup file system", cg->h[i].mount);
        /* the root of a hierarchy, not a cgroup inside one (whose "..",
         * on the same file system, would be another cgroup) */
        struct stat self, up;
        if (fstat(fd, &self) < 0 || fstatat(fd, "..", &up, 0) < 0 || self.st_dev == up.st_dev)
            return brick_err(err, EINVAL, "cgroup record: %s is not the root of a cgroup hierarchy",
                             cg->h[i].mount);
    }
    return 0;
}

void cgroup_plan_created(struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n; i++) {
        struct cgroup_hier *h = &cg->h[i];
        struct stat st;
        if (h->created || stat(h->dir, &st) == 0)
            continue;
        _cleanup_free_ char *p = xstrdup(h->dir);
        size_t ml = strlen(h->mount);
        for (char *s = p + ml + 1; *s; s++) {
            if (s[1] != '/' && s[1] != '\0')
                continue;
            char saved = s[1];
            s[1] = '\0';
            bool missing = stat(p, &st) < 0;
            s[1] = saved;
            if (missing) {
                s[1] = '\0';
                h->created = xstrdup(p);
                break;
            }
        }
    }
}
