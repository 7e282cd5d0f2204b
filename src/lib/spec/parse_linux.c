/* parse_linux.c — "linux": namespaces, id mappings, time offsets, devices,
 * network devices, sysctl, masked/read-only paths, Intel RDT, memory policy,
 * personality. resources and seccomp have their own files. */
#include "core/util.h"
#include "spec/names.h"
#include "spec/parse.h"

#include <stdlib.h>
#include <string.h>

static int pc_ns_type(struct pctx *c, const bjson *v, void *dst)
{
    struct oci_namespace *ns = dst;
    char *name = NULL;
    int r = pc_str(c, v, &name);
    if (r == 0) {
        int t = oci_ns_type_from_name(name);
        if (t < 0)
            r = pc_err(c, "unknown namespace type \"%s\"", name);
        else
            ns->type = (enum oci_ns_type)t;
    }
    free(name);
    return r;
}

static int pc_namespace(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FSELF_REQ("type", pc_ns_type),
        F("path", PF_PATH, struct oci_namespace, path),
    };
    return PC_FIELDS(c, v, fields, dst);
}

int pc_id_mapping(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("containerID", PF_U32, struct oci_id_mapping, container_id),
        FREQ("hostID", PF_U32, struct oci_id_mapping, host_id),
        FREQ("size", PF_U32, struct oci_id_mapping, size),
    };
    const struct oci_id_mapping *m = dst;
    int r = PC_FIELDS(c, v, fields, dst);
    if (r == 0 && m->size == 0) {
        pc_key(c, "size");
        return pc_err(c, "must be greater than 0");
    }
    return r;
}

static int pc_time_offset(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        F("secs", PF_I64, struct oci_time_offset, secs),
        F("nanosecs", PF_U32, struct oci_time_offset, nanosecs),
    };
    struct oci_time_offset *t = dst;
    t->present = true;
    int r = PC_FIELDS(c, v, fields, t);
    if (r == 0 && t->nanosecs >= 1000000000u) {
        pc_key(c, "nanosecs");
        return pc_err(c, "value out of range");
    }
    return r;
}

/* A map keyed by clock name; the kernel knows only these two. */
static int pc_time_offsets(struct pctx *c, const bjson *v, void *dst)
{
    struct oci_linux *l = dst;
    if (bjson_type_of(v) != BJSON_OBJECT)
        return pc_err(c, "expected an object");
    bjson_iter it = bjson_object_iter(v);
    bjson *val;
    const char *clock;
    while (bjson_object_next(&it, &clock, &val)) {
        size_t old = pc_key(c, clock);
        int r;
        if (strcmp(clock, "monotonic") == 0)
            r = pc_time_offset(c, val, &l->time_monotonic);
        else if (strcmp(clock, "boottime") == 0)
            r = pc_time_offset(c, val, &l->time_boottime);
        else
            r = pc_err(c, "unknown clock \"%s\"", clock);
        if (r < 0)
            return r;
        pc_pop(c, old);
    }
    return 0;
}

static int pc_device_type(struct pctx *c, const bjson *v, void *dst)
{
    static const char *const types[] = {"c", "b", "u", "p", NULL};
    struct oci_device *d = dst;
    int r = pc_str(c, v, &d->type);
    return r < 0 ? r : pc_known(c, d->type, types, "invalid device type");
}

static int pc_device(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FSELF_REQ("type", pc_device_type),
        FREQ("path", PF_PATH, struct oci_device, path),
        FHAS("major", PF_I64, struct oci_device, major, has_major),
        FHAS("minor", PF_I64, struct oci_device, minor, has_minor),
        FHAS("fileMode", PF_U32, struct oci_device, file_mode, has_file_mode),
        FHAS("uid", PF_U32, struct oci_device, uid, has_uid),
        FHAS("gid", PF_U32, struct oci_device, gid, has_gid),
    };
    struct oci_device *d = dst;
    int r = PC_FIELDS(c, v, fields, dst);
    /* "/dev/fuse/" names /dev/fuse, as runc's cleaned path does */
    for (size_t n = r == 0 ? strlen(d->path) : 0; n > 1 && d->path[n - 1] == '/'; n--)
        d->path[n - 1] = '\0';
    /* Character, block and unbuffered devices need numbers; FIFOs do not. */
    if (r == 0 && strcmp(d->type, "p") != 0 && (!d->has_major || !d->has_minor)) {
        pc_key(c, d->has_major ? "minor" : "major");
        return pc_err(c, "is required");
    }
    return r;
}

static int pc_net_devices(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        F("name", PF_STR, struct oci_net_device, name),
    };
    struct oci_linux *l = dst;
    return PC_OBJECT_MAP(c, v, l->net_devices, l->n_net_devices, struct oci_net_device, host_name, fields);
}

static int pc_propagation(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *(char **)dst, oci_propagations, "unknown rootfsPropagation");
}

static int pc_abs_paths(struct pctx *c, const bjson *v, void *dst)
{
    char ***paths = dst;
    int r = pc_strv(c, v, paths);
    for (size_t i = 0; r == 0 && (*paths)[i]; i++) {
        size_t old = pc_idx(c, i);
        r = pc_absolute(c, (*paths)[i]);
        pc_pop(c, old);
    }
    return r;
}

static int pc_intel_rdt(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        F("closID", PF_STR, struct oci_intel_rdt, clos_id),
        F("l3CacheSchema", PF_STR, struct oci_intel_rdt, l3_cache_schema),
        F("memBwSchema", PF_STR, struct oci_intel_rdt, mem_bw_schema),
        F("schemata", PF_STRV, struct oci_intel_rdt, schemata),
        FHAS("enableCMT", PF_BOOL, struct oci_intel_rdt, enable_cmt, has_enable_cmt),
        FHAS("enableMBM", PF_BOOL, struct oci_intel_rdt, enable_mbm, has_enable_mbm),
    };
    ((struct oci_intel_rdt *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_mpol_mode(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *(char **)dst, oci_mpol_modes, "unknown memory policy mode");
}

static int pc_memory_policy(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ_REQ("mode", struct oci_memory_policy, mode, pc_mpol_mode),
        F("nodes", PF_STR, struct oci_memory_policy, nodes),
        F("flags", PF_STRV, struct oci_memory_policy, flags),
    };
    ((struct oci_memory_policy *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_domain(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *(char **)dst, oci_personality_domains, "unknown personality domain");
}

static int pc_personality(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ_REQ("domain", struct oci_personality, domain, pc_domain),
        F("flags", PF_STRV, struct oci_personality, flags),
    };
    ((struct oci_personality *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static const struct pfield linux_fields[] = {
    FARR("namespaces", struct oci_linux, namespaces, n_namespaces, pc_namespace),
    FARR("uidMappings", struct oci_linux, uid_mappings, n_uid_mappings, pc_id_mapping),
    FARR("gidMappings", struct oci_linux, gid_mappings, n_gid_mappings, pc_id_mapping),
    FSELF("timeOffsets", pc_time_offsets),
    FARR("devices", struct oci_linux, devices, n_devices, pc_device),
    FSELF("netDevices", pc_net_devices),
    F("cgroupsPath", PF_STR, struct oci_linux, cgroups_path),
    FOBJ("resources", struct oci_linux, resources, pc_resources),
    FOBJ("rootfsPropagation", struct oci_linux, rootfs_propagation, pc_propagation),
    FOBJ("seccomp", struct oci_linux, seccomp, pc_seccomp),
    FMAP("sysctl", struct oci_linux, sysctl, n_sysctl),
    FOBJ("maskedPaths", struct oci_linux, masked_paths, pc_abs_paths),
    FOBJ("readonlyPaths", struct oci_linux, readonly_paths, pc_abs_paths),
    F("mountLabel", PF_STR, struct oci_linux, mount_label),
    FOBJ("intelRdt", struct oci_linux, intel_rdt, pc_intel_rdt),
    FOBJ("memoryPolicy", struct oci_linux, memory_policy, pc_memory_policy),
    FOBJ("personality", struct oci_linux, personality, pc_personality),
};

int pc_linux(struct pctx *c, const bjson *v, void *dst)
{
    ((struct oci_linux *)dst)->present = true;
    return PC_FIELDS(c, v, linux_fields, dst);
}
