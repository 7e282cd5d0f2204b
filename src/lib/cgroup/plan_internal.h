/* plan_internal.h — helpers shared by plan_v1.c, plan_v2.c and devices.c. */
#ifndef BRICK_CGROUP_PLAN_INTERNAL_H
#define BRICK_CGROUP_PLAN_INTERNAL_H

#include "cgroup/plan.h"

/* Append a write and return it (so callers can set alt_* and flags). */
struct cgroup_write *plan_add(struct cgroup_writes *out, const char *ctrl, bool v2, const char *what,
                              const char *file, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* "linux.resources.<what>: <reason>" */
int plan_err(struct brick_error *err, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "2MB", "1GB", "64KB": digits then KB/MB/GB/TB/PB (the kernel's hugetlb names). */
bool plan_valid_page_size(const char *s);
/* A raw cgroup file name must stay inside the cgroup directory. */
bool plan_valid_key(const char *key);
struct oci_resources;
/* rdma.max: "mlx4_0 hca_handle=2 hca_object=2000" (same format on v1 and v2). */
void plan_rdma(const struct oci_resources *r, bool v2, struct cgroup_writes *out);

#endif
