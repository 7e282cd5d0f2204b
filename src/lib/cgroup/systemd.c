/* systemd.c — --systemd-cgroup. The container's cgroup is the scope systemd
 * makes for runc's "SLICE:PREFIX:NAME" (systemd_path.c).
 *
 * With systemd as pid 1 (cgroup v2), the scope is a transient unit made over
 * D-Bus (sdbus.c), as runc and crun make it: StartTransientUnit with
 * PIDs=[init], Delegate=yes (the container may manage its own subtree),
 * DefaultDependencies=no, the slice, and the limits systemd owns as unit
 * properties (MemoryMax, TasksMax, CPUWeight, CPUQuota: what `systemctl
 * show` reports and what survives a daemon-reload), taken from the same v2
 * plan that writes every limit into the scope's files, so both always
 * agree. systemd moves the init into the scope; update sets the properties
 * again (SetUnitProperties) and rewrites the files; delete kills what is
 * left and stops the unit. Without systemd as pid 1 the same directories
 * are made through cgroupfs (the cgroupfs drivers). */
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/plan.h"
#include "cgroup/sdbus.h"
#include "cgroup/systemd_path.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

/* sd_booted(3): systemd is pid 1 when /run/systemd/system is a directory. */
static bool cgroup_systemd_booted(void)
{
    struct stat st;
    return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

bool cgroup_user_manager_present(void)
{
    struct statfs fs;
    struct stat st;
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (!cgroup_systemd_booted() || !xdg || *xdg != '/' || statfs("/sys/fs/cgroup", &fs) < 0 ||
        fs.f_type != CGROUP2_SUPER_MAGIC)
        return false;
    _cleanup_free_ char *bus = xasprintf("%s/bus", xdg);
    return stat(bus, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* "SLICE:PREFIX:NAME" -> the slice and the unit name (systemd_path.c's rules). */
static int unit_of(const char *cgroups_path, const char *id, char **ret_slice, char **ret_unit,
                   struct brick_error *err)
{
    _cleanup_free_ char *text = cgroups_path && *cgroups_path
                                    ? xstrdup(cgroups_path)
                                    : xasprintf(CGROUP_SYSTEMD_DEFAULT_SLICE ":" CGROUP_SYSTEMD_DEFAULT_PREFIX ":%s",
                                                id ? id : "");
    char *c1 = strchr(text, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return brick_err(err, EINVAL, "linux.cgroupsPath: expected \"slice:prefix:name\"");
    *c1 = *c2 = '\0';
    int r = cgroup_systemd_unit_name(c1 + 1, c2 + 1, ret_unit, err);
    if (r < 0)
        return r;
    if (!streq(*ret_unit + strlen(*ret_unit) - (strlen(*ret_unit) >= 6 ? 6 : 0), ".scope")) {
        free(*ret_unit);
        *ret_unit = NULL;
        return brick_err(err, ENOTSUP, "linux.cgroupsPath: a slice as the container's unit is not supported");
    }
    *ret_slice = xstrdup(*text ? text : CGROUP_SYSTEMD_DEFAULT_SLICE);
    return 0;
}

/* The user manager's own cgroup, where its slices are: what it says
 * (runc asks the same), never guessed from ours. */
static int user_manager_cgroup(char **ret, struct brick_error *err)
{
    struct sdbus c;
    int r = sdbus_open(&c, true, err);
    if (r < 0)
        return brick_err_prefix(err, "--systemd-cgroup (rootless)");
    r = sdbus_manager_string(&c, "ControlGroup", ret, err);
    sdbus_close(&c);
    if (r < 0)
        return brick_err_prefix(err, "--systemd-cgroup (rootless)");
    if ((*ret)[0] != '/' || !cgroup_path_ok(*ret)) {
        r = brick_err(err, EPROTO, "--systemd-cgroup (rootless): the user manager's cgroup \"%s\"", *ret);
        free(*ret);
        *ret = NULL;
    }
    return r;
}

int cgroup_resolve_systemd(struct cgroup *cg, const char *cgroups_path, const char *id,
                           struct brick_error *err)
{
    /* rootless, as runc: the user manager's units, in its user.slice by default */
    bool user = running_unprivileged();
    _cleanup_free_ char *dflt = NULL, *path = NULL, *manager = NULL;
    if (user && (!cgroups_path || !*cgroups_path))
        cgroups_path = dflt = xasprintf(CGROUP_SYSTEMD_USER_SLICE ":" CGROUP_SYSTEMD_DEFAULT_PREFIX ":%s",
                                        id ? id : "");
    int r = cgroup_systemd_path(cgroups_path, id, &path, err);
    if (r < 0)
        return r;
    if (cgroup_systemd_booted()) {
        if (cg->layout != CGROUP_LAYOUT_V2)
            return brick_err(err, ENOTSUP, "--systemd-cgroup: systemd's units are made on cgroup v2 hosts only "
                             "(this one is %s); use the cgroupfs driver", cgroup_layout_name(cg->layout));
        if (user && (r = user_manager_cgroup(&manager, err)) < 0)
            return r;
        r = unit_of(cgroups_path, id, &cg->slice, &cg->unit, err);
        if (r < 0)
            return r;
        if (manager) {
            free(path);
            path = NULL;
            if ((r = cgroup_systemd_user_path(cgroups_path, id, manager, &path, err)) < 0)
                return r;
            cg->manager = TAKE_PTR(manager);
        }
    }
    /* An absolute path: every level brick makes (the slices too, without
     * systemd) is recorded and removed with the container when empty. */
    return cgroup_resolve(cg, path, id, NULL, err);
}

/* ---- unit properties from the v2 plan ---- */

static void prop_t(struct sdbus_buf *b, const char *name, uint64_t v)
{
    sdbus_align(b, 8);
    sdbus_str(b, name);
    sdbus_sig(b, "t");
    sdbus_u64(b, v);
}

/* The limits systemd owns, read back from the plan's writes (so a property
 * and its file never disagree). "max" is unlimited. */
static void resource_props(const struct cgroup_writes *w, struct sdbus_buf *b)
{
    for (size_t i = 0; i < w->n; i++) {
        const char *f = w->v[i].file, *v = w->v[i].value;
        uint64_t n, period;
        char q[32];
        if (streq(f, "memory.max"))
            prop_t(b, "MemoryMax", streq(v, "max") ? UINT64_MAX : (parse_u64(v, &n) == 0 ? n : UINT64_MAX));
        else if (streq(f, "pids.max"))
            prop_t(b, "TasksMax", streq(v, "max") ? UINT64_MAX : (parse_u64(v, &n) == 0 ? n : UINT64_MAX));
        else if (streq(f, "cpu.weight") && parse_u64(v, &n) == 0)
            prop_t(b, "CPUWeight", n);
        else if (streq(f, "cpu.max") && sscanf(v, "%31s %" SCNu64, q, &period) == 2 && period > 0) {
            /* CPUQuotaPerSecUSec: the quota per second of wall time */
            prop_t(b, "CPUQuotaPeriodUSec", period);
            prop_t(b, "CPUQuotaPerSecUSec", streq(q, "max") || parse_u64(q, &n) < 0 || n > UINT64_MAX / 1000000
                                                 ? UINT64_MAX : n * 1000000 / period);
        }
    }
}

/* ---- the driver ---- */

static bool pid_in_unit(pid_t pid, const char *dir_rel)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
    _cleanup_free_ char *text = NULL, *want = xasprintf("0::%s\n", dir_rel);
    return read_file_at(AT_FDCWD, path, BRICK_READ_SMALL, &text, NULL) == 0 && strstr(text, want);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int start_unit(struct cgroup *cg, const struct cgroup_writes *w, struct brick_error *err)
{
    struct sdbus c;
    int r = sdbus_open(&c, cg->manager != NULL, err);
    if (r < 0)
        return r;
    struct sdbus_buf b = {0};
    sdbus_str(&b, cg->unit);
    sdbus_str(&b, "fail");
    size_t at = sdbus_array_begin(&b, 8), start = b.mark;
    sdbus_align(&b, 8);
    sdbus_str(&b, "Description");
    sdbus_sig(&b, "s");
    _cleanup_free_ char *desc = xasprintf("brick container %s", cg->unit);
    sdbus_str(&b, desc);
    sdbus_align(&b, 8);
    sdbus_str(&b, "Slice");
    sdbus_sig(&b, "s");
    sdbus_str(&b, cg->slice ? cg->slice : CGROUP_SYSTEMD_DEFAULT_SLICE);
    sdbus_align(&b, 8);
    sdbus_str(&b, "Delegate");
    sdbus_sig(&b, "b");
    sdbus_u32(&b, 1);
    sdbus_align(&b, 8);
    sdbus_str(&b, "DefaultDependencies");
    sdbus_sig(&b, "b");
    sdbus_u32(&b, 0);
    sdbus_align(&b, 8);
    sdbus_str(&b, "PIDs");
    sdbus_sig(&b, "au");
    size_t pat = sdbus_array_begin(&b, 4), pstart = b.mark;
    sdbus_u32(&b, (uint32_t)cg->pid);
    sdbus_array_end(&b, pat, pstart);
    resource_props(w, &b);
    sdbus_array_end(&b, at, start);
    size_t aux = sdbus_array_begin(&b, 8); /* a(sa(sv)): none */
    sdbus_array_end(&b, aux, b.mark);
    r = sdbus_call(&c, "StartTransientUnit", "ssa(sv)a(sa(sv))", &b, NULL, err);
    free(b.p);
    sdbus_close(&c);
    if (r < 0)
        return brick_err_prefix(err, "--systemd-cgroup: start %s", cg->unit);
    /* The job runs after the reply: wait until systemd moved the init. */
    const char *rel = cg->h[0].dir + strlen(cg->h[0].mount);
    for (int i = 0; i < 500; i++) {
        if (pid_in_unit(cg->pid, rel))
            return 0;
        sleep_ms(i < 20 ? 1 : 10);
    }
    return brick_err(err, ETIMEDOUT, "--systemd-cgroup: %s did not take pid %d", cg->unit, (int)cg->pid);
}

static int plan(const struct cgroup *cg, const struct oci_resources *res, struct cgroup_writes *w,
                struct brick_error *err)
{
    return cgroup_driver_of(cg)->plan(cg, res, w, err);
}

int cgroup_sd_create(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err)
{
    if (cg->complete)
        return 0;
    struct cgroup_writes w = {0};
    int r = plan(cg, res, &w, err);
    cg->unit_tried = true;
    if (r >= 0)
        r = start_unit(cg, &w, err);
    cgroup_writes_done(&w);
    if (r < 0)
        return r;
    cg->unit_started = true;
    cg->h[0].made = true; /* systemd made it: ours to fill, never to rmdir */
    r = cgroup_create(cg, res, err);
    cg->complete = r >= 0;
    return r;
}

int cgroup_sd_update(const struct cgroup *cg, const struct oci_resources *res, struct brick_error *err)
{
    struct cgroup_writes w = {0};
    int r = plan(cg, res, &w, err);
    if (r >= 0 && w.n) {
        struct sdbus c;
        r = sdbus_open(&c, cg->manager != NULL, err);
        if (r >= 0) {
            struct sdbus_buf b = {0};
            sdbus_str(&b, cg->unit);
            sdbus_u32(&b, 1); /* runtime: not persisted across reboots */
            size_t at = sdbus_array_begin(&b, 8), start = b.mark;
            resource_props(&w, &b);
            sdbus_array_end(&b, at, start);
            r = sdbus_call(&c, "SetUnitProperties", "sba(sv)", &b, NULL, err);
            free(b.p);
            sdbus_close(&c);
        }
    }
    cgroup_writes_done(&w);
    return r < 0 ? r : cgroup_update(cg, res, err);
}

int cgroup_sd_destroy(struct cgroup *cg, struct brick_error *err)
{
    /* what is left is killed through the scope's cgroup.kill first: a scope
     * stops only once empty, and must not linger with our processes */
    int r = cgroup_kill_all(cg, err);
    if (r < 0)
        return r; /* the scope stays with what is left, for a later try */
    /* Unit names are global, paths are not: "a.slice:brick:x" and
     * "b.slice:brick:x" are both brick-x.scope, and a config may name
     * "session-3.scope". The unit is stopped only while it is the one at our
     * directory (a unit has one cgroup): a create that found the name taken,
     * or a delete after our scope went away and another took the name, stop
     * nothing. */
    struct sdbus c;
    struct brick_error e;
    bool ours = !cg->unit_tried || cg->unit_started; /* a failed create stops only what it started */
    if (ours && access(cg->h[0].dir, F_OK) == 0 && sdbus_open(&c, cg->manager != NULL, &e) >= 0) {
        struct sdbus_buf b = {0};
        sdbus_str(&b, cg->unit);
        sdbus_str(&b, "replace");
        r = sdbus_call(&c, "StopUnit", "ss", &b, NULL, &e);
        free(b.p);
        sdbus_close(&c);
        if (r < 0 && !strstr(e.msg, "NoSuchUnit"))
            return brick_err(err, -r, "%s", e.msg);
    }
    /* a transient scope goes away once stopped; its directory with it */
    for (int i = 0; i < 500 && access(cg->h[0].dir, F_OK) == 0; i++)
        sleep_ms(i < 20 ? 1 : 10);
    if (access(cg->h[0].dir, F_OK) == 0 && rmdir(cg->h[0].dir) < 0 && errno != ENOENT)
        return brick_err_errno(err, errno, "cgroup: remove %s", cg->h[0].dir);
    return 0;
}
