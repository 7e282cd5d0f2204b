/* internal.h — shared by the cgroup module's system-call files. */
#ifndef BRICK_CGROUP_INTERNAL_H
#define BRICK_CGROUP_INTERNAL_H

#include "cgroup/cgroup.h"
#include "cgroup/plan.h"

/* The driver of a layout: how resources are planned and how the freezer and
 * the device filter work. v1 serves v1 and hybrid hosts (hybrid adds the
 * cgroup2 tree for unified keys and cgroup.kill), v2 pure cgroup2 hosts. */
struct cgroup_driver {
    const char *name;
    int (*plan)(const struct cgroup *cg, const struct oci_resources *r, struct cgroup_writes *out,
                struct brick_error *err);
    int (*devices)(const struct cgroup *cg, const struct cgroup_dev_rule *rules, size_t n,
                   struct brick_error *err);
    int (*freeze)(const struct cgroup *cg, bool freeze, struct brick_error *err);
    int (*is_frozen)(const struct cgroup *cg);
};
const struct cgroup_driver *cgroup_driver_of(const struct cgroup *cg);

/* The hierarchy holding ctrl ("memory"), "" for the cgroup2 tree; NULL if none. */
const struct cgroup_hier *cgroup_hier_of(const struct cgroup *cg, const char *ctrl);
/* Carry out planned writes in the container's directories. */
int cgroup_write_plan(const struct cgroup *cg, const struct cgroup_writes *w, struct brick_error *err);
/* Read a small cgroup file (trailing newline stripped); -errno. */
int cgroup_read(const char *dir, const char *file, char **ret);
int cgroup_write(const char *dir, const char *file, const char *value);
/* Words of the cgroup2 tree's cgroup.controllers (hybrid unified keys). */
char **cgroup_v2_controllers(const struct cgroup *cg);

#endif
