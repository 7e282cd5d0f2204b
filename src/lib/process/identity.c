/* identity.c — rlimits, user and group ids, capabilities, no_new_privs. */
#include "process/process.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/log.h"
#include "core/util.h"
#include "spec/spec.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

int process_set_rlimits(const struct oci_process *p, struct brick_error *err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct oci_rlimit *rl = &p->rlimits[i];
        struct rlimit lim = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
        if (setrlimit(rl->resource, &lim) < 0)
            return brick_err_errno(err, errno, "setrlimit %s (soft %llu, hard %llu)", rl->type,
                                   (unsigned long long)rl->soft, (unsigned long long)rl->hard);
    }
    return 0;
}

int process_set_oom_score_adj(int procfd, const struct oci_process *p, struct brick_error *err)
{
    if (!p->has_oom_score_adj)
        return 0;
    char v[16];
    snprintf(v, sizeof(v), "%d", p->oom_score_adj);
    int r = write_file_at(procfd, "self/oom_score_adj", v);
    if (r < 0)
        return brick_err_errno(err, -r, "set oom_score_adj %d", p->oom_score_adj);
    return 0;
}

/* The highest capability the running kernel knows. Asked of the kernel
 * (PR_CAPBSET_READ fails with EINVAL past it), not read from
 * /proc/sys/kernel/cap_last_cap: this runs after pivot_root, where /proc is
 * the container's, and a wrong answer would leave capabilities in the
 * bounding set. Binary search: a handful of prctl calls, once. */
static int last_cap(void)
{
    static int last = -1;
    if (last < 0) {
        int lo = 0, hi = 63; /* cap 0 always exists */
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
                lo = mid;
            else
                hi = mid - 1;
        }
        last = lo;
    }
    return last;
}

/* A capability list as a 64-bit mask; names are validated by the parser, and
 * capabilities newer than the running kernel are left out. */
static uint64_t cap_mask(char **names)
{
    uint64_t m = 0;
    for (size_t i = 0; names && names[i]; i++) {
        int c = oci_cap_from_name(names[i]);
        if (c >= 0 && c <= last_cap())
            m |= UINT64_C(1) << c;
    }
    return m;
}

static int apply_caps(const struct oci_capabilities *c, struct brick_error *err)
{
    uint64_t eff = cap_mask(c->effective), prm = cap_mask(c->permitted), inh = cap_mask(c->inheritable),
             amb = cap_mask(c->ambient);
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2] = {
        {(uint32_t)eff, (uint32_t)prm, (uint32_t)inh},
        {(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)},
    };
    if (syscall(SYS_capset, &hdr, data) < 0)
        return brick_err_errno(err, errno, "set capabilities");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return brick_err_errno(err, errno, "clear ambient capabilities");
    for (int cap = 0; cap <= last_cap(); cap++) {
        if (!(amb & (UINT64_C(1) << cap)))
            continue;
        /* The kernel only allows ambient capabilities that are permitted and
         * inheritable; like runc and crun, skip the others (crun's own default
         * spec lists ambient capabilities without inheritable ones). */
        if (!(prm & inh & (UINT64_C(1) << cap))) {
            log_debug("ambient capability %s skipped: not permitted and inheritable", oci_cap_name(cap));
            continue;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return brick_err_errno(err, errno, "raise ambient capability %s", oci_cap_name(cap));
    }
    return 0;
}

static int drop_bounding(const struct oci_capabilities *c, struct brick_error *err)
{
    uint64_t bnd = cap_mask(c->bounding);
    for (int cap = 0; cap <= last_cap(); cap++) {
        if (bnd & (UINT64_C(1) << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return brick_err_errno(err, errno, "drop %s from the bounding set", oci_cap_name(cap));
    }
    return 0;
}

int process_set_identity(const struct oci_process *p, struct brick_error *err)
{
    const struct oci_capabilities *caps = &p->capabilities;
    static const struct oci_capabilities none = {.present = true};
    if (!caps->present)
        caps = &none; /* no capabilities object: the process gets none, as runc */
    /* Keep the permitted set across the uid change; the bounding set can only
     * shrink while we still hold CAP_SETPCAP, so drop it first. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return brick_err_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
    int r = drop_bounding(caps, err);
    if (r < 0)
        return r;
    /* Always replace the supplementary groups: the host's must not leak in. */
    gid_t *gids = xcalloc(p->user.n_additional_gids + 1, sizeof(gid_t));
    for (size_t i = 0; i < p->user.n_additional_gids; i++)
        gids[i] = p->user.additional_gids[i];
    r = setgroups(p->user.n_additional_gids, gids);
    free(gids);
    /* EPERM here means setgroups is denied in this user namespace. */
    if (r < 0 && !(errno == EPERM && p->user.n_additional_gids == 0))
        return brick_err_errno(err, errno, "setgroups");
    if (setresgid(p->user.gid, p->user.gid, p->user.gid) < 0)
        return brick_err_errno(err, errno, "setgid %u", p->user.gid);
    if (setresuid(p->user.uid, p->user.uid, p->user.uid) < 0)
        return brick_err_errno(err, errno, "setuid %u", p->user.uid);
    r = apply_caps(caps, err);
    if (r < 0)
        return r;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return brick_err_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
    umask(p->user.has_umask ? p->user.umask : 022);
    return 0;
}

int process_set_no_new_privs(const struct oci_process *p, struct brick_error *err)
{
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return brick_err_errno(err, errno, "set no_new_privs");
    return 0;
}
