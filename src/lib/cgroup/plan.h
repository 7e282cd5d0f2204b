/* plan.h — the pure layer: linux.resources -> an ordered list of cgroup file
 * writes, for v1 and for v2. No system calls: unit tests compare the lists
 * with expected ones. Conversions follow runc/crun (see docs/CGROUPS.md). */
#ifndef BRICK_CGROUP_PLAN_H
#define BRICK_CGROUP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct brick_error;
struct oci_resources;
struct oci_device_cgroup;

enum cgroup_write_flag {
    /* v1 memory.limit_in_bytes followed by memory.memsw.limit_in_bytes: when
     * the first fails with EINVAL (raising above the current memsw), write the
     * second first, then retry. */
    CGW_SWAP_ORDER_ON_EINVAL = 1 << 0,
    /* checkBeforeUpdate: refuse when current usage exceeds the new limit. */
    CGW_CHECK_USAGE = 1 << 1,
};

struct cgroup_write {
    char *ctrl;     /* controller: selects the v1 hierarchy ("memory"); on v2 informative */
    bool v2;        /* goes to the cgroup2 directory (v2, or hybrid unified keys) */
    char *file;     /* "memory.limit_in_bytes" */
    char *value;    /* what is written */
    char *alt_file; /* used when file does not exist (blkio.bfq.weight vs blkio.weight) */
    char *alt_value;
    int flags;        /* enum cgroup_write_flag */
    const char *what; /* the OCI resource, for errors: "memory.limit" (static) */
};

struct cgroup_writes {
    struct cgroup_write *v;
    size_t n;
};

void cgroup_writes_done(struct cgroup_writes *w);

/* hybrid_v2_ctrls: controllers of the hybrid cgroup2 tree (cgroup.controllers
 * words) for linux.resources.unified on a v1 host; NULL on pure v1. */
int cgroup_plan_v1(const struct oci_resources *r, char *const *hybrid_v2_ctrls, struct cgroup_writes *out,
                   struct brick_error *err);
int cgroup_plan_v2(const struct oci_resources *r, struct cgroup_writes *out, struct brick_error *err);

/* The device rules brick enforces: deny everything, allow runc's default
 * devices, then the spec's rules in order (later rules win); a leading spec
 * "deny all" is the base already and is skipped so that it does not wipe the
 * defaults. */
struct cgroup_dev_rule {
    bool allow;
    char type;      /* 'a', 'c' or 'b' */
    int64_t major;  /* -1: any */
    int64_t minor;  /* -1: any */
    char access[4]; /* subset of "rwm" */
};
int cgroup_device_rules(const struct oci_device_cgroup *spec_rules, size_t n, struct cgroup_dev_rule **ret,
                        size_t *ret_n, struct brick_error *err);
/* v1 devices.allow / devices.deny writes for the rules (the first denies "a"). */
void cgroup_plan_v1_devices(const struct cgroup_dev_rule *rules, size_t n, struct cgroup_writes *out);

/* runc's conversions, exposed for tests. */
uint64_t cgroup_shares_to_weight(uint64_t shares);   /* cpu.shares -> cpu.weight */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight); /* blkio 10..1000 -> io.weight 1..10000 */

#endif
