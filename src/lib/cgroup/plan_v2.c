/* plan_v2.c — linux.resources -> cgroup v2 file writes (pure).
 *
 * Conversions (as runc and crun): cpu.shares -> cpu.weight (linear map),
 * quota/period -> cpu.max "QUOTA|max PERIOD", memory.swap (memory+swap in the
 * OCI spec) -> memory.swap.max = swap - limit, -1 -> "max", reservation ->
 * memory.low, blkio weights -> io.bfq.weight (io.weight, converted, when BFQ
 * is absent), throttles -> io.max. v1-only resources are errors when set. */
#include "cgroup/plan_internal.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "spec/model.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void fmt_max(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        snprintf(buf, len, "max");
    else
        snprintf(buf, len, "%" PRId64, v);
}

/* OCI swap is memory+swap; v2 wants swap alone. */
static int swap_v2(const struct oci_memory *m, char *buf, size_t len, struct brick_error *err)
{
    if (m->swap < 0)
        return snprintf(buf, len, "max"), 0;
    if (!m->has_limit || m->limit <= 0) {
        if (m->swap == 0)
            return snprintf(buf, len, "0"), 0;
        return plan_err(err, "memory.swap", "a swap limit needs a memory limit on cgroup v2");
    }
    if (m->swap < m->limit)
        return plan_err(err, "memory.swap",
                        "memory+swap limit %" PRId64 " is lower than the memory limit %" PRId64, m->swap,
                        m->limit);
    snprintf(buf, len, "%" PRId64, m->swap - m->limit);
    return 0;
}

static int plan_memory(const struct oci_memory *m, struct cgroup_writes *out, struct brick_error *err)
{
    if (!m->present)
        return 0;
    if (m->has_swappiness)
        return plan_err(err, "memory.swappiness", "not supported on cgroup v2");
    if (m->has_disable_oom_killer && m->disable_oom_killer)
        return plan_err(err, "memory.disableOOMKiller", "not supported on cgroup v2");
    if (m->has_kernel_tcp && m->kernel_tcp)
        return plan_err(err, "memory.kernelTCP", "not supported on cgroup v2");
    char buf[32];
    if (m->has_swap) {
        /* swap first: lowering memory.max never conflicts with swap.max. */
        int r = swap_v2(m, buf, sizeof(buf), err);
        if (r < 0)
            return r;
        plan_add(out, "memory", true, "memory.swap", "memory.swap.max", "%s", buf);
    }
    if (m->has_limit && m->limit != 0) { /* 0: not set, as in runc */
        fmt_max(buf, sizeof(buf), m->limit);
        struct cgroup_write *w = plan_add(out, "memory", true, "memory.limit", "memory.max", "%s", buf);
        if (m->has_check_before_update && m->check_before_update)
            w->flags |= CGW_CHECK_USAGE;
    }
    if (m->has_reservation && m->reservation != 0) {
        fmt_max(buf, sizeof(buf), m->reservation);
        plan_add(out, "memory", true, "memory.reservation", "memory.low", "%s", buf);
    }
    return 0;
}

static int plan_cpu(const struct oci_cpu *c, struct cgroup_writes *out, struct brick_error *err)
{
    if (!c->present)
        return 0;
    if ((c->has_realtime_runtime && c->realtime_runtime) || (c->has_realtime_period && c->realtime_period))
        return plan_err(err, c->has_realtime_runtime ? "cpu.realtimeRuntime" : "cpu.realtimePeriod",
                        "not supported on cgroup v2");
    if (c->has_shares && c->shares)
        plan_add(out, "cpu", true, "cpu.shares", "cpu.weight", "%" PRIu64,
                 cgroup_shares_to_weight(c->shares));
    bool quota = c->has_quota && c->quota, period = c->has_period && c->period;
    if (quota || period) {
        char q[32];
        fmt_max(q, sizeof(q), quota && c->quota > 0 ? c->quota : -1);
        if (period)
            plan_add(out, "cpu", true, "cpu.quota", "cpu.max", "%s %" PRIu64, q, c->period);
        else
            plan_add(out, "cpu", true, "cpu.quota", "cpu.max", "%s", q);
    }
    if (c->has_burst)
        plan_add(out, "cpu", true, "cpu.burst", "cpu.max.burst", "%" PRIu64, c->burst);
    if (c->has_idle)
        plan_add(out, "cpu", true, "cpu.idle", "cpu.idle", "%" PRId64, c->idle);
    if (c->cpus && *c->cpus)
        plan_add(out, "cpuset", true, "cpu.cpus", "cpuset.cpus", "%s", c->cpus);
    if (c->mems && *c->mems)
        plan_add(out, "cpuset", true, "cpu.mems", "cpuset.mems", "%s", c->mems);
    return 0;
}

static void plan_io_max(const char *key, const struct oci_throttle_device *d, size_t n, const char *what,
                        struct cgroup_writes *out)
{
    for (size_t i = 0; i < n; i++)
        plan_add(out, "io", true, what, "io.max", "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major,
                 d[i].minor, key, d[i].rate);
}

static int plan_io(const struct oci_blkio *b, struct cgroup_writes *out, struct brick_error *err)
{
    if (!b->present)
        return 0;
    if (b->has_leaf_weight && b->leaf_weight)
        return plan_err(err, "blockIO.leafWeight", "not supported on cgroup v2");
    if (b->has_weight && b->weight) {
        struct cgroup_write *w =
            plan_add(out, "io", true, "blockIO.weight", "io.bfq.weight", "%u", b->weight);
        w->alt_file = xstrdup("io.weight");
        w->alt_value = xasprintf("default %" PRIu64, cgroup_blkio_to_io_weight(b->weight));
    }
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct oci_weight_device *d = &b->weight_device[i];
        if (d->has_leaf_weight && d->leaf_weight)
            return plan_err(err, "blockIO.weightDevice.leafWeight", "not supported on cgroup v2");
        if (!d->has_weight || !d->weight)
            continue;
        struct cgroup_write *w = plan_add(out, "io", true, "blockIO.weightDevice", "io.bfq.weight",
                                          "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
        w->alt_file = xstrdup("io.weight");
        w->alt_value = xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                 cgroup_blkio_to_io_weight(d->weight));
    }
    plan_io_max("rbps", b->throttle_read_bps, b->n_throttle_read_bps, "blockIO.throttleReadBpsDevice", out);
    plan_io_max("wbps", b->throttle_write_bps, b->n_throttle_write_bps, "blockIO.throttleWriteBpsDevice",
                out);
    plan_io_max("riops", b->throttle_read_iops, b->n_throttle_read_iops, "blockIO.throttleReadIOPSDevice",
                out);
    plan_io_max("wiops", b->throttle_write_iops, b->n_throttle_write_iops, "blockIO.throttleWriteIOPSDevice",
                out);
    return 0;
}

static int plan_misc(const struct oci_resources *r, struct cgroup_writes *out, struct brick_error *err)
{
    if (r->has_pids_limit && r->pids_limit != 0) { /* 0: unchanged, as runc 1.1 */
        if (r->pids_limit > 0)
            plan_add(out, "pids", true, "pids.limit", "pids.max", "%" PRId64, r->pids_limit);
        else
            plan_add(out, "pids", true, "pids.limit", "pids.max", "max");
    }
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
        if (!plan_valid_page_size(h->page_size))
            return plan_err(err, "hugepageLimits", "invalid pageSize \"%s\"", h->page_size);
        _cleanup_free_ char *file = xasprintf("hugetlb.%s.max", h->page_size);
        plan_add(out, "hugetlb", true, "hugepageLimits", file, "%" PRIu64, h->limit);
    }
    if (r->has_class_id || r->n_net_priorities)
        return plan_err(err, r->has_class_id ? "network.classID" : "network.priorities",
                        "not supported on cgroup v2");
    plan_rdma(r, true, out);
    for (size_t i = 0; i < r->n_unified; i++) {
        const char *k = r->unified[i].key;
        if (!plan_valid_key(k))
            return plan_err(err, "unified", "invalid key \"%s\"", k);
        _cleanup_free_ char *ctrl = xstrndup(k, (size_t)(strchr(k, '.') - k));
        plan_add(out, ctrl, true, "unified", k, "%s", r->unified[i].value);
    }
    return 0;
}

int cgroup_plan_v2(const struct oci_resources *r, struct cgroup_writes *out, struct brick_error *err)
{
    *out = (struct cgroup_writes){0};
    if (!r)
        return 0;
    int rc = plan_memory(&r->memory, out, err);
    if (rc >= 0)
        rc = plan_cpu(&r->cpu, out, err);
    if (rc >= 0)
        rc = plan_io(&r->block_io, out, err);
    if (rc >= 0)
        rc = plan_misc(r, out, err);
    if (rc < 0)
        cgroup_writes_done(out);
    return rc;
}
