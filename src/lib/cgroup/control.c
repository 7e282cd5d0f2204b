/* control.c — the v1 and v2 drivers (ops table) and what acts on a live
 * cgroup: freezer, process list, signals, teardown. */
#include "cgroup/bpf.h"
#include "cgroup/internal.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>



static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    nanosleep(&ts, NULL);
}

#define KILL_WAIT_US 3000000LL /* delete -f: how long killed tasks may take to go */

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Polls of 10 ms: a freeze may wait 10 s for tasks in uninterruptible sleep
 * (FREEZING, as runc); a thaw is at once unless a parent holds the cgroup
 * frozen, which no wait changes: 1 s. */
static int freeze_tries(bool freeze)
{
    return freeze ? 1000 : 100;
}

/* ---- v1 driver (also hybrid hosts) ---- */

static int v1_plan(const struct cgroup *cg, const struct oci_resources *r, struct cgroup_writes *out,
                   struct brick_error *err)
{
    _cleanup_strv_ char **v2 = cg->layout == CGROUP_LAYOUT_HYBRID ? cgroup_v2_controllers(cg) : NULL;
    return cgroup_plan_v1(r, v2, out, err);
}

static int v1_devices(const struct cgroup *cg, const struct cgroup_dev_rule *rules, size_t n,
                      struct brick_error *err)
{
    if (!cgroup_hier_of(cg, "devices"))
        return 0; /* no devices hierarchy: nothing to restrict with (as runc) */
    struct cgroup_writes w = {0};
    cgroup_plan_v1_devices(rules, n, &w);
    int r = cgroup_write_plan(cg, &w, err);
    cgroup_writes_done(&w);
    return r;
}

static int v1_freeze(const struct cgroup *cg, bool freeze, struct brick_error *err)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, "freezer");
    if (!h)
        return brick_err(err, ENOTSUP, "cgroup: the freezer controller is not mounted");
    const char *want = freeze ? "FROZEN" : "THAWED";
    for (int i = 0; i < freeze_tries(freeze); i++) {
        /* FREEZING can stall on a task in uninterruptible sleep: write again. */
        int r = cgroup_write(h->dir, "freezer.state", want);
        if (r < 0)
            return brick_err_errno(err, -r, "cgroup: write %s/freezer.state", h->dir);
        _cleanup_free_ char *now = NULL;
        if (cgroup_read(h->dir, "freezer.state", &now) == 0 && streq(now, want))
            return 0;
        sleep_us(10000);
    }
    return brick_err(err, ETIMEDOUT, "cgroup: %s did not become %s", h->dir, want);
}

static int v1_is_frozen(const struct cgroup *cg)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, "freezer");
    _cleanup_free_ char *s = NULL;
    if (!h)
        return 0;
    int r = cgroup_read(h->dir, "freezer.state", &s);
    if (r < 0)
        return r;
    return !streq(s, "THAWED");
}

/* ---- v2 driver ---- */

static int v2_plan(const struct cgroup *cg, const struct oci_resources *r, struct cgroup_writes *out,
                   struct brick_error *err)
{
    return cgroup_plan_v2(r, out, err);
}

static int v2_devices(const struct cgroup *cg, const struct cgroup_dev_rule *rules, size_t n,
                      struct brick_error *err)
{
    /* Rootless (a delegated cgroup): loading a BPF program needs privilege
     * in the initial user namespace. Nothing is lost, as with runc and crun:
     * a user namespace cannot mknod, so the container reaches only the
     * device nodes bound in from the host, with the host's permissions. */
    if (running_unprivileged())
        return 0;
    _cleanup_close_ int fd = open(cg->h[0].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return brick_err_errno(err, errno, "cgroup: open %s", cg->h[0].dir);
    return cgroup_bpf_apply(fd, rules, n, err);
}

static bool v2_events_frozen(const char *dir)
{
    _cleanup_free_ char *ev = NULL;
    return cgroup_read(dir, "cgroup.events", &ev) == 0 && strstr(ev, "frozen 1");
}

static int v2_freeze(const struct cgroup *cg, bool freeze, struct brick_error *err)
{
    const char *dir = cg->h[0].dir;
    int r = cgroup_write(dir, "cgroup.freeze", freeze ? "1" : "0");
    if (r < 0)
        return brick_err_errno(err, -r, "cgroup: write %s/cgroup.freeze", dir);
    for (int i = 0; i < freeze_tries(freeze); i++) {
        if (v2_events_frozen(dir) == freeze)
            return 0;
        sleep_us(10000);
    }
    return brick_err(err, ETIMEDOUT, "cgroup: %s did not %s", dir, freeze ? "freeze" : "thaw");
}

static int v2_is_frozen(const struct cgroup *cg)
{
    _cleanup_free_ char *s = NULL;
    int r = cgroup_read(cg->h[0].dir, "cgroup.freeze", &s);
    return r < 0 ? r : streq(s, "1");
}

/* ---- lifecycle ---- */

static int create_all(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err)
{
    if (cg->complete)
        return 0;
    int r = cgroup_create(cg, res, err);
    cg->complete = r >= 0;
    return r;
}

static int precreate_v2_dir(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err)
{
    (void)res;
    return cgroup_create_v2_dir(cg, err);
}

/* v1 serves v1 and hybrid hosts (hybrid adds the cgroup2 tree for unified
 * keys and cgroup.kill), v2 pure cgroup2 hosts. */
static const struct cgroup_driver drivers[] = {
    [CGROUP_LAYOUT_V1] = {"cgroupfs-v1", CGROUP_PLACE_SELF_V1, NULL, create_all, cgroup_update, cgroup_destroy,
                          v1_plan, v1_devices, v1_freeze, v1_is_frozen},
    [CGROUP_LAYOUT_HYBRID] = {"cgroupfs-hybrid", CGROUP_PLACE_CLONE_INTO_V2_SELF_V1, precreate_v2_dir, create_all,
                              cgroup_update, cgroup_destroy, v1_plan, v1_devices, v1_freeze, v1_is_frozen},
    [CGROUP_LAYOUT_V2] = {"cgroupfs-v2", CGROUP_PLACE_CLONE_INTO, create_all, create_all, cgroup_update,
                          cgroup_destroy, v2_plan, v2_devices, v2_freeze, v2_is_frozen},
};

/* systemd (cg->unit: a scope systemd made over D-Bus, systemd.c): the v2
 * driver's plan, devices and freezer on the scope systemd placed the init
 * in. */
static const struct cgroup_driver systemd_driver = {"systemd", CGROUP_PLACE_BY_MANAGER, NULL, cgroup_sd_create,
                                                    cgroup_sd_update, cgroup_sd_destroy, v2_plan, v2_devices,
                                                    v2_freeze, v2_is_frozen};

const struct cgroup_driver *cgroup_driver_of(const struct cgroup *cg)
{
    return cg->unit ? &systemd_driver : &drivers[cg->layout];
}

bool cgroup_resources_ask(const struct cgroup *cg, const struct oci_resources *res)
{
    struct cgroup_writes w = {0};
    struct brick_error ignored;
    /* a plan the host refuses asks for something too */
    bool ask = cgroup_driver_of(cg)->plan(cg, res, &w, &ignored) < 0 || w.n > 0;
    cgroup_writes_done(&w);
    return ask;
}

int cgroup_freeze(const struct cgroup *cg, bool freeze, struct brick_error *err)
{
    return cgroup_driver_of(cg)->freeze(cg, freeze, err);
}

int cgroup_is_frozen(const struct cgroup *cg)
{
    return cgroup_driver_of(cg)->is_frozen(cg);
}

/* ---- processes ---- */

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

/* The cgroup2 tree (hybrid too) holds every process; on v1 any hierarchy does. */
static const struct cgroup_hier *procs_hier(const struct cgroup *cg)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, "");
    if (!h)
        h = cgroup_hier_of(cg, "pids");
    return h ? h : (cg->n ? &cg->h[0] : NULL);
}

int cgroup_pids(const struct cgroup *cg, pid_t **ret, size_t *ret_n, struct brick_error *err)
{
    *ret = NULL;
    *ret_n = 0;
    const struct cgroup_hier *h = procs_hier(cg);
    _cleanup_free_ char *s = NULL;
    int r = h ? cgroup_read(h->dir, "cgroup.procs", &s) : -ENOENT;
    if (r < 0)
        return brick_err_errno(err, -r, "cgroup: read cgroup.procs of %s", h ? h->dir : "(none)");
    pid_t *v = NULL;
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(s, "\n", &save); w; w = strtok_r(NULL, "\n", &save)) {
        int pid;
        if (parse_int(w, &pid) < 0)
            continue;
        v = xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = pid;
    }
    if (n)
        qsort(v, n, sizeof(*v), cmp_pid);
    *ret = v;
    *ret_n = n;
    return 0;
}

/* Is the process behind pid (pinned by a pidfd the caller holds) still a
 * member of the container's cgroup? Without a freezer, a listed pid may have
 * exited and been recycled by a host process before we signal it. */
bool cgroup_has_pid(const struct cgroup *cg, pid_t pid)
{
    if (cg->n == 0)
        return false;
    const struct cgroup_hier *h = &cg->h[0];
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
    _cleanup_free_ char *text = NULL;
    if (read_file_at(AT_FDCWD, path, BRICK_READ_SMALL, &text, NULL) < 0)
        return false;
    _cleanup_free_ char *want = xasprintf(":%s\n", h->dir + strlen(h->mount));
    return strstr(text, want) != NULL;
}

static size_t signal_listed(const struct cgroup *cg, int sig)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    struct brick_error ignored;
    if (cgroup_pids(cg, &pids, &n, &ignored) < 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        _cleanup_close_ int fd = pidfd_open_pid(pids[i]);
        if (fd >= 0 && cgroup_has_pid(cg, pids[i]))
            pidfd_signal(fd, sig);
    }
    return n;
}

/* Signal every process. With a freezer, freeze first so a fork between
 * reading cgroup.procs and the kill cannot escape; SIGKILL is delivered to
 * frozen tasks on thaw. */
int cgroup_signal_all(const struct cgroup *cg, int sig, struct brick_error *err)
{
    struct brick_error ignored;
    int was_frozen = cgroup_is_frozen(cg);
    bool froze = was_frozen == 0 && cgroup_freeze(cg, true, &ignored) == 0;
    signal_listed(cg, sig);
    if (froze || (was_frozen == 1 && sig == SIGKILL))
        cgroup_freeze(cg, false, &ignored);
    (void)err;
    return 0;
}

static bool empty(const struct cgroup *cg)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    struct brick_error ignored;
    return cgroup_pids(cg, &pids, &n, &ignored) < 0 || n == 0;
}

/* What keeps a cgroup populated after the kill, for the error: the first
 * process left, its state letter from /proc (D: uninterruptible sleep), and
 * whether the freezer still holds the cgroup (a frozen parent). */
static int stuck_error(const struct cgroup *cg, long long waited_us, struct brick_error *err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    struct brick_error ignored;
    (void)cgroup_pids(cg, &pids, &n, &ignored);
    pid_t pid = n ? pids[0] : 0;
    char state = proc_state(pid);
    bool frozen = cgroup_is_frozen(cg) == 1;
    char more[48] = "";
    if (n > 1)
        snprintf(more, sizeof(more), " and %zu more", n - 1);
    return brick_err(err, ETIMEDOUT, "cgroup %s: process %d (state %c%s)%s still there %lld.%01lld s after SIGKILL",
                     cg->path ? cg->path : cg->h[0].dir, pid, state,
                     frozen ? ", its cgroup frozen and not thawed: a frozen parent?" : "", more,
                     waited_us / 1000000, waited_us / 100000 % 10);
}

int cgroup_kill_all(const struct cgroup *cg, struct brick_error *err)
{
    const struct cgroup_hier *v2 = cgroup_hier_of(cg, "");
    struct brick_error ignored;
    /* Nothing left (the usual delete, and every `run`): no freeze. A v1
     * freezer write costs 5-7 ms even on an empty cgroup (the kernel flips a
     * static key), twice per delete (docs/PERFORMANCE.md). Nothing can fork
     * into a cgroup that holds no process. */
    if (empty(cg))
        return 0;
    long long start = now_us();
    if (v2 && cgroup_write(v2->dir, "cgroup.kill", "1") == 0) {
        if (cgroup_is_frozen(cg) == 1) /* a v1 freezer holds the dying tasks */
            cgroup_freeze(cg, false, &ignored);
    } else {
        cgroup_signal_all(cg, SIGKILL, &ignored); /* frozen, it thaws too (once) */
    }
    /* A killed container is gone in about a millisecond: look again soon,
     * then less often (up to 10 ms), for at most 3 s in all; SIGKILL again
     * every half second (a task forked after the first round). No freeze or
     * thaw in the loop: a cgroup held frozen by a parent, or a task stuck in
     * the kernel, would make each one wait its full time. */
    long long step = 250, last_kill = start, now = start;
    while (!empty(cg) && (now = now_us()) - start < KILL_WAIT_US) {
        if (now - last_kill >= 500000) {
            signal_listed(cg, SIGKILL);
            last_kill = now;
        }
        sleep_us(step);
        step = step < 10000 ? step * 2 : 10000;
    }
    return empty(cg) ? 0 : stuck_error(cg, now_us() - start, err);
}

int cgroup_destroy(struct cgroup *cg, struct brick_error *err)
{
    /* tasks left (ETIMEDOUT): the directories cannot go; kept for a later try */
    int r = cgroup_kill_all(cg, err);
    if (r < 0)
        return r;
    r = cgroup_remove_dirs(cg);
    if (r < 0)
        return brick_err_errno(err, -r, "cgroup: remove %s", cg->path ? cg->path : "");
    return 0;
}
