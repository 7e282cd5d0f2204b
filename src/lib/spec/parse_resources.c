/* parse_resources.c — "linux.resources": the cgroup limits (device rules,
 * memory, cpu, pids, block I/O, hugepages, network, rdma, unified). */
#include "core/util.h"
#include "spec/parse.h"

#include <string.h>

static int pc_dev_rule_type(struct pctx *c, const bjson *v, void *dst)
{
    static const char *const types[] = {"a", "c", "b", NULL};
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *(char **)dst, types, "invalid device type");
}

static int pc_dev_access(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    const char *s = *(char **)dst;
    /* runc reads the letters r, w and m and ignores the rest ("rwa" is
     * "rw"); a string without any of them grants nothing */
    if (r == 0 && *s && !s[strcspn(s, "rwm")])
        return pc_err(c, "invalid device access \"%s\": expected some of \"rwm\"", s);
    return r;
}

static int pc_dev_rule(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("allow", PF_BOOL, struct oci_device_cgroup, allow),
        FOBJ("type", struct oci_device_cgroup, type, pc_dev_rule_type),
        FHAS("major", PF_I64, struct oci_device_cgroup, major, has_major),
        FHAS("minor", PF_I64, struct oci_device_cgroup, minor, has_minor),
        FOBJ("access", struct oci_device_cgroup, access, pc_dev_access),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_memory(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FHAS("limit", PF_I64, struct oci_memory, limit, has_limit),
        FHAS("reservation", PF_I64, struct oci_memory, reservation, has_reservation),
        FHAS("swap", PF_I64, struct oci_memory, swap, has_swap),
        FHAS("kernel", PF_I64, struct oci_memory, kernel, has_kernel),
        FHAS("kernelTCP", PF_I64, struct oci_memory, kernel_tcp, has_kernel_tcp),
        FHAS("swappiness", PF_U64, struct oci_memory, swappiness, has_swappiness),
        FHAS("disableOOMKiller", PF_BOOL, struct oci_memory, disable_oom_killer, has_disable_oom_killer),
        FHAS("useHierarchy", PF_BOOL, struct oci_memory, use_hierarchy, has_use_hierarchy),
        FHAS("checkBeforeUpdate", PF_BOOL, struct oci_memory, check_before_update, has_check_before_update),
    };
    struct oci_memory *m = dst;
    m->present = true;
    int r = PC_FIELDS(c, v, fields, m);
    /* The kernel's range; rejecting here names the key instead of failing
     * later on a cgroup write. */
    if (r == 0 && m->has_swappiness && m->swappiness > 100) {
        pc_key(c, "swappiness");
        return pc_err(c, "value out of range");
    }
    return r;
}

static int pc_cpu(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FHAS("shares", PF_U64, struct oci_cpu, shares, has_shares),
        FHAS("quota", PF_I64, struct oci_cpu, quota, has_quota),
        FHAS("burst", PF_U64, struct oci_cpu, burst, has_burst),
        FHAS("period", PF_U64, struct oci_cpu, period, has_period),
        FHAS("realtimeRuntime", PF_I64, struct oci_cpu, realtime_runtime, has_realtime_runtime),
        FHAS("realtimePeriod", PF_U64, struct oci_cpu, realtime_period, has_realtime_period),
        F("cpus", PF_STR, struct oci_cpu, cpus),
        F("mems", PF_STR, struct oci_cpu, mems),
        FHAS("idle", PF_I64, struct oci_cpu, idle, has_idle),
    };
    ((struct oci_cpu *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_pids(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FHAS("limit", PF_I64, struct oci_resources, pids_limit, has_pids_limit),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_weight_device(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("major", PF_I64, struct oci_weight_device, major),
        FREQ("minor", PF_I64, struct oci_weight_device, minor),
        FHAS("weight", PF_U16, struct oci_weight_device, weight, has_weight),
        FHAS("leafWeight", PF_U16, struct oci_weight_device, leaf_weight, has_leaf_weight),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_throttle_device(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("major", PF_I64, struct oci_throttle_device, major),
        FREQ("minor", PF_I64, struct oci_throttle_device, minor),
        FREQ("rate", PF_U64, struct oci_throttle_device, rate),
    };
    return PC_FIELDS(c, v, fields, dst);
}

#define THROTTLE(k, m) FARR(k, struct oci_blkio, m, n_##m, pc_throttle_device)

static int pc_blkio(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FHAS("weight", PF_U16, struct oci_blkio, weight, has_weight),
        FHAS("leafWeight", PF_U16, struct oci_blkio, leaf_weight, has_leaf_weight),
        FARR("weightDevice", struct oci_blkio, weight_device, n_weight_device, pc_weight_device),
        THROTTLE("throttleReadBpsDevice", throttle_read_bps),
        THROTTLE("throttleWriteBpsDevice", throttle_write_bps),
        THROTTLE("throttleReadIOPSDevice", throttle_read_iops),
        THROTTLE("throttleWriteIOPSDevice", throttle_write_iops),
    };
    ((struct oci_blkio *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_hugepage(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("pageSize", PF_STR, struct oci_hugepage_limit, page_size),
        FREQ("limit", PF_U64, struct oci_hugepage_limit, limit),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_net_priority(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("name", PF_STR, struct oci_net_priority, name),
        FREQ("priority", PF_U32, struct oci_net_priority, priority),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_network(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FHAS("classID", PF_U32, struct oci_resources, class_id, has_class_id),
        FARR("priorities", struct oci_resources, net_priorities, n_net_priorities, pc_net_priority),
    };
    ((struct oci_resources *)dst)->has_network = true;
    return PC_FIELDS(c, v, fields, dst);
}

/* "rdma": {"mlx5_1": {"hcaHandles": 3}} -> one entry per device. */
static int pc_rdma(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FHAS("hcaHandles", PF_U32, struct oci_rdma, hca_handles, has_hca_handles),
        FHAS("hcaObjects", PF_U32, struct oci_rdma, hca_objects, has_hca_objects),
    };
    struct oci_resources *res = dst;
    return PC_OBJECT_MAP(c, v, res->rdma, res->n_rdma, struct oci_rdma, device, fields);
}

static const struct pfield resources_fields[] = {
    FARR("devices", struct oci_resources, devices, n_devices, pc_dev_rule),
    FOBJ("memory", struct oci_resources, memory, pc_memory),
    FOBJ("cpu", struct oci_resources, cpu, pc_cpu),
    FSELF("pids", pc_pids),
    FOBJ("blockIO", struct oci_resources, block_io, pc_blkio),
    FARR("hugepageLimits", struct oci_resources, hugepage_limits, n_hugepage_limits, pc_hugepage),
    FSELF("network", pc_network),
    FSELF("rdma", pc_rdma),
    FMAP("unified", struct oci_resources, unified, n_unified),
};

int pc_resources(struct pctx *c, const bjson *v, void *dst)
{
    ((struct oci_resources *)dst)->present = true;
    return PC_FIELDS(c, v, resources_fields, dst);
}
