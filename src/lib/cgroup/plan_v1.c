/* plan_v1.c — linux.resources -> cgroup v1 file writes (pure).
 *
 * Order matters where the kernel checks one value against another: the cfs
 * period before the quota, the rt period before the runtime, the memory
 * limit before memory+swap (with a swap of the two when raising, see
 * CGW_SWAP_ORDER_ON_EINVAL). Devices are planned separately (devices.c). */
#include "cgroup/plan_internal.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "spec/model.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int plan_memory(const struct oci_memory *m, struct cgroup_writes *out, struct brick_error *err)
{
    if (!m->present)
        return 0;
    int check = m->has_check_before_update && m->check_before_update ? CGW_CHECK_USAGE : 0;
    /* Zero is "not set" for every limit below, as in runc: engines write
     * Go's zero values (Docker's "blockIO": {"weight": 0}). */
    if (m->has_limit && m->limit != 0) {
        struct cgroup_write *w =
            plan_add(out, "memory", false, "memory.limit", "memory.limit_in_bytes", "%" PRId64, m->limit);
        w->flags |= check | (m->has_swap ? CGW_SWAP_ORDER_ON_EINVAL : 0);
    }
    if (m->has_swap && m->swap != 0) {
        /* v1 memsw is memory+swap: the OCI value has the same meaning. */
        if (m->has_limit && m->limit > 0 && m->swap >= 0 && m->swap < m->limit)
            return plan_err(err, "memory.swap",
                            "memory+swap limit %" PRId64 " is lower than the memory limit %" PRId64, m->swap,
                            m->limit);
        plan_add(out, "memory", false, "memory.swap", "memory.memsw.limit_in_bytes", "%" PRId64, m->swap);
    }
    if (m->has_reservation && m->reservation != 0)
        plan_add(out, "memory", false, "memory.reservation", "memory.soft_limit_in_bytes", "%" PRId64,
                 m->reservation);
    if (m->has_kernel_tcp && m->kernel_tcp != 0)
        plan_add(out, "memory", false, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", "%" PRId64,
                 m->kernel_tcp);
    if (m->has_swappiness) {
        if (m->swappiness > 100)
            return plan_err(err, "memory.swappiness", "%" PRIu64 " is not in [0, 100]", m->swappiness);
        plan_add(out, "memory", false, "memory.swappiness", "memory.swappiness", "%" PRIu64, m->swappiness);
    }
    if (m->has_disable_oom_killer && m->disable_oom_killer)
        plan_add(out, "memory", false, "memory.disableOOMKiller", "memory.oom_control", "1");
    if (m->has_use_hierarchy)
        plan_add(out, "memory", false, "memory.useHierarchy", "memory.use_hierarchy", "%d",
                 m->use_hierarchy ? 1 : 0);
    /* memory.kernel: deprecated by the kernel (5.4) and ignored, as runc does. */
    return 0;
}

static void plan_cpu(const struct oci_cpu *c, struct cgroup_writes *out)
{
    if (!c->present)
        return;
    if (c->has_shares && c->shares)
        plan_add(out, "cpu", false, "cpu.shares", "cpu.shares", "%" PRIu64, c->shares);
    if (c->has_period && c->period)
        plan_add(out, "cpu", false, "cpu.period", "cpu.cfs_period_us", "%" PRIu64, c->period);
    if (c->has_quota && c->quota)
        plan_add(out, "cpu", false, "cpu.quota", "cpu.cfs_quota_us", "%" PRId64, c->quota);
    if (c->has_burst)
        plan_add(out, "cpu", false, "cpu.burst", "cpu.cfs_burst_us", "%" PRIu64, c->burst);
    if (c->has_realtime_period && c->realtime_period)
        plan_add(out, "cpu", false, "cpu.realtimePeriod", "cpu.rt_period_us", "%" PRIu64, c->realtime_period);
    if (c->has_realtime_runtime && c->realtime_runtime)
        plan_add(out, "cpu", false, "cpu.realtimeRuntime", "cpu.rt_runtime_us", "%" PRId64,
                 c->realtime_runtime);
    if (c->has_idle)
        plan_add(out, "cpu", false, "cpu.idle", "cpu.idle", "%" PRId64, c->idle);
    if (c->cpus && *c->cpus)
        plan_add(out, "cpuset", false, "cpu.cpus", "cpuset.cpus", "%s", c->cpus);
    if (c->mems && *c->mems)
        plan_add(out, "cpuset", false, "cpu.mems", "cpuset.mems", "%s", c->mems);
}

static void plan_throttle(const char *file, const char *what, const struct oci_throttle_device *d, size_t n,
                          struct cgroup_writes *out)
{
    for (size_t i = 0; i < n; i++)
        plan_add(out, "blkio", false, what, file, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor,
                 d[i].rate);
}

static void plan_blkio(const struct oci_blkio *b, struct cgroup_writes *out)
{
    if (!b->present)
        return;
    /* Kernels with BFQ only have blkio.bfq.weight; CFQ kernels blkio.weight. */
    if (b->has_weight && b->weight) {
        struct cgroup_write *w =
            plan_add(out, "blkio", false, "blockIO.weight", "blkio.weight", "%u", b->weight);
        w->alt_file = xstrdup("blkio.bfq.weight");
        w->alt_value = xstrdup(w->value);
    }
    if (b->has_leaf_weight && b->leaf_weight)
        plan_add(out, "blkio", false, "blockIO.leafWeight", "blkio.leaf_weight", "%u", b->leaf_weight);
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct oci_weight_device *d = &b->weight_device[i];
        if (d->has_weight && d->weight) {
            struct cgroup_write *w =
                plan_add(out, "blkio", false, "blockIO.weightDevice", "blkio.weight_device",
                         "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
            w->alt_file = xstrdup("blkio.bfq.weight_device");
            w->alt_value = xstrdup(w->value);
        }
        if (d->has_leaf_weight && d->leaf_weight)
            plan_add(out, "blkio", false, "blockIO.weightDevice", "blkio.leaf_weight_device",
                     "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight);
    }
    plan_throttle("blkio.throttle.read_bps_device", "blockIO.throttleReadBpsDevice", b->throttle_read_bps,
                  b->n_throttle_read_bps, out);
    plan_throttle("blkio.throttle.write_bps_device", "blockIO.throttleWriteBpsDevice", b->throttle_write_bps,
                  b->n_throttle_write_bps, out);
    plan_throttle("blkio.throttle.read_iops_device", "blockIO.throttleReadIOPSDevice", b->throttle_read_iops,
                  b->n_throttle_read_iops, out);
    plan_throttle("blkio.throttle.write_iops_device", "blockIO.throttleWriteIOPSDevice",
                  b->throttle_write_iops, b->n_throttle_write_iops, out);
}

void plan_rdma(const struct oci_resources *r, bool v2, struct cgroup_writes *out)
{
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct oci_rdma *d = &r->rdma[i];
        if (!d->has_hca_handles && !d->has_hca_objects)
            continue;
        char h[32] = "", o[32] = "";
        if (d->has_hca_handles)
            snprintf(h, sizeof(h), " hca_handle=%u", d->hca_handles);
        if (d->has_hca_objects)
            snprintf(o, sizeof(o), " hca_object=%u", d->hca_objects);
        plan_add(out, "rdma", v2, "rdma", "rdma.max", "%s%s%s", d->device, h, o);
    }
}

static int plan_misc(const struct oci_resources *r, struct cgroup_writes *out, struct brick_error *err)
{
    if (r->has_pids_limit && r->pids_limit != 0) { /* 0: unchanged, as runc 1.1 */
        if (r->pids_limit > 0)
            plan_add(out, "pids", false, "pids.limit", "pids.max", "%" PRId64, r->pids_limit);
        else
            plan_add(out, "pids", false, "pids.limit", "pids.max", "max");
    }
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
        if (!plan_valid_page_size(h->page_size))
            return plan_err(err, "hugepageLimits", "invalid pageSize \"%s\"", h->page_size);
        _cleanup_free_ char *file = xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
        plan_add(out, "hugetlb", false, "hugepageLimits", file, "%" PRIu64, h->limit);
    }
    if (r->has_class_id)
        plan_add(out, "net_cls", false, "network.classID", "net_cls.classid", "%u", r->class_id);
    for (size_t i = 0; i < r->n_net_priorities; i++)
        plan_add(out, "net_prio", false, "network.priorities", "net_prio.ifpriomap", "%s %u",
                 r->net_priorities[i].name, r->net_priorities[i].priority);
    plan_rdma(r, false, out);
    return 0;
}

static bool strv_has(char *const *v, const char *s, size_t len)
{
    for (; v && *v; v++)
        if (strlen(*v) == len && strncmp(*v, s, len) == 0)
            return true;
    return false;
}

/* unified keys on a v1 host: only into a hybrid cgroup2 tree that has the
 * key's controller ("cgroup.*" files exist everywhere). */
static int plan_unified_v1(const struct oci_resources *r, char *const *v2ctrls, struct cgroup_writes *out,
                           struct brick_error *err)
{
    for (size_t i = 0; i < r->n_unified; i++) {
        const char *k = r->unified[i].key;
        if (!plan_valid_key(k))
            return plan_err(err, "unified", "invalid key \"%s\"", k);
        size_t len = (size_t)(strchr(k, '.') - k);
        bool core = len == 6 && strncmp(k, "cgroup", 6) == 0;
        if (!v2ctrls || (!core && !strv_has(v2ctrls, k, len)))
            return plan_err(err, "unified",
                            "\"%s\": not supported on cgroup v1 (no such controller "
                            "in a cgroup v2 hierarchy)",
                            k);
        _cleanup_free_ char *ctrl = xstrndup(k, len);
        plan_add(out, ctrl, true, "unified", k, "%s", r->unified[i].value);
    }
    return 0;
}

int cgroup_plan_v1(const struct oci_resources *r, char *const *hybrid_v2_ctrls, struct cgroup_writes *out,
                   struct brick_error *err)
{
    *out = (struct cgroup_writes){0};
    if (!r)
        return 0;
    int rc = plan_memory(&r->memory, out, err);
    if (rc >= 0) {
        plan_cpu(&r->cpu, out);
        plan_blkio(&r->block_io, out);
        rc = plan_misc(r, out, err);
    }
    if (rc >= 0)
        rc = plan_unified_v1(r, hybrid_v2_ctrls, out, err);
    if (rc < 0)
        cgroup_writes_done(out);
    return rc;
}
